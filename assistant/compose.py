"""Compose a :class:`Report` from the artifacts of one round of tool calls.

``artifacts`` maps a tool name to its result (the JSON-ready dict the tool returned). The
composition is deterministic: the same artifacts give the same report, in either language.
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
    Language,
    Report,
    alternatives_table,
    block,
    bullet_list,
    duration_text,
    fits_table,
    label,
    money_text,
    ratio_text,
    verdict_text,
)
from assistant.understood import RunReading, first_lines
from tools.assumption_text import assumption_text
from tools.quantities import count_text, human, sci


def _dedupe(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Assumptions from several tools, each once (the same code with the same values), in order."""
    seen: dict[str, dict[str, Any]] = {}
    for item in items:
        seen.setdefault(repr((item["code"], sorted(item.get("values", {}).items()))), item)
    return list(seen.values())


def compose_report(
    artifacts: dict[str, dict[str, Any]],
    *,
    language: Language,
    request: str,
    changes: list[str] | None = None,
    not_understood: Sequence[str] = (),
    not_used: Mapping[str, Any] | None = None,
) -> Report:
    """A plan report (count/FLOPs/Chinchilla/GPU/memory artifacts) or a budget report (budget_to_model).

    ``not_understood`` (numbers the reader could not place) and ``not_used`` (fields read but not used)
    come from the offline reader; they open the report with what was understood.
    """
    if "chinchilla_analysis" not in artifacts and "budget_to_model" in artifacts:
        return _budget_report(artifacts["budget_to_model"], language=language, request=request,
                              not_understood=not_understood, not_used=not_used or {})
    return _plan_report(artifacts, language=language, request=request, changes=changes or [],
                        not_understood=not_understood, not_used=not_used or {})


def _model_label(reading: Mapping[str, Any], language: Language) -> str:
    """The report's name for the model: the preset or config name, or what kind of description it was."""
    if reading["source"] == "size" and not reading.get("preset"):
        return label(language, "model_size_moe" if reading["is_moe"] else "model_size_dense")
    if reading["source"] == "dimensions":
        return label(language, "model_dimensions")
    return reading["label"]


