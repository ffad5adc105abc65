"""Read a HuggingFace ``config.json`` (already parsed into a dict) into a :class:`ModelShape`.

Supported families, each read the way its transformers 5.23 / MiniMind modelling code builds the
modules: Llama, Mistral, Mixtral, Qwen2, Qwen2-MoE, Qwen3, Qwen3-MoE, DeepSeek-V2, DeepSeek-V3,
OLMoE, GLM-4.5 (``glm4_moe``), gpt-oss, Llama 4 (``llama4_text``), ERNIE-4.5-MoE, Hunyuan-MoE
(``hunyuan_v1_moe``), dots.llm1 (``dots1``) and MiniMind (MiniMind2 @ c090b69, minimind-3 @ d65ef2c).

Configs are read as they exist: hub files, files saved by transformers 4.x (with its generation
defaults) and by 5.x (``to_dict()`` / ``save_pretrained``), under either name of an aliased key
(``num_experts`` / ``num_local_experts``…). Nothing is guessed silently: an unknown family, a missing
required field, or a field that may change the parameter count and is not modelled raises
:class:`CalcInputError` naming that field (see :mod:`tools.calc.hf_config.fields` for the keys
accepted as count-neutral).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tools.calc.errors import CalcInputError
from tools.calc.hf_config.deepseek import read_deepseek, read_dots1, read_glm4_moe
from tools.calc.hf_config.dense import read_llama, read_mistral, read_qwen2, read_qwen3
from tools.calc.hf_config.minimind import minimind2_ffn_width, minimind3_ffn_width, read_minimind
from tools.calc.hf_config.moe import read_mixtral, read_olmoe, read_qwen_moe
from tools.calc.hf_config.recent import read_ernie4_5_moe, read_gpt_oss, read_hunyuan_v1_moe, read_llama4_text
from tools.calc.shapes import ModelShape

__all__ = ["SUPPORTED_MODEL_TYPES", "minimind2_ffn_width", "minimind3_ffn_width", "shape_from_hf_config"]

_READERS: dict[str, Callable[[Mapping[str, Any], str], ModelShape]] = {
    "llama": read_llama,
    "mistral": read_mistral,
    "mixtral": read_mixtral,
    "qwen2": read_qwen2,
    "qwen3": read_qwen3,
    "qwen2_moe": lambda c, n: read_qwen_moe(c, n, qwen3=False),
    "qwen3_moe": lambda c, n: read_qwen_moe(c, n, qwen3=True),
    "deepseek_v2": lambda c, n: read_deepseek(c, n, v3=False),
    "deepseek_v3": lambda c, n: read_deepseek(c, n, v3=True),
    "olmoe": read_olmoe,
    "glm4_moe": read_glm4_moe,
    "gpt_oss": read_gpt_oss,
    "llama4_text": read_llama4_text,
    "ernie4_5_moe": read_ernie4_5_moe,
    "hunyuan_v1_moe": read_hunyuan_v1_moe,
    "dots1": read_dots1,
    "minimind": read_minimind,
}

_ARCHITECTURES = {
    "LlamaForCausalLM": "llama", "MistralForCausalLM": "mistral", "MixtralForCausalLM": "mixtral",
    "Qwen2ForCausalLM": "qwen2", "Qwen3ForCausalLM": "qwen3", "Qwen2MoeForCausalLM": "qwen2_moe",
    "Qwen3MoeForCausalLM": "qwen3_moe", "DeepseekV2ForCausalLM": "deepseek_v2",
    "DeepseekV3ForCausalLM": "deepseek_v3", "OlmoeForCausalLM": "olmoe", "Glm4MoeForCausalLM": "glm4_moe",
    "GptOssForCausalLM": "gpt_oss", "Llama4ForCausalLM": "llama4_text", "Ernie4_5_MoeForCausalLM": "ernie4_5_moe",
    "HunYuanMoEV1ForCausalLM": "hunyuan_v1_moe", "Dots1ForCausalLM": "dots1", "MiniMindForCausalLM": "minimind",
}

# model_type values of hub files that transformers reads with another class, only together with the
# architecture that says which one (Hunyuan-A13B's remote-code config says "hunyuan").
_REMOTE_CODE_TYPES = {("hunyuan", "HunYuanMoEV1ForCausalLM"): "hunyuan_v1_moe"}

SUPPORTED_MODEL_TYPES = tuple(_READERS)


def _model_type(config: Mapping[str, Any]) -> str:
    model_type = config.get("model_type")
    architectures = config.get("architectures") or []
    if not isinstance(architectures, list) or not all(isinstance(name, str) for name in architectures):
        raise CalcInputError(field="architectures", value=architectures, expected="a list of class names",
                             code="list_of_names")
    if model_type is not None and not isinstance(model_type, str):
        raise CalcInputError(field="model_type", value=model_type, expected="text", code="text")
    for architecture in architectures:
        if (model_type, architecture) in _REMOTE_CODE_TYPES:
            return _REMOTE_CODE_TYPES[(model_type, architecture)]
    if model_type == "llama4":
        raise CalcInputError(
            field="model_type", value=model_type, expected="its text_config object (model_type llama4_text)",
            why="the multimodal config also holds a vision encoder and projector, which are not counted",
            code="llama4_text_config",
        )
    if model_type is None:
        known = [_ARCHITECTURES[a] for a in architectures if a in _ARCHITECTURES]
        if not known:
            raise CalcInputError(
                field="model_type", value=None,
                expected=f"one of {', '.join(SUPPORTED_MODEL_TYPES)} (or a known 'architectures' entry)",
                code="config_model_type", values={"choices": SUPPORTED_MODEL_TYPES},
            )
        return known[0]
    if model_type not in _READERS:
        raise CalcInputError(
            field="model_type", value=model_type, expected=f"one of {', '.join(SUPPORTED_MODEL_TYPES)}",
            code="config_model_type", values={"choices": SUPPORTED_MODEL_TYPES},
        )
    return model_type


def shape_from_hf_config(config: Mapping[str, Any], *, name: str = "hf-config") -> ModelShape:
    """Build a ModelShape from a parsed ``config.json``; raise CalcInputError on anything unclear."""
    if not isinstance(config, Mapping):
        raise CalcInputError(field="config", value=type(config).__name__, expected="a JSON object", code="json_object")
    return _READERS[_model_type(config)](config, name)
