"""The chat answer: what was asked first, then a verdict card of at most six lines, then the full report folded.

Shapes, chosen by :mod:`assistant.offline.intent`:

* a plan: what was understood and the other opening lines (stated-figure checks, vendor figures, defaults
  taken, numbers not understood), then the card (the headline numbers, the tokens-per-parameter verdict, time
  and cost, whether memory fits, the one most useful piece of advice);
* one figure ("多少卡时?", "does it fit?"): that figure first, in one line, then the card;
* a follow-up that changes the plan: the effect of the change on the numbers that moved, nothing else;
* a comparison: the two variants side by side, only the rows that differ;
* paper text: the analysis paragraph and the table of alternatives in the conversation's language, with the
  exports named;
* a loss curve: what was read, each fit's predicted loss at the checkpoints, and where returns diminish.

Every number is a field of a tool result; every sentence is a block of ``prompts/answer/{lang}.md``.
"""

from __future__ import annotations

from string import Template
from typing import Any

from assistant.compose import cost_clause, fits_spread_text, suggestions_text
from assistant.offline.intent import Asked
from assistant.report import (
    PRIMARY_LOSS_FIT,
    BudgetReport,
    Language,
    PlanReport,
    duration_text,
    factor_text,
    fit_name,
    label,
    loss_table,
    money_text,
    per_param_text,
    ratio_text,
    verdict_text,
)
from assistant.results import ToolResults
from assistant.understood import defaults_line, not_understood_line, not_used_line
from prompts import Prompt, load
from tools.analysis import MemoryResult, ParamsResult
from tools.assumption_text import suggestion_text
from tools.planner import RecommendResult
from tools.quantities import count_text, sci

CARD_LINES = 6


def _prompt(language: str) -> Prompt:
    return load(f"answer/{'zh' if language == 'zh' else 'en'}")


def _block(language: str, name: str) -> str:
    return _prompt(language).blocks()[name]


def _say(language: str, block_name: str, /, **values: Any) -> str:
    return Template(_prompt(language).blocks()[block_name]).substitute(values)


# --- the card ---------------------------------------------------------------------------------------------

def card(report: PlanReport) -> list[str]:
    """At most six lines: understood, numbers, verdict, time and cost, memory, advice."""
    language = report.language
    params, flops, chin, gpu = report.params, report.flops, report.chinchilla, report.gpu
    lines = [report.understood]
    values = {"total_params": count_text(params.total_params, language),
              "active_params": count_text(params.active_params, language),
              "tokens": count_text(flops.tokens, language), "flops": sci(flops.six_nd_flops)}
    lines.append(_say(language, "numbers_moe" if params.reading.is_moe else "numbers_dense", **values))
    lines.append(_say(language, "verdict", ratio=ratio_text(chin.tokens_per_active_param),
                      per=per_param_text(chin.is_moe, language),
                      verdict=verdict_text(chin.verdict_active, language)))
    if gpu is not None:
        lines.append(time_line(report))
    if report.memory is not None:
        lines.append(memory_line(report.memory, language))
    lines.append(advice(report))
    return lines[:CARD_LINES]


def _count_stated(report: PlanReport) -> bool:
    return not any(a.code == "gpu_count_default" for a in report.gpu.assumptions)


def time_line(report: PlanReport) -> str:
    gpu, language = report.gpu, report.language
    cost = cost_clause(gpu.cost, gpu.currency, language) and _say(language, "cost", cost=money_text(gpu.cost,
                                                                                                     gpu.currency))
    values = {"gpu_count": gpu.gpu_count, "gpu": gpu.gpu, "mfu": f"{gpu.mfu:.0%}", "gpu_hours": f"{gpu.gpu_hours:,.0f}",
              "wall_clock": duration_text(gpu.wall_clock_hours, language), "cost": cost}
    return _say(language, "time" if _count_stated(report) else "time_no_count", **values) + published_text(report)


def published_text(report: PlanReport) -> str:
    """The preset's first published run beside the projection ("" when there is none)."""
    if report.gpu is None or not report.gpu.published_runs:
        return ""
    language, run = report.language, report.gpu.published_runs[0]
    at_least = label(language, "at_least")
    return _say(language, "published", stage=label(language, f"stage.{run.stage}"), gpu=run.gpu,
                gpu_hours=f"{run.gpu_hours:,.0f}",
                tokens=(at_least if run.tokens_at_least else "") + count_text(run.tokens, language),
                mfu=(at_least if run.mfu_is_lower_bound else "") + f"{run.implied_mfu:.1%}")