def _plan_report(artifacts: dict[str, dict[str, Any]], *, language: Language, request: str,
                 changes: list[str], not_understood: Sequence[str], not_used: Mapping[str, Any]) -> Report:
    params = artifacts.get("count_parameters")
    flops = artifacts.get("estimate_training_flops")
    chin = artifacts.get("chinchilla_analysis")
    gpu = artifacts.get("project_gpu_time")
    memory = artifacts.get("estimate_training_memory")
    if params is None or flops is None or chin is None:
        missing = [n for n, a in (("count_parameters", params), ("estimate_training_flops", flops),
                                  ("chinchilla_analysis", chin)) if a is None]
        raise ValueError(f"a plan report needs the results of {', '.join(missing)}")
    assumptions = _dedupe([*params["assumptions"], *flops["assumptions"], *chin["assumptions"],
                           *(gpu["assumptions"] if gpu else []), *(memory["assumptions"] if memory else [])])
    model_label = _model_label(params["reading"], language)
    reading = RunReading(model=params["reading"], tokens=flops["tokens"], seq_len=flops["seq_len"],
                         gpu=gpu["gpu"] if gpu else None, gpu_count=gpu["gpu_count"] if gpu else None,
                         mfu=gpu["mfu"] if gpu and gpu["mfu_basis"] == "given" else None)
    opening = first_lines(reading=reading, assumptions=assumptions, language=language,
                          not_understood=not_understood, not_used=not_used)
    sections = [block(language, "title", model_label=model_label), "\n\n".join(opening)]
    if changes:
        sections.append(block(language, "changes", changes="; ".join(changes)))
    shown = [assumption_text(a, language=language) for a in assumptions]
    sections.append(block(language, "inputs", assumptions=bullet_list(shown)))
    sections.append(_params_section(params, model_label, language))
    sections.append(block(language, "data", tokens=count_text(flops["tokens"], language),
                          tokens_exact=f"{flops['tokens']:,.0f}", seq_len=f"{flops['seq_len']:,}",
                          data_how=_data_how(flops["assumptions"], language)))
    detailed = flops["detailed_flops"]
    if detailed is None:
        note = block(language, "flops_note_6nd")
    else:
        note = block(language, f"flops_note_{flops['convention']}", seq_len=f"{flops['seq_len']:,}",
                     ratio=f"{flops['detailed_over_six_nd']:.2f}")
    sections.append(block(language, "compute", six_nd_flops=sci(flops["six_nd_flops"]),
                          detailed_flops=sci(detailed) if detailed is not None else "—", detailed_note=note))
    allocations = chin["compute_optimal"]
    rule20 = next(a for a in allocations if a["fit"] == "rule-20")
    total_clause = ""
    if chin["is_moe"]:
        ratio_total = ratio_text(chin["tokens_per_total_param"])
        total_clause = (f" ({ratio_total} per total parameter: {verdict_text(chin['verdict_total'], language)})"
                        if language == "en" else
                        f"（按总参数为每参数 {ratio_total} 个 token：{verdict_text(chin['verdict_total'], language)}）")
    sections.append(block(
        language, "verdict", tokens=count_text(chin["tokens"], language),
        active_params=count_text(chin["active_params"], language),
        ratio_active=ratio_text(chin["tokens_per_active_param"]),
        verdict_active=verdict_text(chin["verdict_active"], language), total_clause=total_clause,
        data_matched_params=count_text(chin["data_matched_params"], language), compute_flops=sci(chin["compute_flops"]),
        compute_optimal_params=count_text(rule20["params"], language), fits_table=fits_table(allocations, language),
    ))
    sections.append(block(language, "alternatives", alternatives_table=alternatives_table(chin, language)))
    sections.append(_gpu_section(gpu, memory, language))
    recommendations = _recommendations(chin, gpu, memory, language)
    sections.append(block(language, "recommendations", recommendations=bullet_list(recommendations)))
    caveats = [
        block(language, "caveat_fits", compute_flops=sci(chin["compute_flops"]),
              fits_min=ratio_text(chin["fits_min_tokens_per_param"]), fits_min_fit=chin["fits_min_fit"],
              fits_max=ratio_text(chin["fits_max_tokens_per_param"]), fits_max_fit=chin["fits_max_fit"]),
        block(language, "caveat_loss"),
        block(language, "caveat_flops"),
    ]
    sections.append(block(language, "caveats", caveats=bullet_list(caveats)))
    keys = list(REFERENCES_ALWAYS)
    keys += list(REFERENCES_GPU) if gpu else []
    keys += list(REFERENCES_MEMORY) if memory else []
    keys += list(REFERENCES_MOE) if chin["is_moe"] else []
    keys += list(REFERENCES_OVERTRAINED) if chin["verdict_active"]["kind"] == "over-trained" else []
    sections.append(block(language, "references", references=bullet_list([format_reference(k) for k in keys])))
    markdown = "\n\n".join(sections) + "\n"
    return Report(
        kind="plan", language=language, request=request, model=params["model"],
        params={k: params[k] for k in ("total_params", "active_params", "embedding_params", "non_embedding_params",
                                       "approximate", "top_k", "breakdown", "counting_convention")},
        tokens=flops["tokens"], seq_len=flops["seq_len"],
        flops={k: flops[k] for k in ("six_nd_flops", "detailed_flops", "flops_per_token", "convention")},
        chinchilla={
            "tokens_per_active_param": chin["tokens_per_active_param"],
            "tokens_per_total_param": chin["tokens_per_total_param"],
            "verdict_active": chin["verdict_active"], "verdict_total": chin["verdict_total"],
            "data_matched_params": chin["data_matched_params"], "compute_flops": chin["compute_flops"],
            "compute_optimal": {a["fit"]: {"params": a["params"], "tokens": a["tokens"],
                                           "tokens_per_param": a["tokens_per_param"]} for a in allocations},
            "predicted_loss": chin["predicted_loss"], "alternatives": chin["alternatives"],
        },
        gpu=_gpu_summary(gpu), memory=memory, changes=changes, recommendations=recommendations, caveats=caveats,
        references=keys, assumptions=assumptions, understood=opening[0], first_lines=opening,
        not_understood=list(not_understood), not_used=dict(not_used), markdown=markdown,
    )


