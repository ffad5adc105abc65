"""Known architectures, each stored as its published ``config.json`` fields and read through
:func:`tools.calc.hf_config.shape_from_hf_config` (one reader, no second copy of the rules).

Every preset names its source and, where the vendor published them, the headline totals so a
report can show "ours vs published" side by side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from tools.calc.errors import CalcInputError
from tools.calc.hf_config import shape_from_hf_config
from tools.calc.shapes import ModelShape


@dataclass(frozen=True, kw_only=True)
class Preset:
    key: str
    display_name: str
    family: str
    source: str
    published_total: str | None
    published_active: str | None
    config: dict[str, Any]
    aliases: tuple[str, ...] = ()

    @property
    def shape(self) -> ModelShape:
        return _shape(self.key)


def _minimind2(hidden: int, layers: int, *, moe: bool) -> dict[str, Any]:
    return {
        "model_type": "minimind", "hidden_size": hidden, "num_hidden_layers": layers, "num_attention_heads": 8,
        "num_key_value_heads": 2, "vocab_size": 6400, "intermediate_size": None, "use_moe": moe,
        "num_experts_per_tok": 2, "n_routed_experts": 4, "n_shared_experts": 1,
    }


def _minimind3(*, moe: bool) -> dict[str, Any]:
    return {
        "model_type": "minimind", "hidden_size": 768, "num_hidden_layers": 8, "num_attention_heads": 8,
        "num_key_value_heads": 4, "head_dim": 96, "vocab_size": 6400, "intermediate_size": 2432,
        "tie_word_embeddings": True, "use_moe": moe, "num_experts": 4, "num_experts_per_tok": 1,
        "moe_intermediate_size": 2432,
    }


_MINIMIND2 = "jingyaogong/minimind model/model_minimind.py @ c090b69 with the README's MiniMind2 table (@ 29454c3)"
_MINIMIND3 = "jingyaogong/minimind model/model_minimind.py and README @ d65ef2c"

PRESETS: tuple[Preset, ...] = (
    Preset(key="minimind2-small", display_name="MiniMind2-Small", family="minimind", source=_MINIMIND2,
           published_total="26M", published_active=None, config=_minimind2(512, 8, moe=False)),
    Preset(key="minimind2", display_name="MiniMind2", family="minimind", source=_MINIMIND2,
           published_total="104M", published_active=None, config=_minimind2(768, 16, moe=False)),
    Preset(key="minimind2-moe", display_name="MiniMind2-MoE", family="minimind", source=_MINIMIND2,
           published_total="145M", published_active=None, config=_minimind2(640, 8, moe=True),
           aliases=("minimind-moe", "minimind moe")),
    Preset(key="minimind-3", display_name="minimind-3", family="minimind", source=_MINIMIND3,
           published_total="64M", published_active=None, config=_minimind3(moe=False),
           aliases=("minimind3",)),
    Preset(key="minimind-3-moe", display_name="minimind-3-moe", family="minimind", source=_MINIMIND3,
           published_total="198M", published_active="64M", config=_minimind3(moe=True),
           aliases=("minimind3-moe",)),
    Preset(key="llama-2-7b", display_name="Llama-2-7B", family="llama",
           source="meta-llama/Llama-2-7b-hf config.json", published_total="6.7B", published_active=None,
           config={"model_type": "llama", "vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 11008,
                   "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 32}),
    Preset(key="llama-3-8b", display_name="Llama-3-8B", family="llama",
           source="meta-llama/Meta-Llama-3-8B config.json", published_total="8.03B", published_active=None,
           config={"model_type": "llama", "vocab_size": 128256, "hidden_size": 4096, "intermediate_size": 14336,
                   "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8},
           aliases=("llama3-8b", "llama 3 8b")),
    Preset(key="llama-3-70b", display_name="Llama-3-70B", family="llama",
           source="meta-llama/Meta-Llama-3-70B config.json", published_total="70.6B", published_active=None,
           config={"model_type": "llama", "vocab_size": 128256, "hidden_size": 8192, "intermediate_size": 28672,
                   "num_hidden_layers": 80, "num_attention_heads": 64, "num_key_value_heads": 8}),
    Preset(key="mistral-7b", display_name="Mistral-7B-v0.1", family="mistral",
           source="mistralai/Mistral-7B-v0.1 config.json", published_total="7.24B", published_active=None,
           config={"model_type": "mistral", "vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 14336,
                   "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8}),
    Preset(key="mixtral-8x7b", display_name="Mixtral-8x7B-v0.1", family="mixtral",
           source="mistralai/Mixtral-8x7B-v0.1 config.json; Mistral AI blog 'Mixtral of experts'",
           published_total="46.7B", published_active="12.9B",
           config={"model_type": "mixtral", "vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 14336,
                   "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8,
                   "num_local_experts": 8, "num_experts_per_tok": 2},
           aliases=("mixtral",)),
    Preset(key="qwen2.5-7b", display_name="Qwen2.5-7B", family="qwen2",
           source="Qwen/Qwen2.5-7B config.json", published_total="7.61B", published_active=None,
           config={"model_type": "qwen2", "vocab_size": 152064, "hidden_size": 3584, "intermediate_size": 18944,
                   "num_hidden_layers": 28, "num_attention_heads": 28, "num_key_value_heads": 4,
                   "tie_word_embeddings": False}),
    Preset(key="qwen1.5-moe-a2.7b", display_name="Qwen1.5-MoE-A2.7B", family="qwen2_moe",
           source="Qwen/Qwen1.5-MoE-A2.7B config.json; Qwen blog 'Qwen1.5-MoE'",
           published_total="14.3B", published_active="2.7B",
           config={"model_type": "qwen2_moe", "vocab_size": 151936, "hidden_size": 2048,
                   "intermediate_size": 5632, "num_hidden_layers": 24, "num_attention_heads": 16,
                   "num_key_value_heads": 16, "decoder_sparse_step": 1, "moe_intermediate_size": 1408,
                   "shared_expert_intermediate_size": 5632, "num_experts_per_tok": 4, "num_experts": 60,
                   "mlp_only_layers": [], "qkv_bias": True}),
    Preset(key="qwen3-8b", display_name="Qwen3-8B", family="qwen3",
           source="Qwen/Qwen3-8B config.json", published_total="8.2B", published_active=None,
           config={"model_type": "qwen3", "vocab_size": 151936, "hidden_size": 4096, "intermediate_size": 12288,
                   "num_hidden_layers": 36, "num_attention_heads": 32, "num_key_value_heads": 8,
                   "head_dim": 128, "tie_word_embeddings": False}),
    Preset(key="qwen3-30b-a3b", display_name="Qwen3-30B-A3B", family="qwen3_moe",
           source="Qwen/Qwen3-30B-A3B config.json; Qwen3 model card", published_total="30.5B",
           published_active="3.3B",
           config={"model_type": "qwen3_moe", "vocab_size": 151936, "hidden_size": 2048,
                   "intermediate_size": 6144, "num_hidden_layers": 48, "num_attention_heads": 32,
                   "num_key_value_heads": 4, "head_dim": 128, "num_experts": 128, "num_experts_per_tok": 8,
                   "moe_intermediate_size": 768, "decoder_sparse_step": 1, "mlp_only_layers": [],
                   "tie_word_embeddings": False}),
    Preset(key="deepseek-v2-lite", display_name="DeepSeek-V2-Lite", family="deepseek_v2",
           source="deepseek-ai/DeepSeek-V2-Lite config.json; DeepSeek-V2 paper", published_total="15.7B",
           published_active="2.4B",
           config={"model_type": "deepseek_v2", "vocab_size": 102400, "hidden_size": 2048,
                   "intermediate_size": 10944, "moe_intermediate_size": 1408, "num_hidden_layers": 27,
                   "num_attention_heads": 16, "num_key_value_heads": 16, "n_shared_experts": 2,
                   "n_routed_experts": 64, "num_experts_per_tok": 6, "first_k_dense_replace": 1,
                   "moe_layer_freq": 1, "kv_lora_rank": 512, "q_lora_rank": None, "qk_rope_head_dim": 64,
                   "v_head_dim": 128, "qk_nope_head_dim": 128}),
    Preset(key="deepseek-v3", display_name="DeepSeek-V3", family="deepseek_v3",
           source="deepseek-ai/DeepSeek-V3 config.json; DeepSeek-V3 technical report",
           published_total="671B", published_active="37B",
           config={"model_type": "deepseek_v3", "vocab_size": 129280, "hidden_size": 7168,
                   "intermediate_size": 18432, "moe_intermediate_size": 2048, "num_hidden_layers": 61,
                   "num_attention_heads": 128, "num_key_value_heads": 128, "n_shared_experts": 1,
                   "n_routed_experts": 256, "num_experts_per_tok": 8, "first_k_dense_replace": 3,
                   "moe_layer_freq": 1, "kv_lora_rank": 512, "q_lora_rank": 1536, "qk_rope_head_dim": 64,
                   "v_head_dim": 128, "qk_nope_head_dim": 128, "num_nextn_predict_layers": 1},
           aliases=("deepseek v3", "dsv3")),
    Preset(key="olmoe-1b-7b", display_name="OLMoE-1B-7B", family="olmoe",
           source="allenai/OLMoE-1B-7B-0924 config.json; OLMoE paper", published_total="6.9B",
           published_active="1.3B",
           config={"model_type": "olmoe", "vocab_size": 50304, "hidden_size": 2048, "intermediate_size": 1024,
                   "num_hidden_layers": 16, "num_attention_heads": 16, "num_key_value_heads": 16,
                   "num_experts": 64, "num_experts_per_tok": 8, "tie_word_embeddings": False},
           aliases=("olmoe",)),
)

_BY_KEY = {p.key: p for p in PRESETS}


def _normalise(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name.strip().lower())


_LOOKUP: dict[str, str] = {}
for _p in PRESETS:
    for _alias in (_p.key, _p.display_name, *_p.aliases):
        _LOOKUP[_normalise(_alias)] = _p.key


@cache
def _shape(key: str) -> ModelShape:
    preset = _BY_KEY[key]
    shape = shape_from_hf_config(preset.config, name=preset.display_name)
    return shape


def find_preset(name: str) -> Preset:
    """Look a preset up by key, display name or alias (case, spaces, dashes and underscores ignored)."""
    key = _LOOKUP.get(_normalise(name)) if isinstance(name, str) else None
    if key is None:
        raise CalcInputError(
            field="preset", value=name, expected="one of: " + ", ".join(p.key for p in PRESETS),
        )
    return _BY_KEY[key]


def list_presets() -> tuple[Preset, ...]:
    return PRESETS
