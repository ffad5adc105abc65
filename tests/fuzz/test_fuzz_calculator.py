"""Fuzzing the calculator's form and the "plan from budget" form: a filled form with fields set to bad text
(overflow, underflow, NaN, a decimal comma, 5,000 characters) or unknown choices.

Whatever the form holds, the calculator gives a report or one line per problem naming the field, in the interface's
language, with no raw exception and no number shown as ``inf`` (``MFU: got inf%`` was one).
"""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.calculator import calculate
from tests.support.fuzz import budget_form, calculator_form, check_calculator

_FORM = st.integers(min_value=0, max_value=2**32).map(lambda seed: calculator_form(random.Random(seed)))
_BUDGET_FORM = st.integers(min_value=0, max_value=2**32).map(lambda seed: budget_form(random.Random(seed)))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(form=_FORM)
def test_a_form_gives_a_report_or_a_line_per_problem_in_the_interface_language(form: dict) -> None:
    assert [str(finding) for finding in check_calculator(form)] == []


@settings(max_examples=40, deadline=None, derandomize=True)
@given(form=_BUDGET_FORM)
def test_a_budget_form_gives_a_plan_or_a_line_per_problem_in_the_interface_language(form: dict) -> None:
    assert [str(finding) for finding in check_calculator(form)] == []


def test_a_share_past_any_range_is_shown_as_a_number_not_as_inf() -> None:
    form = {"model_source": "preset", "preset": "MiniMind2-MoE", "data_source": "tokens", "tokens": "1B",
            "gpu": "rtx-4090", "mfu": "1e308"}
    assert calculate(form, language="en").problems == ["MFU: got 1e308; expected a number ≤ 100%"]
    assert calculate(form, language="zh").problems == ["MFU：给出的是 1e308，需要不超过 100% 的数"]
