"""Published runs of a preset, as the ``project_gpu_time`` result carries them beside its projection.

Every number comes from :mod:`tools.calc.published_runs`; this module only packs it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from tools.calc.assumptions import Assumption
from tools.calc.published_runs import published_runs_for
from tools.calc.resolve_model import ResolvedModel


class PublishedRunOut(BaseModel):
    """A published training run of the preset, with the MFU it implies (6·N·D over its GPU-hours at peak)."""

    preset: str
    stage: Literal["pre-training"]
    gpu: str
    gpu_key: str
    gpu_hours: float
    tokens: float
    tokens_at_least: bool
    active_params: int
    training_flops: float
    peak_tflops_per_gpu: float
    implied_mfu: float
    implied_mfu_fp8_peak: float | None
    mfu_is_lower_bound: bool
    status: str
    source: str


def published_runs_out(model: ResolvedModel | None) -> tuple[list[PublishedRunOut], tuple[Assumption, ...]]:
    """The published runs of ``model`` when it is a preset as published (else none), and their assumptions."""
    found = published_runs_for(model=model) if model is not None else None
    if found is None:
        return [], ()
    runs = [PublishedRunOut(
        preset=found.preset, stage=r.run.stage, gpu=r.utilisation.gpu.display_name, gpu_key=r.run.gpu,
        gpu_hours=r.run.gpu_hours, tokens=r.run.tokens, tokens_at_least=r.run.tokens_at_least,
        active_params=found.active_params, training_flops=r.utilisation.training_flops,
        peak_tflops_per_gpu=r.utilisation.gpu.bf16_tflops, implied_mfu=r.utilisation.implied_mfu,
        implied_mfu_fp8_peak=r.utilisation.implied_mfu_fp8_peak, mfu_is_lower_bound=r.mfu_is_lower_bound,
        status=r.run.status, source=r.run.source,
    ) for r in found.runs]
    return runs, found.assumptions
