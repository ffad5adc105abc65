"""What a calculation took for granted, as codes with values (the sentences live in prompts/).

An :class:`Assumption` names one choice the core made on the user's behalf (a default, a value
taken from a matched preset, a reading of an ambiguous input) with the values needed to say it.
Its sentence, in English or Chinese, is a template in ``prompts/assumptions/{en,zh}.md`` keyed by
the code, so the core never writes prose and nothing is translated by pattern matching.

``headline`` marks a choice that moves a headline number (total or activated parameters,
tokens, FLOPs, GPU time, cost or memory fit): an answer shows those in its first lines, not only
in the list of assumptions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class Assumption:
    """One assumption: a code (a template key), its values, and whether it moves a headline number."""

    code: str
    values: Mapping[str, Any] = field(default_factory=dict)
    headline: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "values": dict(self.values), "headline": self.headline}


def assume(code: str, *, headline: bool = False, **values: Any) -> Assumption:
    """Shorthand: ``assume("seq_len_default", headline=True, seq_len=2048)``."""
    return Assumption(code, values, headline)
