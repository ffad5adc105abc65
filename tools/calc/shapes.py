"""Model shapes: frozen, validated descriptions of decoder-only transformers (dense or MoE).

A :class:`ModelShape` holds exactly the fields that real families need to be counted to
the integer (HuggingFace transformers and MiniMind implementations):

* core dimensions: vocabulary, hidden size, layers, heads, key/value heads (MHA/GQA/MQA)
  and a ``head_dim`` that need not equal ``hidden_size // num_heads`` (Qwen3);
* attention options: q/k/v biases (Qwen2, GLM-4.5), an output-projection bias, per-head q/k
  norms (Qwen3, OLMoE, minimind-3, dots.llm1, Hunyuan), gpt-oss's learned attention sinks (one
  logit per head), or Multi-head Latent Attention (:class:`MlaShape`, DeepSeek-V2/V3);
* the MLP: gated (SwiGLU, three matrices) or plain (two matrices) and its width;
* MoE (:class:`MoeShape`): routed experts and their width, top-k, shared experts
  (with Qwen2-MoE's sigmoid gate), which layers are MoE (any index set: Llama 4 interleaves,
  ERNIE-4.5 uses a layer range), a router bias, biases inside the routed experts (gpt-oss); dense
  layers keep their own width (``ModelShape.intermediate_size``, e.g. Llama 4's
  ``intermediate_size_mlp``);
* norms (RMSNorm, or LayerNorm with a bias), tied embeddings, learned position
  embeddings, and DeepSeek-V3's multi-token-prediction (MTP) modules.

Construction validates every field and raises :class:`CalcInputError` naming it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from tools.calc.errors import CalcInputError, require_int

NormKind = Literal["rmsnorm", "layernorm"]
QkNormKind = Literal["none", "per_head", "full_width"]

MAX_DIM = 10_000_000  # far above any real width; catches unit mistakes (e.g. 4e9 hidden)
MAX_LAYERS = 10_000
MAX_HEADS = 100_000
MAX_EXPERTS = 100_000


@dataclass(frozen=True, kw_only=True)
class MlaShape:
    """Multi-head Latent Attention (DeepSeek-V2 §2.1, DeepSeek-V3 §2.1.1).

    ``q_lora_rank=None`` means queries use a plain ``hidden -> heads*(nope+rope)`` projection
    (DeepSeek-V2-Lite); otherwise a low-rank ``q_a_proj`` / RMSNorm / ``q_b_proj`` path.
    """

    q_lora_rank: int | None
    kv_lora_rank: int
    qk_nope_head_dim: int
    qk_rope_head_dim: int
    v_head_dim: int

    def __post_init__(self) -> None:
        if self.q_lora_rank is not None:
            require_int("q_lora_rank", self.q_lora_rank, maximum=MAX_DIM)
        require_int("kv_lora_rank", self.kv_lora_rank, maximum=MAX_DIM)
        require_int("qk_nope_head_dim", self.qk_nope_head_dim, minimum=0, maximum=MAX_DIM)
        require_int("qk_rope_head_dim", self.qk_rope_head_dim, minimum=0, maximum=MAX_DIM)
        require_int("v_head_dim", self.v_head_dim, maximum=MAX_DIM)
        if self.qk_nope_head_dim + self.qk_rope_head_dim < 1:
            raise CalcInputError(
                field="qk_nope_head_dim", value=self.qk_nope_head_dim,
                expected="qk_nope_head_dim + qk_rope_head_dim >= 1",
                code="mla_head_dims",
            )

    @property
    def qk_head_dim(self) -> int:
        return self.qk_nope_head_dim + self.qk_rope_head_dim


@dataclass(frozen=True, kw_only=True)
class MoeShape:
    """Mixture-of-Experts feed-forward layers.

    Attributes:
        num_experts: routed experts per MoE layer (E).
        expert_intermediate_size: width of one routed expert's FFN (fine-grained experts
            are narrower than the dense FFN).
        top_k: routed experts chosen per token.
        num_shared_experts: always-active experts per MoE layer.
        shared_expert_intermediate_size: width of ONE shared expert. transformers builds
            DeepSeek's ``n`` shared experts as one MLP of width ``n * moe_intermediate_size``
            and Qwen2-MoE's as one MLP of ``shared_expert_intermediate_size``; the weights count
            the same either way (with ``ModelShape.mlp_bias`` the fused MLP has one down-projection
            bias, which is how they are counted).
        shared_expert_gate: Qwen2-MoE's sigmoid gate, a ``Linear(hidden, 1)`` per MoE layer.
        router_bias: a learned vector of ``E`` per MoE layer on the router: gpt-oss's router
            ``Linear`` bias, or ERNIE-4.5's ``e_score_correction_bias``, which transformers registers
            as an ``nn.Parameter`` (DeepSeek-V3, GLM-4.5 and dots.llm1 register theirs as buffers:
            not parameters, not counted).
        expert_bias: biases inside every routed expert (gpt-oss: ``gate_up_proj_bias`` of
            ``2·width`` and ``down_proj_bias`` of ``hidden``). Shared experts follow
            ``ModelShape.mlp_bias``.
        moe_layers: 0-based indices of the layers whose FFN is MoE; the others are dense.
            Use :func:`moe_layer_indices` to build it from "first k dense" / "every n-th".
    """

    num_experts: int
    expert_intermediate_size: int
    top_k: int
    moe_layers: tuple[int, ...]
    num_shared_experts: int = 0
    shared_expert_intermediate_size: int = 0
    shared_expert_gate: bool = False
    router_bias: bool = False
    expert_bias: bool = False

    def __post_init__(self) -> None:
        require_int("num_experts", self.num_experts, maximum=MAX_EXPERTS)
        require_int("expert_intermediate_size", self.expert_intermediate_size, maximum=MAX_DIM)
        require_int("top_k", self.top_k, maximum=self.num_experts)
        require_int("num_shared_experts", self.num_shared_experts, minimum=0, maximum=1_000)
        if self.num_shared_experts:
            require_int("shared_expert_intermediate_size", self.shared_expert_intermediate_size, maximum=MAX_DIM)
        if self.shared_expert_gate and not self.num_shared_experts:
            raise CalcInputError(
                field="shared_expert_gate", value=True, expected="False when num_shared_experts is 0",
                code="internal",
            )
        if not isinstance(self.moe_layers, tuple) or len(set(self.moe_layers)) != len(self.moe_layers):
            raise CalcInputError(
                field="moe_layers", value=self.moe_layers, expected="a tuple of distinct layer indices",
                code="internal",
            )

    @property
    def num_moe_layers(self) -> int:
        return len(self.moe_layers)


def moe_layer_indices(
    *, num_layers: int, first_k_dense: int = 0, every: int = 1, dense_layers: tuple[int, ...] = ()
) -> tuple[int, ...]:
    """Indices of MoE layers: layers ``>= first_k_dense`` whose ``(index + 1)`` is a multiple of ``every``.

    With ``every == 1`` (the common case: DeepSeek-V2/V3, Mixtral, Qwen-MoE, MiniMind) this is
    simply "the first k layers are dense, the rest MoE". ``every = n`` follows Qwen2-MoE's
    ``decoder_sparse_step`` rule ``(i + 1) % n == 0``. ``dense_layers`` lists extra dense layers
    (Qwen2-MoE's ``mlp_only_layers``).
    """
    require_int("num_layers", num_layers, maximum=MAX_LAYERS)
    require_int("first_k_dense", first_k_dense, minimum=0, maximum=num_layers)
    require_int("every", every, maximum=num_layers)
    skip = set(dense_layers)
    return tuple(
        i for i in range(num_layers) if i >= first_k_dense and (i + 1) % every == 0 and i not in skip
    )


@dataclass(frozen=True, kw_only=True)
class ModelShape:
    """A decoder-only transformer, dense or MoE, described precisely enough to count exactly.

    ``num_kv_heads`` defaults to ``num_heads`` (MHA); ``head_dim`` to ``hidden_size // num_heads``.
    ``intermediate_size`` is the dense FFN width used by non-MoE layers (0 if every layer is MoE).
    """

    name: str = "custom"
    vocab_size: int
    hidden_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int | None = None
    head_dim: int | None = None
    intermediate_size: int = 0
    gated_mlp: bool = True
    mlp_bias: bool = False
    """Biases in the dense MLPs and the shared experts (routed experts: ``MoeShape.expert_bias``)."""
    attention_bias: bool = False
    attention_output_bias: bool = False
    attention_sinks: bool = False
    """gpt-oss: a learned sink logit per head and layer (``self_attn.sinks``), added to the softmax."""
    qk_norm: QkNormKind = "none"
    """Norms on q and k: per head over head_dim (Qwen3, minimind-3) or over the full q/k width (OLMoE)."""
    mla: MlaShape | None = None
    moe: MoeShape | None = None
    norm: NormKind = "rmsnorm"
    tied_embeddings: bool = False
    max_position_embeddings: int = 0
    """Learned absolute position embeddings (GPT-2 style); 0 for RoPE / none."""
    num_mtp_modules: int = 0
    """Multi-token-prediction modules (DeepSeek-V3, GLM-4.5), each one MoE decoder layer + projections.

    Counted apart from the main model (``ParameterBreakdown.mtp``): transformers does not build them."""
    source: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        require_int("vocab_size", self.vocab_size, maximum=MAX_DIM)
        require_int("hidden_size", self.hidden_size, maximum=MAX_DIM)
        require_int("num_layers", self.num_layers, maximum=MAX_LAYERS)
        require_int("num_heads", self.num_heads, maximum=MAX_HEADS)
        if self.num_kv_heads is None:
            object.__setattr__(self, "num_kv_heads", self.num_heads)
        require_int("num_kv_heads", self.num_kv_heads, maximum=self.num_heads)
        if self.num_heads % self.num_kv_heads:
            raise CalcInputError(
                field="num_kv_heads", value=self.num_kv_heads,
                expected=f"a divisor of num_heads={self.num_heads}",
                code="kv_heads_divisor", values={"heads": self.num_heads},
            )
        if self.head_dim is None:
            if self.hidden_size % self.num_heads:
                raise CalcInputError(
                    field="head_dim", value=None,
                    expected=f"set explicitly: hidden_size={self.hidden_size} is not divisible by "
                    f"num_heads={self.num_heads}",
                    code="head_dim_needed", values={"hidden": self.hidden_size, "heads": self.num_heads},
                )
            object.__setattr__(self, "head_dim", self.hidden_size // self.num_heads)
        require_int("head_dim", self.head_dim, maximum=MAX_DIM)
        require_int("intermediate_size", self.intermediate_size, minimum=0, maximum=MAX_DIM)
        if self.qk_norm not in ("none", "per_head", "full_width"):
            raise CalcInputError(
                field="qk_norm", value=self.qk_norm, expected="'none', 'per_head' or 'full_width'",
                code="one_of", values={"choices": ("none", "per_head", "full_width")},
            )
        if self.norm not in ("rmsnorm", "layernorm"):
            raise CalcInputError(field="norm", value=self.norm, expected="'rmsnorm' or 'layernorm'",
                                 code="one_of", values={"choices": ("rmsnorm", "layernorm")})
        require_int("max_position_embeddings", self.max_position_embeddings, minimum=0, maximum=MAX_DIM)
        require_int("num_mtp_modules", self.num_mtp_modules, minimum=0, maximum=64)
        if self.moe is not None:
            bad = [i for i in self.moe.moe_layers if not 0 <= i < self.num_layers]
            if bad:
                raise CalcInputError(
                    field="moe_layers", value=bad, expected=f"indices in [0, {self.num_layers - 1}]",
                    code="layer_indices", values={"maximum": self.num_layers - 1},
                )
        if self.num_dense_layers and self.intermediate_size < 1:
            raise CalcInputError(
                field="intermediate_size", value=self.intermediate_size,
                expected=f">= 1, because {self.num_dense_layers} layer(s) have a dense FFN",
                code="dense_width_needed", values={"layers": self.num_dense_layers},
            )
        if self.num_mtp_modules and self.moe is None:
            raise CalcInputError(
                field="num_mtp_modules", value=self.num_mtp_modules,
                expected="0 for a dense model (MTP modules are modelled on DeepSeek-V3's MoE layer)",
                code="mtp_needs_moe",
            )

    @property
    def is_moe(self) -> bool:
        return self.moe is not None and self.moe.num_moe_layers > 0

    @property
    def num_moe_layers(self) -> int:
        return self.moe.num_moe_layers if self.moe is not None else 0

    @property
    def num_dense_layers(self) -> int:
        return self.num_layers - self.num_moe_layers


def build_shape(
    *,
    name: str = "custom",
    vocab_size: int,
    hidden_size: int,
    num_layers: int,
    num_heads: int,
    num_kv_heads: int | None = None,
    head_dim: int | None = None,
    intermediate_size: int = 0,
    gated_mlp: bool = True,
    tied_embeddings: bool = False,
    norm: NormKind = "rmsnorm",
    qk_norm: QkNormKind = "none",
    attention_bias: bool = False,
    num_experts: int = 0,
    expert_intermediate_size: int | None = None,
    top_k: int | None = None,
    num_shared_experts: int = 0,
    shared_expert_intermediate_size: int | None = None,
    first_k_dense: int = 0,
    moe_every: int = 1,
) -> ModelShape:
    """A shape from explicit dimensions, as a user or a tool states them.

    With ``num_experts > 0`` the FFN layers chosen by :func:`moe_layer_indices` are MoE;
    expert widths default to ``intermediate_size`` (classic, not fine-grained, experts) and
    ``top_k`` must be given. Dense layers (``first_k_dense``) use ``intermediate_size``.
    """
    moe = None
    if num_experts:
        if top_k is None:
            raise CalcInputError(field="top_k", value=None, expected="the routed experts per token (>= 1)",
                                 code="top_k_missing")
        expert_width = expert_intermediate_size or intermediate_size
        moe = MoeShape(
            num_experts=num_experts, expert_intermediate_size=expert_width, top_k=top_k,
            num_shared_experts=num_shared_experts,
            shared_expert_intermediate_size=(shared_expert_intermediate_size or expert_width)
            if num_shared_experts else 0,
            moe_layers=moe_layer_indices(num_layers=num_layers, first_k_dense=first_k_dense, every=moe_every),
        )
    dense_width = intermediate_size if (moe is None or moe.num_moe_layers < num_layers) else 0
    return ModelShape(
        name=name, vocab_size=vocab_size, hidden_size=hidden_size, num_layers=num_layers, num_heads=num_heads,
        num_kv_heads=num_kv_heads, head_dim=head_dim, intermediate_size=dense_width, gated_mlp=gated_mlp,
        tied_embeddings=tied_embeddings, norm=norm, qk_norm=qk_norm, attention_bias=attention_bias, moe=moe,
        source="explicit dimensions",
    )
