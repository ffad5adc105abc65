"""Plotly figures of a report: the compute-optimal frontier, predicted loss against tokens, tokens per parameter
against well-known runs, wall clock against the number of GPUs (plans), and a budget's recommended
configurations. Titles, axes and legends are in ``prompts/plots/{en,zh}.md``.

The figures are built from the typed report (:class:`assistant.report.PlanReport` or ``BudgetReport``);
where a curve needs more points than the report holds, they come from the core (``tools.calc``): each fit's
``optimal_for_compute`` and ``predicted_loss``, ``tokens_per_param`` and ``project_gpu_time``.
This module only chooses the points to evaluate and arranges the results; the UI only shows
the figures. Labels follow the report's language.

Exported as one self-contained HTML page (:func:`figures_html`): static PNG export through
kaleido ≥ 1 needs a Chrome installation, which this project does not assume; every figure's
toolbar has "download plot as PNG" in the browser instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from string import Template
from typing import Literal

import plotly.graph_objects as go

from assistant.report import FIT_ORDER, PRIMARY_LOSS_FIT, BudgetReport, PlanReport, fit_name
from prompts import load
from tools.calc.fits import FITS
from tools.calc.gpu_time import project_gpu_time
from tools.calc.hardware import find_gpu
from tools.calc.params import count_parameters
from tools.calc.presets import find_preset
from tools.calc.scaling import CHINCHILLA_TOKENS_PER_PARAM, NEAR_OPTIMAL_BAND, tokens_per_param
from tools.calc.tokens import tokens_from_samples
from tools.quantities import human, sig

Language = Literal["zh", "en"]
FigureName = Literal["frontier", "loss", "tokens_per_param", "wall_clock", "candidates"]
FIGURE_NAMES: tuple[FigureName, ...] = ("frontier", "loss", "tokens_per_param", "wall_clock", "candidates")

FONT_FAMILY = "Noto Sans, Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, DejaVu Sans, sans-serif"
HIGHLIGHTED_FITS = ("rule-20", PRIMARY_LOSS_FIT)  # the verdict's reference and the fit the losses are read under
_OTHER_FIT_COLOUR = "#c4c4c4"
_HIGHLIGHT_COLOURS = ("#2b6cb0", "#dd6b20")
_RUN_COLOUR = "crimson"
_HEIGHT = 520
# The legend sits at the bottom of the figure, under the axis title, in as many rows as the width needs; this
# much room is kept for it there (plotly does not push the margin for a legend placed in container coordinates).
_BOTTOM_MARGIN = 175
_TITLE_TOP = 34  # the title starts under plotly's toolbar, which a phone always shows
_AXIS_TITLE_ROOM = 62  # the x axis's tick labels and title, above the legend

_SPAN_DECADES = 3  # curves run from C/10^3 to C·10^3 around the report's budget
_STEPS_PER_DECADE = 8
_MAX_GPU_DOUBLINGS = 20  # 1, 2, 4, … GPUs, up to 2^20 (the core allows 1e6)




@dataclass(frozen=True)
class KnownRun:
    """A published run: parameters (activated for an MoE) and training tokens, with the source."""

    name: str
    params: float
    tokens: float
    total_params: float | None
    source: str
    example: bool = False  # this project's worked example, not a published run


def _minimind2_moe() -> KnownRun:
    # literature.md §9a gives MiniMind2's data only as a file size (pretrain_hq.jsonl, 1.6 GB), no
    # token count; the point is this project's worked example of MiniMind2-MoE (README): the preset
    # routed top-1, 28.9M samples × 512 characters at the default 1 token per character.
    counts = count_parameters(find_preset("minimind2-moe").shape, top_k=1)
    tokens = tokens_from_samples(samples=28.9e6, mean_length=512, epochs=1.0, length_unit="chars",
                                 tokens_per_char=None).tokens
    return KnownRun("MiniMind2-MoE", counts.active, tokens, counts.total,
                    "preset minimind2-moe (jingyaogong/minimind @ c090b69), README worked example", example=True)


@cache
def known_runs() -> tuple[KnownRun, ...]:
    """Well-known runs for the tokens-per-parameter figure; values from shared/reference/literature.md (§1f, §6b,
    §9a), each citing its publication."""
    return (
        KnownRun("Chinchilla 70B", 70e9, 1.4e12, None, "Hoffmann et al. 2022, Table 1"),
        KnownRun("Llama 2 7B", 6.7e9, 2.0e12, None, "meta-llama/llama MODEL_CARD.md"),
        KnownRun("Llama 3 8B", 8e9, 15e12, None, "meta-llama/llama3 MODEL_CARD.md, 15T+"),
        KnownRun("DeepSeek-V3", 37e9, 14.8e12, 671e9,
                 "DeepSeek-V3 report, Table 1: 671B total / 37B active, 14.8T"),
        _minimind2_moe(),
    )


def _text(language: str) -> dict[str, str]:
    return load(f"plots/{'zh' if language == 'zh' else 'en'}").table("labels")


def _say(template: str, **values: object) -> str:
    return Template(template).substitute(values)


@cache
def _template() -> go.layout.Template:
    """A light template, small enough to copy cheaply (plotly_white's copy costs ~10 ms a figure)."""
    axis = {"gridcolor": "#e6e6e6", "linecolor": "#b0b0b0", "zerolinecolor": "#e6e6e6"}
    return go.layout.Template(layout={"paper_bgcolor": "white", "plot_bgcolor": "white", "xaxis": axis, "yaxis": axis,
                                      "colorway": _COLORWAY})


_COLORWAY = ["#636efa", "#ef553b", "#00cc96", "#ab63fa", "#ffa15a", "#19d3f3", "#ff6692", "#b6e880", "#ff97ff"]


def _layout(figure: go.Figure, *, title: str, x: str, y: str, x_type: str = "log", log_y: bool = True,
            subtitle: str = "", y_type: str | None = None, decades: bool = True) -> go.Figure:
    """Titles left-aligned with the subtitle under them (nothing to clip on a narrow screen), the legend in rows
    under the x axis's title, axes that make room for their labels; with ``decades``, a log axis is marked at
    powers of ten only (for axes that span several)."""
    figure.update_layout(
        title={"text": title, "font": {"size": 15}, "x": 0.01, "xanchor": "left", "yref": "container",
               "y": 1 - _TITLE_TOP / _HEIGHT,
               "yanchor": "top", "subtitle": {"text": subtitle, "font": {"size": 11, "color": "#555"}},
               "automargin": True},
        font={"family": FONT_FAMILY}, template=_template(), height=_HEIGHT,
        legend={"orientation": "h", "yref": "container", "y": (_BOTTOM_MARGIN - _AXIS_TITLE_ROOM) / _HEIGHT,
                "yanchor": "top", "x": 0, "xanchor": "left", "font": {"size": 11}},
        margin={"l": 10, "r": 20, "t": _TITLE_TOP + 48, "b": _BOTTOM_MARGIN},
        xaxis={"title": {"text": x, "standoff": 8}, "type": x_type, "automargin": True,
               **({"dtick": 1} if x_type == "log" and decades else {})},
        yaxis={"title": {"text": y, "standoff": 8}, "type": y_type or ("log" if log_y else "linear"),
               "automargin": True, **({"dtick": 1} if log_y and not y_type and decades else {})},
    )
    return figure


def _around(center: float, *, span_decades: int = _SPAN_DECADES) -> list[float]:
    """Log-spaced points from center/10^span to center·10^span."""
    steps = span_decades * _STEPS_PER_DECADE
    return [center * 10 ** (k / _STEPS_PER_DECADE) for k in range(-steps, steps + 1)]


def _fit_names() -> list[str]:
    order = {name: i for i, name in enumerate(FIT_ORDER)}
    return sorted(FITS, key=lambda name: order.get(name, len(order)))


def _label(figure: go.Figure, *, x: float, y: float, text: str, colour: str, above: bool) -> None:
    """A label on a line or a marker of a log-log figure, on a white ground, with a short pointer."""
    figure.add_annotation(x=math.log10(x), y=math.log10(y), text=text, showarrow=True, arrowhead=0, arrowwidth=1,
                          arrowcolor=colour, ax=0, ay=-28 if above else 28, font={"color": colour, "size": 12},
                          bgcolor="rgba(255,255,255,0.85)", borderpad=2)


def frontier_figure(report: PlanReport | BudgetReport) -> go.Figure:
    """N_opt(C) for every fit (from the core): the 20× rule and the primary loss fit drawn and labelled on the line,
    the others thin and grey under one legend entry; the run (or the budget) marked and labelled, the
    alternatives in the legend."""
    text = _text(report.language)
    figure = go.Figure()
    compute = report.chinchilla.compute_flops if report.kind == "plan" else report.recommend.compute_flops
    grid = _around(compute)
    others = [key for key in _fit_names() if key not in HIGHLIGHTED_FITS]
    figure.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=text["other_fits"], legendgroup="other",
                                line={"color": _OTHER_FIT_COLOUR, "width": 1.5}))
    for key in [*others, *HIGHLIGHTED_FITS]:
        fit, name = FITS[key], fit_name(key, report.language)
        params = [fit.optimal_for_compute(compute_flops=c).params for c in grid]
        if key in HIGHLIGHTED_FITS:
            colour = _HIGHLIGHT_COLOURS[HIGHLIGHTED_FITS.index(key)]
            figure.add_trace(go.Scatter(
                x=grid, y=params, mode="lines", name=name, showlegend=False, line={"color": colour, "width": 3},
                hovertemplate=f"{name}<br>C=%{{x:.3g}}<br>N=%{{y:.3g}}<extra></extra>"))
            first = key == HIGHLIGHTED_FITS[0]  # one label a fifth of the way in, above; the other near the end, below
            index = len(grid) // 5 if first else len(grid) * 4 // 5
            _label(figure, x=grid[index], y=params[index], text=name, colour=colour, above=first)
        else:
            figure.add_trace(go.Scatter(
                x=grid, y=params, mode="lines", name=name, showlegend=False, legendgroup="other",
                line={"color": _OTHER_FIT_COLOUR, "width": 1.5},
                hovertemplate=f"{name}<br>C=%{{x:.3g}}<br>N=%{{y:.3g}}<extra></extra>"))
    if report.kind == "plan":
        names = load(f"plots/{'zh' if report.language == 'zh' else 'en'}").table("alternatives")
        symbols = {"match_data": "triangle-up", "stop_early": "triangle-down", "compute_optimal": "diamond"}
        for row in report.chinchilla.alternatives:
            if row.key in symbols:
                figure.add_trace(go.Scatter(
                    x=[row.compute_flops], y=[row.params], mode="markers", name=names[row.key],
                    marker={"size": 12, "symbol": symbols[row.key], "color": "#444"},
                ))
        star_y, star_name = report.params.active_params, text["your_run"]
    else:
        star_y = next(t for t in report.recommend.targets if t.fit == "rule-20").active_params
        star_name = text["budget"]
    figure.add_trace(go.Scatter(
        x=[compute], y=[star_y], mode="markers", name=star_name, showlegend=False,
        marker={"size": 18, "symbol": "star", "color": _RUN_COLOUR, "line": {"color": "white", "width": 1}},
    ))
    _label(figure, x=compute, y=star_y, text=star_name, colour=_RUN_COLOUR, above=False)
    fits = _say(text["and"], **dict(zip(("first", "second"), (fit_name(key, report.language)
                                                              for key in HIGHLIGHTED_FITS), strict=True)))
    figure = _layout(figure, title=text["frontier_title"], subtitle=_say(text["frontier_subtitle"], fits=fits),
                     x=text["flops"], y=text["params"])
    # the curves' span, whatever room the labels take (plotly widens an axis to fit its annotations)
    figure.update_xaxes(range=[math.log10(grid[0]), math.log10(grid[-1])])
    return figure