def memory_line(memory: MemoryResult, language: Language) -> str:
    values = {"total": f"{memory.total_gb:,.1f}", "capacity": f"{memory.capacity_gb:,.1f}",
              "zero_stage": memory.zero_stage, "micro_batch": memory.micro_batch}
    if memory.fits:
        return _say(language, "memory_fits", **values)
    fix = _say(language, "memory_fix", suggestion=suggestion_text(memory.suggestions[0].change, language=language)) \
        if memory.suggestions else ""
    return _say(language, "memory_no_fit", fix=fix, **values).rstrip()


def advice(report: PlanReport) -> str:
    """The single most useful recommendation: memory first, then the data, then the MFU."""
    language, chin, memory, gpu = report.language, report.chinchilla, report.memory, report.gpu
    if memory is not None and not memory.fits and memory.suggestions:
        first = suggestion_text(memory.suggestions[0].change, language=language)
        return _say(language, "advice_memory", suggestion=first)
    rows = {row.key: row for row in chin.alternatives}
    verdict = chin.verdict_active
    if verdict.kind == "under-trained":
        return _say(language, "advice_under", factor=f"{1 / verdict.factor:.1f}",
                    data_matched_params=count_text(chin.data_matched_params, language),
                    tokens_needed=count_text(rows["stop_early"].tokens, language))
    if verdict.kind == "over-trained":
        optimal = rows["compute_optimal"]
        return _say(language, "advice_over", optimal_params=count_text(optimal.params, language),
                    optimal_tokens=count_text(optimal.tokens, language),
                    loss_gain=f"{-optimal.loss_delta.get(PRIMARY_LOSS_FIT, 0.0):.3f}",
                    fit=fit_name(PRIMARY_LOSS_FIT, language))
    if gpu is not None and gpu.mfu_basis != "given":
        return _say(language, "advice_mfu", mfu=f"{gpu.mfu:.0%}")
    return _say(language, "advice_near")


# --- one figure first ---------------------------------------------------------------------------------------

def lead(report: PlanReport, asked: Asked) -> str | None:
    """The one line that answers a figure question, or None when the report cannot answer it."""
    language, gpu, chin = report.language, report.gpu, report.chinchilla
    figure = asked.figure
    if figure == "gpu_hours" and gpu is not None:
        return _say(language, "lead_gpu_hours", gpu_hours=f"{gpu.gpu_hours:,.0f}", gpu=gpu.gpu, mfu=f"{gpu.mfu:.0%}")
    if figure == "wall_clock" and gpu is not None:
        return _say(language, "lead_wall_clock", wall_clock=duration_text(gpu.wall_clock_hours, language),
                    gpu_count=gpu.gpu_count, gpu=gpu.gpu, mfu=f"{gpu.mfu:.0%}")
    if figure == "cost" and gpu is not None:
        if gpu.cost is None:
            return _say(language, "lead_cost_no_price", gpu_hours=f"{gpu.gpu_hours:,.0f}")
        return _say(language, "lead_cost", cost=money_text(gpu.cost, gpu.currency), gpu_hours=f"{gpu.gpu_hours:,.0f}",
                    price=money_text(gpu.price_per_gpu_hour, gpu.currency) if gpu.price_per_gpu_hour else "—")
    if figure == "memory" and report.memory is not None:
        return memory_lead(report.memory, language)
    if figure == "tokens_per_param":
        return _say(language, "lead_tokens_per_param", ratio=ratio_text(chin.tokens_per_active_param),
                    per=per_param_text(chin.is_moe, language),
                    verdict=verdict_text(chin.verdict_active, language))
    if figure == "flops":
        detailed = sci(report.flops.detailed_flops) if report.flops.detailed_flops is not None else "—"
        return _say(language, "lead_flops", flops=sci(report.flops.six_nd_flops), detailed=detailed)
    if figure == "params":
        return _say(language, "lead_params", total_params=count_text(report.params.total_params, language),
                    active_params=count_text(report.params.active_params, language))
    return None


def memory_lead(memory: MemoryResult, language: Language) -> str:
    return _say(language, "lead_memory_fits" if memory.fits else "lead_memory_no_fit",
                total=f"{memory.total_gb:,.1f}", capacity=f"{memory.capacity_gb:,.1f}")


