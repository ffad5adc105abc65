"""Reading and writing human quantities: "14.8B", "1.48 万亿", "一亿四千五百万", "28.9M", "1e21", "35%".

Parsing is the inverse of formatting, and both live here so the command line, the LLM tools, the
offline reader and the report agree on what "B" and "亿" mean. Nothing here computes a result; it
only converts text to numbers and numbers to text.

The reader refuses what it would have to guess: a comma that is not a thousands separator ("1,5T"
is a decimal comma to a European and fifteen to a program) is an error naming the number, never 15.
Invisible characters (zero-width spaces pasted from web pages) are dropped, and full-width digits
(１４５Ｍ) read as their ASCII forms.
"""

from __future__ import annotations

import math
import re
import unicodedata

# Multipliers. Latin suffixes are case-insensitive except that "m" alone is million (nobody
# writes milli-parameters); Chinese units: 千 1e3, 万 1e4, 亿 1e8, 万亿 1e12.
SUFFIXES: dict[str, float] = {
    "": 1.0, "k": 1e3, "m": 1e6, "b": 1e9, "g": 1e9, "t": 1e12, "p": 1e15,
    "千": 1e3, "万": 1e4, "亿": 1e8, "万亿": 1e12, "兆": 1e12,
    "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
    "mn": 1e6, "bn": 1e9, "milion": 1e6, "bilion": 1e9,  # "1.3bn"; common misspellings read, not refused
}

_GROUPED = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?"  # 1,000,000 and 1,234.5: commas only between groups of three
_NUMBER = rf"[-+]?(?:{_GROUPED}|\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?"
_SUFFIX = r"万亿|thousand|million|billion|trillion|milion|bilion|mn|bn|[kKmMbBgGtTpP千万亿兆]"
_QUANTITY = re.compile(rf"^\s*(?P<num>{_NUMBER})\s*(?P<suffix>{_SUFFIX})?\s*$", re.IGNORECASE)
_COMMA_NUMBER = re.compile(r"\d+(?:,\d+)+(?:\.\d+)?")

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千万亿点\d.]+")


class QuantityError(ValueError):
    """A text that is not one quantity. The message says why in English; ``code`` and ``values`` say it for
    the templates of ``prompts/errors`` (``not_a_number``, ``not_finite``, ``decimal_comma``)."""

    def __init__(self, message: str, *, code: str, **values: str) -> None:
        super().__init__(message)
        self.code = code
        self.values = values


class AmbiguousNumberError(QuantityError):
    """A number that reads two ways (a decimal comma); the message names it and both readings."""


def clean_text(text: str) -> str:
    """``text`` with full-width forms folded (NFKC) and invisible format characters removed.

    "14\\u200b5M" (a zero-width space pasted inside a number) becomes "145M", as the user sees it.
    """
    folded = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")


def decimal_comma(text: str) -> str | None:
    """The comma number in ``text`` that is not thousands grouping ("1,5", "2,75"), if any."""
    for match in _COMMA_NUMBER.finditer(text):
        if not re.fullmatch(_GROUPED, match.group(0)):
            return match.group(0)
    return None


MAX_QUANTITY_CHARS = 64
"""Longer text is not one quantity (no number a person writes is longer), so it is refused before it is read."""
SHOWN_CHARS = 40
_LONG_NUMBER = re.compile(r"[-+]?[\d,._]+(?:[eE][-+]?\d*)?")


def shown(text: object, *, limit: int = SHOWN_CHARS) -> str:
    """``text`` as an error echoes it: at most ``limit`` characters, a longer text cut and its length said."""
    text = str(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit - 10]}…({len(text):,} characters)"


