"""Presets against the reference counts and the vendors' published headline numbers."""

from __future__ import annotations

import pytest

from tests.conftest import load_fixture
from tools.calc.errors import CalcInputError
from tools.calc.params import count_parameters
from tools.calc.presets import Preset, active_under_convention, find_preset, list_presets

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


# --- 2025 MoE presets: exact against instantiated models, and beside the vendors' headlines ------------

INSTANTIATED = {m["name"]: m for m in load_fixture("instantiated_counts.json")["models"]}
NEW_PRESETS = {  # preset key: instantiated reference (tests/fixtures/instantiated_counts.json)
    "glm-4.5": "GLM-4.5", "glm-4.5-air": "GLM-4.5-Air", "gpt-oss-120b": "gpt-oss-120b",
    "gpt-oss-20b": "gpt-oss-20b", "llama-4-scout": "Llama-4-Scout-17B-16E",
    "llama-4-maverick": "Llama-4-Maverick-17B-128E", "ernie-4.5-21b-a3b": "ERNIE-4.5-21B-A3B",
    "ernie-4.5-300b-a47b": "ERNIE-4.5-300B-A47B", "hunyuan-a13b": "Hunyuan-A13B", "dots.llm1": "dots.llm1",
}


@pytest.mark.parametrize("key", sorted(NEW_PRESETS))
def test_new_presets_match_their_instantiated_model(key: str) -> None:
    reference = INSTANTIATED[NEW_PRESETS[key]]
    counts = count_parameters(find_preset(key).shape)
    assert counts.total == reference["total_params"]
    assert counts.active == reference["active_params"]


@pytest.mark.parametrize("key", sorted(NEW_PRESETS))
def test_new_preset_configs_are_the_published_files_values(key: str) -> None:
    """Every key a preset stores has the value of the published copy in tests/fixtures/hf-configs/."""
    preset = find_preset(key)
    published = load_fixture(INSTANTIATED[NEW_PRESETS[key]]["hf_config_file"])
    for field, value in preset.config.items():
        assert published[field] == value, field
    assert preset.published_total and preset.published_active and preset.convention_note


# Vendors' headline figures as published (total, active), and the convention of "active" that makes
# our count agree with them (None: the figure is too rounded to tell).
HEADLINES = {
    "glm-4.5": (355e9, 32e9, "excl_embedding_and_head"),  # GLM-4.5 README: 355B total, 32B active
    "glm-4.5-air": (106e9, 12e9, "excl_embedding_and_head"),  # 106B total, 12B active
    "gpt-oss-120b": (116.83e9, 5.13e9, "excl_input_embedding"),  # gpt-oss model card
    "gpt-oss-20b": (20.91e9, 3.61e9, "excl_input_embedding"),
    "llama-4-scout": (109e9, 17e9, "incl_embedding_and_head"),  # Meta: 17B active, 109B total
    "llama-4-maverick": (400e9, 17e9, "incl_embedding_and_head"),  # Meta: 17B active, 400B total
    "ernie-4.5-21b-a3b": (21e9, 3e9, None),  # Baidu: 21B total, 3B active
    "ernie-4.5-300b-a47b": (300e9, 47e9, "incl_embedding_and_head"),
    "hunyuan-a13b": (80e9, 13e9, "incl_embedding_and_head"),  # Tencent: 80B total, 13B active
    "dots.llm1": (142e9, 14e9, "incl_embedding_and_head"),  # rednote: 142B total, 14B active
}


@pytest.mark.parametrize("key", sorted(HEADLINES))
def test_new_presets_beside_the_vendors_headlines(key: str) -> None:
    total, active, convention = HEADLINES[key]
    preset = find_preset(key)
    counts = count_parameters(preset.shape)
    assert preset.published_active_convention == convention
    # headlines are rounded (ERNIE's 21B truncates 21.83B) and Llama 4's includes the vision encoder
    assert counts.total == pytest.approx(total, rel=0.04)
    if convention is not None:
        assert active_under_convention(counts, convention) == pytest.approx(active, rel=0.03)


def test_gpt_oss_active_is_the_model_cards_to_the_rounding() -> None:
    """Model card: 116.83B / 5.13B and 20.91B / 3.61B; ours without the input embedding rounds to the same."""
    big = count_parameters(find_preset("gpt-oss-120b").shape)
    small = count_parameters(find_preset("gpt-oss-20b").shape)
    assert round(big.total / 1e9, 2) == 116.83 and round(big.active_excl_input_embedding / 1e9, 2) == 5.13
    assert round(small.total / 1e9, 2) == 20.91 and round(small.active_excl_input_embedding / 1e9, 2) == 3.61


def test_glm_mtp_layer_is_counted_apart() -> None:
    """transformers builds no MTP layer for GLM-4.5 (total excludes it); the one MTP layer is shown apart.

    Hand count of GLM-4.5-Air's MTP layer (4096 hidden, 96 × 128 q, 8 × 128 kv, q/k/v biases, 128
    experts + 1 shared of 1408): attention 2·4096·12288 + 2·4096·1024 + 12288 + 2·1024, norms 2·4096,
    experts 128·3·4096·1408, shared 3·4096·1408, router 4096·128, eh_proj 2·4096², 3 more norms.
    """
    counts = count_parameters(find_preset("glm-4.5-air").shape)
    attention = 2 * 4096 * 12288 + 2 * 4096 * 1024 + 12288 + 2 * 1024
    layer = attention + 2 * 4096 + 128 * 3 * 4096 * 1408 + 3 * 4096 * 1408 + 4096 * 128
    assert counts.mtp == layer + 2 * 4096 * 4096 + 3 * 4096
    assert counts.total == INSTANTIATED["GLM-4.5-Air"]["total_params"]


def test_a_preset_convention_must_be_known() -> None:
    with pytest.raises(CalcInputError) as excinfo:
        Preset(key="x", display_name="x", family="llama", source="s", published_total=None, published_active=None,
               config={}, published_active_convention="without_vision")
    assert excinfo.value.field == "published_active_convention"
