"""The figures of real offline reports (assistant.plots): curves from the core, labels in the report language."""

from __future__ import annotations

import pytest

from assistant.plots import FIGURE_NAMES, figures_html, known_runs, report_figures
from assistant.report import fit_allocation
from tools.calc.fits import FITS


def test_four_figures_for_a_plan(plan_zh) -> None:
    figures = report_figures(plan_zh)
    assert list(figures) == list(FIGURE_NAMES)
    assert [name for name, figure in figures.items() if figure is None] == ["candidates"]  # a budget's figure


def test_frontier_curves_come_from_each_fit(plan_en) -> None:
    figure = report_figures(plan_en)["frontier"]
    compute = plan_en.chinchilla.compute_flops
    curves = {trace.name: trace for trace in figure.data if trace.mode == "lines" and trace.x != (None,)}
    names = {"Chinchilla Approach 1": "chinchilla-approach1", "Chinchilla Approach 2": "chinchilla-approach2",
             "Chinchilla Approach 3": "chinchilla-approach3",
             "Chinchilla Approach 3, unrounded": "chinchilla-approach3-unrounded", "Epoch AI 2024": "epoch-2024",
             "DeepSeek 2024": "deepseek-2024", "Kaplan 2020": "kaplan-2020", "20× rule": "rule-20"}  # the legend
    assert {names[name] for name in curves} == set(FITS)
    for label, trace in curves.items():
        name = names[label]
        middle = len(trace.x) // 2
        assert trace.x[middle] == pytest.approx(compute, rel=1e-12)
        # the point at the report's budget is the fit's allocation the report lists
        assert trace.y[middle] == pytest.approx(fit_allocation(plan_en.chinchilla.compute_optimal, name).params,
                                                rel=1e-9)
    star = figure.data[-1]
    assert star.x == (compute,) and star.y == (plan_en.params.active_params,)
    # the 20× rule and the primary loss fit are drawn and labelled on the line; the others share one legend entry
    labels = [note.text for note in figure.layout.annotations]
    assert labels == ["20× rule", "Epoch AI 2024", "your run (activated N)"]
    assert [t.name for t in figure.data if t.showlegend is not False] == [
        "other published fits", "model matched to data (20×)", "stop at 20 tokens/param",
        "compute-optimal, same FLOPs (20×)"]


def test_loss_figure_is_labelled_a_fit(plan_zh, plan_en) -> None:
    assert "不是承诺" in report_figures(plan_zh)["loss"].layout.title.subtitle.text
    figure = report_figures(plan_en)["loss"]
    assert figure.layout.title.subtitle.text == "Epoch AI 2024 · a fit, not a promise"
    planned = next(row for row in plan_en.chinchilla.alternatives if row.key == "as_planned")
    marker = figure.data[1]
    assert marker.x == (planned.tokens,)
    assert marker.y[0] == pytest.approx(plan_en.chinchilla.predicted_loss["epoch-2024"], rel=1e-12)


def test_tokens_per_param_figure_shows_the_run_and_published_runs(plan_en, plan_zh) -> None:
    figure = report_figures(plan_en)["tokens_per_param"]
    _band, published, yours = figure.data
    assert list(published.y) == ["Chinchilla 70B", "Llama 2 7B", "Llama 3 8B", "DeepSeek-V3", "MiniMind2-MoE (example)"]
    assert len(known_runs()) == 5
    assert dict(zip(published.y, published.x, strict=True))["Chinchilla 70B"] == pytest.approx(20.0)
    assert dict(zip(published.y, published.x, strict=True))["DeepSeek-V3"] == pytest.approx(14.8e12 / 37e9)
    assert published.text[0] == "20"  # the value at the end of each bar, as shown
    assert float(yours.text[0].replace(",", "")) == pytest.approx(plan_en.chinchilla.tokens_per_active_param, rel=5e-3)
    assert yours.x[0] == pytest.approx(plan_en.chinchilla.tokens_per_active_param)
    zh = report_figures(plan_zh)["tokens_per_param"]
    assert zh.data[1].y[-1] == "MiniMind2-MoE（示例）"


def test_wall_clock_at_the_users_count_matches_the_report(plan_zh, budget) -> None:
    figure = report_figures(plan_zh)["wall_clock"]
    star = figure.data[1]
    assert star.x == (8,)
    assert star.y[0] == pytest.approx(plan_zh.gpu.wall_clock_days * 24, rel=1e-12)
    assert report_figures(budget)["wall_clock"] is None  # a budget's time is given


def test_budget_has_no_loss_or_ratio_figure(budget) -> None:
    figures = report_figures(budget)
    assert figures["loss"] is None and figures["tokens_per_param"] is None
    assert figures["frontier"] is not None


def test_the_candidates_figure_numbers_every_row_as_the_chat_does(budget) -> None:
    figure = report_figures(budget)["candidates"]
    candidates = budget.recommend.candidates
    shown = {int(number): (x, y) for trace in figure.data for number, x, y in zip(trace.text, trace.x, trace.y,
                                                                                 strict=True)}
    assert sorted(shown) == list(range(1, len(candidates) + 1))
    for number, candidate in enumerate(candidates, start=1):
        assert shown[number] == (candidate.total_params, candidate.active_params)


def test_labels_follow_the_report_language(plan_zh, plan_en) -> None:
    assert report_figures(plan_zh)["frontier"].layout.xaxis.title.text == "训练计算量 C（FLOPs）"
    assert report_figures(plan_en)["frontier"].layout.xaxis.title.text == "Training compute C (FLOPs)"
    assert "Noto Sans CJK SC" in report_figures(plan_zh)["frontier"].layout.font.family


def test_no_figures_without_a_report() -> None:
    assert report_figures(None) == dict.fromkeys(FIGURE_NAMES)
    assert "<body" in figures_html({}, title="x")