def memory_answer(results: ToolResults, understood: str, language: Language) -> str:
    """A memory question with no data size: the verdict, the parts, and what would fit."""
    memory = results.memory
    lines = [memory_lead(memory, language), understood, _say(
        language, "memory_parts", weights=f"{memory.weights_gb:,.1f}", grads=f"{memory.grads_gb:,.1f}",
        optimizer=f"{memory.optimizer_gb:,.1f}", activations=f"{memory.activations_gb:,.1f}",
        overhead=f"{memory.overhead_gb:,.1f}", seq_len=f"{memory.seq_len:,}", micro_batch=memory.micro_batch,
        zero_stage=memory.zero_stage)]
    if not memory.fits and memory.suggestions:
        lines.append(_say(language, "memory_suggestions", suggestions=suggestions_text(memory, language)))
    taken = defaults_line([a.model_dump() for a in memory.assumptions], language=language)
    return "\n\n".join([*lines, *([taken] if taken else [])])


# --- the answer ------------------------------------------------------------------------------------------

def plan_answer(report: PlanReport, *, asked: Asked, diff: str | None = None) -> str:
    """The chat answer for a plan report (see the module doc); the full report is not included."""
    if diff is not None:
        notices = (not_understood_line(report.not_understood, language=report.language),
                   not_used_line(report.not_used, language=report.language))
        return "\n\n".join([diff, *(line for line in notices if line)])
    lines = [line for line in (lead(report, asked) if asked.intent == "figure" else None,) if line]
    understood, *numbers = card(report)
    # What was read and every default taken come before the numbers they move (DEVELOPERS.md: first lines).
    lines += [understood, *report.first_lines[1:], *numbers]
    return "\n\n".join(lines)


def loss_answer(report: PlanReport) -> str:
    """A loss-curve question: each fit's predicted loss at the checkpoints, and where returns diminish."""
    language, loss = report.language, report.loss
    curve = next((c for c in loss.fits if c.fit == PRIMARY_LOSS_FIT), loss.fits[0])
    point = curve.diminishing_returns
    if point.plan_position == "after":
        last = next((c for c in reversed(curve.checkpoints) if c.fraction < 1), None)
        position = _say(language, "loss_point_after", factor=factor_text(point.plan_over_point),
                        share=f"{1 - last.fraction:.0%}" if last else "100%",
                        gain=f"{last.remaining_gain_nats:.2f}" if last else "—")
    else:
        position = _say(language, "loss_point_before", factor=factor_text(1 / point.plan_over_point))
    lines = [report.understood, *report.first_lines[1:], _say(language, "loss_lead"), loss_table(loss, language),
             _say(language, "loss_point", fit=fit_name(curve.fit, language), tokens=count_text(point.tokens, language),
                  ratio=ratio_text(point.tokens_per_param), position=position,
                  per=per_param_text(loss.is_moe, language))]
    return "\n\n".join(lines)


def worked_active_params(params: ParamsResult, language: Language, *, own: bool) -> str | None:
    """How the activated count is made, worked through an MoE's exact count (None for a model without
    routed experts or without a breakdown)."""
    routed = (params.breakdown or {}).get("routed_experts")
    if not routed or params.routed_experts_active is None or not params.top_k:
        return None
    values = {"model": params.model, "total": f"{params.total_params:,.0f}", "routed": f"{routed:,}",
              "experts": params.reading.num_experts or "—", "top_k": params.top_k,
              "routed_active": f"{params.routed_experts_active:,}", "active": f"{params.active_params:,.0f}"}
    return "\n\n".join([_block(language, "active_formula"),
                         _say(language, "active_worked_own" if own else "active_worked_example", **values)])


def budget_answer(report: BudgetReport) -> str:
    """A budget question: what was read and assumed, the compute and the targets in a line, the best rows."""
    from assistant.budget_report import budget_title, candidates_table, card_candidates

    language, recommend = report.language, report.recommend
    target = recommend.search_targets[0]
    low = min(recommend.targets, key=lambda t: t.active_params)
    high = max(recommend.targets, key=lambda t: t.active_params)
    lead_line = _say(language, "budget_lead", title=budget_title(recommend, language),
                     flops=sci(recommend.compute_flops), low=count_text(low.active_params, language),
                     high=count_text(high.active_params, language), fit=fit_name(recommend.fit, language),
                     params=count_text(target.active_params, language), tokens=count_text(target.tokens, language))
    shown = card_candidates(recommend)
    if not shown:
        return "\n\n".join([report.understood, *report.first_lines[1:], lead_line, _block(language, "budget_none")])
    table = candidates_table([c for _, c in shown], language, numbers=[n for n, _ in shown], compact=True)
    return "\n\n".join([report.understood, *report.first_lines[1:], lead_line, table,
                         _say(language, "budget_hint", count=len(recommend.candidates))])


