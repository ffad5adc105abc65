"""Paper-ready exports of a report: an analysis paragraph and a table of the alternatives (zh/en, Markdown or
LaTeX), BibTeX, and JSON. Every number is a field of the structured report, written by :class:`_Writer` (siunitx
``\\num`` in LaTeX, × 10ⁿ and the project's counts in Markdown); sentences come from ``prompts/export/{lang}.md``.

The LaTeX assumes ``booktabs``, ``siunitx`` and ``natbib`` with the ``authoryear`` option (``ctex`` and xelatex
for Chinese); the export's first lines say so.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from string import Template
from typing import Any, Literal

from assistant.references import author_year, bibtex
from assistant.report import PRIMARY_LOSS_FIT, BudgetReport, PlanReport, fit_allocation, pipe_table, ratio_text
from prompts import Prompt, load
from tools.analysis import ChinchillaResult, FitAllocation, GpuTimeResult, ParamsResult
from tools.quantities import human, human_zh, scale_of, sig, tex_num, times_ten

Style = Literal["markdown", "latex"]

# Mathematical notation per style (not prose: the sentences around them are the templates').
_SYMBOLS: dict[str, dict[str, str]] = {
    "latex": {"six_nd": "$6ND$", "n": "$N$", "d": "$D$", "delta_l": r"$\Delta L$", "times": r"$\times$",
              "dagger": r"$^{\dagger}$"},
    "markdown": {"six_nd": "6ND", "n": "N", "d": "D", "delta_l": "ΔL", "times": "×", "dagger": "†"},
}
_TEX_SPECIAL = re.compile(r"([&%$#_{}])")


def _prompt(language: str) -> Prompt:
    return load(f"export/{language}")


@dataclass(frozen=True)
class _Writer:
    """How one style and language writes numbers, citations and lists; the sentences are the template's."""

    style: Style
    language: str

    @property
    def latex(self) -> bool:
        return self.style == "latex"

    def say(self, block: str, **values: Any) -> str:
        """A block of ``prompts/export/{language}.md`` with the style's symbols and ``values`` filled in."""
        return Template(_prompt(self.language).blocks()[block]).substitute({**_SYMBOLS[self.style], **values})

    def symbol(self, name: str) -> str:
        return _SYMBOLS[self.style][name]

    def entry(self, table: str, key: str, **values: Any) -> str:
        """One ``key = text`` line of a table block, filled in like :meth:`say`."""
        return Template(_prompt(self.language).table(table)[key]).substitute({**_SYMBOLS[self.style], **values})

    # numbers
    def count(self, value: float) -> str:
        """Parameters or tokens: \\num{14.8e9} / 14.8B / 148亿."""
        if self.latex:
            return tex_num(value, engineering=True)
        return human_zh(value) if self.language == "zh" else human(value)

    def flops(self, value: float) -> str:
        return tex_num(value) if self.latex else times_ten(value)

    def figure(self, value: float) -> str:
        """Three significant figures (a count already divided by its scale): 65.4."""
        return rf"\num{{{sig(value)}}}" if self.latex else sig(value)

    def decimal(self, value: float) -> str:
        """One decimal place: 11.3."""
        return rf"\num{{{value:.1f}}}" if self.latex else f"{value:.1f}"

    def whole(self, value: float) -> str:
        """A whole number: \\num{2675978} / 2,675,978."""
        return rf"\num{{{value:.0f}}}" if self.latex else f"{value:,.0f}"

    def ratio(self, value: float) -> str:
        """Tokens per parameter as the report writes them: whole from 100 up (226), one decimal below (20.0)."""
        text = ratio_text(value)
        return rf"\num{{{text.replace(',', '')}}}" if self.latex else text

    def signed(self, value: float) -> str:
        """A loss difference with its sign: +0.567 / −0.526."""
        return rf"\num[retain-explicit-plus]{{{value:+.3f}}}" if self.latex else f"{value:+.3f}"

    def percent(self, fraction: float) -> str:
        return rf"{fraction:.0%}".replace("%", r"\%") if self.latex else f"{fraction:.0%}"

    def text(self, value: str) -> str:
        """A name (a GPU, a model) as text: LaTeX's special characters escaped."""
        return _TEX_SPECIAL.sub(r"\\\1", value) if self.latex else value

    # citations and lists
    def cite_textual(self, key: str) -> str:
        """Hoffmann et al. (2022): ``\\citet{key}`` in LaTeX."""
        if self.latex:
            return rf"\citet{{{key}}}"
        return self.entry("cite", "textual", who=self._who(key), year=author_year(key).year)

    def cite_parenthetical(self, keys: list[str]) -> str:
        """(Hoffmann et al., 2022; Besiroglu et al., 2024): ``\\citep{a,b}`` in LaTeX; each key once."""
        unique = list(dict.fromkeys(keys))
        if self.latex:
            return rf"\citep{{{','.join(unique)}}}"
        items = [self.entry("cite", "item", who=self._who(key), year=author_year(key).year) for key in unique]
        return self.entry("cite", "parenthetical", items=self._fold("cite", "items", items))

    def listing(self, items: list[str]) -> str:
        """A, B, and C (en) / A、B 和 C (zh)."""
        if len(items) < 2:
            return "".join(items)
        last = "two" if len(items) == 2 else "more"
        return self.entry("lists", last, head=self._fold("lists", "join", items[:-1]), last=items[-1])

    def sentences(self, *parts: str) -> str:
        """Sentences one after the other (a space between them in English, none in Chinese)."""
        return self._fold("lists", "sentence", [part for part in parts if part])

    def _fold(self, table: str, key: str, items: list[str]) -> str:
        text = items[0] if items else ""
        for item in items[1:]:
            text = self.entry(table, key, head=text, item=item)
        return text

    def _who(self, key: str) -> str:
        cited = author_year(key)
        return self.entry("cite", "et_al", surname=cited.surname) if cited.et_al else cited.surname


