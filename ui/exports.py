"""Export files of a report, written to a temporary folder for the download buttons.

The texts come from :mod:`assistant.export` and the figures from :mod:`assistant.plots`; this
module only writes them to files. Paper exports (LaTeX) exist for plan reports only. The plots
are one self-contained HTML page (see :mod:`assistant.plots` for why not PNG).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.export import bibtex_export, json_export, latex_export
from assistant.plots import figures_html, report_figures
from assistant.report import BudgetReport, PlanReport, markdown_file

Report = PlanReport | BudgetReport

log = logging.getLogger(__name__)

Figures = dict[str, Any]

EXPORT_KINDS: tuple[str, ...] = ("markdown", "latex", "bibtex", "json", "plots")
_FILE_NAMES = {"markdown": "scaling-report.md", "latex": "scaling-report.tex", "bibtex": "references.bib",
               "json": "scaling-report.json", "plots": "scaling-plots.html"}
_PLOTS_TITLE = {"zh": "规模分析图表", "en": "Scaling plots"}


def _plots(report: Report, figures: Figures | None = None) -> str | None:
    figures = figures if figures is not None else report_figures(report)
    if all(figure is None for figure in figures.values()):
        return None
    return figures_html(figures, title=_PLOTS_TITLE.get(report.language, "Scaling plots"))


_BUILDERS: dict[str, Callable[[Report], str | None]] = {
    "markdown": lambda report: markdown_file(report.markdown) if report.markdown else None,
    "latex": lambda report: latex_export(report) if report.kind == "plan" else None,
    "bibtex": bibtex_export,
    "json": json_export,
    "plots": _plots,
}


def export_texts(report: Report, *, figures: Figures | None = None) -> dict[str, str]:
    """The text of every export that applies to ``report`` (kind → file content).

    A failing export is logged and left out; the others are still made.
    """
    texts = {}
    for kind, build in _BUILDERS.items():
        try:
            text = _plots(report, figures) if kind == "plots" else build(report)
        except Exception:  # noqa: BLE001 - exports are a bonus; the chat goes on without them
            log.exception("could not build the %s export", kind)
            continue
        if text:
            texts[kind] = text
    return texts


def write_exports(report: Report, *, figures: Figures | None = None) -> tuple[str, dict[str, str]]:
    """Write the exports to a new temporary folder; returns (folder, kind → path).

    ``figures`` are the report's figures when the caller already has them (they are not rebuilt).
    """
    folder = Path(tempfile.mkdtemp(prefix="scaling-assistant-"))
    paths: dict[str, str] = {}
    for kind, text in export_texts(report, figures=figures).items():
        path = folder / _FILE_NAMES[kind]
        path.write_text(text, encoding="utf-8")
        paths[kind] = str(path)
    return str(folder), paths
