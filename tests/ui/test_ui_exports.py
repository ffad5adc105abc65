"""The export files written for the download buttons, from real offline reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.session import Conversation
from assistant.settings import Settings
from ui.exports import write_exports

PLAN_ZH = "145M 参数的 MoE，1 个共享专家 + 4 个路由专家，top-1，28.9M 条样本 × 512 字，8 张 4090"
PLAN_EN = "DeepSeek-V3, 14.8T tokens, 2048 H800, MFU 35%, $2 per GPU-hour"
BUDGET = "I have 8 GPUs (4090) for 7 days, what should I train?"


def _report(text: str) -> dict:
    conversation = Conversation(Settings(force_offline=True))
    finals = [event for event in conversation.send(text) if event.kind == "final"]
    assert finals and finals[0].report is not None
    return finals[0].report


@pytest.fixture(scope="module")
def plan_zh() -> dict:
    return _report(PLAN_ZH)


@pytest.fixture(scope="module")
def plan_en() -> dict:
    return _report(PLAN_EN)


@pytest.fixture(scope="module")
def budget() -> dict:
    return _report(BUDGET)


def test_plan_exports(plan_zh: dict) -> None:
    folder, paths = write_exports(plan_zh)
    assert set(paths) == {"markdown", "latex", "bibtex", "json", "plots"}
    assert all(Path(path).parent == Path(folder) for path in paths.values())
    assert json.loads(Path(paths["json"]).read_text(encoding="utf-8")) == plan_zh
    assert "\\citet{hoffmann2022}" in Path(paths["latex"]).read_text(encoding="utf-8")
    html = Path(paths["plots"]).read_text(encoding="utf-8")
    assert html.count("Plotly.newPlot") == 4 and html.count("plotly.js v") == 1  # the library embedded once


def test_budget_exports_have_no_paper_paragraph(budget: dict) -> None:
    _, paths = write_exports(budget)
    assert set(paths) == {"markdown", "bibtex", "json", "plots"}
