"""Training FLOPs: the ``6·N·D`` approximation and a detailed count from the shape.

Detailed count, per token, forward pass (2 FLOPs per multiply-accumulate):

* every weight that enters a matrix multiply, once: attention projections (GQA/MQA widths,
  or MLA's low-rank projections), the dense MLP, the ``top_k`` routed experts a token is sent
  to, the shared experts (and Qwen2-MoE's shared gate), the router, and the logits
  (``lm_head``, counted even when tied to the embedding);
* the attention core: ``Q·Kᵀ`` and ``softmax·V`` against ``seq_len`` keys,
  ``2·S·(heads·d_qk) + 2·S·(heads·d_v)`` per layer (Kaplan et al. 2020 Table 1; PaLM App. B);
* no FLOPs for the embedding lookup, norms, biases, activations or softmax (they are not
  matrix multiplies and are below 1% here). That includes the attention, router and expert
  biases (gpt-oss, GLM-4.5, ERNIE-4.5's ``e_score_correction_bias``): additions, not multiplies;
  and gpt-oss's attention sinks, one learned logit per head that only adds a column to the
  softmax. They are parameters (``ParameterTerms.attention_sinks`` and the ``*_biases`` terms),
  never matmul weights.

Backward = 2 × forward (Kaplan et al. 2020 §2.1; measured exactly in
tests/fixtures/flops.json). Activation recomputation adds one forward (``full``) or one
attention-core forward (``selective``, Korthikanti et al. 2022 §5).

Two attention conventions:

* ``"full"`` (default): the full S×S score matrix, as ``torch.utils.flop_counter`` measures eager
  attention. This is what the reference measurements use, and what the report uses, so its
  numbers can be checked against a profiler.
* ``"causal"``: half of the attention core, as Megatron-LM's ``num_floating_point_operations``
  counts it (literature §7a) — what a FlashAttention kernel with causal masking executes.

The formulas use only arithmetic on their numeric inputs, so :func:`flops_per_token_terms`
also evaluates over numpy arrays of candidate shapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from tools.calc.errors import CalcInputError, require_int, require_number
from tools.calc.params import ParameterTerms, count_parameters, terms_for_shape
from tools.calc.shapes import ModelShape

AttentionConvention = Literal["full", "causal"]
Recompute = Literal["none", "selective", "full"]

ATTENTION_CONVENTIONS: dict[str, str] = {
    "full": "full S×S attention scores (no causal halving), as measured by torch FlopCounterMode on eager attention",
    "causal": "causally halved attention scores, as Megatron-LM counts them (num_floating_point_operations)",
}
RECOMPUTE_PASSES: dict[str, str] = {
    "none": "forward + backward (= 2 × forward)",
    "selective": "forward + backward + one extra attention-core forward (Korthikanti et al. 2022 §5)",
    "full": "forward + backward + one extra full forward (activation checkpointing)",
}


@dataclass(frozen=True, kw_only=True)
class FlopsPerTokenTerms:
    """Forward FLOPs per token by component (numbers or numpy arrays)."""

    attention_projections: Any
    attention_core: Any
    dense_mlp: Any
    routed_experts: Any
    shared_experts: Any
    router: Any
    logits: Any
    mtp: Any

    @property
    def forward(self) -> Any:
        return (self.attention_projections + self.attention_core + self.dense_mlp + self.routed_experts
                + self.shared_experts + self.router + self.logits + self.mtp)


def flops_per_token_terms(
    terms: ParameterTerms,
    *,
    seq_len: Any,
    num_layers: Any,
    attention_qk_width: Any,
    attention_v_width: Any,
    logits_params: Any,
    causal: bool,
    num_mtp_modules: Any = 0,
    include_mtp: bool = False,
) -> FlopsPerTokenTerms:
    """Forward FLOPs per token from parameter terms; array-friendly (see module docstring).

    ``attention_qk_width``/``attention_v_width`` are ``heads·d_qk`` and ``heads·d_v``;
    ``logits_params`` is ``vocab·hidden`` whether or not the head is tied. ``num_mtp_modules``
    must be the count the ``terms`` were built with; ``include_mtp`` adds their FLOPs.
    """
    core_per_layer = 2 * seq_len * attention_qk_width + 2 * seq_len * attention_v_width  # QKᵀ, softmax·V
    core = num_layers * core_per_layer
    mtp_core = num_mtp_modules * core_per_layer
    if causal:
        core = core / 2  # Megatron-LM: the causal mask halves the attention core (literature §7a)
        mtp_core = mtp_core / 2
    return FlopsPerTokenTerms(
        attention_projections=2 * terms.attention_weights,
        attention_core=core,
        dense_mlp=2 * terms.dense_mlp_weights,
        routed_experts=2 * terms.routed_expert_weights_active,  # only the top_k chosen experts run
        shared_experts=2 * terms.shared_expert_weights,
        router=2 * terms.router_weights,
        logits=2 * logits_params,
        # each MTP module runs one more decoder layer and its own logits (DeepSeek-V3 §2.2)
        mtp=(2 * (terms.mtp_matmul_weights + num_mtp_modules * logits_params) + mtp_core) if include_mtp else 0,
    )


def attention_widths(shape: ModelShape) -> tuple[int, int]:
    """(heads·d_qk, heads·d_v): the widths the attention core multiplies against."""
    if shape.mla is not None:
        return shape.num_heads * shape.mla.qk_head_dim, shape.num_heads * shape.mla.v_head_dim
    width = shape.num_heads * shape.head_dim
    return width, width


@dataclass(frozen=True, kw_only=True)
class FlopsPerToken:
    """Detailed training FLOPs per token for one shape and sequence length."""

    seq_len: int
    attention: AttentionConvention
    recompute: Recompute
    include_mtp: bool
    forward_by_component: dict[str, float]
    forward_flops: float
    training_flops: float
    convention: str


def flops_per_token(
    shape: ModelShape,
    *,
    seq_len: int,
    attention: AttentionConvention = "full",
    recompute: Recompute = "none",
    top_k: int | None = None,
    include_mtp: bool = False,
) -> FlopsPerToken:
    """Detailed forward and training FLOPs per token (see the module docstring for what counts)."""
    require_int("seq_len", seq_len, maximum=10_000_000)
    if attention not in ATTENTION_CONVENTIONS:
        raise CalcInputError(field="attention", value=attention, expected="'full' or 'causal'",
                             code="one_of", values={"choices": ("full", "causal")})
    if recompute not in RECOMPUTE_PASSES:
        raise CalcInputError(field="recompute", value=recompute, expected="'none', 'selective' or 'full'",
                             code="one_of", values={"choices": ("none", "selective", "full")})
    if top_k is not None and shape.moe is not None:
        require_int("top_k", top_k, maximum=shape.moe.num_experts)
    terms = terms_for_shape(shape, top_k=top_k)
    qk_width, v_width = attention_widths(shape)
    per_token = flops_per_token_terms(
        terms, seq_len=seq_len, num_layers=shape.num_layers, attention_qk_width=qk_width,
        attention_v_width=v_width, logits_params=shape.vocab_size * shape.hidden_size,
        causal=attention == "causal", num_mtp_modules=shape.num_mtp_modules, include_mtp=include_mtp,
    )
    forward = per_token.forward
    extra = {"none": 0, "selective": per_token.attention_core, "full": forward}[recompute]
    training = 3 * forward + extra  # backward = 2 × forward (Kaplan et al. 2020 §2.1)
    by_component = {
        "attention_projections": per_token.attention_projections,
        "attention_core": per_token.attention_core,
        "dense_mlp": per_token.dense_mlp,
        "routed_experts": per_token.routed_experts,
        "shared_experts": per_token.shared_experts,
        "router": per_token.router,
        "logits": per_token.logits,
        "mtp": per_token.mtp,
    }
    convention = (
        f"{ATTENTION_CONVENTIONS[attention]}; {RECOMPUTE_PASSES[recompute]}; seq_len {seq_len}; "
        "lm_head multiply counted even when tied; no FLOPs for the embedding lookup"
        + ("; MTP modules included" if include_mtp and shape.num_mtp_modules else "")
    )
    return FlopsPerToken(
        seq_len=seq_len, attention=attention, recompute=recompute, include_mtp=include_mtp,
        forward_by_component={k: float(v) for k, v in by_component.items()},
        forward_flops=float(forward), training_flops=float(training), convention=convention,
    )


@dataclass(frozen=True, kw_only=True)
class TrainingFlops:
    """Training FLOPs of a run, both ways, with the conventions used."""

    tokens: float
    active_params: int
    active_non_embedding_params: int
    six_nd_flops: float
    six_nd_non_embedding_flops: float
    six_nd_convention: str
    detailed_flops: float
    flops_per_token: FlopsPerToken

    @property
    def detailed_over_six_nd(self) -> float:
        return self.detailed_flops / self.six_nd_flops


def six_nd_flops(*, params: float, tokens: float) -> float:
    """C ≈ 6·N·D (Kaplan et al. 2020 §2.1: forward 2N + backward 4N per token)."""
    require_number("params", params)
    require_number("tokens", tokens, maximum=1e18)
    return 6.0 * params * tokens


def training_flops(
    shape: ModelShape,
    *,
    tokens: float,
    seq_len: int,
    attention: AttentionConvention = "full",
    recompute: Recompute = "none",
    top_k: int | None = None,
    include_mtp: bool = False,
) -> TrainingFlops:
    """Total training FLOPs for ``tokens`` tokens: 6·N_active·D and the detailed count."""
    require_number("tokens", tokens, maximum=1e18)
    per_token = flops_per_token(
        shape, seq_len=seq_len, attention=attention, recompute=recompute, top_k=top_k, include_mtp=include_mtp,
    )
    counts = count_parameters(shape, top_k=top_k)
    active = counts.active_with_mtp if include_mtp else counts.active
    active_non_embedding = active - counts.embedding - counts.position_embedding - counts.lm_head
    return TrainingFlops(
        tokens=float(tokens),
        active_params=active,
        active_non_embedding_params=active_non_embedding,
        six_nd_flops=six_nd_flops(params=active, tokens=tokens),
        six_nd_non_embedding_flops=6.0 * active_non_embedding * tokens,
        six_nd_convention=(
            "6·N·D with N = activated parameters per token including embedding and lm_head "
            "(Kaplan et al. 2020 §2.1; Hoffmann et al. 2022 count embeddings in N)"
        ),
        detailed_flops=per_token.training_flops * tokens,
        flops_per_token=per_token,
    )