def parse_number(text: str) -> float:
    """Parse ``text`` such as ``"14.8B"``, ``"1,000"``, ``"1.48万亿"``, ``"一亿四千五百万"`` or ``"6e23"``.

    The result is always a finite number: "1e400", "1e300T" (past the largest float) and "1e-400" (a number that
    is not zero but rounds to it) are refused, as is text longer than :data:`MAX_QUANTITY_CHARS`.

    Raises QuantityError (AmbiguousNumberError for a decimal comma) naming the text, shortened, when it is not one
    quantity.
    """
    raw = str(text)
    echo = shown(raw)
    cleaned = clean_text(raw[:4 * MAX_QUANTITY_CHARS]).strip()  # a huge text is refused below, unread
    if len(raw) > 4 * MAX_QUANTITY_CHARS or len(cleaned) > MAX_QUANTITY_CHARS:
        if _LONG_NUMBER.fullmatch(cleaned):
            raise QuantityError(f"too long a number: {echo!r}", code="number_too_long", text=echo,
                                maximum=str(MAX_QUANTITY_CHARS))
        raise QuantityError(f"not a number: {echo!r} (too long)", code="not_a_number", text=echo)
    match = _QUANTITY.match(cleaned)
    if match:
        written = match.group("num").replace(",", "")
        value = float(written) * SUFFIXES[(match.group("suffix") or "").lower()]
        if not math.isfinite(value):
            raise QuantityError(f"not a finite number: {echo!r}", code="not_finite", text=echo)
        if value == 0 and re.search(r"[1-9]", written.partition("e")[0].partition("E")[0]):
            raise QuantityError(f"rounds to zero: {echo!r}", code="rounds_to_zero", text=echo)
        return value
    comma = decimal_comma(cleaned)
    if comma is not None:
        whole, _, rest = comma.partition(",")
        decimal = f"{whole}.{rest.replace(',', '')}"
        raise AmbiguousNumberError(
            f"{echo!r} has a comma that is not a thousands separator: write {decimal} "
            f"for a decimal, or group thousands in threes (1,500)", code="decimal_comma", text=echo,
            decimal=decimal)
    if cleaned and CN_NUMERAL.fullmatch(cleaned) and re.search(r"[零〇一二两三四五六七八九十\d]", cleaned) \
            and re.search(r"[零〇一二两三四五六七八九十百千万亿点]", cleaned):
        value = chinese_numeral(cleaned)
        if value is not None:
            return value
        if _overflows(cleaned):
            raise QuantityError(f"not a finite number: {echo!r}", code="not_finite", text=echo)
    raise QuantityError(f"not a number: {echo!r} (examples: 14.8B, 28.9M, 1e21, 148亿)", code="not_a_number",
                        text=echo)


def _overflows(numeral: str) -> bool:
    """Whether a Chinese numeral is only refused for being past the largest float (亿 after 亿 after 亿 …)."""
    return numeral.count("亿") * 8 + numeral.count("万") * 4 > 308


def parse_fraction(text: str) -> float:
    """A share written as ``"35%"`` or ``"0.35"``; a bare "35" stays 35 (the caller's range check refuses it).

    Raises ValueError naming the text when it is not a number.
    """
    cleaned = clean_text(str(text)).strip()
    percent = cleaned.endswith("%")
    value = parse_number(cleaned.rstrip("%").strip())
    return value / 100.0 if percent else value


def chinese_numeral(text: str) -> float | None:
    """The value of a Chinese numeral, Arabic digits allowed inside: 一亿四千五百万, 十六, 两千, 1亿4500万, 三点五.

    None when ``text`` is not a well-formed numeral (two digits in a row without a unit, a unit with
    nothing to multiply, …).
    """
    total = 0.0  # up to the last 亿
    wan = 0.0  # 万-level part below 亿
    section = 0.0  # below 万
    number: float | None = None  # the digit (or Arabic number) waiting for its unit
    fraction = ""  # digits after 点
    in_fraction = False
    i = 0
    while i < len(text):
        ch = text[i]
        arabic = re.match(r"\d+(?:\.\d+)?", text[i:])
        if arabic:
            if number is not None or in_fraction:
                return None
            number = float(arabic.group(0))
            i += len(arabic.group(0))
            continue
        if in_fraction:
            if ch not in CN_DIGITS:
                return None
            fraction += str(CN_DIGITS[ch])
        elif ch in CN_DIGITS:
            if number is not None and CN_DIGITS[ch] != 0:
                return None
            number = float(CN_DIGITS[ch]) if CN_DIGITS[ch] else number
        elif ch in CN_SMALL_UNITS:
            unit = CN_SMALL_UNITS[ch]
            section += (number if number is not None else (1.0 if unit == 10 else math.nan)) * unit
            number = None
        elif ch == "万":
            part = section + (number or 0.0)
            if part == 0:
                return None
            wan += part * 1e4
            section, number = 0.0, None
        elif ch == "亿":
            part = wan + section + (number or 0.0)
            if part == 0:
                return None
            total = (total + part) * 1e8
            wan, section, number = 0.0, 0.0, None
        elif ch == "点" or ch == ".":
            if number is None or in_fraction:
                return None
            in_fraction = True
        else:
            return None
        i += 1
    if in_fraction:
        if not fraction:
            return None
        number = (number or 0.0) + float("0." + fraction)
    value = total + wan + section + (number or 0.0)
    return value if math.isfinite(value) and value > 0 else None