def _data_how(assumptions: list[dict[str, Any]], language: Language) -> str:
    found = next((a for a in assumptions if a["code"].startswith("tokens_from_sample_")), None)
    if found is None:
        return ""
    text = assumption_text(found, language=language)
    return text[0].upper() + text[1:] + ("." if language == "en" else "。")


def _params_section(params: dict[str, Any], model_label: str, language: Language) -> str:
    if params["approximate"]:
        note = block(language, "params_approx", estimate_source=_estimate_source(params, language))
    else:
        top_k = f", top-{params['top_k']}" if params.get("top_k") else ""
        note = block(language, "params_exact", model_label=model_label, top_k_text=top_k)
    return block(
        language, "params", total_params=_exact(params["total_params"], params["approximate"]),
        active_params=_exact(params["active_params"], params["approximate"]),
        embedding_params=_exact(params["embedding_params"], False),
        non_embedding_params=_exact(params["non_embedding_params"], False), params_note=note,
    )


def _estimate_source(params: dict[str, Any], language: Language) -> str:
    """Where the expert share came from: the closest preset, or the user's fraction."""
    preset = params.get("estimate_reference_preset")
    if preset:
        if language == "en":
            return f"the expert share of the closest preset, {preset}"
        return f"最接近的预设 {preset} 的专家占比"
    return "the given expert share" if language == "en" else "给定的专家占比"


def _exact(value: float | None, approximate: bool) -> str:
    if value is None:
        return "—"
    return f"≈{human(value)}" if approximate else f"{human(value)} ({value:,.0f})"


def _gpu_summary(gpu: dict[str, Any] | None) -> dict[str, Any] | None:
    if gpu is None:
        return None
    return {"name": gpu["gpu"], "key": gpu["gpu_key"], "count": gpu["gpu_count"], "mfu": gpu["mfu"],
            "mfu_basis": gpu["mfu_basis"],
            "gpu_hours": gpu["gpu_hours"], "wall_clock_days": gpu["wall_clock_days"], "cost": gpu["cost"],
            "currency": gpu["currency"], "energy_kwh": gpu["energy_kwh"], "training_flops": gpu["training_flops"]}


def _cost_clause(cost: float | None, currency: str, language: Language) -> str:
    if cost is None:
        return ""
    return f", {money_text(cost, currency)}" if language == "en" else f"，费用约 {money_text(cost, currency)}"


def _gpu_section(gpu: dict[str, Any] | None, memory: dict[str, Any] | None, language: Language) -> str:
    if gpu is None:
        return block(language, "no_gpu")
    energy = ""
    if gpu["energy_kwh"] is not None:
        energy = (f", ~{gpu['energy_kwh']:,.0f} kWh (board power, estimate)" if language == "en"
                  else f"，耗电约 {gpu['energy_kwh']:,.0f} kWh（按板卡功耗估算）")
    memory_line = ""
    if memory is not None:
        values = {k: f"{memory[k + '_gb']:,.1f}" for k in ("weights", "grads", "optimizer", "activations", "overhead")}
        name = "memory_fits" if memory["fits"] else "memory_no_fit"
        memory_line = block(language, name, memory_total=f"{memory['total_gb']:,.1f}",
                            memory_capacity=f"{memory['capacity_gb']:,.1f}", micro_batch=memory["micro_batch"],
                            zero_stage=memory["zero_stage"], suggestions="; ".join(memory["suggestions"]) or "—",
                            **values)
    if memory is None:
        memory_line = block(language, "memory_unknown")
    return block(
        language, "gpu", gpu_count=gpu["gpu_count"], gpu_name=gpu["gpu"], peak_tflops=f"{gpu['peak_tflops_per_gpu']:g}",
        mfu=f"{gpu['mfu']:.0%}", mfu_source=label(language, f"mfu_{gpu['mfu_basis']}"),
        gpu_hours=f"{gpu['gpu_hours']:,.0f}", wall_clock=duration_text(gpu["wall_clock_hours"], language),
        cost_clause=_cost_clause(gpu["cost"], gpu["currency"], language), energy_clause=energy,
        memory_line=memory_line,
    )


