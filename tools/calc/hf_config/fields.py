"""Reading the keys of one ``config.json``: aliases, count-neutral keys, and refusal of everything else.

A family reader asks :class:`ConfigFields` for each key it uses (``.integer``, ``.flag``, ``.uniform``…),
declares the family's own count-neutral keys (``.neutral`` at a value, ``.ignore`` at any value), and
calls ``.finish()``. Every key that is neither read nor declared, nor listed here as neutral for all
families, raises :class:`CalcInputError` naming it: a key that might change the parameter count is
never skipped silently.

The neutral lists come from dumping ``to_dict()`` of the transformers config classes of every supported
family, in transformers 5.23.0 and 4.57.6 (whose ``PretrainedConfig`` still wrote the generation
defaults ``max_length``, ``top_k``, … into every config), and from the published files in
tests/fixtures/hf-configs/.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tools.calc.errors import CalcInputError, require_int
from tools.calc.shapes import MAX_DIM, MAX_HEADS, MAX_LAYERS

_MISSING: Any = object()

# Keys that never change a parameter count, whatever their value.
NEUTRAL_KEYS = frozenset({
    # bookkeeping written by transformers / the hub
    "architectures", "model_type", "_name_or_path", "name_or_path", "transformers_version", "auto_map",
    "_commit_hash", "_attn_implementation", "_attn_implementation_autoset", "attn_implementation",
    "_from_model_config",
    # numerics and storage (a quantised checkpoint has the same parameters)
    "torch_dtype", "dtype", "use_bfloat16", "quantization_config", "initializer_range", "rms_norm_eps",
    "layer_norm_eps", "tf_legacy_loss",
    # token ids and tokenizer
    "bos_token_id", "eos_token_id", "pad_token_id", "sep_token_id", "eod_token_id", "decoder_start_token_id",
    "tokenizer_class", "prefix", "forced_bos_token_id", "forced_eos_token_id", "suppress_tokens",
    "begin_suppress_tokens", "bad_words_ids",
    # generation defaults (transformers 4.x PretrainedConfig wrote them into every config.json)
    "max_length", "min_length", "do_sample", "early_stopping", "num_beams", "num_beam_groups",
    "diversity_penalty", "temperature", "top_k", "top_p", "typical_p", "repetition_penalty", "length_penalty",
    "no_repeat_ngram_size", "encoder_no_repeat_ngram_size", "num_return_sequences", "output_scores",
    "return_dict_in_generate", "remove_invalid_values", "exponential_decay_length_penalty",
    # task-head metadata (a *ForCausalLM builds no classification head) and output switches
    "id2label", "label2id", "problem_type", "finetuning_task", "task_specific_params", "chunk_size_feed_forward",
    "is_decoder", "tie_encoder_decoder", "use_return_dict", "return_dict", "output_attentions",
    "output_hidden_states", "output_router_logits", "use_cache",
    # positions: RoPE has no parameters (learned position embeddings are modelled apart)
    "rope_theta", "rope_scaling", "rope_parameters", "rope_interleave", "max_position_embeddings",
    "partial_rotary_factor", "inference_rope_scaling",
    # which keys a query may see (windows, chunks), not how many weights there are
    "sliding_window", "use_sliding_window", "max_window_layers",
    # dropout and training-time knobs
    "attention_dropout", "hidden_dropout", "dropout", "resid_pdrop", "embd_pdrop", "attn_pdrop",
    "pretraining_tp", "router_aux_loss_coef", "router_jitter_noise", "aux_loss_alpha", "seq_aux",
    "norm_topk_prob", "scoring_func", "topk_method", "n_group", "topk_group", "routed_scaling_factor",
    "ep_size", "flash_attn", "clip_qkv",
})

# Keys that are count-neutral only at one value: (neutral value, why another value is refused).
NEUTRAL_AT: Mapping[str, tuple[Any, str]] = {
    "pruned_heads": ({}, "pruned attention heads remove weights, which is not modelled"),
    "add_cross_attention": (False, "cross-attention layers would add weights"),
    "cross_attention_hidden_size": (None, "cross-attention layers would add weights"),
    "is_encoder_decoder": (False, "only decoder-only models are read"),
    "torchscript": (False, "transformers clones instead of tying the output embedding under torchscript"),
}

# Activations of the gated MLPs; each picks a function, never a number of weights.
ACTIVATIONS = frozenset({"silu", "swish", "gelu", "gelu_pytorch_tanh", "gelu_new", "relu"})

# layer_types entries that only change which keys a query sees; any other kind of layer is refused.
ATTENTION_LAYER_TYPES = frozenset({"full_attention", "sliding_attention", "chunked_attention"})


class ConfigFields:
    """The keys of one config.json, read by one family reader (see the module docstring).

    ``aliases`` maps a canonical key to the other names transformers accepts for it (its
    ``attribute_map`` and older spellings); a config may use either name, or both with one value.
    """

    def __init__(
        self, *, config: Mapping[str, Any], family: str, aliases: Mapping[str, Iterable[str]] | None = None
    ) -> None:
        values = dict(config)
        for canonical, names in (aliases or {}).items():
            for alias in names:
                if alias not in values:
                    continue
                value = values.pop(alias)
                if values.get(canonical) is not None and value is not None and values[canonical] != value:
                    raise CalcInputError(
                        field=alias, value=value, expected=f"the value of {canonical} ({values[canonical]!r})",
                        why=f"{alias} and {canonical} name the same field",
                        code="same_as_field", values={"other": canonical, "target": values[canonical]},
                    )
                if values.get(canonical) is None:
                    values[canonical] = value
        self.family = family
        self._values = values
        self._seen: set[str] = set()

    def has(self, key: str) -> bool:
        return self._values.get(key) is not None

    def value(self, key: str, default: Any = None) -> Any:
        """The raw value (``default`` when missing or null), marking the key as read."""
        self._seen.add(key)
        value = self._values.get(key)
        return default if value is None else value

    def integer(self, key: str, default: Any = _MISSING) -> Any:
        """An integer; ``default`` when missing or null (raise, naming the key, when there is none)."""
        value = self.value(key)
        if value is None:
            if default is _MISSING:
                raise CalcInputError(field=key, value=None, expected="an integer in config.json (the field is missing)",
                                     code="config_field_missing")
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise CalcInputError(field=key, value=value, expected="an integer", code="integer")
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.value(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise CalcInputError(field=key, value=value, expected="true or false", code="boolean")
        return value

    def uniform(self, key: str, default: Any = _MISSING) -> Any:
        """An integer given once or as a per-layer list; a list must hold one value for every layer."""
        value = self.value(key)
        if isinstance(value, list):
            if not value or len(set(map(repr, value))) != 1:
                raise CalcInputError(
                    field=key, value=value, expected="the same value for every layer",
                    why="per-layer values that differ are not modelled",
                    code="same_for_every_layer",
                )
            self._values[key] = value[0]
        return self.integer(key, default)

    def neutral(self, key: str, *, at: Any, why: str) -> None:
        """Accept ``key`` only at its count-neutral value ``at`` (or absent/null); refuse any other value."""
        value = self.value(key)
        if value is not None and value != at:
            raise CalcInputError(field=key, value=value, expected=repr(at), why=why,
                                 code="equals", values={"target": at})

    def ignore(self, *keys: str) -> None:
        """Declare family-specific keys that never change the count (the caller says why in a comment)."""
        self._seen.update(keys)

    def finish(self) -> None:
        """Refuse, by name, every key that was neither read nor declared count-neutral."""
        for key, value in self._values.items():
            if key in self._seen or key in NEUTRAL_KEYS:
                continue
            if key in NEUTRAL_AT:
                neutral, why = NEUTRAL_AT[key]
                if value is not None and value != neutral:
                    raise CalcInputError(field=key, value=value, expected=repr(neutral), why=why,
                                         code="equals", values={"target": neutral})
                continue
            if key == "layer_types":
                _check_layer_types(value)
                continue
            raise CalcInputError(
                field=key, value=value, expected=f"a field the {self.family} reader understands",
                why="it may change the parameter count, so it is not ignored",
                code="unknown_config_field", values={"family": self.family},
            )

    def core(self, *, tied_default: bool, head_dim_default: int | None = None) -> dict[str, Any]:
        """The keys every family shares, as ModelShape keyword arguments.

        ``num_key_value_heads`` defaults to the number of heads (MHA) and ``head_dim`` to
        ``head_dim_default`` (None: hidden_size // heads), as the transformers classes do.
        """
        act = self.value("hidden_act", "silu")
        if not isinstance(act, str) or act not in ACTIVATIONS:
            raise CalcInputError(field="hidden_act", value=act, expected=f"one of {', '.join(sorted(ACTIVATIONS))}",
                                 code="one_of", values={"choices": tuple(sorted(ACTIVATIONS))})
        # In range before a family reader builds anything from them (a list of the layers, a width from the
        # hidden size): a 229-byte config must not claim 3e7 layers and take gigabytes first.
        heads = require_int("num_attention_heads", self.integer("num_attention_heads"), maximum=MAX_HEADS)
        head_dim = self.integer("head_dim", head_dim_default)
        return {
            "vocab_size": require_int("vocab_size", self.integer("vocab_size"), maximum=MAX_DIM),
            "hidden_size": require_int("hidden_size", self.integer("hidden_size"), maximum=MAX_DIM),
            "num_layers": require_int("num_hidden_layers", self.integer("num_hidden_layers"), maximum=MAX_LAYERS),
            "num_heads": heads,
            "num_kv_heads": require_int("num_key_value_heads", self.integer("num_key_value_heads", heads),
                                        maximum=heads),
            "head_dim": head_dim if head_dim is None else require_int("head_dim", head_dim, maximum=MAX_DIM),
            "tied_embeddings": self.flag("tie_word_embeddings", tied_default),
        }


def _check_layer_types(value: Any) -> None:
    if not isinstance(value, list) or not set(value) <= ATTENTION_LAYER_TYPES:
        raise CalcInputError(
            field="layer_types", value=value, expected=f"a list of {', '.join(sorted(ATTENTION_LAYER_TYPES))}",
            why="other layer kinds (e.g. linear attention) have other weights",
            code="list_of", values={"choices": tuple(sorted(ATTENTION_LAYER_TYPES))},
        )