def loss_figure(report: PlanReport | BudgetReport) -> go.Figure | None:
    """L(N, D) over D under the primary loss fit, for the user's N and the compute-optimal N (plans only)."""
    if report.kind != "plan":
        return None
    text = _text(report.language)
    fit = FITS[PRIMARY_LOSS_FIT]
    rows = {row.key: row for row in report.chinchilla.alternatives}
    planned, optimal = rows["as_planned"], rows["compute_optimal"]
    grid = _around(planned.tokens, span_decades=2)
    figure = go.Figure()
    for key, row, label in (("as_planned", planned, "your_model"), ("compute_optimal", optimal, "optimal_model")):
        name = _say(text[label], n=human(row.params))
        figure.add_trace(go.Scatter(
            x=grid, y=[fit.predicted_loss(params=row.params, tokens=d).loss_nats for d in grid], mode="lines",
            name=name,
        ))
        figure.add_trace(go.Scatter(
            x=[row.tokens], y=[fit.predicted_loss(params=row.params, tokens=row.tokens).loss_nats],
            mode="markers", showlegend=False,
            marker={"size": 12, "symbol": "star" if key == "as_planned" else "diamond"},
            hovertemplate=f"{name}<br>D=%{{x:.3g}}<br>L=%{{y:.4f}}<extra></extra>",
        ))
    curve = next((c for c in report.loss.fits if c.fit == PRIMARY_LOSS_FIT), None) if report.loss else None
    if curve is not None:  # the loss tool's own checkpoints and point of diminishing returns
        figure.add_trace(go.Scatter(
            x=[c.tokens for c in curve.checkpoints], y=[c.loss_nats for c in curve.checkpoints],
            text=[f"{c.fraction:.0%}" for c in curve.checkpoints], textposition="top center",
            mode="markers+text", name=text["checkpoints"], marker={"size": 9, "symbol": "circle-open"},
        ))
        figure.add_vline(x=curve.diminishing_returns.tokens, line_dash="dash", annotation_text=text["diminishing"])
    note = _say(text["loss_note"], fit=fit_name(PRIMARY_LOSS_FIT, report.language))
    return _layout(figure, title=text["loss_title"], subtitle=note, x=text["tokens"], y=text["loss"], log_y=False)


