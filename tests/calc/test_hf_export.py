"""Exported config files load in transformers' own config classes and count back exactly through the reader."""

from __future__ import annotations

import pytest
from transformers import Glm4MoeConfig, LlamaConfig

from tools.calc.architecture_search import SearchGrid, search_architectures
from tools.calc.errors import CalcInputError
from tools.calc.hf_config import shape_from_hf_config
from tools.calc.hf_export import hf_config, minimind_config
from tools.calc.params import count_parameters
from tools.calc.presets import find_preset


def _candidates(architecture: str, *, tied: bool = False, target: float = 1.45e9):
    return search_architectures(architecture=architecture, target_active_params=target, vocab_size=32_000,
                                tied_embeddings=tied, memory=None, max_candidates=10).candidates


@pytest.mark.parametrize("architecture", ["moe", "dense"])
def test_config_json_counts_back_and_loads_in_transformers(architecture: str) -> None:
    config_class = Glm4MoeConfig if architecture == "moe" else LlamaConfig
    for c in _candidates(architecture):
        config = hf_config(c.shape(), max_position_embeddings=2048)
        assert config["model_type"] == ("glm4_moe" if architecture == "moe" else "llama")
        back = count_parameters(shape_from_hf_config(config))
        assert (back.total, back.active) == (c.total_params, c.active_params)
        loaded = config_class(**{k: v for k, v in config.items() if k != "model_type"})
        assert loaded.num_hidden_layers == c.num_layers and loaded.num_key_value_heads == c.num_kv_heads
        if architecture == "moe":
            assert (loaded.n_routed_experts, loaded.num_experts_per_tok, loaded.moe_intermediate_size,
                    loaded.n_shared_experts, loaded.first_k_dense_replace) == (
                c.num_experts, c.top_k, c.expert_intermediate_size, c.num_shared_experts, c.first_k_dense)


def test_minimind_form_ties_embeddings_so_an_untied_candidate_loses_one_matrix() -> None:
    found = 0
    for tied in (False, True):
        for c in _candidates("moe", tied=tied) + _candidates("dense", tied=tied):
            config, refusal = minimind_config(c.shape(), max_position_embeddings=2048)
            if c.first_k_dense:
                assert config is None and refusal == "first_k_dense"
                continue
            found += 1
            back = count_parameters(shape_from_hf_config(config))
            lm_head = 0 if tied else c.vocab_size * c.hidden_size  # MiniMind always ties (hf_config/minimind.py)
            assert (back.total, back.active) == (c.total_params - lm_head, c.active_params - lm_head)
    assert found


def test_a_published_model_outside_the_layout_is_refused() -> None:
    with pytest.raises(CalcInputError) as error:
        hf_config(find_preset("qwen1.5-moe-a2.7b").shape, max_position_embeddings=4096)  # q/k/v biases, gated shared
    assert error.value.field == "shape"


def test_a_tiny_grid_exports_shared_experts_as_deepseek_fuses_them() -> None:
    grid = SearchGrid(hidden_sizes=(512,), layer_counts=(8,), head_dims=(64,), kv_groups=(1,), num_experts=(8,),
                      top_ks=(2,), shared_experts=(2,), granularities=(4,), first_k_dense=(0,))
    (c,) = search_architectures(architecture="moe", target_active_params=5e7, vocab_size=6400, tied_embeddings=True,
                                memory=None, grid=grid, tolerance=0.5).candidates
    config = hf_config(c.shape(), max_position_embeddings=512)
    shape = shape_from_hf_config(config)
    assert shape.moe.num_shared_experts == 2 and shape.moe.shared_expert_intermediate_size == config[
        "moe_intermediate_size"] == 1408 // 4
