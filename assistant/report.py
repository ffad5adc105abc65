"""The scaling report: a structured object built from tool results, rendered to Markdown in zh/en.

Every number in the report is a field of a tool result (an "artifact"); this module only
selects, formats and arranges them, with the sentences taken from ``prompts/report/{lang}.md``.
"""

from __future__ import annotations

from functools import cache
from string import Template
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter

from prompts import load
from prompts.glossary import concept_footnotes, link_concepts, parse_concept_href, render_entry
from tools.analysis import (
    AssumptionOut,
    ChinchillaResult,
    FitAllocation,
    FlopsResult,
    GpuTimeResult,
    MemoryResult,
    ParamsResult,
    Verdict,
)
from tools.loss_curve import LossCurveResult
from tools.names import fit_name
from tools.planner import RecommendResult
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


class _ReportBase(BaseModel):
    """What every report has: its language, the request, its opening lines, its sources, its Markdown."""

    language: Language
    request: str
    understood: str = ""
    first_lines: list[str] = []
    not_understood: list[str] = []
    not_used: dict[str, Any] = {}
    references: list[str] = []
    assumptions: list[AssumptionOut] = []
    markdown: str = ""


class PlanReport(_ReportBase):
    """A plan: the tools' own results (typed), what changed since the last plan, and the advice built on them."""

    kind: Literal["plan"] = "plan"
    params: ParamsResult
    flops: FlopsResult
    chinchilla: ChinchillaResult
    gpu: GpuTimeResult | None = None
    memory: MemoryResult | None = None
    loss: LossCurveResult | None = None  # only when the loss curve was asked for
    changes: list[str] = []
    recommendations: list[str] = []
    caveats: list[str] = []

    @property
    def model(self) -> str:
        return self.params.model


class BudgetReport(_ReportBase):
    """What a GPU budget buys."""

    kind: Literal["budget"] = "budget"
    recommend: RecommendResult


Report = Annotated[PlanReport | BudgetReport, Field(discriminator="kind")]
"""A report, plan or budget: ``report.kind`` says which."""

_REPORT: TypeAdapter[PlanReport | BudgetReport] = TypeAdapter(Report)


def markdown_file(markdown: str) -> str:
    """Markdown written to a file or a terminal, where the app's concept links cannot open: each becomes the
    entry's title with a footnote giving the entry's title and text, in the link's language."""
    return concept_footnotes(markdown)


def concept_page(href: str) -> str | None:
    """The glossary entry a concept link opens (``#concept/zh/moe-routing``), as Markdown in the link's language;
    None when ``href`` is not a concept link."""
    target = parse_concept_href(href)
    return None if target is None else render_entry(target[1], lang=target[0])


def report_from_json(data: dict[str, Any]) -> PlanReport | BudgetReport:
    """A report read back from its JSON form (``report.model_dump(mode="json")``)."""
    return _REPORT.validate_python(data)


# --- templates -------------------------------------------------------------------------------------

@cache
def blocks(language: Language) -> dict[str, str]:
    """The named blocks of ``prompts/report/{language}.md``."""
    return load(f"report/{language}").blocks()


@cache
def labels(language: Language) -> dict[str, str]:
    return load(f"report/{language}").table("labels")


def block(language: Language, name: str, **values: Any) -> str:
    """A block with its placeholders filled and its ``[[concept]]`` marks as links to the glossary."""
    return link_concepts(Template(blocks(language)[name]).substitute(**values), lang=language)


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


def verdict_text(verdict: Verdict, language: Language) -> str:
    shown = 1 / verdict.factor if verdict.kind == "under-trained" else verdict.factor
    return label(language, verdict.kind, factor=f"{shown:.1f}")


def published_runs_line(gpu: GpuTimeResult, *, model: str, language: Language) -> str:
    """The preset's published runs beside the projection, with the MFU each implies ("" when none)."""
    if not gpu.published_runs:
        return ""
    at_least = label(language, "at_least")
    runs = [block(language, "published_run", gpu=run.gpu, gpu_hours=f"{run.gpu_hours:,.0f}",
                  tokens=(at_least if run.tokens_at_least else "") + count_text(run.tokens, language),
                  mfu=(at_least if run.mfu_is_lower_bound else "") + f"{run.implied_mfu:.1%}")
            for run in gpu.published_runs]
    stage = label(language, f"stage.{gpu.published_runs[0].stage}")
    return block(language, "published_runs", model=model, stage=stage, runs="; ".join(runs))


