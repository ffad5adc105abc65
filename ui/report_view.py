"""The report's plots and download buttons, shared by the chat and the calculator tabs.

:func:`build_report_view` lays the components out (with ``elem_id``s for browser tests);
:func:`report_updates` fills them from a report: the figures come from
:mod:`assistant.plots`, the files from :mod:`ui.exports`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from assistant.plots import FIGURE_NAMES, report_figures
from assistant.report import BudgetReport, PlanReport
from ui.exports import EXPORT_KINDS, write_exports
from ui.labels import Labels
from ui.strings import tr

_PLOT_KEYS = {"frontier": "plot_frontier", "loss": "plot_loss", "tokens_per_param": "plot_tpp",
              "wall_clock": "plot_wall", "candidates": "plot_candidates"}
_EXPORT_KEYS = {kind: f"export_{kind}" for kind in EXPORT_KINDS}


@dataclass
class ReportView:
    exports_row: gr.Row
    downloads: dict[str, gr.DownloadButton]
    plots_box: gr.Accordion
    plots: dict[str, gr.Plot]

    @property
    def outputs(self) -> list[Any]:
        return [self.exports_row, *self.downloads.values(), self.plots_box, *self.plots.values()]


def build_report_view(prefix: str, labels: Labels) -> ReportView:
    """Download buttons (hidden until there is a report) and an accordion with the plots."""
    with gr.Row(visible=False, elem_id=f"{prefix}-exports") as row:
        downloads = {
            kind: labels.bind(gr.DownloadButton(label=tr(_EXPORT_KEYS[kind]), size="sm",
                                                elem_id=f"{prefix}-export-{kind}"), label=_EXPORT_KEYS[kind])
            for kind in EXPORT_KINDS
        }
    with gr.Accordion(label=tr("plots"), open=True, visible=False, elem_id=f"{prefix}-plots") as box:
        labels.bind(box, label="plots")
        plots = {}
        with gr.Row():
            for name in FIGURE_NAMES[:2]:
                plots[name] = labels.bind(gr.Plot(label=tr(_PLOT_KEYS[name]), elem_id=f"{prefix}-plot-{name}"),
                                          label=_PLOT_KEYS[name])
        with gr.Row():
            for name in FIGURE_NAMES[2:4]:
                plots[name] = labels.bind(gr.Plot(label=tr(_PLOT_KEYS[name]), elem_id=f"{prefix}-plot-{name}"),
                                          label=_PLOT_KEYS[name])
        with gr.Row():
            for name in FIGURE_NAMES[4:]:
                plots[name] = labels.bind(gr.Plot(label=tr(_PLOT_KEYS[name]), elem_id=f"{prefix}-plot-{name}"),
                                          label=_PLOT_KEYS[name])
    return ReportView(row, downloads, box, plots)


def empty_updates() -> list[Any]:
    """Everything hidden (no report)."""
    hidden = gr.update(visible=False)
    return [hidden, *[gr.update(value=None, visible=False) for _ in EXPORT_KINDS], hidden,
            *[gr.update(value=None, visible=False) for _ in FIGURE_NAMES]]


def skip_updates() -> list[Any]:
    """Nothing changes."""
    return [gr.skip() for _ in range(2 + len(EXPORT_KINDS) + len(FIGURE_NAMES))]


def report_updates(report: PlanReport | BudgetReport | None) -> tuple[list[Any], str | None]:
    """(updates for :attr:`ReportView.outputs`, the folder of the export files) for ``report``."""
    if report is None:
        return empty_updates(), None
    figures = report_figures(report)
    folder, paths = write_exports(report, figures=figures)
    updates: list[Any] = [gr.update(visible=bool(paths))]
    updates += [gr.update(value=paths.get(kind), visible=kind in paths) for kind in EXPORT_KINDS]
    updates.append(gr.update(visible=any(figure is not None for figure in figures.values())))
    updates += [gr.update(value=figures[name], visible=figures[name] is not None) for name in FIGURE_NAMES]
    return updates, folder