def tokens_per_param_figure(report: PlanReport | BudgetReport) -> go.Figure | None:
    """The run's tokens per parameter beside published runs and the 20× band (plans only): one bar per run, its
    name on the left and its value at the end of the bar."""
    if report.kind != "plan":
        return None
    text = _text(report.language)
    chin = report.chinchilla
    runs = known_runs()
    ratios = [tokens_per_param(tokens=run.tokens, total_params=run.total_params or run.params,
                               active_params=run.params).per_active_param for run in runs]
    figure = go.Figure()
    # the near-optimal band of tools.calc.scaling: reference ratio within a factor NEAR_OPTIMAL_BAND
    figure.add_vrect(x0=CHINCHILLA_TOKENS_PER_PARAM / NEAR_OPTIMAL_BAND,
                     x1=CHINCHILLA_TOKENS_PER_PARAM * NEAR_OPTIMAL_BAND, fillcolor="seagreen", opacity=0.2,
                     line_width=0)
    figure.add_vline(x=CHINCHILLA_TOKENS_PER_PARAM, line_dash="dash", line_color="seagreen")
    band = f"{NEAR_OPTIMAL_BAND:g}"
    figure.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=_say(text["band"], band=band),
                                marker={"symbol": "square", "size": 12, "color": "seagreen", "opacity": 0.4}))
    names = [_say(text["example_run"], name=run.name) if run.example else run.name for run in runs]
    figure.add_trace(go.Bar(y=names, x=ratios, orientation="h", name=text["known"], marker_color="steelblue",
                            text=[sig(r) for r in ratios], textposition="outside", cliponaxis=False,
                            hovertext=[run.source for run in runs]))
    yours, values = [text["your_active"]], [chin.tokens_per_active_param]
    if report.params.total_params > report.params.active_params:
        yours.append(text["your_total"])
        values.append(chin.tokens_per_total_param)
    figure.add_trace(go.Bar(y=yours, x=values, orientation="h", name=text["your_run_short"],
                            marker_color=_RUN_COLOUR, text=[sig(v) for v in values], textposition="outside",
                            cliponaxis=False))
    figure = _layout(figure, title=text["tpp_title"], subtitle=_say(text["tpp_subtitle"], band=band),
                     x=text["tpp"], y="", x_type="log", y_type="category")
    figure.update_layout(yaxis={"autorange": "reversed"}, bargap=0.3, margin={"r": 40})
    return figure


