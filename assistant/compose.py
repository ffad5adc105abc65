"""Compose a report from one round of tool results, typed (:class:`assistant.results.ToolResults`).

The composition is deterministic: the same results give the same report, in either language. Every
number is a field of a tool result; every sentence is a block of ``prompts/report/{lang}.md``. One
function per section.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assistant.references import format_reference
from assistant.report import (
    PRIMARY_LOSS_FIT,
    REFERENCES_ALWAYS,
    REFERENCES_GPU,
    REFERENCES_MEMORY,
    REFERENCES_MOE,
    REFERENCES_OVERTRAINED,
    BudgetReport,
    Language,
    PlanReport,
    alternatives_table,
    block,
    bullet_list,
    duration_text,
    fit_allocation,
    fit_name,
    fits_table,
    label,
    loss_table,
    money_text,
    published_runs_line,
    ratio_text,
    verdict_text,
)
from assistant.results import ToolResults
from assistant.understood import RunReading, first_lines
from tools.analysis import (
    AssumptionOut,
    ChinchillaResult,
    FlopsResult,
    GpuTimeResult,
    MemoryResult,
    ModelReading,
    ParamsResult,
)
from tools.assumption_text import assumption_text, suggestion_text
from tools.loss_curve import LossCurveResult
from tools.quantities import count_text, human, sci


def _dedupe(items: Sequence[AssumptionOut]) -> list[AssumptionOut]:
    """Assumptions from several tools, each once (the same code with the same values), in order."""
    seen: dict[str, AssumptionOut] = {}
    for item in items:
        seen.setdefault(repr((item.code, sorted(item.values.items()))), item)
    return list(seen.values())


def compose_report(
    results: ToolResults,
    *,
    language: Language,
    request: str,
    changes: list[str] | None = None,
    not_understood: Sequence[str] = (),
    not_used: Mapping[str, Any] | None = None,
) -> PlanReport | BudgetReport:
    """A plan report (count/FLOPs/Chinchilla/GPU/memory results) or a budget report (recommend_configurations).

    ``not_understood`` (numbers the reader could not place) and ``not_used`` (fields read but not used)
    come from the offline reader; they open the report with what was understood.
    """
    if not results.has_plan and results.recommend is not None:
        from assistant.budget_report import budget_report

        return budget_report(results.recommend, language=language, request=request,
                             not_understood=not_understood, not_used=not_used or {})
    if not results.has_plan:
        missing = [name for name, result in (("count_parameters", results.params),
                                             ("estimate_training_flops", results.flops),
                                             ("chinchilla_analysis", results.chinchilla)) if result is None]
        raise ValueError(f"a plan report needs the results of {', '.join(missing)}")
    return _plan_report(results, language=language, request=request, changes=changes or [],
                        not_understood=not_understood, not_used=not_used or {})


def _plan_report(results: ToolResults, *, language: Language, request: str, changes: list[str],
                 not_understood: Sequence[str], not_used: Mapping[str, Any]) -> PlanReport:
    params, flops, chin = results.params, results.flops, results.chinchilla
    gpu, memory = results.gpu_time, results.memory
    assumptions = _dedupe([*params.assumptions, *flops.assumptions, *chin.assumptions,
                           *(gpu.assumptions if gpu else []), *(memory.assumptions if memory else [])])
    model_label = model_label_of(params.reading, language)
    reading = RunReading(model=params.reading.model_dump(), tokens=flops.tokens, seq_len=flops.seq_len,
                         gpu=gpu.gpu if gpu else None, gpu_count=gpu.gpu_count if gpu else None,
                         mfu=gpu.mfu if gpu and gpu.mfu_basis == "given" else None)
    opening = first_lines(reading=reading, assumptions=[a.model_dump() for a in assumptions], language=language,
                          not_understood=not_understood, not_used=not_used)
    recommendations = _recommendations(chin, gpu, memory, language)
    caveats = _caveats(chin, language)
    references = _references(chin, gpu, memory)
    sections = [
        block(language, "title", model_label=model_label), "\n\n".join(opening),
        *([block(language, "changes", changes="; ".join(changes))] if changes else []),
        block(language, "inputs", assumptions=bullet_list([assumption_text(a.model_dump(), language=language)
                                                           for a in assumptions])),
        _params_section(params, model_label, language),
        _data_section(flops, assumptions, language),
        _compute_section(flops, language),
        _verdict_section(chin, language),
        block(language, "alternatives", alternatives_table=alternatives_table(chin, language)),
        *([_loss_section(results.loss, language)] if results.loss is not None else []),
        _gpu_section(gpu, memory, language, model_label=model_label),
        block(language, "recommendations", recommendations=bullet_list(recommendations)),
        block(language, "caveats", caveats=bullet_list(caveats)),
        block(language, "references", references=bullet_list([format_reference(k) for k in references])),
    ]
    return PlanReport(
        language=language, request=request, params=params, flops=flops, chinchilla=chin, gpu=gpu, memory=memory,
        loss=results.loss, changes=changes, recommendations=recommendations, caveats=caveats, references=references,
        assumptions=assumptions, understood=opening[0], first_lines=opening, not_understood=list(not_understood),
        not_used=dict(not_used), markdown="\n\n".join(sections) + "\n",
    )


def model_label_of(reading: ModelReading, language: Language) -> str:
    """The report's name for the model: the preset or config name, or what kind of description it was."""
    if reading.source == "size" and not reading.preset:
        return label(language, "model_size_moe" if reading.is_moe else "model_size_dense")
    if reading.source == "dimensions":
        return label(language, "model_dimensions")
    return reading.label


