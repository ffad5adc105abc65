"""The export files written for the download buttons, from real offline reports."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.report import report_from_json
from ui.exports import write_exports


def test_plan_exports(plan_zh) -> None:
    folder, paths = write_exports(plan_zh)
    assert set(paths) == {"markdown", "latex", "bibtex", "json", "plots"}
    assert all(Path(path).parent == Path(folder) for path in paths.values())
    assert report_from_json(json.loads(Path(paths["json"]).read_text(encoding="utf-8"))) == plan_zh
    assert "\\citet{hoffmann2022}" in Path(paths["latex"]).read_text(encoding="utf-8")
    html = Path(paths["plots"]).read_text(encoding="utf-8")
    assert html.count("Plotly.newPlot") == 4 and html.count("plotly.js v") == 1  # the library embedded once


def test_budget_exports_have_no_paper_paragraph(budget) -> None:
    _, paths = write_exports(budget)
    assert set(paths) == {"markdown", "bibtex", "json", "plots"}
