"""The first lines of every answer: what was understood, what differs from the user's own figures,
what was taken for the user, and what was not understood or not used.

A misreading is then visible at a glance, in the chat, the CLI and the exports. Everything here
arranges values the tools returned (the model's ``reading``, the headline assumptions); the
sentences are the blocks of ``prompts/understood/{en,zh}.md``. No pydantic, no LangChain: the CLI's
``params`` path uses it too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from string import Template
from typing import Any

from prompts import Prompt, load
from tools.assumption_text import assumption_text, exact_count_text, value_text
from tools.quantities import count_text

SHOWN_IN_LINE = frozenset({"preset_matched", "top_k_from_preset", "sizes_stated"})
"""Headline assumptions the understood line already says ("top-2 (from MiniMind2-MoE)")."""


@dataclass(frozen=True, kw_only=True)
class RunReading:
    """What the understood line shows: the model's reading (as the tools return it) and the run."""

    model: Mapping[str, Any] | None = None
    tokens: float | None = None
    seq_len: int | None = None
    gpu: str | None = None
    gpu_count: int | None = None
    mfu: float | None = None  # only when the user gave it
    budget: Mapping[str, Any] | None = None  # a budget question: days/gpu_hours/budget/compute, data, serving


def _prompt(language: str) -> Prompt:
    return load(f"understood/{'zh' if language == 'zh' else 'en'}")


def _block(language: str, name: str) -> str:
    return _prompt(language).blocks()[name]


def _part(language: str, key: str, **values: Any) -> str:
    return Template(_prompt(language).table("parts")[key]).substitute(values)


def _count(value: float, language: str) -> str:
    return count_text(value, language)


def _model_parts(model: Mapping[str, Any], language: str) -> list[str]:
    parts = [_part(language, "moe" if model["is_moe"] else "dense")]
    source = model["source"]
    if model.get("preset"):
        parts.append(_part(language, "model_matched" if model["matched_preset"] else "model_preset",
                           name=model["label"]))
    elif source == "hf_config":
        parts.append(_part(language, "model_config", name=model["label"]))
    elif source == "dimensions":
        parts.append(_part(language, "model_dimensions"))
    parts.append(_part(language, f"total_{model['total_basis']}", value=_count(model["total_params"], language)))
    if model["is_moe"]:
        parts.append(_part(language, f"active_{model['active_basis']}", value=_count(model["active_params"], language)))
        if model.get("num_experts"):
            shared = model.get("num_shared_experts")
            parts.append(_part(language, "layout_shared", shared=shared, routed=model["num_experts"]) if shared
                         else _part(language, "layout_routed", routed=model["num_experts"]))
        if model.get("top_k"):
            origin = model.get("top_k_origin") or "stated"
            parts.append(_part(language, f"top_k_{origin}", k=model["top_k"], name=model["label"]))
    return parts


def understood_line(reading: RunReading, *, language: str) -> str:
    """"Understood as: MoE · MiniMind2-MoE (matched …) · 145M total · … · 8 × RTX 4090"."""
    parts = _model_parts(reading.model, language) if reading.model else []
    if reading.tokens is not None:
        parts.append(_part(language, "tokens", value=_count(reading.tokens, language)))
    if reading.seq_len is not None:
        parts.append(_part(language, "seq_len", value=f"{reading.seq_len:,}"))
    if reading.gpu is not None:
        parts.append(_part(language, "gpus", count=reading.gpu_count or 1, gpu=reading.gpu))
    if reading.mfu is not None:
        parts.append(_part(language, "mfu_given", value=f"{reading.mfu:.0%}"))
    parts += _budget_parts(reading.budget or {}, language)
    return Template(_block(language, "line")).substitute(parts=_block(language, "separator").join(parts))


