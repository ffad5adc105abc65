"""Exact parameter counts of decoder-only transformers, dense or MoE.

The counting follows the module structure of HuggingFace transformers (Llama, Mistral,
Mixtral, Qwen2/3, Qwen2-MoE, Qwen3-MoE, DeepSeek-V2/V3, OLMoE, GLM-4.5, gpt-oss, Llama 4,
ERNIE-4.5-MoE, Hunyuan-MoE, dots.llm1) and MiniMind, so the totals match instantiated models to
the integer (tests/fixtures/models.json, tests/fixtures/instantiated_counts.json).

Conventions (the same as the reference counts):

* A tied ``lm_head`` shares the embedding matrix and is counted once (as ``embedding``).
* "Active" = every parameter except the routed experts a token does not use: shared experts,
  routers, attention, norms, the embedding and the lm_head all count as active, plus
  ``top_k`` routed experts in each MoE layer. Vendors differ (DeepSeek leaves out the input
  embedding), so the breakdown also gives ``active_excl_input_embedding`` and
  ``active_excl_embedding_and_lm_head``.
* "Non-embedding" (Kaplan et al. 2020 §2.1) leaves out the input embedding, the lm_head and
  learned position embeddings.
* Buffers are not parameters (DeepSeek-V3's, GLM-4.5's and dots.llm1's ``e_score_correction_bias``,
  RoPE tables). An ``nn.Parameter`` counts even with ``requires_grad=False`` (ERNIE-4.5's
  ``e_score_correction_bias``, counted as a router bias).

The formulas in :func:`parameter_terms` use only ``+``, ``-`` and ``*`` on their numeric
arguments, so the same code evaluates over numpy arrays of candidate shapes (see
``bench/bench_core.py``) without a second copy of any formula.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tools.calc.errors import require_int
from tools.calc.shapes import ModelShape

Number = Any  # int, or a numpy array of ints when evaluated over many candidate shapes


@dataclass(frozen=True, kw_only=True)
class ParameterTerms:
    """Weights (entering a matrix multiply) and vectors (biases, norm scales) per component.

    Keeping the two apart lets the FLOP count use exactly the matmul weights
    (see :mod:`tools.calc.flops`). All values are totals over the whole model.
    """

    embedding: Number
    position_embedding: Number
    lm_head: Number
    attention_weights: Number
    attention_biases: Number
    attention_sinks: Number
    attention_norm: Number
    dense_mlp_weights: Number
    dense_mlp_biases: Number
    routed_expert_weights: Number
    routed_expert_biases: Number
    routed_expert_weights_active: Number
    routed_expert_biases_active: Number
    shared_expert_weights: Number
    shared_expert_biases: Number
    router_weights: Number
    router_biases: Number
    norm: Number
    mtp_total: Number
    mtp_active: Number
    mtp_matmul_weights: Number

    @property
    def total(self) -> Number:
        """All parameters of the main model (MTP excluded); an int, or an array over candidate shapes."""
        return (self.embedding + self.position_embedding + self.lm_head + self.attention_weights
                + self.attention_biases + self.attention_sinks + self.attention_norm + self.dense_mlp_weights
                + self.dense_mlp_biases + self.routed_expert_weights + self.routed_expert_biases
                + self.shared_expert_weights + self.shared_expert_biases + self.router_weights + self.router_biases
                + self.norm)

    @property
    def active(self) -> Number:
        """Parameters a token uses: ``total`` with only the ``top_k`` routed experts of each MoE layer."""
        return (self.total - self.routed_expert_weights - self.routed_expert_biases
                + self.routed_expert_weights_active + self.routed_expert_biases_active)


def _attention_terms(
    *,
    hidden: Number,
    num_heads: Number,
    num_kv_heads: Number,
    head_dim: Number,
    qkv_bias: bool,
    output_bias: bool,
    qk_norm: str,
    norm_factor: int,
    mla: Any,
) -> tuple[Number, Number, Number]:
    """Per-layer (weights, biases, norm vectors) of one attention block.

    Standard attention (Vaswani et al. 2017; GQA: Ainslie et al. 2023): q is
    ``hidden x heads*head_dim``, k and v are ``hidden x kv_heads*head_dim``, o is
    ``heads*head_dim x hidden``. Qwen3/OLMoE-style q/k norms add two per-head norms.
    MLA (DeepSeek-V2 §2.1.2, Eqs. 9-19): q_a/q_b (or a plain q), kv_a (with the shared rope
    key), kv_b and o, plus RMSNorms on the two latents.
    """
    if mla is not None:
        qk_head = mla.qk_nope_head_dim + mla.qk_rope_head_dim
        if mla.q_lora_rank is None:
            q_weights = hidden * num_heads * qk_head  # q_proj
            q_norm = 0
        else:
            q_weights = hidden * mla.q_lora_rank + mla.q_lora_rank * num_heads * qk_head  # q_a, q_b
            q_norm = norm_factor * mla.q_lora_rank  # q_a_layernorm
        kv_weights = (
            hidden * (mla.kv_lora_rank + mla.qk_rope_head_dim)  # kv_a_proj_with_mqa
            + mla.kv_lora_rank * num_heads * (mla.qk_nope_head_dim + mla.v_head_dim)  # kv_b_proj
        )
        o_weights = num_heads * mla.v_head_dim * hidden  # o_proj
        kv_norm = norm_factor * mla.kv_lora_rank  # kv_a_layernorm
        biases = hidden if output_bias else 0
        return q_weights + kv_weights + o_weights, biases, q_norm + kv_norm
    q_width = num_heads * head_dim
    kv_width = num_kv_heads * head_dim
    weights = hidden * q_width + 2 * hidden * kv_width + q_width * hidden  # q, k, v, o
    biases = (q_width + 2 * kv_width if qkv_bias else 0) + (hidden if output_bias else 0)
    if qk_norm == "per_head":
        norms = 2 * norm_factor * head_dim  # q_norm, k_norm over head_dim (Qwen3)
    elif qk_norm == "full_width":
        norms = norm_factor * (q_width + kv_width)  # q_norm, k_norm over the full width (OLMoE)
    else:
        norms = 0
    return weights, biases, norms


def _mlp_terms(*, hidden: Number, width: Number, gated: bool, bias: bool) -> tuple[Number, Number]:
    """(weights, biases) of one FFN: gated = gate/up/down (SwiGLU, Shazeer 2020), plain = up/down."""
    matrices = 3 if gated else 2
    weights = matrices * hidden * width
    biases = ((matrices - 1) * width + hidden) if bias else 0
    return weights, biases


def parameter_terms(
    *,
    vocab_size: Number,
    hidden_size: Number,
    num_layers: Number,
    num_heads: Number,
    num_kv_heads: Number,
    head_dim: Number,
    intermediate_size: Number,
    num_moe_layers: Number = 0,
    num_experts: Number = 0,
    expert_intermediate_size: Number = 0,
    top_k: Number = 0,
    num_shared_experts: Number = 0,
    shared_expert_intermediate_size: Number = 0,
    max_position_embeddings: Number = 0,
    num_mtp_modules: Number = 0,
    gated_mlp: bool = True,
    mlp_bias: bool = False,
    attention_bias: bool = False,
    attention_output_bias: bool = False,
    qk_norm: str = "none",
    shared_expert_gate: bool = False,
    router_bias: bool = False,
    expert_bias: bool = False,
    shared_expert_bias: bool = False,
    attention_sinks: bool = False,
    layernorm: bool = False,
    tied_embeddings: bool = False,
    mla: Any = None,
) -> ParameterTerms:
    """Parameter terms from plain numbers; works on ints and on numpy integer arrays alike.

    Structural choices (gating, biases, sinks, norm kind, tying, MLA) are scalar flags; dimensions
    may be arrays. Use :func:`count_parameters` for a validated :class:`ModelShape`.

    ``mlp_bias`` puts biases on the dense MLPs, ``shared_expert_bias`` on the shared experts (set
    when a shape with ``mlp_bias`` has shared experts: transformers' DeepSeek-V2 builds both from one
    MLP class) and ``expert_bias`` on the routed experts (gpt-oss).
    """
    norm_factor = 2 if layernorm else 1  # LayerNorm has weight and bias; RMSNorm only a weight
    h = hidden_size
    num_dense_layers = num_layers - num_moe_layers

    attn_w, attn_b, attn_n = _attention_terms(
        hidden=h, num_heads=num_heads, num_kv_heads=num_kv_heads, head_dim=head_dim,
        qkv_bias=attention_bias, output_bias=attention_output_bias, qk_norm=qk_norm,
        norm_factor=norm_factor, mla=mla,
    )
    dense_w, dense_b = _mlp_terms(hidden=h, width=intermediate_size, gated=gated_mlp, bias=mlp_bias)
    expert_w, expert_b = _mlp_terms(hidden=h, width=expert_intermediate_size, gated=gated_mlp, bias=expert_bias)
    shared_w, _ = _mlp_terms(hidden=h, width=shared_expert_intermediate_size, gated=gated_mlp, bias=False)
    shared_w = num_shared_experts * shared_w + (h if shared_expert_gate else 0)  # Qwen2-MoE gate: Linear(h, 1)
    # transformers fuses the n shared experts into one MLP of width n·w (DeepSeek-V2 MoE.__init__),
    # so with biases there is one down_proj bias (h), not n
    _, shared_b = _mlp_terms(
        hidden=h, width=num_shared_experts * shared_expert_intermediate_size, gated=gated_mlp, bias=shared_expert_bias
    )
    router_w = h * num_experts  # router / gate: Linear(h, E)
    router_b = num_experts if router_bias else 0  # gpt-oss router bias / ERNIE-4.5 e_score_correction_bias
    sinks = num_heads if attention_sinks else 0  # gpt-oss: self_attn.sinks, one logit per head
    layer_norms = 2 * norm_factor * h  # input_layernorm + post_attention_layernorm

    # One MTP module (DeepSeek-V3 §2.2): enorm, hnorm, eh_proj (2h -> h), an MoE decoder layer,
    # and shared_head.norm; its embedding and output head are shared with the main model.
    mtp_layer_fixed = attn_w + attn_b + sinks + attn_n + layer_norms + shared_w + shared_b + router_w + router_b
    mtp_extra_w = 2 * h * h  # eh_proj
    mtp_extra_norms = 3 * norm_factor * h  # enorm, hnorm, shared_head.norm
    mtp_total = num_mtp_modules * (
        mtp_layer_fixed + num_experts * (expert_w + expert_b) + mtp_extra_w + mtp_extra_norms
    )
    mtp_active = num_mtp_modules * (
        mtp_layer_fixed + top_k * (expert_w + expert_b) + mtp_extra_w + mtp_extra_norms
    )
    mtp_matmul = num_mtp_modules * (attn_w + shared_w + router_w + top_k * expert_w + mtp_extra_w)

    embedding = vocab_size * h
    return ParameterTerms(
        embedding=embedding,
        position_embedding=max_position_embeddings * h,
        lm_head=0 if tied_embeddings else embedding,
        attention_weights=num_layers * attn_w,
        attention_biases=num_layers * attn_b,
        attention_sinks=num_layers * sinks,
        attention_norm=num_layers * attn_n,
        dense_mlp_weights=num_dense_layers * dense_w,
        dense_mlp_biases=num_dense_layers * dense_b,
        routed_expert_weights=num_moe_layers * num_experts * expert_w,
        routed_expert_biases=num_moe_layers * num_experts * expert_b,
        routed_expert_weights_active=num_moe_layers * top_k * expert_w,
        routed_expert_biases_active=num_moe_layers * top_k * expert_b,
        shared_expert_weights=num_moe_layers * shared_w,
        shared_expert_biases=num_moe_layers * shared_b,
        router_weights=num_moe_layers * router_w,
        router_biases=num_moe_layers * router_b,
        norm=num_layers * layer_norms + norm_factor * h,  # + final norm
        mtp_total=mtp_total,
        mtp_active=mtp_active,
        mtp_matmul_weights=mtp_matmul,
    )


def terms_for_shape(shape: ModelShape, *, top_k: int | None = None) -> ParameterTerms:
    """:func:`parameter_terms` for a validated shape; ``top_k`` overrides the shape's routing."""
    moe = shape.moe
    return parameter_terms(
        vocab_size=shape.vocab_size,
        hidden_size=shape.hidden_size,
        num_layers=shape.num_layers,
        num_heads=shape.num_heads,
        num_kv_heads=shape.num_kv_heads,
        head_dim=shape.head_dim,
        intermediate_size=shape.intermediate_size,
        num_moe_layers=shape.num_moe_layers,
        num_experts=moe.num_experts if moe else 0,
        expert_intermediate_size=moe.expert_intermediate_size if moe else 0,
        top_k=(top_k if top_k is not None else moe.top_k) if moe else 0,
        num_shared_experts=moe.num_shared_experts if moe else 0,
        shared_expert_intermediate_size=moe.shared_expert_intermediate_size if moe else 0,
        max_position_embeddings=shape.max_position_embeddings,
        num_mtp_modules=shape.num_mtp_modules,
        gated_mlp=shape.gated_mlp,
        mlp_bias=shape.mlp_bias,
        attention_bias=shape.attention_bias,
        attention_output_bias=shape.attention_output_bias,
        qk_norm=shape.qk_norm,
        shared_expert_gate=bool(moe and moe.shared_expert_gate),
        router_bias=bool(moe and moe.router_bias),
        expert_bias=bool(moe and moe.expert_bias),
        shared_expert_bias=bool(moe and moe.num_shared_experts and shape.mlp_bias),
        attention_sinks=shape.attention_sinks,
        layernorm=shape.norm == "layernorm",
        tied_embeddings=shape.tied_embeddings,
        mla=shape.mla,
    )


