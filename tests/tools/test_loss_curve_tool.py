"""Tool contract of predict_loss_curve: schema, hand values, assumptions and error payloads.

Expected values are hand calculations written here (constants typed from literature.md §1a).
"""

from __future__ import annotations

import pytest

from tools.assumption_text import assumption_text
from tools.calc.assumptions import Assumption
from tools.registry import TOOLS, run_tool

LLAMA2_7B = 6_738_415_616
MINIMIND2_MOE_ACTIVE = 91_945_600  # top-2 of MiniMind2-MoE (tests/tools/test_registry.py)


def printed_chinchilla(n: float, d: float) -> float:
    """Hoffmann 2022 Eq. (2) with the printed App. D.2 constants."""
    return 1.69 + 406.4 / n**0.34 + 410.7 / d**0.28


def test_predict_loss_curve_is_registered_with_bounded_fractions() -> None:
    spec = TOOLS["predict_loss_curve"]
    assert spec.description.startswith("Predicted loss per fit at checkpoints")
    schema = spec.json_schema()
    assert schema["required"] == ["model", "data"]
    fractions = schema["properties"]["fractions"]
    assert fractions["items"]["exclusiveMinimum"] == 0 and fractions["items"]["maximum"] == 1
    assert "10%, 30%, 100%" in fractions["description"]


def test_loss_curve_tool_hand_values_and_assumptions() -> None:
    outcome = run_tool("predict_loss_curve", {"model": {"preset": "llama-2-7b"}, "data": {"tokens": "2T"}})
    assert outcome.ok, outcome.result
    result = outcome.result
    assert (result["active_params"], result["tokens"], result["fractions"]) == (LLAMA2_7B, 2e12, [0.1, 0.3, 1.0])
    fits = {fit["fit"]: fit for fit in result["fits"]}
    assert list(fits) == ["chinchilla-approach3", "chinchilla-approach3-unrounded", "epoch-2024", "kaplan-2020"]
    printed = fits["chinchilla-approach3"]
    assert printed["title"].startswith("Chinchilla Approach 3")
    assert printed["loss_nats_at_end"] == pytest.approx(printed_chinchilla(LLAMA2_7B, 2e12), rel=1e-12)
    assert printed["checkpoints"][1]["loss_nats"] == pytest.approx(printed_chinchilla(LLAMA2_7B, 6e11), rel=1e-12)
    # (410.7 · N^0.34 / 406.4)^(1/0.28): the data term meets the model term.
    point = (410.7 * LLAMA2_7B**0.34 / 406.4) ** (1 / 0.28)
    assert printed["diminishing_returns"]["tokens"] == pytest.approx(point, rel=1e-9)
    assert printed["diminishing_returns"]["plan_position"] == ("after" if 2e12 >= point else "before")
    assert set(result["fits_without_loss_law"]) == {"chinchilla-approach1", "chinchilla-approach2",
                                                    "deepseek-2024", "rule-20"}
    codes = {a["code"]: a for a in result["assumptions"]}
    assert {"loss_fit_prediction", "diminishing_returns_definition", "loss_checkpoints_default"} <= set(codes)
    assert "not a promise" in codes["loss_fit_prediction"]["text"]
    assert codes["loss_checkpoints_default"]["text"] == "checkpoints not stated: 10%, 30%, 100% of the planned tokens"
    assert "fits_on_active" not in codes


def test_loss_curve_of_an_moe_uses_the_activated_parameters() -> None:
    data = {"tokens": 1e9}
    result = run_tool("predict_loss_curve", {"model": {"preset": "minimind2-moe"}, "data": data,
                                             "fractions": ["50%", 1]}).result
    assert result["is_moe"] is True and result["active_params"] == MINIMIND2_MOE_ACTIVE
    assert result["fractions"] == [0.5, 1.0]
    printed = next(fit for fit in result["fits"] if fit["fit"] == "chinchilla-approach3")
    assert printed["checkpoints"][0]["loss_nats"] == pytest.approx(printed_chinchilla(MINIMIND2_MOE_ACTIVE, 5e8))
    codes = {a["code"] for a in result["assumptions"]}
    assert "fits_on_active" in codes and "loss_checkpoints_default" not in codes


@pytest.mark.parametrize("fractions", [[0], [1.5], [], ["half"]])
def test_bad_fractions_come_back_as_an_error_naming_them(fractions: list) -> None:
    outcome = run_tool("predict_loss_curve", {"model": {"preset": "llama-2-7b"}, "data": {"tokens": 2e12},
                                              "fractions": fractions})
    assert not outcome.ok and "fractions" in outcome.result["error"]


def test_list_values_read_item_by_item_in_both_languages() -> None:
    default = Assumption("loss_checkpoints_default", {"fractions": (0.1, 0.25, 1.0)})
    assert assumption_text(default, language="en") == "checkpoints not stated: 10%, 25%, 100% of the planned tokens"
    assert assumption_text(default, language="zh") == "未给出检查点：取计划 token 数的 10%、25%、100%"