def _budget_parts(budget: Mapping[str, Any], language: str) -> list[str]:
    """A budget question's part of the understood line: what is searched, the budget, the data, the serving."""
    parts = []
    searched = budget.get("architectures") or []
    if searched:
        parts.append(_part(language, f"search.{'both' if len(searched) > 1 else searched[0]}"))
    currency = budget.get("currency") or ""
    if budget.get("days") is not None:
        parts.append(_part(language, "days", value=f"{budget['days']:g}"))
    if budget.get("gpu_hours") is not None:
        parts.append(_part(language, "gpu_hours", value=_count(budget["gpu_hours"], language)))
    if budget.get("budget") is not None:
        parts.append(_part(language, "budget", value=f"{_count(budget['budget'], language)} {currency}".strip()))
    if budget.get("compute") is not None:
        parts.append(_part(language, "compute_flops", value=f"{budget['compute']:.3g}"))
    if budget.get("unique_tokens") is not None:
        parts.append(_part(language, "unique_tokens", value=_count(budget["unique_tokens"], language)))
    if budget.get("inference_tokens") is not None:
        parts.append(_part(language, "inference_tokens", value=_count(budget["inference_tokens"], language)))
    return parts


def check_lines(model: Mapping[str, Any] | None, *, language: str) -> list[str]:
    """One line per stated total/activated figure that differs from the exact count, with the convention."""
    lines = []
    for check in (model or {}).get("checks", []):
        conventions = _prompt(language).table("conventions")
        if check.get("convention"):
            explanation = Template(_block(language, "check_explained")).substitute(
                convention_text=conventions[check["convention"]],
                convention_value=_exact(check["convention_value"], language))
        else:
            explanation = _block(language, "check_unexplained")
        lines.append(Template(_block(language, "check")).substitute(
            stated=_count(check["stated"], language), quantity=conventions[f"quantity.{check['quantity']}"],
            counted=_exact(check["counted"], language), explanation=explanation))
    return lines


def published_line(model: Mapping[str, Any] | None, *, language: str) -> str | None:
    """The vendor's headline figures beside ours, when their activated count follows another convention."""
    published = (model or {}).get("published")
    if not published or (model or {}).get("checks"):
        return None  # a stated-figure check already explains the convention
    return Template(_block(language, "published")).substitute(
        preset=published["preset"], total=published["total"] or "—", active=published["active"] or "—",
        convention_text=_prompt(language).table("vendor_conventions")[published["convention"]],
        ours=_exact(published["ours_under_convention"], language))


def _exact(value: int, language: str) -> str:
    return exact_count_text(value, language=language)


def defaults_line(assumptions: Iterable[Mapping[str, Any]], *, language: str) -> str | None:
    """The headline assumptions (defaults that move a headline number) the understood line does not say."""
    items = list(dict.fromkeys(assumption_text(a, language=language) for a in assumptions
                               if a.get("headline") and a["code"] not in SHOWN_IN_LINE))
    if not items:
        return None
    return Template(_block(language, "defaults")).substitute(items=_block(language, "list_separator").join(items))


def not_understood_line(numbers: Sequence[str], *, language: str) -> str | None:
    if not numbers:
        return None
    return Template(_block(language, "not_understood")).substitute(items=", ".join(numbers))


def not_used_line(unused: Mapping[str, Any], *, language: str) -> str | None:
    """Fields that were read but not used, each with why (``unused`` maps a field to its value)."""
    if not unused:
        return None
    table = _prompt(language).table("unused_items")
    items = []
    for name, value in unused.items():
        if name in table:
            items.append(Template(table[name]).substitute(value=_unused_value(name, value, language)))
        elif name in _STATED_DIMENSIONS or name in ("tied_embeddings", "gated_mlp"):
            shown = _part(language, f"dim.{name}", value=value_text(name, value, language=language)) \
                if name in _STATED_DIMENSIONS else _part(language, "tied" if value else "untied")
            items.append(Template(table["dimensions"]).substitute(value=shown))
        else:  # any other field, shown as the "so far" line shows it
            shown = stated_line({name: value, **({"num_experts": value} if name == "num_shared_experts" else {})},
                                language=language) or f"{name} {value}"
            items.append(Template(table["other"]).substitute(value=shown))
    separator = _block(language, "list_separator")
    return Template(_block(language, "not_used")).substitute(items=separator.join(items)) if items else None


def _unused_value(name: str, value: Any, language: str) -> str:
    if name in ("gpu_hours", "budget", "compute_flops") and isinstance(value, int | float):
        return _count(value, language) if name != "compute_flops" else f"{value:.3g}"
    if name == "mfu" and isinstance(value, float):
        return f"{value:.0%}"
    return value_text(name, value, language=language)