@dataclass(frozen=True, kw_only=True)
class ParameterBreakdown:
    """Named parameter counts of one model (exact integers), main model and MTP apart."""

    model: str
    embedding: int
    position_embedding: int
    lm_head: int
    attention: int
    attention_norm: int
    dense_mlp: int
    routed_experts: int
    routed_experts_active: int
    shared_experts: int
    router: int
    norm: int
    mtp: int
    mtp_active: int
    top_k: int
    tied_embeddings: bool

    @property
    def parts(self) -> dict[str, int]:
        """The named breakdown of the main model (excluding MTP); its values sum to ``total``."""
        return {
            "embedding": self.embedding,
            "position_embedding": self.position_embedding,
            "lm_head": self.lm_head,
            "attention": self.attention,
            "attention_norm": self.attention_norm,
            "dense_mlp": self.dense_mlp,
            "routed_experts": self.routed_experts,
            "shared_experts": self.shared_experts,
            "router": self.router,
            "norm": self.norm,
        }

    @property
    def total(self) -> int:
        """All parameters of the main model (a tied lm_head counted once); MTP excluded."""
        return sum(self.parts.values())

    @property
    def active(self) -> int:
        """Parameters a token uses: total minus the routed experts it is not sent to."""
        return self.total - self.routed_experts + self.routed_experts_active

    @property
    def embedding_params(self) -> int:
        """Input embedding + learned position embeddings (the lm_head is reported apart)."""
        return self.embedding + self.position_embedding

    @property
    def non_embedding(self) -> int:
        """Total without input embedding, position embedding and lm_head (Kaplan 2020 §2.1)."""
        return self.total - self.embedding - self.position_embedding - self.lm_head

    @property
    def active_non_embedding(self) -> int:
        return self.active - self.embedding - self.position_embedding - self.lm_head

    @property
    def active_excl_input_embedding(self) -> int:
        """DeepSeek's convention: the input embedding left out, the output head kept.

        With tied embeddings the one shared matrix is counted as the embedding, so it is left
        out too (the reference counts in tests/fixtures/models.json do the same).
        """
        return self.active - self.embedding - self.position_embedding

    @property
    def active_excl_embedding_and_lm_head(self) -> int:
        return self.active_non_embedding

    @property
    def total_with_mtp(self) -> int:
        return self.total + self.mtp

    @property
    def active_with_mtp(self) -> int:
        return self.active + self.mtp_active


