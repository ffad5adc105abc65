"""Published training runs of the preset models, and the MFU each implies.

The runs are literature.md §9a's rows whose model is a preset (:mod:`tools.calc.presets`), each
with the sheet's status mark: Llama 2 7B, Llama 3 8B and 70B, and DeepSeek-V3's pre-training stage.
Left out: Llama 2 13B/70B, Llama 3.1, BLOOM and Olmo 3 (no preset); Llama 3.1 8B/70B share
Llama 3's architecture but are another training run (1.46M/7.0M GPU-hours), not the preset's.

The implied MFU follows the sheet's §9b convention [D]::

    implied MFU = 6·N·D / (GPU-hours × 3600 × dense BF16 peak)

with N our exact activated count of the preset (:func:`tools.calc.params.count_parameters`,
embeddings included; the MTP module of DeepSeek-V3 is counted apart and left out) and the peak of
:mod:`tools.calc.hardware`. The denominator is :func:`tools.calc.gpu_time.compute_budget` at MFU 1
(PaLM App. B's definition run backwards), so the relation is written once. 6·N·D leaves out
attention FLOPs, and the GPU-hours include restarts and evaluation, so the training steps themselves
ran at a higher MFU than the implied one. Where the source gives a lower bound on the tokens ("15T+"),
the implied MFU is a lower bound too (``mfu_is_lower_bound``). DeepSeek-V3 ran most matmuls in FP8
(report §3.3 [S]), so its MFU is also given against the FP8 peak (§9b: 35% of the BF16 peak, 17% of
the FP8 peak).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tools.calc.assumptions import Assumption, assume
from tools.calc.errors import CalcInputError, require_number
from tools.calc.flops import six_nd_flops
from tools.calc.gpu_time import compute_budget
from tools.calc.hardware import Gpu, find_gpu
from tools.calc.params import count_parameters
from tools.calc.presets import find_preset
from tools.calc.resolve_model import ResolvedModel

RunStage = Literal["pre-training"]


@dataclass(frozen=True, kw_only=True)
class PublishedRun:
    """One published training run of a preset model: hardware, GPU-hours and tokens as the source gives them.

    ``tokens_at_least`` marks a token count the source gives as a lower bound ("15T+"). ``fp8_matmuls``
    marks a run that did most matmuls in FP8 (DeepSeek-V3 report §3.3 [S]), whose MFU is also given
    against the FP8 peak. ``status`` is the sheet's mark for the GPU-hours and tokens ([P] primary,
    [S] secondary).
    """

    preset: str
    stage: RunStage
    gpu: str
    gpu_hours: float
    tokens: float
    tokens_at_least: bool
    fp8_matmuls: bool
    status: str
    source: str

    def __post_init__(self) -> None:
        find_preset(self.preset)
        find_gpu(self.gpu)
        require_number("gpu_hours", self.gpu_hours, maximum=1e12)
        require_number("tokens", self.tokens, maximum=1e18)


# Every run below is on the reference sheet (shared/reference/literature.md §9a); a run's ``source`` cites the
# publication itself, since the sheet's section codes mean nothing to a reader.
PUBLISHED_RUNS: tuple[PublishedRun, ...] = (
    # meta-llama/llama MODEL_CARD.md [P]: 184,320 A100-80GB hours, 2.0T tokens
    PublishedRun(preset="llama-2-7b", stage="pre-training", gpu="a100-80gb", gpu_hours=184_320.0, tokens=2.0e12,
                 tokens_at_least=False, fp8_matmuls=False, status="[P]",
                 source="meta-llama/llama MODEL_CARD.md"),
    # meta-llama/llama3 MODEL_CARD.md [P]: 1.3M / 6.4M H100-80GB (700 W: the SXM part) hours, "15T+" tokens
    *(PublishedRun(preset=preset, stage="pre-training", gpu="h100-sxm", gpu_hours=hours, tokens=15e12,
                   tokens_at_least=True, fp8_matmuls=False, status="[P]",
                   source="meta-llama/llama3 MODEL_CARD.md")
      for preset, hours in (("llama-3-8b", 1.3e6), ("llama-3-70b", 6.4e6))),
    # DeepSeek-V3 report Table 1 [S]: pre-training 2,664K H800 hours on 14.8T tokens (context extension
    # 119K and post-training 5K hours are other stages, on token counts the table does not give)
    PublishedRun(preset="deepseek-v3", stage="pre-training", gpu="h800", gpu_hours=2.664e6, tokens=14.8e12,
                 tokens_at_least=False, fp8_matmuls=True, status="[S]",
                 source="DeepSeek-V3 technical report, Table 1"),
)


@dataclass(frozen=True, kw_only=True)
class ImpliedMfu:
    """The MFU a run of ``tokens`` on ``active_params`` implies if it took ``gpu_hours`` on ``gpu`` (module doc)."""

    active_params: float
    tokens: float
    gpu_hours: float
    gpu: Gpu
    training_flops: float  # 6·N·D
    implied_mfu: float  # of the dense BF16 peak
    implied_mfu_fp8_peak: float | None  # of the FP8 peak, for runs with FP8 matmuls on a GPU that has one


def implied_mfu(*, active_params: float, tokens: float, gpu_hours: float, gpu: Gpu, fp8_matmuls: bool) -> ImpliedMfu:
    """6·N·D / (GPU-hours × 3600 × dense BF16 peak), literature §9b's convention (module doc).

    ``fp8_matmuls`` adds the same ratio against the GPU's FP8 peak, for runs that ran their matmuls in FP8.
    """
    if not isinstance(gpu, Gpu):
        raise CalcInputError(field="gpu", value=gpu, expected="a Gpu from tools.calc.hardware.find_gpu",
                             code="internal")
    if not isinstance(fp8_matmuls, bool):
        raise CalcInputError(field="fp8_matmuls", value=fp8_matmuls, expected="True or False", code="internal")
    flops = six_nd_flops(params=active_params, tokens=tokens)
    # GPU-hours × 3600 × dense BF16 peak: the FLOPs those hours give at MFU 1 (PaLM App. B)
    full_peak_flops = compute_budget(gpu=gpu, gpu_count=1, mfu=1.0, gpu_hours=gpu_hours).training_flops
    mfu = flops / full_peak_flops  # literature §9b: 6·N·D / (GPU-h × 3600 × BF16 peak)
    fp8 = mfu * gpu.bf16_tflops / gpu.fp8_tflops if fp8_matmuls and gpu.fp8_tflops else None  # same, FP8 peak
    return ImpliedMfu(active_params=active_params, tokens=tokens, gpu_hours=gpu_hours, gpu=gpu,
                      training_flops=flops, implied_mfu=mfu, implied_mfu_fp8_peak=fp8)


@dataclass(frozen=True, kw_only=True)
class RunUtilisation:
    """A published run with the MFU it implies; a lower bound when the source gives only a floor on the tokens."""

    run: PublishedRun
    utilisation: ImpliedMfu
    mfu_is_lower_bound: bool


@dataclass(frozen=True, kw_only=True)
class PresetRuns:
    """A preset's published runs (empty when none is on record), with the assumptions to state beside them."""

    preset: str
    active_params: int  # our exact activated count, the N of every run's 6·N·D
    runs: tuple[RunUtilisation, ...]
    assumptions: tuple[Assumption, ...]