def no_such_candidate(number: int, offered: RecommendResult | None, language: str) -> str:
    if offered is None:
        return _block(language, "no_candidates_yet")
    return _say(language, "no_such_candidate", number=number, count=len(offered.candidates))


def no_plan_for_loss(language: str) -> str:
    return _block(language, "no_plan_for_loss")


def full_report_title(language: str) -> str:
    return _block(language, "full_report")


# --- follow-ups as diffs ------------------------------------------------------------------------------------

def _headline(report: PlanReport) -> dict[str, tuple[float | bool | str, str]]:
    """The headline numbers a follow-up can move: name → (value for comparing, text for showing)."""
    language, params, flops, chin, gpu, memory = (report.language, report.params, report.flops, report.chinchilla,
                                                  report.gpu, report.memory)
    numbers: dict[str, tuple[float | bool | str, str]] = {
        "total_params": (params.total_params, count_text(params.total_params, language)),
        "active_params": (params.active_params, count_text(params.active_params, language)),
        "tokens": (flops.tokens, count_text(flops.tokens, language)),
        "flops": (flops.six_nd_flops, sci(flops.six_nd_flops)),
        "ratio": (round(chin.tokens_per_active_param, 1), ratio_text(chin.tokens_per_active_param)),
        "verdict": (chin.verdict_active.kind, verdict_text(chin.verdict_active, language)),
    }
    if gpu is not None:
        numbers["gpu_hours"] = (round(gpu.gpu_hours, 1), f"{gpu.gpu_hours:,.0f}")
        if _count_stated(report):  # no wall clock for a GPU count nobody gave
            numbers["wall_clock"] = (round(gpu.wall_clock_hours, 2), duration_text(gpu.wall_clock_hours, language))
        if gpu.cost is not None:
            numbers["cost"] = (round(gpu.cost, 2), money_text(gpu.cost, gpu.currency))
    if memory is not None:
        numbers["memory"] = (round(memory.total_gb, 1), f"{memory.total_gb:,.1f} GB")
        numbers["fits"] = (memory.fits, _prompt(language).table("yes_no")["yes" if memory.fits else "no"])
    return numbers


def diff_line(before: PlanReport, after: PlanReport, change: str) -> str:
    """"16 × RTX 4090: wall clock 3.5 hours → 1.7 hours; everything else unchanged"."""
    old, new = _headline(before), _headline(after)
    names = _prompt(after.language).table("diff_names")
    items = [_say(after.language, "diff_item", name=names[key], old=old[key][1], new=new[key][1])
             for key in new if key in old and old[key][0] != new[key][0]]
    if not items:
        return _say(after.language, "diff_none", change=change)
    separator = "；" if after.language == "zh" else "; "
    return _say(after.language, "diff", change=change, items=separator.join(items))


# --- comparisons and paper text -------------------------------------------------------------------------------

def compare_answer(first: PlanReport, second: PlanReport, labels: tuple[str, str]) -> str:
    """The two variants side by side: only the rows whose numbers differ."""
    language = first.language
    a, b = _headline(first), _headline(second)
    names = _prompt(language).table("diff_names")
    rows = [_say(language, "compare_row", name=names[key], a=a[key][1], b=b[key][1])
            for key in b if key in a and a[key][0] != b[key][0]]
    table = _say(language, "compare_table", a=labels[0], b=labels[1], rows="\n".join(rows))
    return "\n\n".join([_say(language, "compare_lead", a=labels[0], b=labels[1]), table])


def compare_fits_answer(report: PlanReport) -> str:
    from assistant.report import block, fits_table

    language, chin = report.language, report.chinchilla
    return "\n\n".join([_say(language, "compare_fits_lead", flops=sci(chin.compute_flops)),
                        fits_table(chin.compute_optimal, language),
                        block(language, "caveat_fits", fits_spread=fits_spread_text(chin, language))])


def paper_answer(report: PlanReport, stance: str) -> str:
    from assistant.export import markdown_export

    language = report.language
    lead_line = _say(language, "paper_lead", stance=_prompt(language).table("stances")[stance])
    return "\n\n".join([lead_line, markdown_export(report, language=language, stance=stance).rstrip()])


def no_plan_for_paper(language: str) -> str:
    return _block(language, "no_plan_for_paper")
