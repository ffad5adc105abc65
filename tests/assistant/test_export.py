"""The paper exports read as pasteable text: numbers, layout, citations, fitted ranges and tables.

Three offline reports (tests/conftest.py): MiniMind2-MoE at top-1 (``plan_zh``: 145,029,760 total,
65,403,520 activated, 14,796,800,000 tokens), DeepSeek-V3 (``plan_en``: 671B total, 37.6B activated, 1 shared
+ 256 routed experts, top-8, 14.8T tokens) and the dense MiniMind2 (``plan_dense``: 104,030,976 parameters, the
same 14.8B tokens). The expected strings below are written by hand from those counts.
"""

from __future__ import annotations

import re

import pytest

from assistant.answer import paper_answer
from assistant.export import _Writer, analysis_paragraph, latex_export, markdown_export, table_label
from prompts import load
from tools.calc.fits import FITS

E_NOTATION = re.compile(r"\d(?:\.\d+)?[eE][-+]?\d")
SIUNITX = re.compile(r"\\num(?:\[[^\]]*\])?\{[^}]*\}")


def raw_e_notation(text: str) -> list[str]:
    """Numbers in e-notation outside siunitx's ``\\num{}`` (where 5.81e18 is siunitx's own input)."""
    return E_NOTATION.findall(SIUNITX.sub("", text))


@pytest.fixture(scope="module")
def reports(plan_zh, plan_en, plan_dense) -> dict:
    return {"moe": plan_zh, "deepseek": plan_en, "dense": plan_dense}


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("name", ["moe", "deepseek", "dense"])
def test_no_raw_e_notation_and_no_double_spaces(reports, name: str, language: str) -> None:
    for text in (latex_export(reports[name], language=language), markdown_export(reports[name], language=language)):
        assert raw_e_notation(text) == []
        assert "  " not in text


def test_numbers_in_latex_are_siunitx_and_in_markdown_times_ten(reports) -> None:
    """C = 6 × 65,403,520 × 14,796,800,000 = 5.8065e18 FLOPs; 14.8e9 tokens; 226 tokens per activated parameter."""
    tex, md = latex_export(reports["moe"], language="en"), markdown_export(reports["moe"], language="en")
    assert r"\num{5.81e18} FLOPs" in tex and r"on \num{14.8e9} tokens" in tex and r"\num{226} tokens per" in tex
    assert "5.81 × 10¹⁸ FLOPs" in md and "on 14.8B tokens" in md
    assert "148亿 个 token" in markdown_export(reports["moe"], language="zh")


def test_moe_layout_and_routing_are_stated(reports) -> None:
    en = analysis_paragraph(reports["moe"], language="en")
    assert ("an MoE model with 1 shared + 4 routed experts and top-1 routing "
            "(65.4M of its 145M parameters activated per token)") in en
    assert "226 tokens per activated parameter" in en
    tex = analysis_paragraph(reports["moe"], style="latex", language="en")
    assert r"(\num{65.4e6} of its \num{145e6} parameters activated per token)" in tex
    zh = analysis_paragraph(reports["moe"], language="zh")
    assert "1 个共享 + 4 个路由专家，top-1 路由，每个 token 激活总参数 1.45亿 中的 6,540万" in zh
    deepseek = analysis_paragraph(reports["deepseek"], language="en")
    assert "1 shared + 256 routed experts and top-8 routing (37.6B of its 671B" in deepseek


@pytest.mark.parametrize("style", ["markdown", "latex"])
def test_a_dense_model_is_never_per_activated_parameter(reports, style: str) -> None:
    en = analysis_paragraph(reports["dense"], style=style, language="en")
    zh = analysis_paragraph(reports["dense"], style=style, language="zh")
    assert "activated" not in en and "激活" not in zh
    assert "tokens per parameter" in en and "每个参数" in zh
    assert "activated" not in latex_export(reports["dense"], language="en")  # nor in the caption


def test_citations_are_natbib_commands_without_typed_parentheses(reports) -> None:
    for language in ("en", "zh"):
        tex = latex_export(reports["moe"], language=language)
        body = "\n".join(line for line in tex.splitlines() if not line.startswith("%"))
        assert re.findall(r"[(（]\s*\\cite", body) == []  # \citep makes its own parentheses
        assert r"\citealp" not in body and "et al." not in body and "等 (" not in body
        assert r"\citet{hoffmann2022}" in body and r"\citep{sardana2024}" in body
        assert r"\citep{chowdhery2022}" in body
        assert r"\caption{" in body and r"\citet{besiroglu2024}" in body.split(r"\caption{")[1]


