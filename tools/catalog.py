"""Lookup tools, so the model need not guess names: presets and the GPU catalogue."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from tools.calc.hardware import find_gpu, list_gpus
from tools.calc.params import count_parameters
from tools.calc.presets import list_presets

_STRICT = ConfigDict(extra="forbid")


class ListPresetsInput(BaseModel):
    model_config = _STRICT
    family: str | None = Field(None, description="Optional family filter, e.g. 'minimind', 'deepseek_v3', 'qwen3_moe'")


class PresetInfo(BaseModel):
    key: str
    name: str
    family: str
    total_params: int
    active_params: int
    published_total: str | None
    published_active: str | None
    source: str


class PresetList(BaseModel):
    presets: list[PresetInfo]
    gpus: list[str]


def list_presets_tool(args: ListPresetsInput) -> PresetList:
    """The model presets (with exact total/active counts and sources) and the GPU names."""
    rows = []
    for preset in list_presets():
        if args.family and args.family.lower() not in preset.family:
            continue
        counts = count_parameters(preset.shape)
        rows.append(PresetInfo(key=preset.key, name=preset.display_name, family=preset.family,
                               total_params=counts.total, active_params=counts.active,
                               published_total=preset.published_total, published_active=preset.published_active,
                               source=preset.source))
    return PresetList(presets=rows, gpus=[gpu.key for gpu in list_gpus()])


class DescribeGpuInput(BaseModel):
    model_config = _STRICT
    gpu: str = Field(..., description="GPU name, e.g. '4090', 'H100 SXM', 'A100-80GB'")


class GpuInfo(BaseModel):
    key: str
    name: str
    bf16_tflops: float
    fp16_acc_tflops: float
    fp8_tflops: float | None
    memory_gb: float
    bandwidth_tb_s: float
    board_power_watts: float | None
    source: str
    notes: list[str]


def describe_gpu(args: DescribeGpuInput) -> GpuInfo:
    """Peak dense BF16 (FP32-accumulate) TFLOPS, FP8, memory, bandwidth and power of one GPU, with sources."""
    gpu = find_gpu(args.gpu)
    return GpuInfo(key=gpu.key, name=gpu.display_name, bf16_tflops=gpu.bf16_tflops,
                   fp16_acc_tflops=gpu.fp16_acc_tflops, fp8_tflops=gpu.fp8_tflops, memory_gb=gpu.memory_gb,
                   bandwidth_tb_s=gpu.bandwidth_tb_s, board_power_watts=gpu.board_power_watts, source=gpu.source,
                   notes=list(gpu.notes))
