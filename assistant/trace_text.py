"""The text side of number tracing (:mod:`assistant.trace`): normalising what models write, masking what is not a
quantity, and cutting the text into clauses.

* :func:`normalize` turns LaTeX, superscripts, thin spaces and Markdown emphasis into plain text and remembers, for
  every character, where it came from, so a number found in the plain text is marked in the answer as written.
* :func:`mask_names` blanks (with spaces, keeping every offset) names, citations, references, formulas, list numbers,
  code and links: "RTX 4090", "DeepSeek-V3", "top-1", "Hoffmann et al. 2022", "Table 3", "6·N·D", "1. ".
* :func:`clauses` cuts the text where a quantity's words stop applying (sentence ends, commas, table cells); a table
  cell's clause also carries its row's label and its column's header.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_MATH_SEGMENT = re.compile(r"\$([^$\n]{1,300}?)\$")
_MATHY = re.compile(r"[\\^_{=]|^\s*-?[\d.,]+\s*$")
_REWRITES: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = tuple(
    (re.compile(pattern), replacement) for pattern, replacement in (
        (r"\\[()\[\]]", ""),
        (r"\\(?:num|text|textrm|mathrm|mathit|operatorname|mbox|mathbf|textbf)\s*\{([^{}]*)\}", r"\1"),
        (r"\\SI\s*\{([^{}]*)\}\s*\{([^{}]*)\}", r"\1 \2"),
        (r"\{,\}", ","),
        (r"\\times", "×"), (r"\\cdot", "·"), (r"\\approx", "≈"), (r"\\sim", "~"), (r"\\%", "%"),
        (r"\\(?:left|right)\b", ""), (r"\\[,;:! ]", " "), (r"\\[A-Za-z]+", " "), (r"[{}]", ""),
        (r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+", lambda m: "^" + m.group(0).translate(_SUPERSCRIPT)),
        (r"[\u00a0\u2007\u2009\u202f]", " "), (r"−", "-"), (r"％", "%"),
        (r"[０-９]", lambda m: chr(ord(m.group(0)) - 0xFEE0)),
        (r"\*+", ""),
    ))


@dataclass(frozen=True)
class Normalized:
    """Plain text, the original, and for each plain character the span of the original it came from."""

    text: str
    original: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of ``text[start:end]``."""
        if start >= end:
            return self.starts[start] if start < len(self.starts) else len(self.original), \
                self.starts[start] if start < len(self.starts) else len(self.original)
        return self.starts[start], self.ends[end - 1]


def _rewrite(text: str, starts: list[int], ends: list[int], pattern: re.Pattern[str],
             replacement: str | Callable[[re.Match[str]], str]) -> tuple[str, list[int], list[int]]:
    out: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(text[last:match.start()])
        new_starts += starts[last:match.start()]
        new_ends += ends[last:match.start()]
        piece = replacement(match) if callable(replacement) else match.expand(replacement)
        if piece == match.group(0):  # unchanged: every character keeps its own place
            out.append(piece)
            new_starts += starts[match.start():match.end()]
            new_ends += ends[match.start():match.end()]
            last = match.end()
            continue
        if match.start() < match.end():
            origin = (starts[match.start()], ends[match.end() - 1])
        else:
            origin = (starts[match.start()], starts[match.start()]) if match.start() < len(starts) else (0, 0)
        out.append(piece)
        new_starts += [origin[0]] * len(piece)
        new_ends += [origin[1]] * len(piece)
        last = match.end()
    out.append(text[last:])
    return "".join(out), new_starts + starts[last:], new_ends + ends[last:]


def normalize(original: str) -> Normalized:
    """``original`` as plain text (see the module doc), with the place of each character."""
    text, starts, ends = original, list(range(len(original))), list(range(1, len(original) + 1))
    text, starts, ends = _rewrite(text, starts, ends, _MATH_SEGMENT,
                                  lambda m: m.group(1) if _MATHY.search(m.group(1)) else m.group(0))
    for pattern, replacement in _REWRITES:
        text, starts, ends = _rewrite(text, starts, ends, pattern, replacement)
    return Normalized(text, original, tuple(starts), tuple(ends))


