"""The scanner under the offline reader: a message whose recognised spans are blanked as they are read.

Rules (regexes in :mod:`assistant.offline.rules_model` and :mod:`assistant.offline.rules_run`) scan the
working copy in a fixed order, most specific first. Each recognised span is blanked, so no number is read
twice, and the numbers left at the end are exactly the ones nobody placed. Shared pattern pieces (numbers
with their multipliers, small counts in digits, Chinese or English words) live here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tools.calc.errors import CalcInputError
from tools.calc.hardware import find_gpu
from tools.quantities import SUFFIXES, parse_number, shown

_I = re.IGNORECASE
USED = "\x00"  # what a consumed span is replaced with

# --- numbers ---------------------------------------------------------------------------------------------
DIGITS = r"(?>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:e[-+]?\d+)?)"  # 1,000,000 · 28.9 · 6e9; atomic: 10% is not 1
NUM = r"(?<![A-Za-z0-9_.,])" + DIGITS
# Multipliers from tools.quantities. Left out: G and P (80G is memory), and 兆 (1e12 or 1e6).
_LATIN = "".join(k for k in SUFFIXES if len(k) == 1 and k.isascii() and k not in "gp")
CJK_UNITS = "|".join(sorted((k for k in SUFFIXES if k and not k.isascii() and k != "兆"), key=len, reverse=True))
_WORDS = "|".join(sorted((k for k in SUFFIXES if len(k) > 1 and k.isascii()), key=len, reverse=True))
SCALE = rf"(?:\s*(?:{CJK_UNITS})|\s?[{_LATIN}](?![A-Za-z0-9])|\s*(?:{_WORDS})(?![A-Za-z]))"
# A Chinese numeral with a unit in it: 一亿四千五百万, 三千万, 两千亿, 十万; or digits mixed in: 1亿4500万.
_CN_CHARS = "零〇一二两三四五六七八九十百千万亿"
CN_QUANTITY = (rf"(?:\d+(?:\.\d+)?\s*亿\s*\d+(?:\.\d+)?\s*万|(?<![{_CN_CHARS}])[一二两三四五六七八九十]"
               rf"[{_CN_CHARS}]*[十百千万亿][{_CN_CHARS}]*)")
_WORD_QUANTITY = r"(?<![A-Za-z])(?:a|one)\s+(?:thousand|million|billion|trillion)(?![A-Za-z])"
CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_SMALL = (r"(?<![第十百千万亿])(?:[一二两三四五六七八九]?十[一二三四五六七八九]?|[一二两三四五六七八九])"
            r"(?![十百千万亿])")
EN_NUMBERS = {w: i for i, w in enumerate(
    "one two three four five six seven eight nine ten eleven twelve".split(), 1)}
EN_SMALL = r"(?<![A-Za-z])(?:" + "|".join(EN_NUMBERS) + r")(?![A-Za-z])"
IS = r"\s*(?:[:=]|为|是|设为|of|is|to)?\s*"  # "hidden: 640", "隐藏层为 768", "vocab of 6400"


def qty(name: str, *, scaled: bool = False) -> str:
    """A number with an optional (``scaled``: required) K/M/B/T or 千/万/亿/万亿 multiplier, or a Chinese numeral."""
    return rf"(?P<{name}>{NUM}{SCALE}{'' if scaled else '?'}|{CN_QUANTITY}|{_WORD_QUANTITY})"


def amount(name: str) -> str:
    """A count as digits, a small Chinese numeral (一..九十九, 两) or an English one..twelve."""
    not_scaled = r"(?!\s*(?:万亿|亿|万)|[KMBTkmbt](?![A-Za-z0-9]))"  # "210 亿", "2B": quantities, not counts
    return rf"(?P<{name}>{NUM}{not_scaled}|{CN_SMALL}|{EN_SMALL})"


def number(text: str | None) -> float | None:
    """The value of a quantity or small numeral; None when it is not one."""
    text = (text or "").strip()
    lowered = " ".join(text.lower().split())
    if lowered in EN_NUMBERS:
        return float(EN_NUMBERS[lowered])
    if lowered.startswith(("a ", "one ")):
        lowered = "1 " + lowered.split(" ", 1)[1]
    try:
        return parse_number(lowered.replace(" ", "") if lowered[:1].isdigit() else lowered)
    except ValueError:
        return None


def whole(text: str | None) -> int | None:
    """A positive whole number, else None (2.5 experts is not a count)."""
    value = number(text)
    return int(value) if value is not None and value >= 1 and value == int(value) else None


def plain(text: str) -> bool:
    """No multiplier and no exponent: "2048", not "2K" or "2e3"."""
    return re.fullmatch(r"[\d,.]+", text.strip()) is not None


def dim(text: str, *, binary_k: bool = False) -> int | None:
    """A dimension: plain or with 万. "4k" is 4096 for a sequence length (``binary_k``), ambiguous elsewhere."""
    text = text.strip()
    if text[-1:] in "kK":
        value = number(text[:-1])
        return int(value * 1024) if binary_k and value is not None and value == int(value) else None
    return whole(text) if plain(text) or text[-1:] in "千万" or not text[:1].isdigit() else None


def gpu_key(name: str) -> str | None:
    try:
        return find_gpu(name).key
    except CalcInputError:
        return None


# --- the reader ------------------------------------------------------------------------------------------
# "from … to" and "change … to" within a sentence's reach (a bounded gap keeps the search linear)
CHANGE = re.compile(r"换成|换为|改成|改为|变成|变为|调到|拉到|增加到|减少到|降到|提高到|→|->|=>|\bfrom\b.{0,160}?\bto\b"
                    r"|\b(?:change|switch|move|go|increase|decrease|reduce|raise|bump|scale|drop|cut)\w*\b.{0,160}?"
                    r"\bto\b", _I)
INSTEAD = re.compile(r"instead of|rather than|而不是|而非", _I)
# Runs no rule reads: longer than any number (32 digits is 1e31), name or Chinese numeral a person writes.
LONG_RUN = re.compile(r"(?P<digits>\d{33,})|(?P<word>[A-Za-z_.\-][A-Za-z0-9_.\-]{80,})"
                      r"|(?P<numeral>[零〇一二两三四五六七八九十百千万亿]{25,})")
_USED_RUN = re.compile(rb"\x01+")
_LEFT, _AFTER = 16, 256  # the window match_after reads: look-behinds reach back a few characters at most


class Reader:
    """The message being read. Recognised spans are blanked in ``work`` so nothing is read twice.

    Reading takes time linear in the message's length: a blanked span is marked in a mask and the working text is
    rebuilt once per pattern, not once per match; rules that look just before or after a match read a bounded
    window of it (:meth:`before`, :meth:`match_after`); and a run no rule can read (more digits, letters or Chinese
    numerals in a row than any quantity or name has) is blanked up front, where a backtracking pattern would
    otherwise try it once per character (a number in it is reported as not understood, shortened).
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._work = text
        self._used = bytearray(b"\x01" if ch == USED else b"\x00" for ch in text) if USED in text \
            else bytearray(len(text))
        self._stale = False  # spans were blanked in the mask since ``_work`` was built
        self.hits: dict[str, list[tuple[int, object, str]]] = {}
        self.unknown: list[tuple[int, str]] = []
        for run in LONG_RUN.finditer(text):
            if run["digits"] or run["numeral"] or re.search(r"\d", run.group(0)):
                self.unknown.append((run.start(), shown(run.group(0))))
            self.use(*run.span())

    @property
    def work(self) -> str:
        """The message with every consumed span blanked (rebuilt only when something was consumed since)."""
        if self._stale:
            pieces, start = [], 0
            for run in _USED_RUN.finditer(self._used):
                pieces += [self.text[start:run.start()], USED * (run.end() - run.start())]
                start = run.end()
            pieces.append(self.text[start:])
            self._work, self._stale = "".join(pieces), False
        return self._work

    def free(self, start: int, end: int) -> bool:
        """Whether nothing in ``[start, end)`` was consumed."""
        return self._used.find(1, start, end) < 0

    def scan(self, *patterns: re.Pattern[str]) -> Iterator[re.Match[str]]:
        """Matches of each pattern in turn that overlap nothing consumed so far."""
        for pattern in patterns:
            for m in pattern.finditer(self.work):
                if self.free(m.start(), m.end()):
                    yield m

    def use(self, start: int, end: int) -> None:
        if end > start:
            self._used[start:end] = b"\x01" * (end - start)
            self._stale = True

    def window(self, start: int, end: int) -> str:
        """``work[start:end]`` without rebuilding the whole working text."""
        start, end = max(0, start), min(len(self.text), end)
        if not self._stale or self.free(start, end):
            return self._work[start:end]
        text, pieces, at = self.text[start:end], [], 0
        for run in _USED_RUN.finditer(self._used, start, end):
            pieces += [text[at:run.start() - start], USED * (run.end() - run.start())]
            at = run.end() - start
        pieces.append(text[at:])
        return "".join(pieces)

    def before(self, position: int, width: int = 48) -> tuple[str, int]:
        """The working text just before ``position`` (a bounded window, so look-behind rules stay linear)."""
        start = max(0, position - width)
        return self.window(start, position), start

    def match_after(self, pattern: re.Pattern[str], position: int) -> tuple[re.Match[str] | None, int]:
        """``pattern.match(work, position)`` read in a bounded window: (the match, the window's offset).

        The window keeps a few characters on the left for look-behinds; a match that reaches its right end is
        read again over the whole working text, so the answer is the same as the unbounded match's.
        """
        offset = max(0, position - _LEFT)
        window = self.window(offset, position + _AFTER)
        found = pattern.match(window, position - offset)
        if found is not None and found.end() >= len(window) and offset + len(window) < len(self.text):
            return pattern.match(self.work, position), 0
        return found, offset

    def put(self, name: str, value: object, match: re.Match[str], group: str | int = 0,
            consume: tuple[str | int, ...] | None = None, *, offset: int = 0) -> None:
        """Record ``value`` for field ``name`` (None: the group's text is unknown) and consume the match.

        ``consume`` names the groups to blank instead of the whole match (a GPU name inside "2.788M H800
        GPU hours" is left for the hardware rule).
        """
        written, position = match.group(group).strip(), offset + match.start(group)
        if value is None:
            self.unknown.append((position, written))
        else:
            self.hits.setdefault(name, []).append((position, value, written))
        for part in consume or (0,):
            if match.group(part) is not None:
                self.use(offset + match.start(part), offset + match.end(part))

    def unknown_span(self, match: re.Match[str], group: str | int = 0) -> None:
        """Report a span as not understood, as written, and consume it."""
        self.unknown.append((match.start(group), match.group(group).strip()))
        self.use(*match.span())

    def settle(self, name: str) -> object:
        """The field's value: the one value read, or the one the message says replaces the others."""
        hits = sorted(self.hits.get(name, []), key=lambda hit: hit[0])
        if len({gpu_key(v) or v if name == "gpu" else v for _, v, _ in hits}) <= 1:
            return hits[0][1] if hits else None
        if INSTEAD.search(self.text):
            return hits[0][1]
        if CHANGE.search(self.text):
            return hits[-1][1]
        self.unknown.extend((position, written) for position, _, written in hits if re.search(r"\d", written))
        return None
