"""Paper-ready exports of a report: an analysis paragraph (zh/en, Markdown or LaTeX), a LaTeX
table, BibTeX, and JSON. Every number is a field of the structured report; sentences come from
``prompts/export/{lang}.md``.
"""

from __future__ import annotations

import json
from functools import cache
from string import Template
from typing import Any, Literal

from assistant.references import bibtex
from assistant.report import BudgetReport, PlanReport, fit_allocation
from prompts import load
from tools.quantities import human, sci

Style = Literal["markdown", "latex"]

_CITE_MD = {"hoffmann": "Hoffmann et al. (2022)", "kaplan": "Kaplan et al. (2020)",
            "fits": "Hoffmann et al., 2022; Besiroglu et al., 2024; DeepSeek-AI, 2024; Kaplan et al., 2020",
            "sardana": "Sardana et al., 2024", "palm": "Chowdhery et al., 2022"}
_CITE_TEX = {"hoffmann": r"\citet{hoffmann2022}", "kaplan": r"\citet{kaplan2020}",
             "fits": r"\citealp{hoffmann2022,besiroglu2024,deepseek2024,kaplan2020}",
             "sardana": r"\citealp{sardana2024}", "palm": r"\citealp{chowdhery2022}"}


@cache
def _blocks(language: str) -> dict[str, str]:
    return load(f"export/{language}").blocks()


def _render(language: str, name: str, **values: Any) -> str:
    return Template(_blocks(language)[name]).substitute(**values)


def _plan_only(report: PlanReport | BudgetReport) -> PlanReport:
    if report.kind != "plan":
        raise ValueError("paper exports need a plan report (model, data and FLOPs)")
    return report


def analysis_paragraph(report: PlanReport | BudgetReport, *, style: Style = "markdown",
                       language: str | None = None, stance: str = "neutral") -> str:
    """A concise analysis paragraph with citations, in the report's language unless ``language`` is given.

    ``stance`` is the author's: ``neutral`` (the default), ``overtrained`` (over-training on purpose, for
    inference) or ``optimal`` (the compute-optimal allocation is the point); it only changes how an
    over-trained run is framed, never a number.
    """
    report = _plan_only(report)
    language = language or report.language
    cite = _CITE_TEX if style == "latex" else _CITE_MD
    chin, params = report.chinchilla, report.params
    rule20 = fit_allocation(chin.compute_optimal, "rule-20")
    ratios = [fit.tokens_per_param for fit in chin.compute_optimal]
    active, total = human(params.active_params), human(params.total_params)
    if params.active_params < params.total_params:
        model_desc = (f" an MoE model with {active} activated of {total} total parameters" if language == "en"
                      else f"一个总参数 {total}、激活参数 {active} 的 MoE 模型")
    else:
        model_desc = f" a {total}-parameter model" if language == "en" else f"一个 {total} 参数的模型"
    gpu_clause = ""
    if report.gpu:
        gpu = report.gpu
        gpu_clause = _render(language, "gpu_clause", gpu_hours=f"{gpu.gpu_hours:,.0f}", gpu_count=gpu.gpu_count,
                             gpu=gpu.gpu, mfu=f"{gpu.mfu:.0%}", cite_palm=cite["palm"])
    kind = chin.verdict_active.kind
    over = {"overtrained": "verdict_over", "optimal": "verdict_over_optimal"}.get(stance, "verdict_over_neutral")
    verdict = {"over-trained": over, "under-trained": "verdict_under", "near-optimal": "verdict_near"}[kind]
    text = _render(
        language, "paragraph", model_desc=model_desc, tokens=human(report.flops.tokens),
        ratio=f"{chin.tokens_per_active_param:,.0f}", factor=f"{chin.verdict_active.factor:.1f}",
        cite_hoffmann=cite["hoffmann"], flops=sci(chin.compute_flops), cite_kaplan=cite["kaplan"],
        gpu_clause=gpu_clause, optimal_params=human(rule20.params), optimal_tokens=human(rule20.tokens),
        fits_min=f"{min(ratios):.1f}", fits_max=f"{max(ratios):.1f}", cite_fits=cite["fits"],
        verdict_sentence=_render(language, verdict, cite_sardana=cite["sardana"]),
    )
    if style == "latex":
        text = text.replace("%", r"\%").replace("×", r"$\times$")
    return text


_TEX_LABELS = {
    "en": {"as_planned": "As planned", "match_data": "Model matched to data ($D/20$)",
           "stop_early": "Stop at 20 tokens/param", "compute_optimal": "Compute-optimal, same FLOPs"},
    "zh": {"as_planned": "按计划", "match_data": "按数据放大模型（$D/20$）", "stop_early": "停在每参数 20 token",
           "compute_optimal": "同等 FLOPs 的计算最优"},
}


def _tex_sci(value: float) -> str:
    mantissa, exponent = sci(value).split("e")
    return f"${mantissa}\\times10^{{{int(exponent)}}}$"


def latex_table(report: PlanReport | BudgetReport, *, language: str | None = None) -> str:
    """A booktabs table of the alternatives (params, tokens, FLOPs, tokens/param, GPU-hours, ΔL)."""
    report = _plan_only(report)
    language = language or report.language
    rows = report.chinchilla.alternatives
    with_gpu = any(row.gpu_hours is not None for row in rows)
    header = ["Option", "$N$", "$D$", "FLOPs", "$D/N$"] + (["GPU-h"] if with_gpu else []) + [r"$\Delta L$"]
    lines = [r"\begin{table}[t]", r"\centering", r"\small",
             r"\begin{tabular}{l" + "r" * (len(header) - 1) + "}", r"\toprule", " & ".join(header) + r" \\",
             r"\midrule"]
    for row in rows:
        cells = [_TEX_LABELS[language][row.key], human(row.params), human(row.tokens),
                 _tex_sci(row.compute_flops), f"{row.tokens_per_param:.0f}"]
        if with_gpu:
            cells.append(f"{row.gpu_hours:,.0f}".replace(",", "{,}"))
        cells.append(f"${row.loss_delta.get('epoch-2024', 0.0):+.3f}$")
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}", r"\caption{" + _render(language, "caption") + "}",
              r"\label{tab:scaling-alternatives}", r"\end{table}"]
    return "\n".join(lines) + "\n"


def latex_export(report: PlanReport | BudgetReport, *, language: str | None = None) -> str:
    """Paragraph + table, ready to paste (needs natbib and booktabs)."""
    paragraph = analysis_paragraph(report, style="latex", language=language)
    return (f"% scaling-assistant export: needs \\usepackage{{natbib,booktabs}}\n"
            f"{paragraph}\n\n{latex_table(report, language=language)}")


def bibtex_export(report: PlanReport | BudgetReport) -> str:
    return bibtex(report.references)


def json_export(report: PlanReport | BudgetReport) -> str:
    return json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
