"""Number tracing: numbers read as models write them, matched only against tool values of the same quantity.

Values are written out by hand; the corpus tests use the hand labels of ``tests/fixtures/answers/`` (see
``tests/support/answers.py``), and ``bench/bench_trace.py`` prints the rates.
"""

from __future__ import annotations

import pytest

from assistant.trace import mentions, untraced
from tests.support.answers import Case, cases, covered, plan_results, user_text

FORMS = [
    # text, value in the kind's base unit, kind
    ("14.8B tokens", 14.8e9, "tokens"),
    ("148 亿 token", 1.48e10, "tokens"),
    ("1.48万亿 token", 1.48e12, "tokens"),
    ("46.7 billion parameters", 46.7e9, "params"),
    ("4.67 亿 参数", 4.67e8, "params"),
    ("145.0 M parameters", 145.0e6, "params"),
    ("5.81 × 10¹⁸ FLOPs", 5.81e18, "flops"),
    ("5.81 × 10^18 FLOPs", 5.81e18, "flops"),
    ("5.81 x10^18 FLOPs", 5.81e18, "flops"),
    ("$5.81 \\times 10^{18}$ FLOPs", 5.81e18, "flops"),
    ("\\num{5.81e18} FLOPs", 5.81e18, "flops"),
    ("3.33E+24 FLOPs", 3.33e24, "flops"),
    ("5.8 EFLOPs", 5.8e18, "flops"),
    ("35%", 0.35, "share"),
    ("$35\\%$ MFU", 0.35, "share"),
    ("27.9 GPU-hours", 27.9, "gpu_hours"),
    ("约 28 卡时", 28, "gpu_hours"),
    ("3.5 h", 3.5, "time"),
    ("3.5 天", 84.0, "time"),  # in hours
    ("0.15 days", 3.6, "time"),
    ("24 GB", 24.0, "memory"),
    ("$5.35M", 5.35e6, "money"),
    ("535 万美元", 5.35e6, "money"),
    ("226 tokens per activated parameter", 226, "ratio"),
    ("每个激活参数对应 226 个 token", 226, "ratio"),
    ("| Tokens / activated param | 226 |", 226, "ratio"),
    ("over-trained ×11.3", 11.3, "ratio"),
    ("8 × RTX 4090", 8, "gpus"),
    ("8 张 4090", 8, "gpus"),
    ("1 shared expert", 1, "experts"),
]


@pytest.mark.parametrize(("text", "value", "kind"), FORMS)
def test_number_forms_are_read_with_their_quantity(text: str, value: float, kind: str) -> None:
    found = mentions(text)
    assert len(found) == 1, found
    assert found[0].value == pytest.approx(value, rel=1e-9)
    assert found[0].kind == kind


@pytest.mark.parametrize("text", [
    "Hoffmann et al. 2022", "(Besiroglu et al., 2024)", "Kaplan 2020", "Table 3", "Approach 3", "§3.2", "Eq. 2",
    "6·N·D", "C ≈ 6ND", "DeepSeek-V3", "Llama-3-8B", "top-1", "ZeRO-3", "H800s", "A100-80GB", "1. First point",
    "`gpu_count=8`", "[训练 FLOPs 与 6ND](#concept/zh/flops-6nd)", "表 3", "方法 3", "N^0.34", "NVIDIA H800 SXM 80GB",
])
def test_names_citations_and_formulas_are_not_quantities(text: str) -> None:
    assert mentions(text) == []


def test_the_old_blanket_exemptions_are_gone() -> None:
    """Years and small integers used to pass unchecked: now a year must be a citation's and a count a tool's."""
    results = [{"gpu_count": 8, "num_experts": 4}]
    assert [m.text for m in untraced("Train on 2048 GPUs with 8 experts.", results=results)] == ["2048", "8"]
    assert untraced("8 GPUs and 4 experts (Hoffmann et al. 2022)", results=results) == []


def test_a_value_of_another_quantity_does_not_vouch_for_a_number() -> None:
    results = [{"active_params": 65_403_520, "tokens": 14_796_800_000, "mfu": 0.35, "wall_clock_hours": 84.0,
                "predicted_loss": {"chinchilla-approach3": 3.168}}]
    answer = "65.4M active, 14.8B tokens, MFU 35%, 3.5 days, top-2, but 123.4B tokens is made up, and so is 3.2 天."
    assert [m.text for m in untraced(answer, results=results)] == ["123.4B", "3.2"]
    # 14.8B is a count of tokens, not of parameters; 3.5 is a number of days, not of hours
    assert [m.text for m in untraced("14.8B parameters, 3.5 hours", results=results)] == ["14.8B", "3.5"]


def test_qualifiers_and_top_k_must_agree() -> None:
    """ParamsResult at top-1 with the preset's top-2 count in an assumption's values (hand: 91,945,600 at top-2,
    65,403,520 at top-1, 145,029,760 in all)."""
    results = [{"total_params": 145_029_760, "active_params": 65_403_520, "top_k": 1,
                "assumptions": [{"values": {"top_k": 1, "model_top_k": 2, "model_active_params": 91_945_600}}]}]
    assert untraced("at top-1, 65.4M are active", results=results) == []
    assert [m.text for m in untraced("at top-1, 91.9M are active", results=results)] == ["91.9M"]
    assert untraced("at top-2, 91.9M are active", results=results) == []
    assert [m.text for m in untraced("65.4M parameters in total", results=results)] == ["65.4M"]


def test_the_users_own_numbers_are_sources() -> None:
    assert untraced("you said 512 chars per sample", results=[], sources=["每条 512 字"]) == []
    assert [m.text for m in untraced("you said 520 chars", results=[], sources=["512 字"])] == ["520"]


# -- the corpus: every hand label holds -----------------------------------------------------------------------------


def _flags(case: Case) -> list[tuple[int, int]]:
    return [(m.start, m.end) for m in untraced(case.text, results=plan_results(case.answer.plan),
                                               sources=[user_text(case.answer)])]


@pytest.mark.parametrize("case", list(cases("dev", slips=False)) + list(cases("heldout", slips=False)),
                         ids=lambda case: case.answer.id)
def test_every_hand_label_of_the_corpus_holds(case: Case) -> None:
    flags = _flags(case)
    assert [case.text[a:b] for a, b in case.correct if covered((a, b), flags)] == []  # no false flag
    assert [case.text[a:b] for a, b in case.planted if not covered((a, b), flags)] == []  # no planted number missed


def test_planted_slips_are_caught() -> None:
    """Each correct number of the dev answers, slipped in turn by a factor far outside rounding (x1.3, x0.7, x2, …):
    under 5% may pass (a slip can land on another tool value of the same quantity)."""
    slips = [case for case in cases("dev") if case.slip]
    missed = sum(not covered(span, _flags(case)) for case in slips for span in case.planted)
    assert len(slips) > 100 and missed / len(slips) < 0.05


@pytest.mark.parametrize("answer", ["the best row has 1,446,320,640 activated of 3,260,766,720 parameters.",
                                    "1,446,320,640 of its 3,260,766,720 parameters activated per token"])
def test_the_number_after_of_is_the_whole(answer: str) -> None:
    results = [{"total_params": 3_260_766_720, "active_params": 1_446_320_640}]
    assert untraced(answer, results=results) == []
    wrong = answer.replace("3,260,766,720", "3,460,766,720")
    assert [m.text for m in untraced(wrong, results=results)] == ["3,460,766,720"]