def first_lines(*, reading: RunReading, assumptions: Iterable[Mapping[str, Any]], language: str,
                not_understood: Sequence[str] = (), not_used: Mapping[str, Any] | None = None) -> list[str]:
    """The opening lines of an answer, in order; lines with nothing to say are left out."""
    lines = [understood_line(reading, language=language), *check_lines(reading.model, language=language)]
    for line in (published_line(reading.model, language=language), defaults_line(assumptions, language=language),
                 not_understood_line(not_understood, language=language),
                 not_used_line(not_used or {}, language=language)):
        if line:
            lines.append(line)
    return lines


_STATED_DIMENSIONS = ("hidden_size", "num_layers", "num_heads", "num_kv_heads", "vocab_size", "intermediate_size",
                      "head_dim", "expert_intermediate_size", "first_k_dense", "granularity")


def stated_line(stated: Mapping[str, Any], *, language: str, preset_name: str | None = None) -> str:
    """What the user has said so far, before anything is resolved: "MoE · 145M total (as stated) · …".

    ``stated`` maps the reader's field names (``total_params``, ``num_experts``, ``samples``, ``gpu``, …) to
    the values read; nothing is computed (samples × length stays a product as written).
    """
    parts: list[str] = []
    get = stated.get
    if get("dense") is True:
        parts.append(_part(language, "dense"))
    elif get("dense") is False or get("num_experts"):
        parts.append(_part(language, "moe"))
    if preset_name:
        parts.append(_part(language, "model_named", name=preset_name))
    if get("hf_config"):
        parts.append(_part(language, "config_pasted"))
    parts.extend(_part(language, f"dim.{name}", value=value_text(name, get(name), language=language))
                 for name in _STATED_DIMENSIONS if get(name) is not None)
    if get("total_params"):
        parts.append(_part(language, "total_stated", value=_count(get("total_params"), language)))
    if get("active_params"):
        parts.append(_part(language, "active_stated", value=_count(get("active_params"), language)))
    if get("num_experts"):
        shared = get("num_shared_experts")
        parts.append(_part(language, "layout_shared", shared=shared, routed=get("num_experts")) if shared
                     else _part(language, "layout_routed", routed=get("num_experts")))
    if get("top_k"):
        parts.append(_part(language, "top_k_stated", k=get("top_k")))
    if get("tokens"):
        parts.append(_part(language, "tokens", value=_count(get("tokens"), language)))
    unit = _prompt(language).table("parts")[f"unit.{get('length_unit') or 'unknown'}"]
    if get("samples") and get("mean_length"):
        parts.append(_part(language, "samples", samples=_count(get("samples"), language),
                           length=f"{get('mean_length'):g}", unit=unit))
    elif get("samples"):
        parts.append(_part(language, "samples_only", samples=_count(get("samples"), language)))
    elif get("mean_length"):
        parts.append(_part(language, "length_only", length=f"{get('mean_length'):g}", unit=unit))
    if get("epochs"):
        parts.append(_part(language, "epochs", value=f"{get('epochs'):g}"))
    if get("tied_embeddings") is not None:
        parts.append(_part(language, "tied" if get("tied_embeddings") else "untied"))
    if get("seq_len"):
        parts.append(_part(language, "seq_len_stated", value=f"{get('seq_len'):,}"))
    if get("gpu"):
        parts.append(_part(language, "gpus", count=get("gpu_count") or 1, gpu=get("gpu")))
    if get("mfu"):
        parts.append(_part(language, "mfu_given", value=f"{get('mfu'):.0%}"))
    currency = get("currency") or ""
    if get("price_per_gpu_hour") is not None:
        parts.append(_part(language, "price", value=f"{get('price_per_gpu_hour'):g} {currency}".strip()))
    if get("budget") is not None:
        parts.append(_part(language, "budget", value=f"{_count(get('budget'), language)} {currency}".strip()))
    if get("gpu_hours") is not None:
        parts.append(_part(language, "gpu_hours", value=_count(get("gpu_hours"), language)))
    if get("days") is not None:
        parts.append(_part(language, "days", value=f"{get('days'):g}"))
    if get("compute_flops") is not None:
        parts.append(_part(language, "compute_flops", value=f"{get('compute_flops'):.3g}"))
    return _block(language, "separator").join(parts)
