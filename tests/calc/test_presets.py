"""Presets against the reference counts and the vendors' published headline numbers."""

from __future__ import annotations

import pytest

from tests.conftest import load_fixture
from tools.calc.errors import CalcInputError
from tools.calc.params import count_parameters
from tools.calc.presets import find_preset, list_presets

REFERENCE = {m["name"]: m for m in load_fixture("models.json")}


@pytest.mark.parametrize(
    ("preset", "reference"),
    [
        ("minimind2-small", "MiniMind2-Small"), ("minimind2", "MiniMind2"), ("minimind2-moe", "MiniMind2-MoE"),
        ("minimind-3", "minimind-3"), ("minimind-3-moe", "minimind-3-moe"), ("llama-3-8b", "Llama-3-8B"),
        ("mixtral-8x7b", "Mixtral-8x7B-v0.1"), ("qwen1.5-moe-a2.7b", "Qwen1.5-MoE-A2.7B"),
        ("deepseek-v3", "DeepSeek-V3"),
    ],
)
def test_presets_with_a_reference_count_match_it_exactly(preset: str, reference: str) -> None:
    counts = count_parameters(find_preset(preset).shape)
    assert counts.total == REFERENCE[reference]["total_params"]
    assert counts.active == REFERENCE[reference]["active_params"]


# Published headline figures (vendors' model cards / papers); (total, active, convention of active).
PUBLISHED = {
    "llama-2-7b": (6.74e9, None),  # Llama 2 paper Table 1 / HF: 6,738,415,616
    "llama-3-70b": (70.6e9, None),  # HF hub "70.6B params"
    "mistral-7b": (7.24e9, None),  # Mistral 7B: "7.3B"; HF hub 7.24B
    "qwen2.5-7b": (7.61e9, None),  # Qwen2.5 model card: 7.61B
    "qwen3-8b": (8.2e9, None),  # Qwen3 model card: 8.2B
    "qwen3-30b-a3b": (30.5e9, 3.3e9),  # Qwen3 model card: 30.5B total, 3.3B activated
    "olmoe-1b-7b": (6.9e9, 1.3e9),  # OLMoE paper: 6.9B total, 1.3B active
}


@pytest.mark.parametrize("key", sorted(PUBLISHED))
def test_presets_agree_with_published_headlines(key: str) -> None:
    total, active = PUBLISHED[key]
    counts = count_parameters(find_preset(key).shape)
    assert counts.total == pytest.approx(total, rel=0.01)
    if active is not None:
        assert counts.active == pytest.approx(active, rel=0.03)


def test_deepseek_v2_lite_active_follows_deepseeks_convention() -> None:
    """DeepSeek-V2 paper: V2-Lite 15.7B total, 2.4B activated, counted without the input embedding."""
    counts = count_parameters(find_preset("deepseek-v2-lite").shape)
    assert counts.total == pytest.approx(15.7e9, rel=0.01)
    assert counts.active_excl_input_embedding == pytest.approx(2.4e9, rel=0.03)


@pytest.mark.parametrize("spelling", ["MiniMind2-MoE", "minimind2 moe", "MINIMIND2_MOE", "minimind-moe"])
def test_lookup_forgives_spelling(spelling: str) -> None:
    assert find_preset(spelling).key == "minimind2-moe"


def test_every_preset_has_a_source_and_builds() -> None:
    for preset in list_presets():
        assert preset.source
        assert count_parameters(preset.shape).total > 0


def test_unknown_preset_lists_the_choices() -> None:
    with pytest.raises(CalcInputError) as excinfo:
        find_preset("gpt-5")
    assert excinfo.value.field == "preset"
    assert "minimind2-moe" in excinfo.value.expected
