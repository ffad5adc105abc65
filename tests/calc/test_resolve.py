"""The one resolver: stated values win, unstated ones come from the matched architecture, defaults are named.

Expected values are hand calculations written here or reference counts (tests/fixtures/models.json).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tools.calc.errors import CalcInputError
from tools.calc.model_description import ModelDescription as Model
from tools.calc.preset_match import match_preset, stated_tolerance
from tools.calc.resolve_data import DataDescription, resolve_data
from tools.calc.resolve_hardware import HardwareDescription, resolve_hardware
from tools.calc.resolve_model import resolve_model

MINIMIND_TOTAL, MINIMIND_ACTIVE = 145_029_760, 91_945_600  # models.json, MiniMind2-MoE (top-2)
DSV2_LITE_TOTAL, DSV2_LITE_ACTIVE = 15_706_484_224, 2_661_150_208  # our counts of its config (test_presets)


def resolve(**fields: object):
    return resolve_model(description=Model(**fields))


def codes(resolved) -> dict[str, dict]:
    return {a.code: dict(a.values) for a in resolved.assumptions}


# --- what a stated figure covers ---------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "tolerance"), [
    (16e9, 0.5e9 / 16e9),  # "16B" covers 15.5-16.5B: 3.125%
    (145e6, 0.01),  # "145M": half a unit is 0.34%, below the 1% floor
    (15.7e9, 0.01),  # 0.05B / 15.7B = 0.32%
    (7e9, 0.05),  # "7B" would cover 7.1%: capped at 5%
    (2.4e9, 0.05e9 / 2.4e9),  # 2.08%
])
def test_a_stated_figure_covers_its_rounding(value: float, tolerance: float) -> None:
    assert stated_tolerance(value) == pytest.approx(tolerance)


def test_a_preset_matches_by_size_and_layout_only_when_every_stated_field_agrees() -> None:
    assert match_preset(total_params=145e6, num_experts=4, num_shared_experts=1).preset.key == "minimind2-moe"
    assert match_preset(total_params=145e6, num_experts=4).preset.key == "minimind2-moe"  # shared not stated
    assert match_preset(total_params=145e6, num_experts=4, num_shared_experts=0) is None  # stated 0 ≠ 1
    assert match_preset(total_params=145e6, num_experts=8, num_shared_experts=1) is None
    assert match_preset(total_params=150e6, num_experts=4, num_shared_experts=1) is not None  # "150M": 145-155M
    assert match_preset(total_params=155e6, num_experts=4, num_shared_experts=1) is None  # "155M": ±1%, 6.4% off
    assert match_preset(total_params=16e9, num_experts=64).preset.key == "deepseek-v2-lite"  # 15.71B within 3.1%
    assert match_preset(total_params=16e9, num_experts=64, expert_intermediate_size=1024) is None


# --- the seed's questions ----------------------------------------------------------------------------------

def test_unstated_routing_comes_from_the_matched_preset() -> None:
    model = resolve(total_params=145e6, num_experts=4, num_shared_experts=1)
    assert (model.total_params, model.active_params) == (MINIMIND_TOTAL, MINIMIND_ACTIVE)
    assert model.top_k == 2 and model.top_k_origin == "preset" and model.matched_preset
    assert codes(model)["top_k_from_preset"] == {"top_k": 2, "preset": "MiniMind2-MoE"}
    assert "top_k_stated" not in codes(model)


def test_a_stated_top_k_is_applied_and_said_beside_the_presets_own() -> None:
    model = resolve(total_params=145e6, num_experts=4, num_shared_experts=1, top_k=1)
    assert model.active_params == MINIMIND_ACTIVE - 8 * 3 * 640 * 1728  # one routed expert less per layer
    assert model.top_k_origin == "stated"
    assert codes(model)["top_k_stated"]["model_active_params"] == MINIMIND_ACTIVE


def test_a_stated_activated_figure_is_checked_against_the_count_with_its_convention() -> None:
    model = resolve(total_params=16e9, active_params=2.4e9, num_experts=64, top_k=6)
    assert model.active_params == DSV2_LITE_ACTIVE and model.total_basis == "counted"
    (check,) = model.checks
    assert check.quantity == "active" and check.stated == 2.4e9
    assert check.convention == "excl_input_embedding"
    assert check.convention_value == DSV2_LITE_ACTIVE - 102_400 * 2048  # 2.45B: the input embedding left out


def test_without_an_architecture_stated_figures_are_used_as_stated() -> None:
    model = resolve(total_params=14.3e9, active_params=2.7e9)
    assert (model.total_params, model.active_params) == (14.3e9, 2.7e9)
    assert model.active_basis == "stated" and model.approximate and model.estimate is None


def test_an_estimate_is_marked_as_one() -> None:
    model = resolve(total_params=300e6, num_experts=4, num_shared_experts=1, top_k=1)
    assert model.active_basis == "estimated" and model.approximate
    share = (106_168_320 + 26_542_080) / MINIMIND_TOTAL  # MiniMind2-MoE's expert share (models.json breakdown)
    assert model.active_params == pytest.approx(300e6 * (1 - share + share * 2 / 5))


# --- no guessed routing, no silent drop ---------------------------------------------------------------------

@pytest.mark.parametrize(("fields", "field"), [
    ({"total_params": 500e6, "num_experts": 8}, "top_k"),  # no preset with that layout and size
    ({"vocab_size": 100, "hidden_size": 64, "num_layers": 2, "num_heads": 2, "num_experts": 4}, "top_k"),
    ({"total_params": 145e6, "top_k": 2}, "top_k"),  # routing without experts
    ({"vocab_size": 100, "hidden_size": 64, "num_layers": 2, "num_heads": 2, "num_shared_experts": 1},
     "num_shared_experts"),
    ({"vocab_size": 100, "hidden_size": 64, "num_layers": 2, "num_heads": 2, "num_experts": 0}, "num_experts"),
    ({"total_params": 145e6, "num_experts": 4, "dense": True}, "dense"),
    ({"total_params": 1e9, "active_params": 2e9}, "active_params"),
    ({"active_params": 3e9, "num_experts": 64, "top_k": 8}, "total_params"),
    ({"hidden_size": 640, "num_layers": 8}, "vocab_size"),
    ({"preset": "minimind2-moe", "hidden_size": 1024}, "hidden_size"),  # a dimension change is not guessed
])
def test_what_cannot_be_counted_is_refused_by_name(fields: dict, field: str) -> None:
    with pytest.raises(CalcInputError) as error:
        resolve(**fields)
    assert error.value.field == field


def test_incomplete_dimensions_beside_a_total_are_reported_unused() -> None:
    model = resolve(total_params=15.7e9, active_params=2.4e9, num_layers=27, hidden_size=2048)
    assert set(model.unused) == {"num_layers", "hidden_size"}


def test_a_restated_dimension_is_not_a_change() -> None:
    model = resolve(preset="olmoe-1b-7b", num_layers=16, hidden_size=2048, num_experts=64, num_shared_experts=0)
    assert "arch_changed" not in codes(model) and model.total_params == resolve(preset="olmoe-1b-7b").total_params


def test_an_expert_layout_change_on_a_preset_is_counted() -> None:
    """MiniMind2-MoE with 8 routed experts: 4 more SwiGLU experts (3 × 640 × 1728) and 4 more router rows per layer."""
    model = resolve(preset="minimind2-moe", num_experts=8)
    assert model.total_params == MINIMIND_TOTAL + 8 * 4 * (3 * 640 * 1728 + 640)
    assert codes(model)["arch_changed"]["changes"] == "num_experts = 8"


# --- defaults that move a headline number are named ----------------------------------------------------------

def test_dimension_defaults_are_headline_assumptions() -> None:
    model = resolve(vocab_size=6400, hidden_size=640, num_layers=8, num_heads=8, num_experts=4, top_k=2)
    found = {a.code: a for a in model.assumptions}
    assert found["ffn_width_default"].values["width"] == 64 * 27  # 64·⌈int(640·8/3)/64⌉ = 64·⌈1706/64⌉
    assert found["ffn_width_default"].headline and found["expert_width_default"].headline
    assert found["tied_default"].headline


def test_granularity_sets_the_expert_width() -> None:
    model = resolve(vocab_size=1000, hidden_size=256, num_layers=2, num_heads=4, intermediate_size=1024,
                    num_experts=16, top_k=2, granularity=4)
    assert model.shape.moe.expert_intermediate_size == 1024 // 4


def test_data_defaults_and_readings_are_named() -> None:
    data = resolve_data(description=DataDescription(tokens=100e9, epochs=2))
    assert data.tokens == 200e9 and {a.code for a in data.assumptions} >= {"tokens_times_epochs", "seq_len_default"}
    chars = resolve_data(description=DataDescription(samples=28.9e6, mean_length=512, length_unit="chars"))
    assert chars.tokens == 28.9e6 * 512 and chars.seq_len == 512
    assert {a.code for a in chars.assumptions if a.headline} == {"tokens_per_char_default", "seq_len_from_mean_length"}
    with pytest.raises(CalcInputError) as error:
        resolve_data(description=DataDescription(samples=1e6, mean_length=512))
    assert error.value.field == "length_unit"


def test_hardware_defaults_are_named() -> None:
    hardware = resolve_hardware(description=HardwareDescription(gpu="A100", price_per_gpu_hour=2.0), is_moe=True)
    assert (hardware.gpu.key, hardware.gpu_count, hardware.mfu, hardware.currency) == ("a100-80gb", 1, 0.35, "USD")
    headline = {a.code for a in hardware.assumptions if a.headline}
    assert headline == {"gpu_variant_default", "gpu_count_default", "mfu_default_moe", "currency_default"}


# --- properties -------------------------------------------------------------------------------------------------

@given(total=st.floats(min_value=1e6, max_value=1e12), active_share=st.floats(min_value=0.01, max_value=0.99))
def test_stated_sizes_without_an_architecture_are_never_replaced(total: float, active_share: float) -> None:
    model = resolve(total_params=total, active_params=total * active_share, num_experts=1000, top_k=3)
    assert model.total_params == total and model.active_params == total * active_share


@given(top_k=st.integers(min_value=1, max_value=4))
def test_a_stated_top_k_is_the_top_k_counted(top_k: int) -> None:
    model = resolve(preset="minimind2-moe", top_k=top_k)
    assert model.top_k == top_k == model.shape.moe.top_k
    per_expert = 8 * 3 * 640 * 1728
    assert model.active_params == MINIMIND_ACTIVE + (top_k - 2) * per_expert
