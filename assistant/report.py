"""The scaling report: a structured object built from tool results, rendered to Markdown in zh/en.

Every number in the report is a field of a tool result (an "artifact"); this module only
selects, formats and arranges them, with the sentences taken from ``prompts/report/{lang}.md``.
"""

from __future__ import annotations

from functools import cache
from string import Template
from typing import Any, Literal

from pydantic import BaseModel

from prompts import load
from tools.quantities import count_text, sci

Language = Literal["zh", "en"]

FIT_ORDER = ("rule-20", "chinchilla-approach1", "chinchilla-approach2", "chinchilla-approach3",
             "chinchilla-approach3-unrounded", "epoch-2024", "deepseek-2024", "kaplan-2020")
PRIMARY_LOSS_FIT = "epoch-2024"  # Besiroglu et al. 2024: the replication that corrects Approach 3

REFERENCES_ALWAYS = ("hoffmann2022", "besiroglu2024", "kaplan2020", "deepseek2024")
REFERENCES_GPU = ("chowdhery2022",)
REFERENCES_MEMORY = ("rajbhandari2020", "korthikanti2022")
REFERENCES_MOE = ("krajewski2024",)
REFERENCES_OVERTRAINED = ("sardana2024",)


class Report(BaseModel):
    """The structured report (exported as JSON); ``markdown`` is its rendering."""

    kind: Literal["plan", "budget"]
    language: Language
    request: str
    model: str | None = None
    params: dict[str, Any] | None = None
    tokens: float | None = None
    seq_len: int | None = None
    flops: dict[str, Any] | None = None
    chinchilla: dict[str, Any] | None = None
    gpu: dict[str, Any] | None = None
    memory: dict[str, Any] | None = None
    budget: dict[str, Any] | None = None
    changes: list[str] = []
    recommendations: list[str] = []
    caveats: list[str] = []
    references: list[str] = []
    assumptions: list[dict[str, Any]] = []
    understood: str = ""
    first_lines: list[str] = []
    not_understood: list[str] = []
    not_used: dict[str, Any] = {}
    markdown: str = ""


# --- templates -------------------------------------------------------------------------------------

@cache
def blocks(language: Language) -> dict[str, str]:
    """The named blocks of ``prompts/report/{language}.md``."""
    return load(f"report/{language}").blocks()


@cache
def labels(language: Language) -> dict[str, str]:
    pairs = (line.split(" = ", 1) for line in blocks(language)["labels"].splitlines() if " = " in line)
    return {key.strip(): value.strip() for key, value in pairs}


def block(language: Language, name: str, **values: Any) -> str:
    return Template(blocks(language)[name]).substitute(**values)


def label(language: Language, name: str, **values: Any) -> str:
    return Template(labels(language)[name]).substitute(**values)


# --- formatting --------------------------------------------------------------------------------------


def ratio_text(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def duration_text(hours: float, language: Language) -> str:
    if hours >= 48:
        return label(language, "days", value=f"{hours / 24:,.1f}")
    return label(language, "hours", value=f"{hours:,.1f}")


def money_text(value: float | None, currency: str) -> str:
    if value is None:
        return "—"
    symbol = {"CNY": "¥", "RMB": "¥", "USD": "$", "EUR": "€"}.get(currency.upper())
    return f"{symbol}{value:,.0f}" if symbol else f"{value:,.0f} {currency}"


def verdict_text(verdict: dict[str, Any], language: Language) -> str:
    factor = verdict["factor"]
    shown = 1 / factor if verdict["kind"] == "under-trained" else factor
    return label(language, verdict["kind"], factor=f"{shown:.1f}")


def bullet_list(items: list[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines)


def fits_table(allocations: list[dict[str, Any]], language: Language) -> str:
    order = {name: i for i, name in enumerate(FIT_ORDER)}
    rows = []
    for a in sorted(allocations, key=lambda a: order.get(a["fit"], 99)):
        mark = label(language, "approx_mark") if a["approximate"] else ""
        rows.append([f"`{a['fit']}`", mark + count_text(a["params"], language), count_text(a["tokens"], language),
                     ratio_text(a["tokens_per_param"])])
    header = [label(language, k) for k in ("col_fit", "col_fit_params", "col_fit_tokens", "col_fit_tpp")]
    return _table(header, rows)


def alternatives_table(chinchilla: dict[str, Any], language: Language) -> str:
    with_gpu = any(row["gpu_hours"] is not None for row in chinchilla["alternatives"])
    with_cost = any(row["cost"] is not None for row in chinchilla["alternatives"])
    header = [label(language, k) for k in ("col_option", "col_params", "col_tokens", "col_flops", "col_tpp")]
    if with_gpu:
        header.append(label(language, "col_gpu"))
    if with_cost:
        header.append(label(language, "col_cost"))
    header.append(label(language, "col_loss", fit=PRIMARY_LOSS_FIT))
    rows = []
    for row in chinchilla["alternatives"]:
        cells = [label(language, row["key"]), count_text(row["params"], language), count_text(row["tokens"], language),
                 sci(row["compute_flops"]), ratio_text(row["tokens_per_param"])]
        if with_gpu:
            cells.append(duration_text(row["wall_clock_days"] * 24, language))
        if with_cost:
            cells.append(money_text(row["cost"], chinchilla.get("currency") or "USD"))
        delta = row["loss_delta"].get(PRIMARY_LOSS_FIT, 0.0)
        cells.append(f"{delta:+.3f}")
        rows.append(cells)
    return _table(header, rows)
