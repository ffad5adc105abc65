"""Known architectures, each stored as its published ``config.json`` fields and read through
:func:`tools.calc.hf_config.shape_from_hf_config` (one reader, no second copy of the rules).

Every preset names its source and, where the vendor published them, the headline totals so a
report can show "ours vs published" side by side. Vendors count "active" differently (with or
without the input embedding and the output head, with or without MTP layers): a preset names the
convention its vendor's active figure follows (:data:`ACTIVE_CONVENTIONS`), stated by the vendor or
inferred from the numbers, and its ``convention_note`` says which, and why ours differs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from tools.calc.errors import CalcInputError
from tools.calc.hf_config import shape_from_hf_config
from tools.calc.params import ParameterBreakdown
from tools.calc.shapes import ModelShape

# How a vendor's "active" figure is counted, each as the ParameterBreakdown property that gives it.
# Ours (tools/calc/params.py) is "incl_embedding_and_head": a tied matrix once.
ACTIVE_CONVENTIONS: dict[str, str] = {
    "incl_embedding_and_head": "active",
    "excl_input_embedding": "active_excl_input_embedding",
    "excl_embedding_and_head": "active_excl_embedding_and_lm_head",
}


@dataclass(frozen=True, kw_only=True)
class Preset:
    """A known architecture: its config.json fields, source, and the vendor's headline figures.

    ``source`` is the full provenance (in English); ``citation`` is the short form a sentence in either
    language cites: the repository and file the config comes from (by default the first part of ``source``).

    ``published_active_convention`` (a key of :data:`ACTIVE_CONVENTIONS`, or None when unknown)
    says which of our counts the vendor's active figure corresponds to; ``convention_note`` says
    whether the vendor states it or it is inferred, and explains any gap to our count.
    """

    key: str
    display_name: str
    family: str
    source: str
    published_total: str | None
    published_active: str | None
    config: dict[str, Any]
    aliases: tuple[str, ...] = ()
    published_active_convention: str | None = None
    convention_note: str = ""
    citation: str = ""

    def __post_init__(self) -> None:
        if not self.citation:
            object.__setattr__(self, "citation", self.source.partition(";")[0].strip())
        convention = self.published_active_convention
        if convention is not None and convention not in ACTIVE_CONVENTIONS:
            raise CalcInputError(
                field="published_active_convention", value=convention,
                expected="one of " + ", ".join(ACTIVE_CONVENTIONS) + " or None",
                code="internal",
            )

    @property
    def shape(self) -> ModelShape:
        return _shape(self.key)


def active_under_convention(counts: ParameterBreakdown, convention: str) -> int:
    """Our active count under a vendor's convention (a key of :data:`ACTIVE_CONVENTIONS`)."""
    if convention not in ACTIVE_CONVENTIONS:
        raise CalcInputError(field="convention", value=convention, expected="one of " + ", ".join(ACTIVE_CONVENTIONS),
                             code="internal")
    return getattr(counts, ACTIVE_CONVENTIONS[convention])


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


_SOURCES_NOTE = "; see tests/fixtures/hf-configs/SOURCES.md for the copy read and any value not confirmed"
_GLM45 = ("zai-org/GLM-4.5 and GLM-4.5-Air config.json, read from copies (zai-org/GLM-4.7 refs/pr/49 and "
          "PrimeIntellect/INTELLECT-3-Base), cross-checked with NVIDIA Megatron-Bridge's GLM 4.5 page; "
          "GLM-4.5 README (355B/32B, 106B/12B)" + _SOURCES_NOTE)
_GPT_OSS = ("openai/gpt-oss-20b / -120b config.json, read from copies (descript/mouse-20b; the 120b's "
            "original/config.json in witflag/AlphaMind); gpt-oss model card (arXiv 2508.10925)" + _SOURCES_NOTE)
_LLAMA4 = ("meta-llama/Llama-4-Scout-17B-16E and Llama-4-Maverick-17B-128E config.json text_config, read from "
           "copies (a public dump of the Scout config; NVIDIA/TensorRT-LLM test_modeling_llama_min_latency.py "
           "for Maverick); Meta's Llama 4 announcement (17B active; 109B, 400B)" + _SOURCES_NOTE)
_ERNIE = ("baidu/ERNIE-4.5-21B-A3B-PT and ERNIE-4.5-300B-A47B-PT config.json, read from copies in Ascend "
          "MindIE-LLM tests; transformers Ernie4_5_MoeConfig defaults (21B-A3B); ERNIE 4.5 README" + _SOURCES_NOTE)
