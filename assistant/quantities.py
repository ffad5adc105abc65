"""Reading and writing human quantities: "14.8B", "1.48 万亿", "28.9M", "1e21", "¥2".

Parsing is the inverse of formatting, and both live here so the command line, the offline
planner and the report agree on what "B" and "亿" mean. Nothing here computes a result; it
only converts text to numbers and numbers to text.
"""

from __future__ import annotations

import math
import re

# Multipliers. Latin suffixes are case-insensitive except that "m" alone is million (nobody
# writes milli-parameters); Chinese units: 千 1e3, 万 1e4, 亿 1e8, 万亿 1e12.
SUFFIXES: dict[str, float] = {
    "": 1.0, "k": 1e3, "m": 1e6, "b": 1e9, "g": 1e9, "t": 1e12, "p": 1e15,
    "千": 1e3, "万": 1e4, "亿": 1e8, "万亿": 1e12, "兆": 1e12,
    "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
}

_NUMBER = r"[-+]?(?:\d+(?:[.,]\d+)*(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?"
_QUANTITY = re.compile(
    rf"^\s*(?P<num>{_NUMBER})\s*(?P<suffix>万亿|[kKmMbBgGtTpP千万亿兆]|thousand|million|billion|trillion)?\s*$"
)


def parse_number(text: str) -> float:
    """Parse ``text`` such as ``"14.8B"``, ``"1,000"``, ``"1.48万亿"`` or ``"6e23"``.

    Raises ValueError with the text when it is not a quantity.
    """
    match = _QUANTITY.match(str(text))
    if not match:
        raise ValueError(f"not a number: {text!r} (examples: 14.8B, 28.9M, 1e21, 148亿)")
    value = float(match.group("num").replace(",", ""))
    suffix = (match.group("suffix") or "").lower()
    return value * SUFFIXES[suffix]


def human(value: float, *, digits: int = 3) -> str:
    """A short English quantity: 14.8B, 65.4M, 2.55T, 1.2K; small values as they are."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    magnitude = abs(value)
    for threshold, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if magnitude >= threshold:
            return f"{_sig(value / threshold, digits)}{suffix}"
    return _sig(value, digits)


def human_zh(value: float, *, digits: int = 3) -> str:
    """A short Chinese quantity: 148亿, 1.48万亿, 6540万; small values as they are."""
    magnitude = abs(value)
    for threshold, suffix in ((1e12, "万亿"), (1e8, "亿"), (1e4, "万")):
        if magnitude >= threshold:
            return f"{_sig(value / threshold, digits)}{suffix}"
    return _sig(value, digits)


def sci(value: float, *, digits: int = 3) -> str:
    """Scientific notation for FLOPs: 8.16e19."""
    if value == 0:
        return "0"
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def _sig(value: float, digits: int) -> str:
    """``value`` to ``digits`` significant figures without trailing zeros (but keep integers whole)."""
    if value == 0:
        return "0"
    if abs(value) >= 10 ** digits:
        return f"{value:,.0f}"
    decimals = max(0, digits - 1 - int(math.floor(math.log10(abs(value)))))
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
