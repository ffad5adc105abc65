"""A planning budget as training FLOPs, per architecture kind: GPUs × time, money, or FLOPs directly.

The conversion is :func:`tools.calc.gpu_time.compute_budget` (FLOPs = GPU-hours × 3600 × dense BF16
peak × MFU; PaLM App. B). The MFU is the user's, or the named default of
:func:`tools.calc.gpu_time.default_mfu`, which is lower for MoE (0.35) than for dense (0.40): the same
GPUs and days buy an MoE plan fewer model FLOPs than a dense one, so the budget is given per kind and
both defaults are echoed. FLOPs given directly are the same for both kinds; the hardware, if given,
then only sets the days and the memory check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tools.calc.assumptions import Assumption, assume
from tools.calc.errors import CalcInputError, require_number
from tools.calc.gpu_time import MAX_TRAINING_FLOPS, compute_budget, project_gpu_time
from tools.calc.hardware import Gpu
from tools.calc.resolve_hardware import HardwareDescription, resolve_hardware

Architecture = Literal["moe", "dense"]
LimitedBy = Literal["days", "gpu_hours", "budget", "compute"]
MfuBasis = Literal["given", "default_moe", "default_dense"]
ARCHITECTURES: tuple[Architecture, ...] = ("moe", "dense")


@dataclass(frozen=True, kw_only=True)
class ArchitectureCompute:
    """The training FLOPs one kind of model gets from the budget, and the MFU that set them."""

    architecture: Architecture
    compute_flops: float
    mfu: float | None  # None: FLOPs given and no hardware to run them on
    mfu_basis: MfuBasis | None
    gpu_hours: float | None
    wall_clock_days: float | None
    cost: float | None


@dataclass(frozen=True, kw_only=True)
class PlanBudget:
    """The budget as stated, and as FLOPs per architecture kind (the first kind is the plan's)."""

    limited_by: LimitedBy
    gpu: Gpu | None
    gpu_count: int | None
    price_per_gpu_hour: float | None
    currency: str | None
    computes: tuple[ArchitectureCompute, ...]
    assumptions: tuple[Assumption, ...]

    @property
    def primary(self) -> ArchitectureCompute:
        return self.computes[0]

    def compute_for(self, *, architecture: Architecture) -> ArchitectureCompute:
        for item in self.computes:
            if item.architecture == architecture:
                return item
        raise CalcInputError(field="architectures", value=architecture,
                             expected="one of " + ", ".join(c.architecture for c in self.computes),
                             code="one_of", values={"choices": tuple(c.architecture for c in self.computes)})


def plan_budget(
    *,
    hardware: HardwareDescription | None,
    architectures: tuple[Architecture, ...] = ARCHITECTURES,
    days: float | None = None,
    gpu_hours: float | None = None,
    budget: float | None = None,
    compute_flops: float | None = None,
) -> PlanBudget:
    """Exactly one of ``days``, ``gpu_hours``, ``budget`` (money, needs the hardware's price) or
    ``compute_flops``; every limit but FLOPs needs ``hardware``."""
    if not architectures or any(kind not in ARCHITECTURES for kind in architectures) \
            or len(set(architectures)) != len(architectures):
        raise CalcInputError(field="architectures", value=architectures, expected="'moe' and/or 'dense', once each",
                             code="architectures_moe_dense")
    given = [name for name, value in (("days", days), ("gpu_hours", gpu_hours), ("budget", budget),
                                      ("compute", compute_flops)) if value is not None]
    if len(given) != 1:
        raise CalcInputError(field="compute" if not given else given[1], value=tuple(given),
                             expected="exactly one budget: days, gpu_hours, budget (with a price) or compute FLOPs",
                             code="one_plan_budget")
    limit: LimitedBy = given[0]  # type: ignore[assignment]
    if limit != "compute" and hardware is None:
        raise CalcInputError(field="gpu", value=None, expected=f"the GPUs (name and count) that the {limit} buy",
                             code="budget_needs_gpus")
    flops = require_number("compute_flops", compute_flops, maximum=MAX_TRAINING_FLOPS) if limit == "compute" else 0.0
    computes, assumptions = [], []
    gpu = count = price = currency = None
    for kind in architectures:
        if hardware is None:
            computes.append(ArchitectureCompute(architecture=kind, compute_flops=flops, mfu=None, mfu_basis=None,
                                                gpu_hours=None, wall_clock_days=None, cost=None))
            continue
        hw = resolve_hardware(description=hardware, is_moe=kind == "moe")
        gpu, count, price, currency = hw.gpu, hw.gpu_count, hw.price_per_gpu_hour, hw.currency
        assumptions.extend(hw.assumptions)
        basis: MfuBasis = "given" if hw.mfu_given else "default_moe" if kind == "moe" else "default_dense"
        if limit == "compute":
            time = project_gpu_time(training_flops=flops, gpu=hw.gpu, gpu_count=hw.gpu_count, mfu=hw.mfu,
                                    price_per_gpu_hour=price, currency=currency)
            computes.append(ArchitectureCompute(architecture=kind, compute_flops=flops, mfu=hw.mfu, mfu_basis=basis,
                                                gpu_hours=time.gpu_hours, wall_clock_days=time.wall_clock_days,
                                                cost=time.cost))
            continue
        bought = compute_budget(gpu=hw.gpu, gpu_count=hw.gpu_count, mfu=hw.mfu, days=days, gpu_hours=gpu_hours,
                                budget=budget, price_per_gpu_hour=price, currency=currency)
        computes.append(ArchitectureCompute(architecture=kind, compute_flops=bought.training_flops, mfu=hw.mfu,
                                            mfu_basis=basis, gpu_hours=bought.gpu_hours,
                                            wall_clock_days=bought.wall_clock_days, cost=bought.cost))
    assumptions.append(assume("training_flops_given") if limit == "compute" else assume("budget_flops_formula"))
    return PlanBudget(limited_by=limit, gpu=gpu, gpu_count=count, price_per_gpu_hour=price, currency=currency,
                      computes=tuple(computes), assumptions=tuple(assumptions))
