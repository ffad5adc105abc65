"""The report composed from tool results: sections, numbers, language, exports and tracing."""

from __future__ import annotations

import re

import pytest

from assistant.compose import compose_report
from assistant.export import analysis_paragraph, bibtex_export, latex_export
from assistant.report import fit_allocation
from assistant.results import ToolResults, typed_results
from tools.assumption_text import assumption_text, codes
from tools.calc.assumptions import Assumption
from tools.registry import run_tool

MODEL = {"preset": "minimind2-moe", "top_k": 1}
DATA = {"samples": 28.9e6, "mean_length": 512, "length_unit": "tokens"}
HARDWARE = {"gpu": "4090", "gpu_count": 8}
TOKENS = 28.9e6 * 512  # 14,796,800,000
ACTIVE = 65_403_520  # MiniMind2-MoE at top-1 (models.json 91,945,600 − 8 × 3 × 640 × 1728)


def _artifacts(hardware: dict | None = HARDWARE) -> ToolResults:
    calls = {
        "count_parameters": {"model": MODEL},
        "estimate_training_flops": {"model": MODEL, "data": DATA},
        "chinchilla_analysis": {"model": MODEL, "data": DATA, **({"hardware": hardware} if hardware else {})},
    }
    if hardware:
        calls["project_gpu_time"] = {"model": MODEL, "data": DATA, "hardware": hardware}
        calls["estimate_training_memory"] = {"model": MODEL, "hardware": hardware, "seq_len": 512}
    return typed_results({name: run_tool(name, args).result for name, args in calls.items()})


@pytest.mark.parametrize(("language", "headings"), [
    ("en", ["## 1. Inputs", "## 2. Parameters", "## 3. Data", "## 4. Compute", "## 5. Chinchilla verdict",
            "## 6. Alternatives", "## 7. GPU time", "## 8. Recommendations", "## 9. Caveats", "## 10. References"]),
    ("zh", ["## 1. 输入与假设", "## 2. 参数量", "## 3. 数据", "## 4. 计算量", "## 5. Chinchilla 判断", "## 6. 方案对比",
            "## 7. GPU 时间", "## 8. 建议", "## 9. 注意事项", "## 10. 参考文献"]),
])
def test_all_ten_sections_in_order(language: str, headings: list[str]) -> None:
    markdown = compose_report(_artifacts(), language=language, request="x").markdown
    positions = [markdown.index(h) for h in headings]
    assert positions == sorted(positions)
    assert "$" not in re.sub(r"\$\d", "", markdown)  # no unfilled template placeholder


def test_report_numbers_are_the_hand_values() -> None:
    report = compose_report(_artifacts(), language="en", request="x")
    assert report.params.active_params == ACTIVE
    assert report.params.total_params == 145_029_760
    assert report.flops.tokens == pytest.approx(TOKENS)
    assert report.flops.six_nd_flops == pytest.approx(6 * ACTIVE * TOKENS)
    assert report.chinchilla.data_matched_params == pytest.approx(TOKENS / 20)
    assert report.chinchilla.tokens_per_active_param == pytest.approx(TOKENS / ACTIVE)
    rule20 = fit_allocation(report.chinchilla.compute_optimal, "rule-20")
    assert rule20.params == pytest.approx((6 * ACTIVE * TOKENS / 120) ** 0.5)
    assert report.gpu.gpu_hours == pytest.approx(6 * ACTIVE * TOKENS / (165.2e12 * 0.35) / 3600)
    # the text says it: 14.8B tokens ÷ 65.4M activated parameters = 226 tokens per parameter
    assert "**14.8B tokens ÷ 65.4M activated parameters = 226 tokens per parameter**" in report.markdown
    assert "over-trained ×11.3" in report.markdown


def test_report_names_its_conventions_and_sources() -> None:
    report = compose_report(_artifacts(), language="en", request="x")
    assert "full S×S attention" in report.markdown
    assert "| Chinchilla Approach 3 |" in report.markdown and "92.6" in report.markdown
    assert "chinchilla-approach3" not in report.markdown  # fits by name, not by key
    assert set(report.references) >= {"hoffmann2022", "besiroglu2024", "kaplan2020", "deepseek2024"}
    # C = 6 × 65,403,520 × 14,796,800,000 = 5.81e18 < 6e18, the lowest of Approach 2's budgets (Hoffmann 2022 §3.2)
    assert report.chinchilla.fits_extrapolated.fits == ["chinchilla-approach2"]
    assert "chinchilla-approach2" not in report.chinchilla.fits_in_range.fits
    stated = next(a for a in report.assumptions if a.code == "top_k_stated")
    assert stated.values == {"top_k": 1, "model": "MiniMind2-MoE", "model_top_k": 2,
                             "model_active_params": 91_945_600}
    assert stated.headline is True


def test_without_hardware_the_report_says_what_to_add() -> None:
    report = compose_report(_artifacts(hardware=None), language="zh", request="x")
    assert report.gpu is None
    assert "没有给出硬件" in report.markdown


def test_an_assumption_reads_the_same_in_both_languages() -> None:
    """The sentence comes from prompts/assumptions/{en,zh}.md by code; the values are set the same way in both."""
    stated = Assumption("top_k_stated", {"top_k": 1, "model": "MiniMind2-MoE", "model_top_k": 2,
                                         "model_active_params": 91_945_600}, headline=True)
    assert assumption_text(stated, language="en") == (
        "top-1 as stated; MiniMind2-MoE itself routes top-2 (91.9M (91,945,600) active)")
    assert assumption_text(stated, language="zh") == (
        "按所述 top-1 计算；MiniMind2-MoE 本身路由 top-2（激活 9,195万（91,945,600））")


def test_every_assumption_code_has_a_sentence_in_both_languages() -> None:
    from prompts import load

    not_codes = {"values", "suggestion", "suggestion_changes"}
    english = {name for name in load("assumptions/en").blocks() if name not in not_codes}
    chinese = {name for name in load("assumptions/zh").blocks() if name not in not_codes}
    assert english == chinese == set(codes())


def test_latex_export_has_paragraph_table_and_citations() -> None:
    report = compose_report(_artifacts(), language="en", request="x")
    tex = latex_export(report)
    assert r"\citet{hoffmann2022}" in tex and r"\begin{tabular}" in tex and r"\toprule" in tex
    assert tex.count(r"\\") >= 5  # header + four alternatives
    assert r"\num{226} tokens per activated parameter" in tex
    zh = analysis_paragraph(report, language="zh")
    assert "每个激活参数 226 个 token" in zh


def test_bibtex_export_contains_exactly_the_cited_works() -> None:
    report = compose_report(_artifacts(), language="en", request="x")
    bib = bibtex_export(report)
    keys = re.findall(r"@\w+\{([^,]+),", bib)
    assert keys and set(keys) == set(report.references)
    assert "Training Compute-Optimal Large Language Models" in bib


def test_budget_report_hand_value() -> None:
    budget = run_tool("recommend_configurations", {"hardware": HARDWARE, "days": 7}).result
    report = compose_report(typed_results({"recommend_configurations": budget}), language="en", request="x")
    assert report.kind == "budget"
    assert budget["computes"][1]["compute_flops"] == pytest.approx(8 * 7 * 24 * 3600 * 165.2e12 * 0.40)
    assert "1,344 GPU-hours" in report.markdown  # 8 × 7 × 24
    assert "## 2. Recommended configurations" in report.markdown
    assert report.markdown.count("\n| ") >= len(budget["candidates"]) + 1

