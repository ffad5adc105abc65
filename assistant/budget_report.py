"""The budget report: what a GPU budget (or a FLOPs budget) should train, from ``recommend_configurations``.

Sections: the budget and every fit's target, the recommended configurations (exact counts), how they are ranked
(each heuristic with its weight and its status), and the training settings (batch size and learning rate from
the DeepSeek LLM fits, the schedule, MoE practice). Every number is a field of the tool's result; the tool's
sentences are worded again here in the report's language from their codes and values
(:mod:`tools.planner_text`), and every other sentence is a block of ``prompts/report/{lang}.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assistant.references import format_reference
from assistant.report import (
    BudgetReport,
    Language,
    block,
    bullet_list,
    fit_name,
    label,
    money_text,
    pipe_table,
    ratio_text,
)
from assistant.understood import RunReading, first_lines
from tools.planner import CandidateOut, RecommendResult, heuristic_values
from tools.planner_text import heuristic_text, planner_text, status_text
from tools.quantities import count_text, sci

CARD_CANDIDATES = 3
"""MoE rows the chat answer shows (with the best dense row beside them); the report shows every row."""


def budget_report(recommend: RecommendResult, *, language: Language, request: str, not_understood: Sequence[str],
                  not_used: Mapping[str, Any]) -> BudgetReport:
    opening = first_lines(reading=budget_reading(recommend), language=language, not_understood=not_understood,
                          assumptions=[a.model_dump() for a in recommend.assumptions], not_used=not_used)
    references = _references(recommend)
    markdown = block(
        language, "budget", budget_title=budget_title(recommend, language), first_lines="\n\n".join(opening),
        computes=_computes(recommend, language), targets_table=_targets_table(recommend, language),
        targets_spread=planner_text("targets_spread", recommend.targets_values, language=language),
        search_basis=_search_basis(recommend, language), extra_views=_extra_views(recommend, language),
        candidates_table=candidates_table(recommend.candidates, language, loss_fit=recommend.fit),
        search_notes=_search_notes(recommend, language), heuristics=_heuristics(recommend, language),
        hyperparameters=planner_text(recommend.hyperparameters.code, recommend.hyperparameters.values,
                                     language=language),
        advice=bullet_list([block(language, "advice_item", text=planner_text(a.code, a.values, language=language),
                                  status=status_text(a.status, language=language)) for a in recommend.advice]),
        references=bullet_list([format_reference(key) for key in references]),
    ) + "\n"
    return BudgetReport(language=language, request=request, recommend=recommend, references=references,
                        assumptions=recommend.assumptions, understood=opening[0], first_lines=opening,
                        not_understood=list(not_understood), not_used=dict(not_used), markdown=markdown)


def budget_reading(recommend: RecommendResult) -> RunReading:
    """What the understood line says of a budget: the GPUs, the budget as given, the data and serving stated."""
    first = recommend.computes[0]
    given = {"days": first.wall_clock_days, "gpu_hours": first.gpu_hours, "budget": first.cost,
             "compute": recommend.compute_flops}[recommend.limited_by]
    budget: dict[str, Any] = {recommend.limited_by: given, "currency": recommend.currency,
                              "architectures": [search.architecture for search in recommend.searches]}
    if recommend.data_constrained is not None:
        budget["unique_tokens"] = recommend.data_constrained.unique_tokens
    if recommend.inference_aware is not None:
        budget["inference_tokens"] = recommend.inference_aware.inference_tokens
    given_mfu = first.mfu if first.mfu_basis == "given" else None
    return RunReading(gpu=recommend.gpu, gpu_count=recommend.gpu_count, mfu=given_mfu, budget=budget)


def budget_title(recommend: RecommendResult, language: Language) -> str:
    first = recommend.computes[0]
    value = {"days": label(language, "days", value=f"{first.wall_clock_days or 0:g}"),
             "gpu_hours": f"{first.gpu_hours or 0:,.0f}", "budget": money_text(first.cost, recommend.currency or ""),
             "compute": sci(recommend.compute_flops)}[recommend.limited_by]
    return block(language, f"budget_title_{recommend.limited_by}", value=value, gpu_count=recommend.gpu_count or 1,
                 gpu_name=recommend.gpu or "")


def _computes(recommend: RecommendResult, language: Language) -> str:
    lines = []
    for compute in recommend.computes:
        kind = label(language, f"architecture.{compute.architecture}")
        if compute.mfu is None:
            lines.append(block(language, "budget_compute_given", architecture=kind,
                               compute_flops=sci(compute.compute_flops)))
            continue
        cost = "" if compute.cost is None else block(language, "cost_clause",
                                                     cost=money_text(compute.cost, recommend.currency or ""))
        lines.append(block(language, "budget_compute", architecture=kind, mfu=f"{compute.mfu:.0%}",
                           mfu_source=label(language, f"mfu_{compute.mfu_basis}"),
                           gpu_hours=f"{compute.gpu_hours or 0:,.0f}", cost_clause=cost,
                           compute_flops=sci(compute.compute_flops)))
    return "\n".join(lines)


def _targets_table(recommend: RecommendResult, language: Language) -> str:
    header = [label(language, k) for k in ("col_fit", "col_fit_params", "col_fit_tokens", "col_fit_tpp")]
    rows = [[(label(language, "approx_mark") if t.approximate else "") + fit_name(t.fit, language),
             count_text(t.active_params, language), count_text(t.tokens, language), ratio_text(t.tokens_per_param)]
            for t in recommend.targets]
    return pipe_table(header, rows)


def _search_basis(recommend: RecommendResult, language: Language) -> str:
    target = recommend.search_targets[0]
    return block(language, f"search_basis_{target.basis}", fit=fit_name(recommend.fit, language),
                 params=count_text(target.active_params, language), tokens=count_text(target.tokens, language))


def _extra_views(recommend: RecommendResult, language: Language) -> str:
    views = []
    if recommend.inference_aware is not None:
        views.append(planner_text("inference_summary", recommend.inference_aware.values, language=language))
    if recommend.data_constrained is not None:
        views.append(planner_text("repetition_summary", recommend.data_constrained.values, language=language))
    return "".join(f"{view}\n\n" for view in views)


def candidate_cells(candidate: CandidateOut, language: Language) -> dict[str, str]:
    """One recommended configuration as the tables show it."""
    shape = block(language, "candidate_shape", hidden=candidate.hidden_size, layers=candidate.num_layers,
                  heads=candidate.num_heads, kv_heads=candidate.num_kv_heads, head_dim=candidate.head_dim)
    if candidate.architecture == "dense":
        experts = block(language, "candidate_dense")
    else:
        experts = block(
            language, "candidate_experts", routed=candidate.num_experts, top_k=candidate.top_k,
            shared=block(language, "candidate_shared", shared=candidate.num_shared_experts)
            if candidate.num_shared_experts else "",
            granularity=block(language, "candidate_granularity", value=f"{candidate.granularity:g}")
            if candidate.granularity else "",
            first_dense=block(language, "candidate_first_dense", value=candidate.first_k_dense)
            if candidate.first_k_dense else "")
    memory = "—" if candidate.memory_per_gpu_bytes is None else f"{candidate.memory_per_gpu_bytes / 1e9:,.1f} GB"
    return {"shape": shape, "experts": experts, "total": count_text(candidate.total_params, language),
            "active": count_text(candidate.active_params, language), "tokens": count_text(candidate.tokens, language),
            "memory": memory}


def candidates_table(candidates: Sequence[CandidateOut], language: Language, *, loss_fit: str | None = None,
                     numbers: Sequence[int] | None = None, compact: bool = False) -> str:
    """The configurations, numbered as "use candidate N" names them (``numbers``, else their place in the list);
    the predicted loss under ``loss_fit`` when every row has one. ``compact`` (the chat) keeps the shape, the
    experts, the counts and the memory."""
    if not candidates:
        return label(language, "none")
    loss_fit = loss_fit if loss_fit and not compact and all(loss_fit in c.predicted_loss for c in candidates) \
        else None
    keys = ["col_rank", "col_shape", "col_experts", "col_total", "col_active", *([] if compact else
                                                                               ["col_train_tokens"]), "col_memory"]
    header = [label(language, k) for k in keys]
    if loss_fit:
        header.append(label(language, "col_loss_at", fit=fit_name(loss_fit, language)))
    if not compact:
        header.append(label(language, "col_failed"))
    rows = []
    for index, candidate in enumerate(candidates):
        cells = candidate_cells(candidate, language)
        row = [str(numbers[index] if numbers else index + 1), cells["shape"], cells["experts"], cells["total"],
               cells["active"], *([] if compact else [cells["tokens"]]), cells["memory"]]
        if loss_fit:
            row.append(f"{candidate.predicted_loss[loss_fit]:.3f}")
        if not compact:
            failed = [heuristic_name(note.code, language) for note in candidate.notes if not note.passed]
            row.append(("、" if language == "zh" else ", ").join(failed) or label(language, "none"))
        rows.append(row)
    return pipe_table(header, rows)


def card_candidates(recommend: RecommendResult) -> list[tuple[int, CandidateOut]]:
    """The rows the chat shows, with their numbers: the best MoE rows and the best dense row beside them."""
    numbered = list(enumerate(recommend.candidates, start=1))
    moe = [item for item in numbered if item[1].architecture == "moe"][:CARD_CANDIDATES]
    dense = [item for item in numbered if item[1].architecture == "dense"][:1]
    return moe + dense if moe else dense[:CARD_CANDIDATES]


def heuristic_name(code: str, language: Language) -> str:
    return label(language, f"heuristic.{code}")


def _search_notes(recommend: RecommendResult, language: Language) -> str:
    notes = []
    for search in recommend.searches:
        notes.append(block(language, "search_notes", considered=f"{search.considered:,}",
                           architecture=label(language, f"architecture.{search.architecture}"),
                           on_target=f"{search.on_target:,}", tolerance=f"{search.tolerance:.0%}",
                           fitting=f"{search.fitting:,}"))
        if search.empty_reason:
            notes.append(planner_text(search.empty_reason, search.values, language=language))
    return ("" if language == "zh" else " ").join(notes)


def _heuristics(recommend: RecommendResult, language: Language) -> str:
    return bullet_list([block(language, "heuristic_item",
                              text=heuristic_text(h.code, heuristic_values(h.code), language=language),
                              weight=f"{h.weight:g}", status=status_text(h.status, language=language))
                        for h in recommend.heuristics])


def _references(recommend: RecommendResult) -> list[str]:
    keys = ["hoffmann2022", "besiroglu2024", "kaplan2020", "deepseek2024", "chowdhery2022"]
    for cited in (*(h.citations for h in recommend.heuristics), *(a.citations for a in recommend.advice),
                  recommend.hyperparameters.citations):
        keys.extend(cited)
    return list(dict.fromkeys(keys))