def _plan_only(report: PlanReport | BudgetReport) -> PlanReport:
    if report.kind != "plan":
        raise ValueError("paper exports need a plan report (model, data and FLOPs)")
    return report


# --- the paragraph ---------------------------------------------------------------------------------------------

def analysis_paragraph(report: PlanReport | BudgetReport, *, style: Style = "markdown",
                       language: str | None = None, stance: str = "neutral") -> str:
    """A concise analysis paragraph with citations, in the report's language unless ``language`` is given.

    ``stance`` is the author's: ``neutral`` (the default), ``overtrained`` (over-training on purpose, for
    inference) or ``optimal`` (the compute-optimal allocation is the point); it only changes how an
    over-trained run is framed, never a number.
    """
    report = _plan_only(report)
    w = _Writer(style, language or report.language)
    chin, params = report.chinchilla, report.params
    rule20 = fit_allocation(chin.compute_optimal, "rule-20")
    over = {"overtrained": "verdict_over", "optimal": "verdict_over_optimal"}.get(stance, "verdict_over_neutral")
    verdict = {"over-trained": over, "under-trained": "verdict_under",
               "near-optimal": "verdict_near"}[chin.verdict_active.kind]
    return w.say(
        "paragraph", model=_model(w, params), tokens=w.count(report.flops.tokens),
        ratio=w.ratio(chin.tokens_per_active_param),
        per_param=w.entry("per_param", "moe" if params.reading.is_moe else "dense"),
        factor=w.decimal(chin.verdict_active.factor), cite_hoffmann=w.cite_textual("hoffmann2022"),
        flops=w.flops(chin.compute_flops), cite_kaplan=w.cite_textual("kaplan2020"),
        gpu_clause=_gpu_clause(w, report.gpu), optimal_params=w.count(rule20.params),
        optimal_tokens=w.count(rule20.tokens), fits_sentence=_fits_sentence(w, chin),
        verdict_sentence=w.say(verdict, cite_sardana=w.cite_parenthetical(["sardana2024"])),
    )


def _model(w: _Writer, params: ParamsResult) -> str:
    """'an MoE model with 1 shared + 4 routed experts and top-1 routing (65.4M of its 145M …)' from typed fields."""
    reading = params.reading
    total, active = w.count(params.total_params), w.count(params.active_params)
    if not reading.is_moe:
        return w.entry("model", "dense", total=total)
    if reading.num_experts and reading.top_k:
        return w.entry("model", "moe_shared" if reading.num_shared_experts else "moe_routed",
                       shared=reading.num_shared_experts, routed=reading.num_experts, top_k=reading.top_k,
                       active=active, total=total)
    return w.entry("model", "moe", active=active, total=total)


def _gpu_clause(w: _Writer, gpu: GpuTimeResult | None) -> str:
    if gpu is None:
        return ""
    return w.say("gpu_clause", gpu_hours=w.whole(gpu.gpu_hours), gpu_count=gpu.gpu_count, gpu=w.text(gpu.gpu),
                 mfu=w.percent(gpu.mfu), cite_palm=w.cite_parenthetical(["chowdhery2022"]))


def _fit_name(w: _Writer, allocation: FitAllocation) -> str:
    return w.entry("fit_names", allocation.fit, cite=w.cite_textual(allocation.citation))


def _fits_sentence(w: _Writer, chin: ChinchillaResult) -> str:
    """What the published fits say at this budget, quoting only those read inside their fitted range."""
    fits = {allocation.fit: allocation for allocation in chin.compute_optimal}
    inside, outside = chin.fits_in_range, chin.fits_extrapolated
    if inside is None:
        if outside is None:
            return ""
        return w.say("fits_none", min=w.ratio(outside.min_tokens_per_param), max=w.ratio(outside.max_tokens_per_param),
                     cite=w.cite_parenthetical([fits[name].citation for name in outside.fits]))
    if len(inside.fits) == 1:
        quoted = w.say("fits_in_range_one", fit=_fit_name(w, fits[inside.fits[0]]),
                       value=w.ratio(inside.min_tokens_per_param))
    else:
        quoted = w.say("fits_in_range", min=w.ratio(inside.min_tokens_per_param),
                       max=w.ratio(inside.max_tokens_per_param),
                       cite=w.cite_parenthetical([fits[name].citation for name in inside.fits]))
    if outside is None:
        return quoted
    left_out = w.say("fits_extrapolated_one" if len(outside.fits) == 1 else "fits_extrapolated_many",
                     fits=w.listing([_fit_name(w, fits[name]) for name in outside.fits]))
    return w.sentences(quoted, left_out)


