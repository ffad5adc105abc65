"""Numbers written for prose and for LaTeX: the expected strings are typed by hand."""

from __future__ import annotations

import pytest

from tools.quantities import scale_of, tex_num, times_ten


@pytest.mark.parametrize(("value", "text"), [
    (5.8065e18, "5.81 × 10¹⁸"), (3.33e24, "3.33 × 10²⁴"), (1e21, "1 × 10²¹"), (0.00123, "1.23 × 10⁻³"),
    (226.0, "226"), (0.18, "0.18"), (9.996e18, "1 × 10¹⁹"),
])
def test_times_ten(value: float, text: str) -> None:
    assert times_ten(value) == text


@pytest.mark.parametrize(("value", "engineering", "text"), [
    (5.8065e18, False, r"\num{5.81e18}"), (14_796_800_000, True, r"\num{14.8e9}"),
    (65_403_520, True, r"\num{65.4e6}"), (145_029_760, True, r"\num{145e6}"), (740e6, True, r"\num{740e6}"),
    (14_796_800_000, False, r"\num{1.48e10}"), (226.2, True, r"\num{226}"), (0.18, False, r"\num{0.18}"),
    (9.996e18, True, r"\num{10e18}"),
])
def test_tex_num(value: float, engineering: bool, text: str) -> None:
    assert tex_num(value, engineering=engineering) == text


@pytest.mark.parametrize(("value", "scale"), [(65.4e6, (1e6, "M")), (14.8e9, (1e9, "B")), (14.8e12, (1e12, "T")),
                                              (1234, (1e3, "K")), (999, (1.0, ""))])
def test_scale_of(value: float, scale: tuple[float, str]) -> None:
    assert scale_of(value) == scale
