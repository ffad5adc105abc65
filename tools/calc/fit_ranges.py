"""The spans of the runs each scaling-law fit was fitted on, as its source states them.

A fit read outside its span is an extrapolation: :class:`FittedRange` records the bounds a paper states
(model size, tokens or compute) with the quotation, and :meth:`FittedRange.contains` says whether a point
lies inside. :mod:`tools.calc.fits` attaches one range to each fit (none to the 20× rule of thumb).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class FittedRange:
    """The span of the runs a fit was fitted on, as its source states it; a bound left ``None`` is not stated.

    A fit read outside this span is an extrapolation. ``params`` are the fit's own N (non-embedding for
    Kaplan 2020), ``tokens`` its D and ``compute_flops`` its C; a point is inside when every stated bound
    holds.
    """

    source: str
    params_min: float | None = None
    params_max: float | None = None
    tokens_min: float | None = None
    tokens_max: float | None = None
    compute_min_flops: float | None = None
    compute_max_flops: float | None = None

    def contains(self, *, params: float, tokens: float, compute_flops: float) -> bool:
        """Whether (N, D, C) lies within every bound the source states (bounds inclusive)."""
        checks = ((params, self.params_min, self.params_max), (tokens, self.tokens_min, self.tokens_max),
                  (compute_flops, self.compute_min_flops, self.compute_max_flops))
        return all((low is None or value >= low) and (high is None or value <= high) for value, low, high in checks)


# The spans the fits were fitted on; a fit read outside its span is an extrapolation.
# Hoffmann 2022 abstract: "over 400 language models ranging from 70 million to over 16 billion parameters";
# Approach 1 trains "a fixed family of models (ranging from 70M to over 10B parameters)" (§3.1), Approach 3
# models "all final losses from experiments in Approach 1 & 2" (§3.3).
HOFFMANN_MODELS = FittedRange(
    source="Hoffmann 2022 abstract, §3.1, §3.3: models of 70M to over 16B parameters",
    params_min=70e6, params_max=16e9,
)
# Hoffmann 2022 §3.2: "a fixed set of 9 different training FLOP counts (ranging from 6 × 10^18 to 3 × 10^21 FLOPs)".
HOFFMANN_ISOFLOP = FittedRange(
    source="Hoffmann 2022 §3.2: 9 IsoFLOP budgets from 6e18 to 3e21 FLOPs",
    compute_min_flops=6e18, compute_max_flops=3e21,
)
# Besiroglu 2024 refit the 245 points they extracted from Hoffmann 2022 Fig. 4 (epoch-research/
# analyzing-chinchilla data/svg_extracted_data.csv): N 57,334,197-16,183,346,311; D = C/(6N), as their
# notebook computes it, 245,105,958-317,754,489,344 tokens. Bounds rounded outwards to 3 digits.
EPOCH_POINTS = FittedRange(
    source="Besiroglu 2024: the 245 points extracted from Hoffmann 2022 Fig. 4, N 57.3M-16.2B, D 245M-318B",
    params_min=57.3e6, params_max=16.2e9, tokens_min=245e6, tokens_max=318e9,
)
# Kaplan 2020 §3: "Model size (ranging in size from 768 to 1.5 billion non-embedding parameters)",
# "Dataset size (ranging from 22 million to 23 billion tokens)".
KAPLAN_RUNS = FittedRange(
    source="Kaplan 2020 §3: 768 to 1.5B non-embedding parameters, 22M to 23B tokens",
    params_min=768, params_max=1.5e9, tokens_min=22e6, tokens_max=23e9,
)
# DeepSeek LLM 2024 §3.2: "We selected 8 different compute budgets ranging from 1e17 to 3e20".
DEEPSEEK_ISOFLOP = FittedRange(
    source="DeepSeek LLM 2024 §3.2: 8 IsoFLOP budgets from 1e17 to 3e20 FLOPs",
    compute_min_flops=1e17, compute_max_flops=3e20,
)