def count_parameters(shape: ModelShape, *, top_k: int | None = None) -> ParameterBreakdown:
    """Count the parameters of ``shape`` exactly, with a named breakdown.

    ``top_k`` overrides the routing of an MoE shape (e.g. a user who routes MiniMind2-MoE
    top-1 instead of its preset top-2); it changes only the active count.
    """
    if top_k is not None and shape.moe is not None:
        require_int("top_k", top_k, maximum=shape.moe.num_experts)
    t = terms_for_shape(shape, top_k=top_k)
    return ParameterBreakdown(
        model=shape.name,
        embedding=t.embedding,
        position_embedding=t.position_embedding,
        lm_head=t.lm_head,
        attention=t.attention_weights + t.attention_biases + t.attention_sinks,
        attention_norm=t.attention_norm,
        dense_mlp=t.dense_mlp_weights + t.dense_mlp_biases,
        routed_experts=t.routed_expert_weights + t.routed_expert_biases,
        routed_experts_active=t.routed_expert_weights_active + t.routed_expert_biases_active,
        shared_experts=t.shared_expert_weights + t.shared_expert_biases,
        router=t.router_weights + t.router_biases,
        norm=t.norm,
        mtp=t.mtp_total,
        mtp_active=t.mtp_active,
        top_k=(top_k if top_k is not None else shape.moe.top_k) if shape.moe else 0,
        tied_embeddings=shape.tied_embeddings,
    )