# --- writing ---------------------------------------------------------------------------------------------

_SCALES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def scale_of(value: float) -> tuple[float, str]:
    """The largest of K/M/B/T not above ``value`` as (divisor, suffix): 14.8e9 → (1e9, "B"); (1.0, "") below 1,000."""
    return next(((threshold, suffix) for threshold, suffix in _SCALES if abs(value) >= threshold), (1.0, ""))


def human(value: float, *, digits: int = 3) -> str:
    """A short English quantity: 14.8B, 65.4M, 2.55T, 1.2K; small values as they are."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    divisor, suffix = scale_of(value)
    return f"{sig(value / divisor, digits=digits)}{suffix}"


def human_zh(value: float, *, digits: int = 3) -> str:
    """A short Chinese quantity: 148亿, 1.48万亿, 6540万; small values as they are."""
    magnitude = abs(value)
    for threshold, suffix in ((1e12, "万亿"), (1e8, "亿"), (1e4, "万")):
        if magnitude >= threshold:
            return f"{_sig(value / threshold, digits)}{suffix}"
    return _sig(value, digits)


def count_text(value: float | None, language: str) -> str:
    """A parameter or token count: '14.8B' (en) / '148亿（14.8B）' (zh); '—' when unknown."""
    if value is None:
        return "—"
    if language == "zh" and value >= 1e4:
        return f"{human_zh(value)}（{human(value)}）"
    return human(value)


def sci(value: float, *, digits: int = 3) -> str:
    """Scientific notation for FLOPs: 8.16e19."""
    if value == 0:
        return "0"
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def _mantissa_exponent(value: float, digits: int) -> tuple[str, int]:
    """(mantissa without trailing zeros, exponent) of ``value`` in scientific notation: 5.81e18 → ("5.81", 18)."""
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return mantissa, int(exponent)


def times_ten(value: float, *, digits: int = 3) -> str:
    """Scientific notation for prose: 5.81 × 10¹⁸; values from 0.01 to 999 as they are (226)."""
    if value == 0 or 1e-2 <= abs(value) < 1e3:
        return sig(value, digits=digits)
    mantissa, exponent = _mantissa_exponent(value, digits)
    return f"{mantissa} × 10{str(exponent).translate(_SUPERSCRIPT)}"


def tex_num(value: float, *, digits: int = 3, engineering: bool = False) -> str:
    r"""A number for LaTeX's siunitx: ``\num{5.81e18}``; values from 0.01 to 999 as they are (``\num{226}``).

    ``engineering`` keeps the exponent a multiple of three, as counts are said: ``\num{14.8e9}``,
    ``\num{65.4e6}``.
    """
    if value == 0 or 1e-2 <= abs(value) < 1e3:
        return rf"\num{{{sig(value, digits=digits)}}}"
    mantissa, exponent = _mantissa_exponent(value, digits)
    if engineering:
        shift = exponent % 3
        mantissa, exponent = sig(float(mantissa) * 10**shift, digits=digits), exponent - shift
    return rf"\num{{{mantissa}e{exponent}}}"


def sig(value: float, *, digits: int = 3) -> str:
    """``value`` to ``digits`` significant figures, trailing zeros dropped: 65.4, 740, 0.0153."""
    return _sig(value, digits)


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