# --- sections ---------------------------------------------------------------------------------------------

def _params_section(params: ParamsResult, model_label: str, language: Language) -> str:
    if params.approximate:
        source = (block(language, "estimate_source_preset", preset=params.estimate_reference_preset)
                  if params.estimate_reference_preset else block(language, "estimate_source_given"))
        note = block(language, "params_approx" if params.reading.active_basis == "estimated" else "params_stated",
                     estimate_source=source)
    else:
        top_k = f", top-{params.top_k}" if params.top_k else ""
        note = block(language, "params_exact", model_label=model_label, top_k_text=top_k)
    return block(
        language, "params", total_params=_exact(params.total_params, params.approximate),
        active_params=_exact(params.active_params, params.approximate),
        embedding_params=_exact(params.embedding_params, False),
        non_embedding_params=_exact(params.non_embedding_params, False), params_note=note,
    )


def _exact(value: float | None, approximate: bool) -> str:
    if value is None:
        return "—"
    return f"≈{human(value)}" if approximate else f"{human(value)} ({value:,.0f})"


def _data_section(flops: FlopsResult, assumptions: list[AssumptionOut], language: Language) -> str:
    found = next((a for a in assumptions if a.code.startswith("tokens_from_sample_")), None)
    how = ""
    if found is not None:
        text = assumption_text(found.model_dump(), language=language)
        how = block(language, "data_how", how=text[0].upper() + text[1:] if language == "en" else text)
    return block(language, "data", tokens=count_text(flops.tokens, language), tokens_exact=f"{flops.tokens:,.0f}",
                 seq_len=f"{flops.seq_len:,}", data_how=how)


def _compute_section(flops: FlopsResult, language: Language) -> str:
    if flops.detailed_flops is None:
        note = block(language, "flops_note_6nd")
    else:
        note = block(language, f"flops_note_{flops.convention}", seq_len=f"{flops.seq_len:,}",
                     ratio=f"{flops.detailed_over_six_nd:.2f}")
    return block(language, "compute", six_nd_flops=sci(flops.six_nd_flops),
                 detailed_flops=sci(flops.detailed_flops) if flops.detailed_flops is not None else "—",
                 detailed_note=note)


def _verdict_section(chin: ChinchillaResult, language: Language) -> str:
    total_clause = ""
    if chin.is_moe:
        total_clause = block(language, "verdict_total_clause", ratio_total=ratio_text(chin.tokens_per_total_param),
                             verdict_total=verdict_text(chin.verdict_total, language))
    rule20 = fit_allocation(chin.compute_optimal, "rule-20")
    return block(
        language, "verdict", tokens=count_text(chin.tokens, language),
        active_params=count_text(chin.active_params, language), ratio_active=ratio_text(chin.tokens_per_active_param),
        verdict_active=verdict_text(chin.verdict_active, language), total_clause=total_clause,
        data_matched_params=count_text(chin.data_matched_params, language), compute_flops=sci(chin.compute_flops),
        compute_optimal_params=count_text(rule20.params, language),
        fits_table=fits_table(chin.compute_optimal, language),
    )


def _loss_section(loss: LossCurveResult, language: Language) -> str:
    return block(language, "loss_curve", loss_table=loss_table(loss, language),
                 tokens=count_text(loss.tokens, language))


def _gpu_section(gpu: GpuTimeResult | None, memory: MemoryResult | None, language: Language, *,
                 model_label: str) -> str:
    if gpu is None:
        return block(language, "no_gpu")
    published = published_runs_line(gpu, model=model_label, language=language)
    energy = "" if gpu.energy_kwh is None else block(language, "energy_clause", energy=f"{gpu.energy_kwh:,.0f}")
    return block(
        language, "gpu", gpu_count=gpu.gpu_count, gpu_name=gpu.gpu, peak_tflops=f"{gpu.peak_tflops_per_gpu:g}",
        mfu=f"{gpu.mfu:.0%}", mfu_source=label(language, f"mfu_{gpu.mfu_basis}"), gpu_hours=f"{gpu.gpu_hours:,.0f}",
        wall_clock=duration_text(gpu.wall_clock_hours, language),
        cost_clause=cost_clause(gpu.cost, gpu.currency, language), energy_clause=energy,
        memory_line="\n\n".join(line for line in (published, memory_line(memory, language)) if line),
    )