_HUNYUAN = ("tencent/Hunyuan-A13B-Instruct config.json, read from a copy in a public test fixture; Hunyuan-A13B "
            "README (80B total, 13B active)" + _SOURCES_NOTE)
_DOTS1 = ("rednote-hilab/dots.llm1.base config.json (refs/pr/4 on the vendor's hub repo); dots.llm1 "
          "technical report (142B total, 14B active)" + _SOURCES_NOTE)


def _glm45(*, air: bool) -> dict[str, Any]:
    return {
        "model_type": "glm4_moe", "vocab_size": 151552, "hidden_size": 4096 if air else 5120, "head_dim": 128,
        "intermediate_size": 10944 if air else 12288, "moe_intermediate_size": 1408 if air else 1536,
        "num_hidden_layers": 46 if air else 92, "num_attention_heads": 96, "num_key_value_heads": 8,
        "n_routed_experts": 128 if air else 160, "n_shared_experts": 1, "num_experts_per_tok": 8,
        "first_k_dense_replace": 1 if air else 3, "attention_bias": True, "use_qk_norm": not air,
        "num_nextn_predict_layers": 1, "tie_word_embeddings": False,
    }


def _gpt_oss(*, layers: int, experts: int) -> dict[str, Any]:
    return {
        "model_type": "gpt_oss", "vocab_size": 201088, "hidden_size": 2880, "intermediate_size": 2880,
        "head_dim": 64, "num_hidden_layers": layers, "num_attention_heads": 64, "num_key_value_heads": 8,
        "num_local_experts": experts, "num_experts_per_tok": 4, "attention_bias": True, "tie_word_embeddings": False,
    }


def _llama4(*, experts: int, step: int, qk_norm: bool) -> dict[str, Any]:
    return {
        "model_type": "llama4_text", "vocab_size": 202048, "hidden_size": 5120, "head_dim": 128,
        "intermediate_size": 8192, "intermediate_size_mlp": 16384, "num_hidden_layers": 48,
        "num_attention_heads": 40, "num_key_value_heads": 8, "num_local_experts": experts, "num_experts_per_tok": 1,
        "interleave_moe_layer_step": step, "use_qk_norm": qk_norm, "attention_bias": False,
    }


def _ernie(*, big: bool) -> dict[str, Any]:
    return {
        "model_type": "ernie4_5_moe", "vocab_size": 103424, "hidden_size": 8192 if big else 2560,
        "intermediate_size": 28672 if big else 12288, "num_hidden_layers": 54 if big else 28,
        "num_attention_heads": 64 if big else 20, "num_key_value_heads": 8 if big else 4,
        "moe_num_experts": 64, "moe_num_shared_experts": 0 if big else 2,
        "moe_intermediate_size": 3584 if big else 1536,
        "moe_k": 8 if big else 6, "moe_layer_start_index": 3 if big else 1, "moe_layer_end_index": 53 if big else 27,
        "moe_layer_interval": 1, "tie_word_embeddings": True,
    }


_HUNYUAN_A13B: dict[str, Any] = {
    "model_type": "hunyuan", "architectures": ["HunYuanMoEV1ForCausalLM"], "vocab_size": 128167,
    "hidden_size": 4096, "attention_head_dim": 128, "intermediate_size": 3072, "moe_intermediate_size": [3072] * 32,
    "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8, "num_experts": 64,
    "moe_topk": [8] * 32, "num_shared_expert": [1] * 32, "use_mixed_mlp_moe": True, "use_qk_norm": True,
    "use_cla": False, "attention_bias": False, "tie_word_embeddings": True,
}

_DOTS1_CONFIG: dict[str, Any] = {
    "model_type": "dots1", "vocab_size": 152064, "hidden_size": 4096, "intermediate_size": 10944,
    "moe_intermediate_size": 1408, "num_hidden_layers": 62, "num_attention_heads": 32, "num_key_value_heads": 32,
    "n_routed_experts": 128, "n_shared_experts": 2, "num_experts_per_tok": 6, "first_k_dense_replace": 1,
    "moe_layer_freq": 1, "attention_bias": False, "tie_word_embeddings": False,
}


_MINIMIND2 = "jingyaogong/minimind model/model_minimind.py @ c090b69 with the README's MiniMind2 table (@ 29454c3)"
_MINIMIND3 = "jingyaogong/minimind model/model_minimind.py and README @ d65ef2c"