def _gpu_counts(count: int) -> list[int]:
    counts = [2**k for k in range(_MAX_GPU_DOUBLINGS + 1) if 2**k <= max(8, count * 8)]
    return sorted({*counts, count})


def wall_clock_figure(report: PlanReport | BudgetReport) -> go.Figure | None:
    """Wall clock against GPU count at the report's MFU (``project_gpu_time``); None without hardware."""
    text = _text(report.language)
    if report.kind != "plan" or report.gpu is None:
        return None  # a budget's time is given: the candidates figure shows what it buys
    source = report.gpu
    flops = source.training_flops
    device = find_gpu(source.gpu_key)
    count, mfu = source.gpu_count, source.mfu
    counts = _gpu_counts(count)
    hours = [project_gpu_time(training_flops=flops, gpu=device, gpu_count=n, mfu=mfu).wall_clock_hours
             for n in counts]
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=counts, y=hours, mode="lines+markers", name=text["ideal"]))
    figure.add_trace(go.Scatter(x=[count], y=[hours[counts.index(count)]], mode="markers", name=text["your_count"],
                                marker={"size": 16, "symbol": "star", "color": "crimson"}))
    return _layout(figure, title=text["wall_title"],
                   subtitle=_say(text["wall_subtitle"], gpu=device.display_name, mfu=f"{mfu:.0%}"),
                   x=text["gpus"], y=text["hours"])