# --- the table -------------------------------------------------------------------------------------------------

def table_label(report: PlanReport | BudgetReport) -> str:
    """``tab:scaling-<model>-<activated>-<tokens>``: one label per run, so two exports in one paper do not clash."""
    report = _plan_only(report)
    run = f"{report.params.model} {human(report.params.active_params)} {human(report.flops.tokens)}"
    return "tab:scaling-" + re.sub(r"[^a-z0-9]+", "-", run.lower()).strip("-")


def _table(report: PlanReport, w: _Writer) -> tuple[list[str], list[list[str]], str]:
    """(header, rows, caption) of the alternatives, in the writer's style and language."""
    rows = report.chinchilla.alternatives
    with_gpu = any(row.gpu_hours is not None for row in rows)
    n_scale, n_suffix = scale_of(max(row.params for row in rows))
    d_scale, d_suffix = scale_of(max(row.tokens for row in rows))
    columns = ["option", "params", "tokens", "flops", "tpp", *(["gpu_hours"] if with_gpu else []), "loss"]
    header = [w.entry("table_header", column, scale={"params": n_suffix, "tokens": d_suffix}.get(column, ""))
              for column in columns]
    body, extrapolated = [], False
    for row in rows:
        inside = row.loss_in_fitted_range.get(PRIMARY_LOSS_FIT, True)
        extrapolated = extrapolated or not inside
        cells = [w.entry("options", row.key), w.figure(row.params / n_scale), w.figure(row.tokens / d_scale),
                 w.flops(row.compute_flops), w.ratio(row.tokens_per_param)]
        if with_gpu:
            cells.append(w.whole(row.gpu_hours) if row.gpu_hours is not None else "—")
        cells.append(w.signed(row.loss_delta.get(PRIMARY_LOSS_FIT, 0.0)) + ("" if inside else w.symbol("dagger")))
        body.append(cells)
    loss_fit = fit_allocation(report.chinchilla.compute_optimal, PRIMARY_LOSS_FIT)
    caption = w.say("caption_extrapolated" if extrapolated else "caption", loss_fit=_fit_name(w, loss_fit),
                    n_meaning=w.entry("caption_terms", "moe" if report.params.reading.is_moe else "dense"))
    return header, body, caption


def latex_table(report: PlanReport | BudgetReport, *, language: str | None = None) -> str:
    """A booktabs ``table*`` of the alternatives (params, tokens, FLOPs, tokens/param, GPU-hours, ΔL).

    ``table*`` spans both columns of a two-column layout and is an ordinary float in one column; the
    columns are ``\\small`` with no outer padding so the table fits a one-column ``article`` too.
    """
    report = _plan_only(report)
    header, rows, caption = _table(report, _Writer("latex", language or report.language))
    lines = [r"\begin{table*}[t]", r"\centering", r"\small", r"\setlength{\tabcolsep}{4pt}",
             r"\begin{tabular}{@{}l" + "r" * (len(header) - 1) + "@{}}", r"\toprule", " & ".join(header) + r" \\",
             r"\midrule", *(" & ".join(cells) + r" \\" for cells in rows), r"\bottomrule", r"\end{tabular}",
             r"\caption{" + caption + "}", r"\label{" + table_label(report) + "}", r"\end{table*}"]
    return "\n".join(lines) + "\n"


def markdown_table(report: PlanReport | BudgetReport, *, language: str | None = None) -> str:
    """The same table in Markdown, its caption below it."""
    report = _plan_only(report)
    w = _Writer("markdown", language or report.language)
    header, rows, caption = _table(report, w)
    return pipe_table(header, rows) + "\n\n" + w.say("markdown_caption", caption=caption) + "\n"


# --- whole exports ---------------------------------------------------------------------------------------------

def latex_export(report: PlanReport | BudgetReport, *, language: str | None = None, stance: str = "neutral") -> str:
    """Paragraph + table, ready to paste, after comment lines naming the packages they need."""
    report = _plan_only(report)
    language = language or report.language
    preamble = _Writer("latex", language).say("preamble", label=table_label(report))
    paragraph = analysis_paragraph(report, style="latex", language=language, stance=stance)
    return f"{preamble}\n\n{paragraph}\n\n{latex_table(report, language=language)}"


def markdown_export(report: PlanReport | BudgetReport, *, language: str | None = None,
                    stance: str = "neutral") -> str:
    """Paragraph + table in Markdown."""
    paragraph = analysis_paragraph(report, style="markdown", language=language, stance=stance)
    return f"{paragraph}\n\n{markdown_table(report, language=language)}"


def bibtex_export(report: PlanReport | BudgetReport) -> str:
    return bibtex(report.references)


def json_export(report: PlanReport | BudgetReport) -> str:
    return json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
