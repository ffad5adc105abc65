"""The report's exports and plots, shared by the chat, the calculator and the budget tabs, made when asked for.

:func:`build_report_view` lays the components out (with ``elem_id``s for browser tests): an "Exports"
heading with one button per file, and a folded "Plots" section. Nothing is built when a report arrives
(:func:`after_turn_updates` only shows what exists): a button writes its file when clicked and the browser
downloads it at once (:data:`DOWNLOAD_JS`); the plots are made when the section is opened, and again for each
new report while it stays open. The figures come from :mod:`assistant.plots`, the files from
:mod:`ui.exports`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr

from assistant.plots import FIGURE_NAMES
from ui.exports import EXPORT_KINDS, ReportFiles, export_kinds
from ui.labels import Labels
from ui.strings import tr

_PLOT_KEYS = {"frontier": "plot_frontier", "loss": "plot_loss", "tokens_per_param": "plot_tpp",
              "wall_clock": "plot_wall", "candidates": "plot_candidates"}
_EXPORT_KEYS = {kind: f"export_{kind}" for kind in EXPORT_KINDS}
# After an export's file arrives, the browser saves it (as gradio's own download button does).
DOWNLOAD_JS = """
(file) => {
  if (!file || !file.url) return;
  const link = document.createElement("a");
  link.href = file.url;
  link.download = file.orig_name || "";
  document.body.appendChild(link);
  link.click();
  link.remove();
}
"""

FilesOf = Callable[[Any], ReportFiles]


@dataclass
class ReportView:
    prefix: str
    exports_box: gr.Column
    buttons: dict[str, gr.Button]
    file: gr.File
    plots_box: gr.Accordion
    plots: dict[str, gr.Plot]

    @property
    def outputs(self) -> list[Any]:
        """What :func:`after_turn_updates` fills."""
        return [self.exports_box, *self.buttons.values(), self.plots_box, *self.plots.values()]


def build_report_view(prefix: str, labels: Labels) -> ReportView:
    """The export buttons under a heading and the folded plots (both hidden until there is a report)."""
    with gr.Column(variant="panel", visible=False, elem_id=f"{prefix}-exports", elem_classes=["report-exports"]) as box:
        labels.bind(gr.Markdown(tr("exports"), elem_classes=["exports-heading"]), value="exports")
        with gr.Row(elem_classes=["export-buttons"]):
            buttons = {kind: labels.bind(gr.Button(tr(_EXPORT_KEYS[kind]), size="sm", min_width=80,
                                                   elem_id=f"{prefix}-export-{kind}"), value=_EXPORT_KEYS[kind])
                       for kind in EXPORT_KINDS}
        file = gr.File(visible=False, interactive=False, elem_id=f"{prefix}-export-file")
    with gr.Accordion(label=tr("plots"), open=False, visible=False, elem_id=f"{prefix}-plots") as plots_box:
        labels.bind(plots_box, label="plots")
        # each figure carries its own title (the label would cover it and the figure's toolbar)
        plots = {name: labels.bind(gr.Plot(label=tr(_PLOT_KEYS[name]), show_label=False, visible=False,
                                           elem_id=f"{prefix}-plot-{name}"), label=_PLOT_KEYS[name])
                 for name in FIGURE_NAMES}
    return ReportView(prefix, box, buttons, file, plots_box, plots)


def _plot_updates(files: ReportFiles) -> list[Any]:
    figures = files.figures()
    files.shown_version = files.version
    return [gr.update(value=figures[name], visible=figures[name] is not None) for name in FIGURE_NAMES]


def after_turn_updates(files: ReportFiles) -> list[Any]:
    """Updates for :attr:`ReportView.outputs` after a new report (or none): which exports exist, and the plots
    only when the page shows them (figures are made then and only then)."""
    kinds = export_kinds(files.report)
    updates: list[Any] = [gr.update(visible=bool(kinds)), *[gr.update(visible=kind in kinds) for kind in EXPORT_KINDS],
                          gr.update(visible=files.report is not None)]
    if files.report is not None and files.plots_open and files.shown_version != files.version:
        updates += _plot_updates(files)
    else:
        updates += [gr.skip() for _ in FIGURE_NAMES]
    return updates


def wire_report_view(view: ReportView, state: Any, files_of: FilesOf, *, api: bool = False) -> None:
    """Each export button writes its file for the report in ``state`` and the browser downloads it; opening the
    plots makes them. With ``api``, the buttons are the API's ``/export_<kind>`` endpoints."""
    for kind, button in view.buttons.items():
        def export(value: Any, kind: str = kind) -> Any:
            path = files_of(value).path(kind)
            return gr.update(value=path) if path else gr.skip()

        options: dict[str, Any] = {"api_name": f"export_{kind}"} if api else {"api_visibility": "private"}
        button.click(export, [state], [view.file], concurrency_id="exports", **options).then(
            None, [view.file], None, js=DOWNLOAD_JS, api_visibility="private")

    def opened(value: Any) -> list[Any]:
        files = files_of(value)
        files.plots_open = True
        if files.report is None or files.shown_version == files.version:
            return [gr.skip() for _ in FIGURE_NAMES]
        return _plot_updates(files)

    def closed(value: Any) -> None:
        files_of(value).plots_open = False

    view.plots_box.expand(opened, [state], list(view.plots.values()), api_visibility="private")
    view.plots_box.collapse(closed, [state], None, api_visibility="private", queue=False)