def candidates_figure(report: PlanReport | BudgetReport) -> go.Figure | None:
    """A budget's recommended configurations: total against activated parameters (memory against compute),
    coloured by the predicted loss under the search's fit, numbered as "use candidate N" names them. Every row
    trains for the whole budget (its tokens fill it), so the days are the same for all and not an axis."""
    if report.kind != "budget" or not report.recommend.candidates:
        return None
    text = _text(report.language)
    recommend = report.recommend
    figure = go.Figure()
    every_loss = [c.predicted_loss.get(recommend.fit) for c in recommend.candidates]
    known = [loss for loss in every_loss if loss is not None]
    scale = {"cmin": min(known), "cmax": max(known)} if known else {}  # one colour scale for MoE and dense rows
    shown_scale = False
    for kind, symbol in (("moe", "circle"), ("dense", "square")):
        rows = [(number, c) for number, c in enumerate(recommend.candidates, start=1) if c.architecture == kind]
        if not rows:
            continue
        losses = [c.predicted_loss.get(recommend.fit) for _, c in rows]
        figure.add_trace(go.Scatter(
            x=[c.total_params for _, c in rows], y=[c.active_params for _, c in rows], mode="markers+text",
            text=[str(number) for number, _ in rows], textposition="top center", name=text[f"kind_{kind}"],
            cliponaxis=False,
            marker={"size": 14, "symbol": symbol, "color": losses, "colorscale": "Viridis", **scale,
                    "showscale": not shown_scale,
                    "colorbar": {"title": {"text": text["loss_short"]}, "thickness": 12, "len": 0.8}},
            hovertemplate="#%{text}<br>N_total=%{x:.3g}<br>N_active=%{y:.3g}<extra></extra>",
        ))
        shown_scale = True
    return _layout(figure, title=text["candidates_title"],
                   subtitle=_say(text["candidates_subtitle"], fit=fit_name(recommend.fit, report.language)),
                   x=text["total_params"], y=text["active_params"], decades=False)


def report_figures(report: PlanReport | BudgetReport | None) -> dict[FigureName, go.Figure | None]:
    """The figures of a report (None where the report lacks what a figure needs)."""
    if report is None:
        return dict.fromkeys(FIGURE_NAMES)
    return {
        "frontier": frontier_figure(report),
        "loss": loss_figure(report),
        "tokens_per_param": tokens_per_param_figure(report),
        "wall_clock": wall_clock_figure(report),
        "candidates": candidates_figure(report),
    }


def figures_html(figures: dict[FigureName, go.Figure | None], *, title: str) -> str:
    """One self-contained HTML page with every figure (plotly.js embedded once; works offline)."""
    parts = []
    first = True
    for figure in figures.values():
        if figure is None:
            continue
        parts.append(figure.to_html(full_html=False, include_plotlyjs=first, config={"displaylogo": False}))
        first = False
    body = "\n".join(parts)
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\n"
            f"<body style=\"font-family: {FONT_FAMILY}\">\n{body}\n</body></html>\n")