def _recommendations(chin: dict[str, Any], gpu: dict[str, Any] | None, memory: dict[str, Any] | None,
                     language: Language) -> list[str]:
    verdict = chin["verdict_active"]
    rows = {row["key"]: row for row in chin["alternatives"]}
    found = []
    if verdict["kind"] == "over-trained":
        optimal = rows["compute_optimal"]
        gain = -optimal["loss_delta"].get(PRIMARY_LOSS_FIT, 0.0)
        found.append(block(language, "rec_over", factor=f"{verdict['factor']:.1f}",
                           compute_flops=sci(chin["compute_flops"]),
                           compute_optimal_params=count_text(optimal["params"], language),
                           compute_optimal_tokens=count_text(optimal["tokens"], language),
                           loss_gain=f"{gain:.3f}", loss_fit=PRIMARY_LOSS_FIT))
    elif verdict["kind"] == "under-trained":
        found.append(block(language, "rec_under", factor=f"{1 / verdict['factor']:.1f}",
                           data_matched_params=count_text(chin["data_matched_params"], language),
                           tokens_needed=count_text(rows["stop_early"]["tokens"], language)))
    else:
        found.append(block(language, "rec_near"))
    if chin["is_moe"]:
        found.append(block(language, "rec_moe"))
    if memory is not None and not memory["fits"]:
        found.append(block(language, "rec_memory", suggestions="; ".join(memory["suggestions"]) or "—"))
    if gpu is not None and gpu["mfu_basis"] != "given":
        found.append(block(language, "rec_mfu", mfu=f"{gpu['mfu']:.0%}"))
    return found


def _budget_report(budget: dict[str, Any], *, language: Language, request: str, not_understood: Sequence[str],
                   not_used: Mapping[str, Any]) -> Report:
    rule20 = next(a for a in budget["compute_optimal"] if a["fit"] == "rule-20")
    reading = RunReading(gpu=budget["gpu"], gpu_count=budget["gpu_count"],
                         mfu=budget["mfu"] if budget["mfu_basis"] == "given" else None)
    opening = first_lines(reading=reading, assumptions=budget["assumptions"], language=language,
                          not_understood=not_understood, not_used=not_used)
    markdown = block(
        language, "budget", gpu_count=budget["gpu_count"], gpu_name=budget["gpu"],
        wall_clock=duration_text(budget["wall_clock_days"] * 24, language), mfu=f"{budget['mfu']:.0%}",
        mfu_source=label(language, f"mfu_{budget['mfu_basis']}"), gpu_hours=f"{budget['gpu_hours']:,.0f}",
        cost_clause=_cost_clause(budget["cost"], budget["currency"], language),
        training_flops=sci(budget["training_flops"]), fits_table=fits_table(budget["compute_optimal"], language),
        rule20_params=count_text(rule20["params"], language), rule20_tokens=count_text(rule20["tokens"], language),
        first_lines="\n\n".join(opening),
    ) + "\n\n" + block(language, "budget_references", references="; ".join(
        format_reference(k) for k in (*REFERENCES_ALWAYS, *REFERENCES_GPU))) + "\n"
    return Report(kind="budget", language=language, request=request, budget=budget,
                  references=[*REFERENCES_ALWAYS, *REFERENCES_GPU], assumptions=budget["assumptions"],
                  understood=opening[0], first_lines=opening, not_understood=list(not_understood),
                  not_used=dict(not_used), markdown=markdown)
