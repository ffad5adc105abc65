"""Export files of a report, written on demand to a temporary folder for the download buttons.

The texts come from :mod:`assistant.export` and the figures from :mod:`assistant.plots`; this
module only writes them to files. Paper exports (LaTeX) exist for plan reports only. The plots
are one self-contained HTML page (see :mod:`assistant.plots` for why not PNG).

A file is written when it is asked for (:meth:`ReportFiles.path`), never after every turn, and its folder
expires: it is deleted when the report changes or its session ends, and any export folder older than
:data:`EXPORT_TTL_S` is deleted whenever another export is written, so a long-running server's temporary disk
stays bounded.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.export import bibtex_export, json_export, latex_export
from assistant.plots import FigureName, figures_html, report_figures
from assistant.report import BudgetReport, PlanReport, markdown_file

Report = PlanReport | BudgetReport

log = logging.getLogger(__name__)

Figures = dict[FigureName, Any]

EXPORT_KINDS: tuple[str, ...] = ("markdown", "latex", "bibtex", "json", "plots")
EXPORT_TTL_S = 15 * 60  # an export folder older than this is deleted (downloads happen when the file is made)
FOLDER_PREFIX = "scaling-assistant-"
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


def export_kinds(report: Report | None) -> tuple[str, ...]:
    """The exports that apply to ``report`` (no paper text for a budget), without making any."""
    if report is None:
        return ()
    return tuple(kind for kind in EXPORT_KINDS if not (kind == "latex" and report.kind != "plan")
                 and not (kind == "markdown" and not report.markdown))


def export_text(report: Report, kind: str, *, figures: Figures | None = None) -> str | None:
    """The file content of one export of ``report`` (None when it does not apply or cannot be made: logged)."""
    try:
        return _plots(report, figures) if kind == "plots" else _BUILDERS[kind](report)
    except Exception:  # noqa: BLE001 - exports are a bonus; the chat goes on without them
        log.exception("could not build the %s export", kind)
        return None


def export_texts(report: Report, *, figures: Figures | None = None) -> dict[str, str]:
    """The text of every export that applies to ``report`` (kind → file content); a failing one is left out."""
    texts = {kind: export_text(report, kind, figures=figures) for kind in EXPORT_KINDS}
    return {kind: text for kind, text in texts.items() if text}


def new_folder() -> str:
    """A new export folder (older export folders past their time are deleted first)."""
    sweep_expired()
    return tempfile.mkdtemp(prefix=FOLDER_PREFIX)


def sweep_expired(*, max_age_s: float = EXPORT_TTL_S, now: float | None = None) -> int:
    """Delete the export folders (of this and earlier processes) not changed for ``max_age_s``; how many."""
    now = time.time() if now is None else now
    removed = 0
    try:
        entries = list(os.scandir(tempfile.gettempdir()))
    except OSError:
        return 0
    for entry in entries:
        try:
            if entry.name.startswith(FOLDER_PREFIX) and entry.is_dir() and now - entry.stat().st_mtime > max_age_s:
                shutil.rmtree(entry.path, ignore_errors=True)
                removed += 1
        except OSError:  # gone meanwhile
            continue
    return removed


def write_exports(report: Report, *, figures: Figures | None = None) -> tuple[str, dict[str, str]]:
    """Write every export to a new temporary folder; returns (folder, kind → path)."""
    folder = Path(new_folder())
    paths: dict[str, str] = {}
    for kind, text in export_texts(report, figures=figures).items():
        path = folder / _FILE_NAMES[kind]
        path.write_text(text, encoding="utf-8")
        paths[kind] = str(path)
    return str(folder), paths


@dataclass
class ReportFiles:
    """A report shown on a page, with its figures and export files made on demand (each once per report)."""

    report: Report | None = None
    version: int = 0
    plots_open: bool = False  # the page shows the plots, so a new report's figures are wanted at once
    shown_version: int | None = None  # the report whose figures the page shows
    folder: str | None = None
    _paths: dict[str, str] = field(default_factory=dict)
    _figures: Figures | None = None

    def set(self, report: Report | None) -> None:
        """A new report (or none): the files and figures of the previous one are dropped."""
        self.forget()
        self.report = report
        self.version += 1

    def figures(self) -> Figures:
        """The report's figures (made once per report)."""
        if self._figures is None:
            self._figures = report_figures(self.report)
        return self._figures

    def path(self, kind: str) -> str | None:
        """The file of export ``kind`` for the current report, written now unless it already is."""
        if self.report is None or kind not in export_kinds(self.report):
            return None
        kept = self._paths.get(kind)
        if kept and Path(kept).is_file():
            return kept
        text = export_text(self.report, kind, figures=self.figures() if kind == "plots" else None)
        if not text:
            return None
        if not (self.folder and Path(self.folder).is_dir()):
            self.folder = new_folder()
        path = Path(self.folder) / _FILE_NAMES[kind]
        path.write_text(text, encoding="utf-8")
        self._paths[kind] = str(path)
        return str(path)

    def forget(self) -> None:
        """Delete the files (the browser has its own copies) and the figures."""
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None
        self._paths = {}
        self._figures = None
        self.shown_version = None