def per_param_text(is_moe: bool, language: Language) -> str:
    """"per activated parameter" for an MoE, "per parameter" for a dense model."""
    return label(language, "per_active_param" if is_moe else "per_param")


def factor_text(value: float) -> str:
    """A factor ≥ 1 as "×" shows it: two decimals below 2 (so 1.01 is not shown as 1.0), one above."""
    return f"{value:.2f}" if value < 2 else f"{value:.1f}"


def bullet_list(items: list[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def pipe_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines)


def in_fit_order(allocations: list[FitAllocation]) -> list[FitAllocation]:
    order = {name: i for i, name in enumerate(FIT_ORDER)}
    return sorted(allocations, key=lambda a: order.get(a.fit, len(order)))


def fit_allocation(allocations: list[FitAllocation], fit: str) -> FitAllocation:
    """The allocation of one named fit (every fit is in every result)."""
    return next(a for a in allocations if a.fit == fit)


def fits_table(allocations: list[FitAllocation], language: Language) -> str:
    rows = []
    for a in in_fit_order(allocations):
        mark = label(language, "approx_mark") if a.approximate else ""
        rows.append([fit_name(a.fit, language), mark + count_text(a.params, language), count_text(a.tokens, language),
                     ratio_text(a.tokens_per_param)])
    header = [label(language, k) for k in ("col_fit", "col_fit_params", "col_fit_tokens", "col_fit_tpp")]
    return pipe_table(header, rows)


def alternatives_table(chinchilla: ChinchillaResult, language: Language) -> str:
    rows_in = chinchilla.alternatives
    with_gpu = any(row.gpu_hours is not None for row in rows_in)
    with_cost = any(row.cost is not None for row in rows_in)
    header = [label(language, k) for k in ("col_option", "col_params", "col_tokens", "col_flops", "col_tpp")]
    if with_gpu:
        header.append(label(language, "col_gpu"))
    if with_cost:
        header.append(label(language, "col_cost"))
    header.append(label(language, "col_loss", fit=fit_name(PRIMARY_LOSS_FIT, language)))
    rows = []
    for row in rows_in:
        cells = [label(language, row.key), count_text(row.params, language), count_text(row.tokens, language),
                 sci(row.compute_flops), ratio_text(row.tokens_per_param)]
        if with_gpu:
            cells.append(duration_text(row.wall_clock_days * 24, language))
        if with_cost:
            cells.append(money_text(row.cost, chinchilla.currency or "USD"))
        cells.append(f"{row.loss_delta.get(PRIMARY_LOSS_FIT, 0.0):+.3f}")
        rows.append(cells)
    return pipe_table(header, rows)


def loss_table(loss: LossCurveResult, language: Language) -> str:
    """Each loss fit's predicted loss at the checkpoints (and what the rest of the run still buys), and the
    point of diminishing returns beside the plan."""
    header = [label(language, "col_fit"),
              *(label(language, "col_checkpoint", share=f"{share:.0%}") for share in loss.fractions),
              label(language, "col_diminishing")]
    per = per_param_text(loss.is_moe, language)
    rows = []
    for curve in loss.fits:
        cells = [fit_name(curve.fit, language)]
        for point in curve.checkpoints:
            loss = f"{point.loss_nats:.2f}"
            cells.append(label(language, "loss_with_gain", loss=loss, gain=f"{point.remaining_gain_nats:.2f}")
                         if point.remaining_gain_nats > 0 else loss)
        point = curve.diminishing_returns
        cells.append(label(language, f"diminishing_{point.plan_position}", tokens=count_text(point.tokens, language),
                           ratio=ratio_text(point.tokens_per_param), per=per, factor=factor_text(point.plan_over_point
                                                                    if point.plan_position == "after"
                                                                    else 1 / point.plan_over_point)))
        rows.append(cells)
    return pipe_table(header, rows)
