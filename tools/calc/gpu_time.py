"""GPU time, cost and energy of a training run, and the inverse: the FLOPs a budget buys.

Model FLOPs utilisation follows PaLM (Chowdhery et al. 2022) App. B (literature §7c): MFU is the
observed model-FLOP throughput over the theoretical peak matmul throughput, with recomputation
*not* counted. Hence, for a run of ``training_flops`` model FLOPs (e.g. 6·N·D)::

    gpu_seconds = training_flops / (peak_flops_per_s × MFU)       # peak = dense BF16, FP32 accumulate

Wall-clock time divides GPU-seconds by the GPU count: it assumes the MFU already includes the
scaling loss, and adds no allowance for restarts, evaluation or queueing (Llama 3 reports >90%
effective training time; literature §9a). Energy is GPU-hours × board power × PUE: an estimate,
because the board powers are mostly [U] and GPUs rarely sit at board power (Olmo 3 averaged
621-649 W on 700 W H100s; literature §9a).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tools.calc.errors import CalcInputError, require_int, require_number
from tools.calc.hardware import Gpu

MAX_TRAINING_FLOPS = 1e32  # far above any run on record (Llama 3.1 405B: 3.8e25; literature §9a)
MAX_GPU_COUNT = 1_000_000
_CURRENCY = re.compile(r"[A-Za-z]{3}")  # an ISO 4217 code: USD, CNY, EUR
MAX_PUE = 3.0  # sanity bound on power usage effectiveness (>= 1 by definition)
_SECONDS_PER_HOUR = 3600.0

# Implied MFU = 6ND / (GPU-h × 3600 × dense BF16 peak), literature §9b [D]: Llama 2 7B/13B/70B on
# A100-80GB came out at 39/38/43%; Megatron-LM README reports 38-47% on H100 (§9c [P]).
DEFAULT_MFU_DENSE = 0.40
_DENSE_SOURCE = (
    "0.40: Llama 2 7B/13B/70B imply 39%/38%/43% MFU on A100-80GB (6ND over published GPU-hours, "
    "literature §9b [D]); Megatron-LM README reports 38-47% on H100 (§9c [P])"
)
# DeepSeek-V3 pre-training implies 35% of the H800 BF16 peak with 37B active params (§9b [D]);
# MoE MFU is typically lower than dense because of all-to-all and load imbalance (§9c [S]).
DEFAULT_MFU_MOE = 0.35
_MOE_SOURCE = (
    "0.35: DeepSeek-V3 pre-training implies 35% of the H800 dense BF16 peak with 37B active params "
    "(literature §9b [D]); MoE MFU is typically below dense because of all-to-all and load "
    "imbalance (§9c [S])"
)
# No consumer-GPU default: the sheet has no run on GeForce cards with both tokens and hours
# (MiniMind gives hours but not token counts), so none is invented here.


@dataclass(frozen=True, kw_only=True)
class MfuChoice:
    """A default MFU with the sentence that justifies it."""

    mfu: float
    is_moe: bool
    source: str
    status: str = "[D]"


def default_mfu(*, is_moe: bool) -> MfuChoice:
    """The named default MFU for a dense or an MoE run (MoE MFU counts active parameters only)."""
    if not isinstance(is_moe, bool):
        raise CalcInputError(field="is_moe", value=is_moe, expected="True or False", code="internal")
    if is_moe:
        return MfuChoice(mfu=DEFAULT_MFU_MOE, is_moe=True, source=_MOE_SOURCE)
    return MfuChoice(mfu=DEFAULT_MFU_DENSE, is_moe=False, source=_DENSE_SOURCE)


@dataclass(frozen=True, kw_only=True)
class GpuTimeProjection:
    """GPU-hours, wall clock, cost and energy for ``training_flops`` on ``gpu_count`` × ``gpu``."""

    training_flops: float
    gpu: Gpu
    gpu_count: int
    mfu: float
    peak_tflops_per_gpu: float
    effective_tflops_per_gpu: float
    gpu_hours: float
    wall_clock_hours: float
    wall_clock_days: float
    price_per_gpu_hour: float | None
    currency: str
    cost: float | None
    pue: float
    board_power_watts: float | None
    energy_kwh: float | None
    notes: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ComputeBudget:
    """The model FLOPs that fit in a wall-clock, GPU-hour or money budget."""

    training_flops: float
    limited_by: str
    gpu: Gpu
    gpu_count: int
    mfu: float
    effective_tflops_per_gpu: float
    gpu_hours: float
    wall_clock_hours: float
    wall_clock_days: float
    price_per_gpu_hour: float | None
    currency: str
    cost: float | None
    notes: tuple[str, ...]


def _check_common(gpu: object, gpu_count: object, mfu: object) -> tuple[Gpu, int, float]:
    if not isinstance(gpu, Gpu):
        raise CalcInputError(field="gpu", value=gpu, expected="a Gpu from tools.calc.hardware.find_gpu",
                             code="internal")
    count = require_int("gpu_count", gpu_count, minimum=1, maximum=MAX_GPU_COUNT)
    utilisation = require_number("mfu", mfu, minimum=0.0, maximum=1.0)
    return gpu, count, utilisation


def check_currency(currency: object) -> str:
    """``currency`` as a three-letter code (ISO 4217: USD, CNY, EUR), upper-cased; anything else is refused."""
    if not isinstance(currency, str) or not _CURRENCY.fullmatch(currency.strip()):
        raise CalcInputError(field="currency", value=currency,
                             expected="a currency code such as 'USD' or 'CNY'", code="currency_code")
    return currency.strip().upper()


def _check_price(price: object, currency: object) -> tuple[float | None, str]:
    code = check_currency(currency)
    if price is None:
        return None, code
    price_value = require_number("price_per_gpu_hour", price, minimum=0.0, maximum=1e6, allow_minimum=True)
    return price_value, code


def _time_notes(gpu: Gpu, mfu: float) -> list[str]:
    notes = [
        f"gpu_seconds = FLOPs / ({gpu.bf16_tflops:g}e12 FLOP/s dense BF16 peak {gpu.peak_status} "
        f"× MFU {mfu:g}); "
        "MFU as defined in PaLM App. B (recomputation not counted)",
        "wall clock = GPU-hours / GPU count: no allowance for restarts, evaluation or queueing",
    ]
    notes.extend(f"{gpu.key}: {note}" for note in gpu.notes if "[U]" in note or "no BF16" in note)
    return notes


def project_gpu_time(
    *,
    training_flops: float,
    gpu: Gpu,
    gpu_count: int,
    mfu: float,
    price_per_gpu_hour: float | None = None,
    currency: str = "USD",
    pue: float = 1.0,
) -> GpuTimeProjection:
    """Project GPU-hours, wall clock, cost and energy for a training run.

    ``training_flops`` are model FLOPs (the MFU numerator, e.g. 6·N·D with N active params).
    ``pue`` defaults to 1.0, i.e. GPU board power only, with no facility overhead; it is echoed.
    Cost is ``None`` without a price. Energy is ``None`` when the GPU has no board power on record.
    """
    gpu, count, utilisation = _check_common(gpu, gpu_count, mfu)
    flops = require_number("training_flops", training_flops, minimum=0.0, maximum=MAX_TRAINING_FLOPS)
    price, currency = _check_price(price_per_gpu_hour, currency)
    pue_value = require_number("pue", pue, minimum=1.0, maximum=MAX_PUE, allow_minimum=True)

    effective_flops_per_s = gpu.peak_flops_per_s * utilisation  # PaLM App. B: MFU × peak
    gpu_hours = flops / effective_flops_per_s / _SECONDS_PER_HOUR
    wall_hours = gpu_hours / count
    cost = None if price is None else gpu_hours * price
    notes = _time_notes(gpu, utilisation)
    energy = None
    if gpu.board_power_watts is None:
        notes.append(f"{gpu.key} has no board power on record: energy not estimated")
    else:
        # energy = GPU-hours × board power × PUE (literature §8: label it an estimate)
        energy = gpu_hours * gpu.board_power_watts * pue_value / 1000.0
        notes.append(
            f"energy is an estimate: GPU-hours × {gpu.board_power_watts:g} W board power "
            f"{gpu.board_power_status} × PUE {pue_value:g}; real draw is usually below board power"
        )
    return GpuTimeProjection(
        training_flops=flops, gpu=gpu, gpu_count=count, mfu=utilisation,
        peak_tflops_per_gpu=gpu.bf16_tflops, effective_tflops_per_gpu=gpu.bf16_tflops * utilisation,
        gpu_hours=gpu_hours, wall_clock_hours=wall_hours, wall_clock_days=wall_hours / 24.0,
        price_per_gpu_hour=price, currency=currency, cost=cost, pue=pue_value,
        board_power_watts=gpu.board_power_watts, energy_kwh=energy, notes=tuple(notes),
    )


def compute_budget(
    *,
    gpu: Gpu,
    gpu_count: int,
    mfu: float,
    days: float | None = None,
    gpu_hours: float | None = None,
    budget: float | None = None,
    price_per_gpu_hour: float | None = None,
    currency: str = "USD",
) -> ComputeBudget:
    """The model FLOPs that fit in exactly one of: ``days`` of wall clock, ``gpu_hours``, or
    ``budget`` money at ``price_per_gpu_hour`` (> 0). The inverse of :func:`project_gpu_time`::

        FLOPs = GPU-hours × 3600 × peak × MFU
    """
    gpu, count, utilisation = _check_common(gpu, gpu_count, mfu)
    price, currency = _check_price(price_per_gpu_hour, currency)
    given = [name for name, value in (("days", days), ("gpu_hours", gpu_hours), ("budget", budget))
             if value is not None]
    if len(given) != 1:
        raise CalcInputError(
            field="days" if not given else given[1], value=tuple(given),
            expected="exactly one of days, gpu_hours or budget (budget needs price_per_gpu_hour)",
            code="one_budget",
        )
    limit = given[0]
    if limit == "days":
        hours = require_number("days", days, maximum=36_500.0) * 24.0 * count
    elif limit == "gpu_hours":
        hours = require_number("gpu_hours", gpu_hours, maximum=1e12)
    else:
        money = require_number("budget", budget, maximum=1e15)
        if price is None or price == 0.0:
            raise CalcInputError(field="price_per_gpu_hour", value=price_per_gpu_hour,
                                 expected="a price > 0 when a budget is given", code="price_for_budget")
        hours = money / price
    flops = hours * _SECONDS_PER_HOUR * gpu.peak_flops_per_s * utilisation  # inverse of PaLM App. B MFU
    wall_hours = hours / count
    return ComputeBudget(
        training_flops=flops, limited_by=limit, gpu=gpu, gpu_count=count, mfu=utilisation,
        effective_tflops_per_gpu=gpu.bf16_tflops * utilisation, gpu_hours=hours,
        wall_clock_hours=wall_hours, wall_clock_days=wall_hours / 24.0,
        price_per_gpu_hour=price, currency=currency, cost=None if price is None else hours * price,
        notes=tuple(_time_notes(gpu, utilisation)),
    )
