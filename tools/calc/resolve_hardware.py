"""The one resolver for the hardware: the GPU, how many, the MFU and the price, with every default named.

The MFU default is the cited one of :func:`tools.calc.gpu_time.default_mfu` (lower for MoE). An
unstated GPU count is 1, an unstated currency the description's ``default_currency`` (USD unless the caller
names another, as the Chinese interface does with CNY), and a short GPU name read as one part of several
("A100" → A100 80GB SXM) is said: each of these moves GPU time, cost or the memory check, so each is
a headline assumption.
"""

from __future__ import annotations

from dataclasses import dataclass

from tools.calc.assumptions import Assumption, assume
from tools.calc.errors import require_int, require_number
from tools.calc.gpu_time import MAX_GPU_COUNT, check_currency, default_mfu
from tools.calc.hardware import Gpu, find_gpu

DEFAULT_CURRENCY = "USD"


@dataclass(frozen=True, kw_only=True)
class HardwareDescription:
    """The hardware as stated. ``None`` = not stated."""

    gpu: str
    gpu_count: int | None = None
    mfu: float | None = None
    price_per_gpu_hour: float | None = None
    currency: str | None = None
    default_currency: str = DEFAULT_CURRENCY  # taken for a price without a currency (and named as taken)


@dataclass(frozen=True, kw_only=True)
class ResolvedHardware:
    gpu: Gpu
    gpu_count: int
    mfu: float
    mfu_given: bool
    price_per_gpu_hour: float | None
    currency: str
    assumptions: tuple[Assumption, ...]


def resolve_hardware(*, description: HardwareDescription, is_moe: bool) -> ResolvedHardware:
    d = description
    gpu = find_gpu(d.gpu)
    catalogue_entry = find_gpu(gpu.key)
    assumptions = [assume("gpu_peak", gpu=gpu.display_name, tflops=gpu.bf16_tflops)]
    if len(gpu.notes) > len(catalogue_entry.notes):
        assumptions.append(assume("gpu_variant_default", headline=True, written=d.gpu, gpu=gpu.display_name))
    if d.gpu_count is None:
        count = 1
        assumptions.append(assume("gpu_count_default", headline=True))
    else:
        count = require_int("gpu_count", d.gpu_count, maximum=MAX_GPU_COUNT)
    if d.mfu is None:
        choice = default_mfu(is_moe=is_moe)
        mfu = choice.mfu
        assumptions.append(assume("mfu_default_moe" if is_moe else "mfu_default_dense", headline=True, mfu=mfu))
    else:
        mfu = require_number("mfu", d.mfu, maximum=1.0)
    price = None
    if d.price_per_gpu_hour is not None:
        price = require_number("price_per_gpu_hour", d.price_per_gpu_hour, maximum=1e6, allow_minimum=True)
    currency = check_currency(d.default_currency if d.currency is None else d.currency)
    if price is not None and d.currency is None:
        assumptions.append(assume("currency_default", headline=True, currency=currency))
    return ResolvedHardware(gpu=gpu, gpu_count=count, mfu=mfu, mfu_given=d.mfu is not None, price_per_gpu_hour=price,
                            currency=currency, assumptions=tuple(assumptions))