PRESETS: tuple[Preset, ...] = (
    Preset(key="minimind2-small", display_name="MiniMind2-Small", family="minimind", source=_MINIMIND2,
           citation="jingyaogong/minimind model/model_minimind.py",
           published_total="26M", published_active=None, config=_minimind2(512, 8, moe=False)),
    Preset(key="minimind2", display_name="MiniMind2", family="minimind", source=_MINIMIND2,
           citation="jingyaogong/minimind model/model_minimind.py",
           published_total="104M", published_active=None, config=_minimind2(768, 16, moe=False)),
    Preset(key="minimind2-moe", display_name="MiniMind2-MoE", family="minimind", source=_MINIMIND2,
           citation="jingyaogong/minimind model/model_minimind.py",
           published_total="145M", published_active=None, config=_minimind2(640, 8, moe=True),
           aliases=("minimind-moe", "minimind moe")),
    Preset(key="minimind-3", display_name="minimind-3", family="minimind", source=_MINIMIND3,
           citation="jingyaogong/minimind model/model_minimind.py",
           published_total="64M", published_active=None, config=_minimind3(moe=False),
           aliases=("minimind3",)),
    Preset(key="minimind-3-moe", display_name="minimind-3-moe", family="minimind", source=_MINIMIND3,
           citation="jingyaogong/minimind model/model_minimind.py",
           published_total="198M", published_active="64M", config=_minimind3(moe=True),
           published_active_convention="incl_embedding_and_head",
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
           published_total="46.7B", published_active="12.9B", published_active_convention="incl_embedding_and_head",
           convention_note="12.9B matches our count with the embedding and lm_head (12.880B); without the "
                           "input embedding it would be 12.749B (tests/fixtures/models.json notes).",
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
           published_total="14.3B", published_active="2.7B", published_active_convention="incl_embedding_and_head",
           convention_note="2.7B matches our count with the embedding and lm_head (2.689B); Qwen's "
                           "'2.0B non-embedding' is the count without both (2.067B).",
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
           published_active="2.4B", published_active_convention="excl_input_embedding",
           convention_note="DeepSeek counts active parameters without the input embedding (2.4B); with it, "
                           "as we count, 2.66B.",
           config={"model_type": "deepseek_v2", "vocab_size": 102400, "hidden_size": 2048,
                   "intermediate_size": 10944, "moe_intermediate_size": 1408, "num_hidden_layers": 27,
                   "num_attention_heads": 16, "num_key_value_heads": 16, "n_shared_experts": 2,
                   "n_routed_experts": 64, "num_experts_per_tok": 6, "first_k_dense_replace": 1,
                   "moe_layer_freq": 1, "kv_lora_rank": 512, "q_lora_rank": None, "qk_rope_head_dim": 64,
                   "v_head_dim": 128, "qk_nope_head_dim": 128}),
    Preset(key="deepseek-v3", display_name="DeepSeek-V3", family="deepseek_v3",
           source="deepseek-ai/DeepSeek-V3 config.json; DeepSeek-V3 technical report",
           published_total="671B", published_active="37B", published_active_convention="excl_input_embedding",
           convention_note="DeepSeek's README_WEIGHTS gives 36.6B active including the 0.9B output head, "
                           "i.e. without the input embedding (ours: 36.626B; 37.552B with it). 671B is the main "
                           "model; the MTP module (counted apart) brings the stored checkpoint to 685B.",
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
    *(
        # --- 2025 MoE families; sources and unconfirmed values: tests/fixtures/hf-configs/SOURCES.md ---
        Preset(key="glm-4.5", display_name="GLM-4.5", family="glm4_moe", source=_GLM45,
               citation="zai-org/GLM-4.5 config.json",
               published_total="355B", published_active="32B", config=_glm45(air=False),
               aliases=("glm4.5", "glm 4.5"), published_active_convention="excl_embedding_and_head",
               convention_note="Inferred, not stated: 32B matches our count without the input embedding and the "
                               "output head (32.08B; ours with them 33.63B). 355B lies between our main model "
                               "(352.80B; transformers builds no MTP layer) and main + the one MTP layer counted "
                               "apart (356.79B); the vendor does not say which parts it includes."),
        Preset(key="glm-4.5-air", display_name="GLM-4.5-Air", family="glm4_moe", source=_GLM45,
               citation="zai-org/GLM-4.5-Air config.json",
               published_total="106B", published_active="12B", config=_glm45(air=True),
               aliases=("glm4.5-air", "glm 4.5 air"), published_active_convention="excl_embedding_and_head",
               convention_note="Inferred, not stated: 12B matches our count without the input embedding and the "
                               "output head (12.18B; ours with them 13.42B). 106B is our main model (106.85B) "
                               "without the MTP layer (with it 109.23B)."),
        Preset(key="gpt-oss-120b", display_name="gpt-oss-120b", family="gpt_oss", source=_GPT_OSS,
               citation="openai/gpt-oss-120b config.json",
               published_total="116.83B", published_active="5.13B", config=_gpt_oss(layers=36, experts=128),
               published_active_convention="excl_input_embedding",
               convention_note="The model card's 116.83B total equals ours; its 5.13B active equals our count "
                               "without the input embedding, unembedding kept (5.133B; ours with it 5.712B). "
                               "Inferred from the numbers. Sinks, router and expert biases are counted."),
        Preset(key="gpt-oss-20b", display_name="gpt-oss-20b", family="gpt_oss", source=_GPT_OSS,
               citation="openai/gpt-oss-20b config.json",
               published_total="20.91B", published_active="3.61B", config=_gpt_oss(layers=24, experts=32),
               published_active_convention="excl_input_embedding",
               convention_note="The model card's 20.91B total equals ours; its 3.61B active equals our count "
                               "without the input embedding (3.608B; ours with it 4.187B). Inferred from the numbers."),
        Preset(key="llama-4-scout", display_name="Llama-4-Scout-17B-16E", family="llama4_text", source=_LLAMA4,
               citation="meta-llama/Llama-4-Scout-17B-16E config.json",
               published_total="109B", published_active="17B", config=_llama4(experts=16, step=1, qk_norm=True),
               aliases=("llama4-scout", "llama 4 scout"), published_active_convention="incl_embedding_and_head",
               convention_note="17B matches our count with the embedding and lm_head (17.17B; 16.14B without the "
                               "input embedding). Meta's 109B is the multimodal checkpoint: the text model counted "
                               "here is 107.77B; the vision encoder and projector are not counted."),
        Preset(key="llama-4-maverick", display_name="Llama-4-Maverick-17B-128E", family="llama4_text", source=_LLAMA4,
               citation="meta-llama/Llama-4-Maverick-17B-128E config.json",
               published_total="400B", published_active="17B", config=_llama4(experts=128, step=2, qk_norm=False),
               aliases=("llama4-maverick", "llama 4 maverick"), published_active_convention="incl_embedding_and_head",
               convention_note="17B matches our count with the embedding and lm_head (17.18B). The text model is "
                               "400.71B; Meta's ~400B headline also covers the vision encoder, not counted here."),
        Preset(key="ernie-4.5-21b-a3b", display_name="ERNIE-4.5-21B-A3B", family="ernie4_5_moe", source=_ERNIE,
               citation="baidu/ERNIE-4.5-21B-A3B-PT config.json",
               published_total="21B", published_active="3B", config=_ernie(big=False),
               aliases=("ernie-4.5-21b", "ernie 4.5 21b"),
               convention_note="Convention not determinable: with the tied embedding (counted once) our active is "
                               "3.35B, without it 3.09B; both round to Baidu's 3B. Total 21.83B. The router's "
                               "e_score_correction_bias is an nn.Parameter in transformers and is counted."),
        Preset(key="ernie-4.5-300b-a47b", display_name="ERNIE-4.5-300B-A47B", family="ernie4_5_moe", source=_ERNIE,
               citation="baidu/ERNIE-4.5-300B-A47B-PT config.json",
               published_total="300B", published_active="47B", config=_ernie(big=True),
               aliases=("ernie-4.5-300b", "ernie 4.5 300b"), published_active_convention="incl_embedding_and_head",
               convention_note="Inferred: 47B matches our count with the tied embedding (47.08B; 46.23B without). "
                               "Our total is 298.64B against the rounded 300B."),
        Preset(key="hunyuan-a13b", display_name="Hunyuan-A13B", family="hunyuan_v1_moe", source=_HUNYUAN,
               citation="tencent/Hunyuan-A13B-Instruct config.json",
               published_total="80B", published_active="13B", config=_HUNYUAN_A13B,
               aliases=("hunyuan a13b",), published_active_convention="incl_embedding_and_head",
               convention_note="Inferred: 13B is nearer our count with the tied embedding (12.75B) than without it "
                               "(12.22B). Total 80.39B."),
        Preset(key="dots.llm1", display_name="dots.llm1", family="dots1", source=_DOTS1,
               citation="rednote-hilab/dots.llm1.base config.json",
               published_total="142B", published_active="14B", config=_DOTS1_CONFIG,
               aliases=("dots-llm1", "dots llm1", "dots1"), published_active_convention="incl_embedding_and_head",
               convention_note="Inferred: 14B matches our count with the embedding and lm_head (14.02B; 13.39B "
                               "without the input embedding). Total 142.77B."),
    ),
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
            code="unknown_preset", values={"choices": tuple(p.display_name for p in PRESETS)},
        )
    return _BY_KEY[key]


def list_presets() -> tuple[Preset, ...]:
    return PRESETS