def test_markdown_citations_come_from_the_bibliography(reports) -> None:
    en, zh = analysis_paragraph(reports["moe"], language="en"), analysis_paragraph(reports["moe"], language="zh")
    assert "reported by Hoffmann et al. (2022)." in en and "(Sardana et al., 2024)." in en
    assert "DeepSeek-AI, 2024" in en  # a corporate author has no "et al."
    assert "Hoffmann 等 (2022) 给出的" in zh and "(Sardana 等, 2024)。" in zh


def test_the_preamble_note_names_the_packages_and_the_natbib_option(reports) -> None:
    en, zh = latex_export(reports["moe"], language="en"), latex_export(reports["moe"], language="zh")
    for tex in (en, zh):
        note = [line for line in tex.splitlines() if line.startswith("%")]
        assert any(r"\usepackage{siunitx}" in line for line in note)
        assert any(r"\usepackage{booktabs}" in line for line in note)
        assert any(r"\usepackage[authoryear,round]{natbib}" in line and "authoryear" in line for line in note)
        assert any(r"\bibliographystyle{plainnat}" in line for line in note)
    assert r"\usepackage{ctex}" in zh and "xelatex" in zh and "ctex" not in en


def test_only_fits_inside_their_range_are_quoted(reports) -> None:
    """MiniMind2-MoE: C = 5.81e18 is below Approach 2's budgets (6e18-3e21), so it is left out; the quoted range
    ends at Kaplan's 81.3 tokens/param (N = 4.68e9 × (C/1e21)^0.73 = 109M, D = C/6N = 8.87B)."""
    en = analysis_paragraph(reports["moe"], language="en")
    assert "Within the ranges they were fitted on" in en and "and 81.3 tokens per parameter" in en
    assert "Left out here as an extrapolation beyond its fitted range: Approach 2 of Hoffmann et al. (2022)." in en
    zh = analysis_paragraph(reports["moe"], language="zh")
    assert "属于外推而未计入的有：Hoffmann 等 (2022) 的方法二。" in zh
    dense = analysis_paragraph(reports["dense"], language="en")  # 9.24e18: every fit is inside its span
    assert "Within the ranges they were fitted on" in dense and "Left out" not in dense


def test_at_deepseek_v3_scale_the_fits_are_marked_extrapolations(reports) -> None:
    """6 × 37.6B × 14.8T = 3.33e24 FLOPs: Kaplan's optimum is 0.2 tokens/param, and no fit was fitted there."""
    en = analysis_paragraph(reports["deepseek"], language="en")
    assert "No published fit was fitted at this scale: extrapolated, they put the optimum anywhere between 0.2" in en
    assert "indicative only" in en
    tex = latex_export(reports["deepseek"], language="en")
    assert tex.count(r"$^{\dagger}$") == 5  # four ΔL cells (the plan itself is beyond the refit's points) + caption


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_table_fits_a_column_and_has_a_run_label(reports, language: str) -> None:
    tex = latex_export(reports["moe"], language=language)
    assert r"\begin{table*}" in tex and r"\begin{tabular}{@{}lrrrrrr@{}}" in tex and r"\small" in tex
    assert r"\label{tab:scaling-minimind2-moe-65-4m-14-8b}" in tex
    assert len({table_label(report) for report in reports.values()}) == 3


def test_chinese_tables_have_chinese_headers(reports) -> None:
    for text in (latex_export(reports["moe"], language="zh"), markdown_export(reports["moe"], language="zh")):
        assert "方案" in text and "卡时" in text and "按计划" in text
        assert "Option" not in text and "As planned" not in text
    md = markdown_export(reports["moe"], language="zh")
    assert "| 按计划 | 65.4 | 14.8 | 5.81 × 10¹⁸ | 226 |" in md


def test_the_paper_answer_has_the_table_and_names_the_exports(reports) -> None:
    en = paper_answer(reports["moe"].model_copy(update={"language": "en"}), "neutral")
    assert "LaTeX" in en and "BibTeX" in en and "| Option |" in en
    zh = paper_answer(reports["moe"].model_copy(update={"language": "zh"}), "overtrained")
    assert "LaTeX" in zh and "BibTeX" in zh and "| 方案 |" in zh and "我们有意" in zh


@pytest.mark.parametrize(("language", "items", "text"), [
    ("en", ["A"], "A"), ("en", ["A", "B"], "A and B"), ("en", ["A", "B", "C"], "A, B, and C"),
    ("zh", ["甲", "乙"], "甲 和 乙"), ("zh", ["甲", "乙", "丙"], "甲、乙 和 丙"),
])
def test_lists_are_joined_as_each_language_writes_them(language: str, items: list[str], text: str) -> None:
    assert _Writer("markdown", language).listing(items) == text


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_fit_with_a_range_has_a_name_to_be_left_out_by(language: str) -> None:
    """A fit read outside its range is named in the paragraph, so each needs a name in both templates."""
    names = load(f"export/{language}").table("fit_names")
    assert {name for name, fit in FITS.items() if fit.fitted_range is not None} <= set(names)