def cost_clause(cost: float | None, currency: str, language: Language) -> str:
    return "" if cost is None else block(language, "cost_clause", cost=money_text(cost, currency))


def memory_line(memory: MemoryResult | None, language: Language) -> str:
    if memory is None:
        return block(language, "memory_unknown")
    parts = {part: f"{getattr(memory, part + '_gb'):,.1f}"
             for part in ("weights", "grads", "optimizer", "activations", "overhead")}
    return block(language, "memory_fits" if memory.fits else "memory_no_fit", memory_total=f"{memory.total_gb:,.1f}",
                 memory_capacity=f"{memory.capacity_gb:,.1f}", micro_batch=memory.micro_batch,
                 zero_stage=memory.zero_stage, suggestions=suggestions_text(memory, language), **parts)


def suggestions_text(memory: MemoryResult, language: Language) -> str:
    separator = "；" if language == "zh" else "; "
    return separator.join(suggestion_text(s.change, language=language) for s in memory.suggestions) or "—"


def _recommendations(chin: ChinchillaResult, gpu: GpuTimeResult | None, memory: MemoryResult | None,
                     language: Language) -> list[str]:
    verdict = chin.verdict_active
    rows = {row.key: row for row in chin.alternatives}
    found = []
    if verdict.kind == "over-trained":
        optimal = rows["compute_optimal"]
        found.append(block(language, "rec_over", factor=f"{verdict.factor:.1f}", compute_flops=sci(chin.compute_flops),
                           compute_optimal_params=count_text(optimal.params, language),
                           compute_optimal_tokens=count_text(optimal.tokens, language),
                           loss_gain=f"{-optimal.loss_delta.get(PRIMARY_LOSS_FIT, 0.0):.3f}",
                           loss_fit=fit_name(PRIMARY_LOSS_FIT, language)))
    elif verdict.kind == "under-trained":
        found.append(block(language, "rec_under", factor=f"{1 / verdict.factor:.1f}",
                           data_matched_params=count_text(chin.data_matched_params, language),
                           tokens_needed=count_text(rows["stop_early"].tokens, language)))
    else:
        found.append(block(language, "rec_near"))
    if chin.is_moe:
        found.append(block(language, "rec_moe"))
    if memory is not None and not memory.fits:
        found.append(block(language, "rec_memory", suggestions=suggestions_text(memory, language)))
    if gpu is not None and gpu.mfu_basis != "given":
        found.append(block(language, "rec_mfu", mfu=f"{gpu.mfu:.0%}"))
    return found


def _caveats(chin: ChinchillaResult, language: Language) -> list[str]:
    return [
        block(language, "caveat_fits", fits_spread=fits_spread_text(chin, language)),
        block(language, "caveat_loss"),
        block(language, "caveat_flops"),
    ]


def fits_spread_text(chin: ChinchillaResult, language: Language) -> str:
    """The spread of the fits' compute-optimal ratios: those read inside their fitted span, then the
    extrapolated ones named apart (or all as extrapolations when none is inside)."""
    flops, inside, beyond = sci(chin.compute_flops), chin.fits_in_range, chin.fits_extrapolated
    ext: dict[str, str] = {}
    if beyond is not None:
        ext = {"ext_min": ratio_text(beyond.min_tokens_per_param), "ext_min_fit": fit_name(beyond.min_fit, language),
               "ext_max": ratio_text(beyond.max_tokens_per_param), "ext_max_fit": fit_name(beyond.max_fit, language)}
    if inside is None:
        return block(language, "fits_spread_none_in_range", compute_flops=flops, **ext)
    extrapolated = ""
    if beyond is not None:
        names = ("、" if language == "zh" else ", ").join(fit_name(fit, language) for fit in beyond.fits)
        extrapolated = block(language, "fits_extrapolated_one" if len(beyond.fits) == 1 else "fits_extrapolated",
                             fits=names, **ext)
    return block(language, "fits_spread_in_range", compute_flops=flops,
                 fits_min=ratio_text(inside.min_tokens_per_param), fits_min_fit=fit_name(inside.min_fit, language),
                 fits_max=ratio_text(inside.max_tokens_per_param), fits_max_fit=fit_name(inside.max_fit, language),
                 extrapolated=extrapolated)


def _references(chin: ChinchillaResult, gpu: GpuTimeResult | None, memory: MemoryResult | None) -> list[str]:
    keys = list(REFERENCES_ALWAYS)
    keys += list(REFERENCES_GPU) if gpu else []
    keys += list(REFERENCES_MEMORY) if memory else []
    keys += list(REFERENCES_MOE) if chin.is_moe else []
    keys += list(REFERENCES_OVERTRAINED) if chin.verdict_active.kind == "over-trained" else []
    return keys