def _utilisation(run: PublishedRun, active_params: int) -> RunUtilisation:
    mfu = implied_mfu(active_params=active_params, tokens=run.tokens, gpu_hours=run.gpu_hours,
                      gpu=find_gpu(run.gpu), fp8_matmuls=run.fp8_matmuls)
    return RunUtilisation(run=run, utilisation=mfu, mfu_is_lower_bound=run.tokens_at_least)


def published_runs(*, preset: str) -> PresetRuns:
    """The published runs of ``preset`` (a key, display name or alias) with the MFU each implies."""
    found = find_preset(preset)
    active = count_parameters(found.shape).active
    runs = tuple(_utilisation(run, active) for run in PUBLISHED_RUNS if run.preset == found.key)
    assumptions: list[Assumption] = [assume("published_run_mfu")] if runs else []
    assumptions += [assume("published_tokens_at_least", preset=found.display_name, published_tokens=r.run.tokens)
                    for r in runs if r.run.tokens_at_least]
    return PresetRuns(preset=found.key, active_params=active, runs=runs, assumptions=tuple(assumptions))


def published_runs_for(*, model: ResolvedModel) -> PresetRuns | None:
    """The published runs of a resolved model when it is a preset as published, else None.

    "As published" means a named or matched preset whose exact total and activated counts are the
    preset's own: a preset with changed layers or another top-k is not the model those runs trained.
    """
    if not isinstance(model, ResolvedModel):
        raise CalcInputError(field="model", value=model, expected="a ResolvedModel from tools.calc.resolve_model",
                             code="internal")
    if model.preset_key is None or model.counts is None:
        return None
    own = count_parameters(find_preset(model.preset_key).shape)
    if (model.counts.total, model.counts.active) != (own.total, own.active):
        return None
    return published_runs(preset=model.preset_key)
