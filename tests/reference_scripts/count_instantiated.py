"""Count the parameters of instantiated HuggingFace models: the reference for tests/calc/test_hf_families.py.

What it counts
--------------
Each case is a config: a published ``config.json`` copy from ``tests/fixtures/hf-configs/`` (see SOURCES.md
there), or a small config made with a transformers config class (tiny dimensions, every feature of the
family switched on: biases, attention sinks, interleaved MoE layers, MoE layer ranges, per-layer lists,
dense layers of another width, …). For each one the script builds the model **on the meta device**
(``with torch.device("meta"): AutoModelForCausalLM.from_config(cfg)``: shapes only, no memory, no
weights, nothing downloaded) and records, from the model alone:

* ``total_params``: ``sum(p.numel() for p in model.parameters())``; ``parameters()`` yields a tied matrix
  once, and buffers (RoPE tables, DeepSeek-V3/GLM/dots ``e_score_correction_bias``) are not parameters;
* ``embedding_params`` (input embedding) and ``lm_head_params`` (0 when the head is tied to it);
* ``routed_expert_params_total``: parameters of every ``*Experts`` module (the routed experts, stored as
  3-D tensors whose first axis is the expert);
* ``routed_expert_params_active``: per MoE layer, ``numel / num_experts * top_k`` of those tensors, with
  ``top_k`` read from that layer's router module (``gate`` / ``router``);
* ``active_params`` = total − routed + routed active (every parameter except the routed experts a token
  is not sent to; embedding and lm_head included; the convention of tools/calc/params.py);
* ``by_name``: parameter counts grouped by name with the layer index replaced by ``*``, so a test can
  check one part (e.g. ``model.layers.*.self_attn.sinks``) against a hand count;
* ``buffers``: persistent buffers grouped the same way (counted by nobody, listed to show what was left out).

Versions: transformers 5.23.0, torch 2.13.0 (CPU build). The tests never import torch; they read the
JSON this script writes (tests/fixtures/instantiated_counts.json).

How to rerun
------------
::

    python3 -m venv /tmp/refvenv
    /tmp/refvenv/bin/pip install torch==2.13.0 transformers==5.23.0
    /tmp/refvenv/bin/python tests/reference_scripts/count_instantiated.py tests/fixtures/instantiated_counts.json

This file is not collected by pytest (its name does not start with ``test_``).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import torch
import transformers
from transformers import AutoModelForCausalLM

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# Published configs: (case name, transformers config class, file, keys dropped before instantiating and why,
# keys added). Hunyuan-A13B's file names its head width ``attention_head_dim`` (128, the remote code's key);
# transformers 5.23 reads ``head_dim`` and fails without it, so 128 is passed under that name too.
PUBLISHED = [
    ("GLM-4.5", "Glm4MoeConfig", "hf-configs/GLM-4.5.json", {}, {}),
    ("GLM-4.5-Air", "Glm4MoeConfig", "hf-configs/GLM-4.5-Air.json", {}, {}),
    ("gpt-oss-20b", "GptOssConfig", "hf-configs/gpt-oss-20b.json", {}, {}),
    ("gpt-oss-120b", "GptOssConfig", "hf-configs/gpt-oss-120b.json", {}, {}),
    ("Llama-4-Scout-17B-16E", "Llama4TextConfig", "hf-configs/Llama-4-Scout-17B-16E.text_config.json", {
        "attn_temperature_tuning": "count-neutral; the file has 4 where transformers 5.23's strict config wants a bool",
    }, {}),
    ("Llama-4-Maverick-17B-128E", "Llama4TextConfig", "hf-configs/Llama-4-Maverick-17B-128E.text_config.json", {}, {}),
    ("ERNIE-4.5-21B-A3B", "Ernie4_5_MoeConfig", "hf-configs/ERNIE-4.5-21B-A3B.json", {}, {}),
    ("ERNIE-4.5-300B-A47B", "Ernie4_5_MoeConfig", "hf-configs/ERNIE-4.5-300B-A47B.json", {}, {}),
    ("Hunyuan-A13B", "HunYuanMoEV1Config", "hf-configs/Hunyuan-A13B.json", {
        "model_type": "the hub file names the remote-code type 'hunyuan'; transformers' class is hunyuan_v1_moe",
        "rope_scaling": "count-neutral; transformers 5.23 rejects its factor 1.0 (it wants > 1.0)",
    }, {"head_dim": 128}),
    ("dots.llm1", "Dots1Config", "hf-configs/dots.llm1.json", {}, {}),
]

# Small configs made with the config classes: (case name, class, keyword arguments).
_TINY = {"vocab_size": 1000, "hidden_size": 64, "num_attention_heads": 4, "num_key_value_heads": 2}
CLASS_BUILT = [
    # --- the new families, every feature on ---
    ("tiny-glm4-moe", "Glm4MoeConfig", {
        **_TINY, "num_hidden_layers": 4, "head_dim": 24, "intermediate_size": 96, "moe_intermediate_size": 32,
        "n_routed_experts": 8, "n_shared_experts": 2, "num_experts_per_tok": 2, "first_k_dense_replace": 2,
        "attention_bias": True, "use_qk_norm": True, "num_nextn_predict_layers": 1}),
    ("tiny-glm4-moe-plain", "Glm4MoeConfig", {
        **_TINY, "num_hidden_layers": 3, "intermediate_size": 96, "moe_intermediate_size": 32,
        "n_routed_experts": 4, "n_shared_experts": 1, "num_experts_per_tok": 2, "first_k_dense_replace": 1,
        "attention_bias": False, "use_qk_norm": False, "tie_word_embeddings": True}),
    ("tiny-gpt-oss", "GptOssConfig", {
        **_TINY, "num_hidden_layers": 3, "head_dim": 24, "intermediate_size": 48, "num_local_experts": 8,
        "num_experts_per_tok": 2}),
    ("tiny-gpt-oss-no-attention-bias", "GptOssConfig", {
        **_TINY, "num_hidden_layers": 2, "head_dim": 16, "intermediate_size": 40, "num_local_experts": 4,
        "num_experts_per_tok": 1, "attention_bias": False, "tie_word_embeddings": True}),
    ("tiny-llama4-interleaved", "Llama4TextConfig", {
        **_TINY, "num_hidden_layers": 4, "head_dim": 24, "intermediate_size": 32, "intermediate_size_mlp": 96,
        "num_local_experts": 4, "num_experts_per_tok": 2, "interleave_moe_layer_step": 2, "attention_bias": True}),
    ("tiny-llama4-moe-layers", "Llama4TextConfig", {
        **_TINY, "num_hidden_layers": 5, "intermediate_size": 32, "intermediate_size_mlp": 80,
        "num_local_experts": 3, "num_experts_per_tok": 1, "moe_layers": [0, 3, 4], "use_qk_norm": False}),
    ("tiny-ernie4_5-moe", "Ernie4_5_MoeConfig", {
        **_TINY, "num_hidden_layers": 6, "intermediate_size": 96, "moe_intermediate_size": 32,
        "moe_num_experts": 8, "moe_k": 2, "moe_num_shared_experts": 2, "moe_layer_start_index": 1,
        "moe_layer_end_index": 4, "moe_layer_interval": 2, "tie_word_embeddings": False}),
    ("tiny-ernie4_5-moe-tied-no-shared", "Ernie4_5_MoeConfig", {
        **_TINY, "num_hidden_layers": 4, "intermediate_size": 80, "moe_intermediate_size": 24,
        "moe_num_experts": 4, "moe_k": 1, "moe_num_shared_experts": 0, "moe_layer_start_index": 0,
        "moe_layer_end_index": -1, "moe_layer_interval": 1}),
    ("tiny-hunyuan-v1-moe", "HunYuanMoEV1Config", {
        **_TINY, "num_hidden_layers": 3, "head_dim": 24, "intermediate_size": 48, "num_experts": 6,
        "moe_topk": [2, 2, 2], "attention_bias": True}),
    ("tiny-hunyuan-v1-moe-int-topk", "HunYuanMoEV1Config", {
        **_TINY, "num_hidden_layers": 2, "head_dim": 16, "intermediate_size": 40, "num_experts": 4, "moe_topk": 1,
        "tie_word_embeddings": True}),
    ("tiny-dots1", "Dots1Config", {
        **_TINY, "num_hidden_layers": 4, "head_dim": 24, "intermediate_size": 96, "moe_intermediate_size": 32,
        "n_routed_experts": 8, "n_shared_experts": 2, "num_experts_per_tok": 3, "first_k_dense_replace": 1,
        "attention_bias": True}),
    # --- the families read before, with the count-changing fields switched on ---
    ("tiny-llama-biases-head-dim", "LlamaConfig", {
        **_TINY, "num_hidden_layers": 2, "head_dim": 24, "intermediate_size": 96, "attention_bias": True,
        "mlp_bias": True}),
    ("tiny-mistral-head-dim", "MistralConfig", {
        **_TINY, "num_hidden_layers": 2, "head_dim": 24, "intermediate_size": 96}),
    ("tiny-mixtral-head-dim", "MixtralConfig", {
        **_TINY, "num_hidden_layers": 2, "head_dim": 24, "intermediate_size": 48, "num_local_experts": 4,
        "num_experts_per_tok": 2}),
    ("tiny-qwen2", "Qwen2Config", {**_TINY, "num_hidden_layers": 2, "intermediate_size": 96}),
    ("tiny-qwen3-bias-head-dim", "Qwen3Config", {
        **_TINY, "num_hidden_layers": 2, "head_dim": 24, "intermediate_size": 96, "attention_bias": True}),
    ("tiny-qwen2-moe-sparse-step", "Qwen2MoeConfig", {
        **_TINY, "num_hidden_layers": 4, "intermediate_size": 96, "moe_intermediate_size": 32,
        "shared_expert_intermediate_size": 48, "num_experts": 6, "num_experts_per_tok": 2,
        "decoder_sparse_step": 2, "mlp_only_layers": [3]}),
    ("tiny-qwen3-moe", "Qwen3MoeConfig", {
        **_TINY, "num_hidden_layers": 4, "head_dim": 24, "intermediate_size": 96, "moe_intermediate_size": 32,
        "num_local_experts": 6, "num_experts_per_tok": 2, "mlp_only_layers": [0], "attention_bias": True}),
    ("tiny-deepseek-v2-mlp-bias", "DeepseekV2Config", {
        **_TINY, "num_key_value_heads": 4, "num_hidden_layers": 3, "intermediate_size": 96,
        "moe_intermediate_size": 32, "n_routed_experts": 6, "n_shared_experts": 2, "num_experts_per_tok": 2,
        "first_k_dense_replace": 1, "kv_lora_rank": 16, "q_lora_rank": None, "qk_nope_head_dim": 16,
        "qk_rope_head_dim": 8, "v_head_dim": 16, "mlp_bias": True}),
    ("tiny-deepseek-v2-q-lora", "DeepseekV2Config", {
        **_TINY, "num_key_value_heads": 4, "num_hidden_layers": 2, "intermediate_size": 96,
        "moe_intermediate_size": 32, "n_routed_experts": 4, "n_shared_experts": 1, "num_experts_per_tok": 2,
        "first_k_dense_replace": 0, "kv_lora_rank": 16, "q_lora_rank": 24, "qk_nope_head_dim": 16,
        "qk_rope_head_dim": 8, "v_head_dim": 16}),
    ("tiny-deepseek-v3", "DeepseekV3Config", {
        **_TINY, "num_key_value_heads": 4, "num_hidden_layers": 3, "intermediate_size": 96,
        "moe_intermediate_size": 32, "n_routed_experts": 8, "n_shared_experts": 1, "num_experts_per_tok": 2,
        "n_group": 2, "topk_group": 1, "first_k_dense_replace": 1, "kv_lora_rank": 16, "q_lora_rank": 24,
        "qk_nope_head_dim": 16, "qk_rope_head_dim": 8, "v_head_dim": 16}),
    ("tiny-olmoe-attention-bias", "OlmoeConfig", {
        **_TINY, "num_hidden_layers": 2, "intermediate_size": 32, "num_experts": 4, "num_experts_per_tok": 2,
        "attention_bias": True}),
]


def _pattern(name: str) -> str:
    return re.sub(r"\.layers\.\d+\.", ".layers.*.", name)


def _grouped(named: list[tuple[str, torch.Tensor]]) -> dict[str, int]:
    groups: dict[str, int] = {}
    for name, tensor in named:
        key = _pattern(name)
        groups[key] = groups.get(key, 0) + tensor.numel()
    return dict(sorted(groups.items()))


def _top_k(block: torch.nn.Module, config) -> int:
    for attr in ("gate", "router"):
        router = getattr(block, attr, None)
        if router is not None and getattr(router, "top_k", None) is not None:
            return int(router.top_k)
    if getattr(block, "top_k", None) is not None:
        return int(block.top_k)
    raise RuntimeError(f"no router with top_k in {type(block).__name__}")


def count(model: torch.nn.Module) -> dict:
    """Counts read from the instantiated model only (see the module docstring)."""
    params = list(model.parameters())
    total = sum(p.numel() for p in params)
    embedding = model.get_input_embeddings().weight
    head = model.get_output_embeddings().weight
    tied = head is embedding
    modules = dict(model.named_modules())
    routed_total = routed_active = 0
    moe_layers = []
    for name, module in modules.items():
        if not type(module).__name__.endswith("Experts"):
            continue
        block = modules[name.rsplit(".", 1)[0]]
        top_k = _top_k(block, model.config)
        for tensor in module.parameters(recurse=False):
            experts = tensor.shape[0]
            routed_total += tensor.numel()
            routed_active += tensor.numel() // experts * top_k
        moe_layers.append(int(re.search(r"\.layers\.(\d+)\.", name).group(1)))
    persistent = [(n, b) for n, b in model.named_buffers()
                  if n.rsplit(".", 1)[-1] not in ("inv_freq", "original_inv_freq")]
    return {
        "total_params": total,
        "embedding_params": embedding.numel(),
        "lm_head_params": 0 if tied else head.numel(),
        "tied_embeddings": tied,
        "routed_expert_params_total": routed_total,
        "routed_expert_params_active": routed_active,
        "active_params": total - routed_total + routed_active,
        "moe_layer_indices": sorted(moe_layers),
        "by_name": _grouped(list(model.named_parameters())),
        "buffers": _grouped(persistent),
    }


def instantiate(config) -> torch.nn.Module:
    with torch.device("meta"):
        return AutoModelForCausalLM.from_config(config)


def main(out: Path) -> None:
    records = []
    for name, class_name, path, dropped, added in PUBLISHED:
        published = json.loads((FIXTURES / path).read_text(encoding="utf-8"))
        used = {**{k: v for k, v in published.items() if k not in dropped}, **added}
        config = getattr(transformers, class_name).from_dict(used)
        records.append({
            "name": name, "kind": "published", "config_class": class_name, "hf_config_file": path,
            "dropped_before_instantiating": dropped, "added_before_instantiating": added,
            **count(instantiate(config)),
        })
    for name, class_name, kwargs in CLASS_BUILT:
        config = getattr(transformers, class_name)(**kwargs)
        records.append({"name": name, "kind": "class", "config_class": class_name, "kwargs": kwargs,
                        **count(instantiate(config))})
    document = {
        "generated_by": "tests/reference_scripts/count_instantiated.py",
        "transformers_version": transformers.__version__,
        "torch_version": torch.__version__,
        "device": "meta",
        "models": records,
    }
    out.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURES / "instantiated_counts.json")