_CITATION_YEAR = r"(?:19[5-9]\d|20[0-3]\d)[a-z]?"
_MASKS = tuple(re.compile(pattern, flags) for pattern, flags in (
    (r"`[^`\n]*`", 0),
    (r"\]\([^)\s]*\)|https?://\S+", 0),
    (r"(?m)^\s*(?:[-*+]\s+)?\d+[.)、](?=\s)", 0),
    (r"(?m)^#+\s*\d+(?:\.\d+)*\.?", 0),
    (rf"(?:et al\.?|等人?|and [A-Z][A-Za-z-]+)\s*[,，(（]?\s*{_CITATION_YEAR}", 0),
    (rf"[(（]\s*{_CITATION_YEAR}\s*[)）]", 0),
    (rf"\b[A-Z][A-Za-z-]+(?:\s+(?:AI|LLM|et al\.?))?,?\s+{_CITATION_YEAR}\b", 0),
    (r"\b(?:table|tab\.|eq\.?|equation|fig\.?|figure|section|sec\.|appendix|app\.|approach|chapter|step|phase"
     r"|stage|version|v)\s*[A-Z]?\d+(?:\.\d+)*[a-z]?\b", re.I),
    (r"§\s*\d+(?:\.\d+)*[a-z]?", 0),
    (r"(?:表|式|图|方法|附录|第)\s*[（(]?\d+(?:\.\d+)*[)）]?(?:\s*[节章步])?", 0),
    (r"\b\d+\s*[·×x*]?\s*N\s*[·×x*]?\s*D\b|\bC\s*/\s*\d+|√\s*\(?\s*C\s*/\s*\d+\)?", 0),
    (r"(?<!10)(?<!10 )\^\s*\(?-?\d+(?:\.\d+)?", 0),  # an exponent (C^0.73, N^α), not a power of ten
    (r"\b(?:RTX|GTX|Titan)\s*\d+[A-Za-z]*\b", re.I),
    (r"\b[A-Z]{1,3}\d{2,4}[A-Za-z]*(?:\s+(?:SXM|PCIe|NVL)\d?)?\s+\d+\s?GB\b", 0),  # "H800 SXM 80GB": a part's name
    (r"(?:[×x]|张|块|卡)\s*([3-5]0[6-9]0[A-Za-z]*)\b", 0),  # "8× 4090", "8 张 4090": a GPU's name
    (r"\b(?![xX]10\s*\^)[A-Za-z]+\d[A-Za-z0-9.]*(?:-[A-Za-z0-9.]+)*", 0),
    (r"\b[A-Za-z][A-Za-z0-9.]*(?:-[A-Za-z0-9.]+)+", 0),
))


def mask_names(text: str) -> str:
    """``text`` with what is not a quantity blanked by spaces (offsets kept): see the module doc."""
    chars = list(text)
    for pattern in _MASKS:
        for match in pattern.finditer(text):
            group = 1 if pattern.groups else 0  # a pattern with a group blanks only the group
            start, end = match.span(group)
            if any(ch.isdigit() for ch in match.group(group)):
                chars[start:end] = " " * (end - start)
    return "".join(chars)


@dataclass(frozen=True)
class Clause:
    """A stretch of text whose words apply to its numbers; ``context``: for a table cell, its row's label and its
    column's header (the words that say what the cell's number is), else empty."""

    start: int
    end: int
    context: str


_BOUNDARY = re.compile(r"[。；;！？!?\n]|\.(?=\s|$)|[，,、](?!\d)")
SENTENCE = re.compile(r"[。；;！？!?\n]|\.(?=\s|$)")


def clauses(text: str) -> list[Clause]:
    """The clauses of ``text`` (see the module doc), in order."""
    found: list[Clause] = []
    offset = 0
    header: list[str] | None = None
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith("|"):
            cells = _cells(line, offset)
            texts = [text[s:e].strip() for s, e in cells]
            if all(re.fullmatch(r":?-{2,}:?|", t) for t in texts):
                pass  # the separator row under the header
            elif header is None and not any(re.search(r"\d", t) for t in texts):
                header = texts
                found += [Clause(s, e, "") for s, e in cells]
            else:
                header = header or []
                label = next((t for t in texts if t and not re.search(r"\d", t)), texts[0] if texts else "")
                for column, (s, e) in enumerate(cells):
                    head = header[column] if column < len(header) else ""
                    found.append(Clause(s, e, f"{label} {head}"))
        else:
            header = None
            start = offset
            for boundary in _BOUNDARY.finditer(line):
                end = offset + boundary.start()
                if end > start:
                    found.append(Clause(start, end, ""))
                start = offset + boundary.end()
            if offset + len(line) > start:
                found.append(Clause(start, offset + len(line), ""))
        offset += len(line) + 1
    return found


def _cells(line: str, offset: int) -> list[tuple[int, int]]:
    bars = [index for index, ch in enumerate(line) if ch == "|"]
    return [(offset + a + 1, offset + b) for a, b in zip(bars, bars[1:], strict=False)]
