"""Traceability: every number in an LLM's answer must be a tool result of the same quantity, or the user's own.

A number is read with what it measures, then matched only against tool values of that quantity:

1. **Reading the text.** LaTeX (``$5.81 \\times 10^{18}$``, ``\\num{5.81e18}``, ``\\text{M}``), superscripts
   (``10¹⁸``), thin spaces and emphasis are normalised, keeping each character's place in the answer so a flag can
   be marked where it stands. Names (``RTX 4090``, ``DeepSeek-V3``, ``top-1``, the tools' own GPU, model and fit
   names), citations (``Hoffmann et al. 2022``, ``Table 3``, ``§3.2``), the 6·N·D formula, list numbering, links
   and code are masked: they are not quantities.
2. **A mention** is a number with its multiplier (``14.8B``, ``148 亿``, ``46.7 billion``, ``5.81 × 10^18``,
   ``35%``), the precision it was written with, and its quantity (:data:`KINDS`): from the unit right after it
   (``GB``, ``GPU-hours``, ``卡时``, ``天``, ``FLOPs``, ``×``), else a ratio phrase ("tokens per parameter",
   "每个激活参数"), else the words of its clause (after the number, then before it; in a table, the row's label and
   the column's header). Its qualifiers: activated or total, the top-k its clause names, the currency.
3. **Known values** are every number of the tool results with the quantity its field name says
   (:func:`known_kind`: ``*_params`` are parameters, ``wall_clock_days`` a time, ``*_gb`` memory, …), its
   qualifier (``active_params`` is activated, a fit's allocation for an MoE too) and the top-k of its sibling field;
   the numbers in the results' own sentences and in the user's text, read as mentions; and the lengths of the
   results' lists (eight fits).
4. **A match** is a known value of a compatible quantity and qualifier that agrees to the written precision (at
   least 0.5%). Nothing is exempt: a year, a small count or a round number must be one of these too.

``bench/bench_trace.py`` measures it on ``tests/fixtures/answers/`` (correct answers in varied styles, and errors
planted in them).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from assistant.trace_text import SENTENCE, Normalized, clauses, mask_names, normalize

KINDS = ("params", "tokens", "flops", "time", "gpu_hours", "memory", "money", "share", "ratio", "loss", "count",
         "gpus", "experts", "items", "tflops", "energy", "length", "samples")
_BIG = frozenset({"params", "tokens", "flops", "samples", "length", "money", "gpu_hours", "energy", "count", "gpus"})
_COUNTS = frozenset({"count", "gpus", "experts"})  # "count": a count of something else (top-k, ZeRO stage, epochs)
_QUALIFIED = frozenset({"params", "ratio"})
_FLOOR = 0.005  # the least relative tolerance: a written figure may be truncated instead of rounded

# -- reading a mention -----------------------------------------------------------------------------------------------

_MULT = {"万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "十亿": 1e9, "亿": 1e8, "千万": 1e7, "百万": 1e6, "十万": 1e5,
         "万": 1e4, "千": 1e3, "k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12, "bn": 1e9, "mn": 1e6,
         "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "quadrillion": 1e15}
_NUMBER = re.compile(
    r"(?<![\w.,])(?P<pre>US\$|[$¥€£]|USD\s?|CNY\s?|RMB\s?|×\s?)?"
    r"(?P<num>-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"
    r"(?:(?P<exp>[eE][-+]?\d+)|\s*[×x·*]\s*10\s*\^\s*\(?(?P<pow>-?\d+)\)?)?"
    r"(?P<mult>\s?(?:万亿|千亿|百亿|十亿|亿|千万|百万|十万|万|千)|\s?[kKMBT](?![A-Za-z\d])|\s?(?:bn|mn)\b"
    r"|\s(?:thousand|million|billion|trillion|quadrillion)s?\b)?"
    r"(?P<pct>\s?[%％])?"
)
# Units right after a number (after its multiplier): (pattern, kind, factor to the kind's base unit).
_UNITS: tuple[tuple[re.Pattern[str], str, float], ...] = tuple((re.compile(p, re.I), kind, factor) for p, kind, factor
                                                               in (
    (r"GPU[\s·-]*(?:hours?|hrs?|h)\b|GPU\s*小时|卡\s*[·]?\s*时|卡时", "gpu_hours", 1.0),
    (r"GPU[\s·-]*days?\b|卡\s*[·]?\s*天", "gpu_hours", 24.0),
    (r"TFLOP/?s\b|TFLOPS\b", "tflops", 1.0),
    (r"PFLOP(?:s|/s)?\b", "flops", 1e15), (r"EFLOP(?:s|/s)?\b", "flops", 1e18), (r"ZFLOP(?:s|/s)?\b", "flops", 1e21),
    (r"FLOPs?\b|次浮点运算", "flops", 1.0),
    (r"GiB\b", "memory", 1.073741824), (r"TB\b", "memory", 1000.0), (r"MB\b", "memory", 0.001),
    (r"GB\b", "memory", 1.0),
    (r"[kK]Wh\b|千瓦时", "energy", 1.0), (r"MWh\b", "energy", 1000.0),
    (r"(?:hours?|hrs?|h)\b|个?小时", "time", 1.0), (r"days?\b|天", "time", 24.0), (r"weeks?\b|周", "time", 168.0),
    (r"(?:minutes?|mins?)\b|分钟", "time", 1 / 60), (r"months?\b|个月", "time", 720.0),
    (r"美元|元|USD\b|CNY\b|RMB\b|dollars?\b", "money", 1.0),
    (r"-?\s*(?:tokens?|tok)\s*(?:per|/|-per-)\s*(?:activated\s+|active\s+|total\s+)?param(?:eter)?s?\b", "ratio",
     1.0),
    (r"[×x](?![A-Za-z\d])|倍", "ratio", 1.0),
    (r"(?:GPUs?|cards?|devices?)\b|张|块|卡", "gpus", 1.0),
    (r"(?:个\s*)?(?:共享|路由)?专家|个?(?:共享|路由)|(?:shared|routed)\b|experts?\b", "experts", 1.0),
    (r"layers?\b|层|heads?\b", "count", 1.0),
    (r"nats?\b", "loss", 1.0),
    (r"(?:个\s*)?(?:tokens?\b|token|词元)", "tokens", 1.0),
    (r"(?:parameters?|params?)\b|个?参数", "params", 1.0),
    (r"samples?\b|条(?:样本)?", "samples", 1.0),
))
_RATIO = re.compile(r"(?:tokens?|tok)\s*(?:per|/|-per-)\s*(?:activated\s+|active\s+|total\s+)?param"
                    r"|(?:per|/)\s*(?:activated\s+|active\s+|total\s+)?param(?:eter)?s?\b|每\s*(?:个)?\s*(?:激活|总)?\s*参数"
                    r"|token\s*/\s*参数|\bD\s*/\s*N\b|比例|ratio", re.I)
# Quantity words in a clause, in the order they are tried.
_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((kind, re.compile(p, re.I)) for kind, p in (
    ("gpu_hours", r"GPU[\s·-]*hours?|GPU[\s·-]*h\b|卡时|GPU\s*小时|GPU\s*time|GPU 时间"),
    ("flops", r"FLOPs?\b|计算量|算力|compute\b"),
    ("tflops", r"TFLOPS|峰值|peak"),
    ("memory", r"\bGB\b|显存|memory|VRAM"),
    ("money", r"\bcost|price|budget|成本|费用|花费|预算|美元|人民币"),
    ("time", r"wall[\s-]*clock|墙钟|hours?\b|days?\b|小时|天|duration|时长|用时"),
    ("share", r"\bMFU\b|utili[sz]ation|利用率"),
    ("loss", r"\bloss\b|损失|nats?\b"),
    ("params", r"param|参数|\bmodel size|规模"),
    ("tokens", r"tokens?\b|token|词元|data\b|数据"),
    ("gpus", r"GPUs?\b|cards?\b|张"),
    ("experts", r"experts?|专家"),
    ("ratio", r"Chinchilla|optimum|reference|\brule\b|建议值|规则|最优"),
))
_GPU_NAME = re.compile(r"\s*(?:NVIDIA\s+)?(?:GeForce\s+)?(?:RTX|GTX|Titan|[A-Z]{1,3}\d{2,4}[A-Za-z]*\b"
                       r"|[3-5]0[6-9]0\b)", re.I)
_PER_TOKEN = re.compile(r"per[\s-]+token|每\s*个?\s*token", re.I)
_ACTIVE = re.compile(r"activ|激活", re.I)
_TOTAL = re.compile(r"\btotal\b|in all|总", re.I)
# "1.45B activated of 3.26B", "65.4M of its 145M parameters activated": the number after "of" is the whole.
_OF_WHOLE = re.compile(r"(?:\bof|\bout\s+of)\s+(?:its|the|all|their)?\s*$", re.I)
_TOP_K = re.compile(r"top[\s_-]?k?\s*[=-]?\s*(\d+)", re.I)
_CURRENCY = {"$": "USD", "US$": "USD", "USD": "USD", "美元": "USD", "dollar": "USD", "¥": "CNY", "CNY": "CNY",
             "RMB": "CNY", "元": "CNY", "€": "EUR", "£": "GBP"}
_RANGE = re.compile(r"\s*(?:-|–|—|~|至|到|to)\s*$")


@dataclass(frozen=True)
class Mention:
    """A number in a text: what was written (``text``, ``start``/``end`` in the original), its value in its kind's
    base unit, the relative precision it was written with, and what it measures."""

    text: str
    start: int
    end: int
    value: float
    precision: float
    kind: str | None  # one of KINDS; "big" for a count-sized number of no known quantity; None for unknown
    qualifier: str | None = None  # "active" or "total" (parameters and ratios)
    top_k: int | None = None
    currency: str | None = None


@dataclass(frozen=True)
class Known:
    """A number a tool gave (or the user wrote), with what it measures."""

    value: float
    kind: str | None  # None: any quantity (a number of the user's, or a field of no known quantity)
    qualifier: str | None = None
    top_k: int | None = None
    currency: str | None = None
    wildcard: bool = False  # the user's own number of no known quantity: it may be quoted as anything


Untraced = Mention
"""A number of the answer that matches no known value: marked where it stands (:func:`marked`)."""


def mentions(text: str) -> list[Mention]:
    """Every number in ``text`` with its unit, quantity and qualifiers (see the module doc)."""
    normal = normalize(text)
    masked = mask_names(normal.text)
    found: list[Mention] = []
    ends = [m.end() for m in SENTENCE.finditer(normal.text)] + [len(normal.text)]
    for clause in clauses(masked):
        matches = [m for m in _NUMBER.finditer(masked, clause.start, clause.end)]
        sentence_end = next(end for end in ends if end >= clause.end)
        sentence_start = max([end for end in ends if end <= clause.start], default=0)
        top_ks = {int(k) for k in _TOP_K.findall(normal.text[sentence_start:sentence_end])}  # "at top-1, … 65.4M"
        before_start = clause.start
        for index, match in enumerate(matches):
            after_end = matches[index + 1].start() if index + 1 < len(matches) else clause.end
            mention, unit_end = _mention(normal, match, before=masked[before_start:match.start()],
                                         after=masked[match.end():after_end],
                                         raw_after=normal.text[match.end():clause.end], context=clause.context,
                                         top_k=next(iter(top_ks)) if len(top_ks) == 1 else None)
            before_start = match.end() + unit_end  # the next number's words start after this one's unit
            if mention is not None:
                found.append(mention)
    return _ranges(found, masked, normal)


def _mention(normal: Normalized, match: re.Match[str], *, before: str, after: str, raw_after: str,
             context: str, top_k: int | None) -> tuple[Mention | None, int]:
    """The mention ``match`` makes, and where its unit ends in ``after``."""
    raw = match.group("num").replace(",", "")
    try:
        value = float(raw)
    except ValueError:
        return None, 0
    decimals = len(raw.split(".")[1]) if "." in raw else 0
    precision = 0.5 * 10 ** (-decimals) / (abs(value) or 1.0)
    if match.group("exp"):
        value *= 10.0 ** int(match.group("exp")[1:])
    if match.group("pow"):
        value *= 10.0 ** int(match.group("pow"))
    mult = (match.group("mult") or "").strip()
    value *= _MULT.get(mult, _MULT.get(mult.rstrip("s"), 1.0))
    prefix = (match.group("pre") or "").strip()
    kind, factor, unit, unit_end = _unit(after, raw_after, pct=bool(match.group("pct")), prefix=prefix)
    value *= factor
    own = _PER_TOKEN.sub(" ", after[unit_end:])
    earlier = _PER_TOKEN.sub(" ", before)
    bare = not own.strip() and not earlier.strip()
    if kind in (None, "tokens", "params") and ((kind is None and _RATIO.search(own)) or _RATIO.search(earlier)
                                                or (bare and _RATIO.search(context))):
        kind = "ratio"  # "每个激活参数对应 226 个 token", "226 tokens per parameter", a "Tokens / param" column
    if kind is None:
        words = own if _words(own) else earlier if _words(earlier) else ""
        kind = _words(words)
        value *= _time_factor(words) if kind == "time" else 1.0
    if kind is None and (mult or match.group("exp") or match.group("pow")):
        kind = "big"
    if kind is None and context:
        kind = _words(_PER_TOKEN.sub(" ", context))
        value *= _time_factor(context) if kind == "time" else 1.0
    qualifier = "total" if _OF_WHOLE.search(before) else (
        _qualifier(after) or _qualifier(before) or (_qualifier(context) if context else None))
    currency = _CURRENCY.get(prefix) or _CURRENCY.get(unit)
    start, end = normal.span(match.start(), match.end())
    return Mention(text=normal.original[start:end].strip(), start=start, end=end, value=value, precision=precision,
                   kind=kind, qualifier=qualifier, top_k=top_k, currency=currency), unit_end


def _unit(after: str, raw_after: str, *, pct: bool, prefix: str) -> tuple[str | None, float, str, int]:
    """The kind a number's unit says, the factor to the kind's base unit, the unit, and where it ends."""
    if pct:
        return "share", 0.01, "%", 0
    if prefix in _CURRENCY:
        return "money", 1.0, prefix, 0
    skipped = len(after) - len(after.lstrip(" *_"))
    text = after[skipped:]
    if text[:1] in "×x" and _GPU_NAME.match(raw_after.lstrip(" *_")[1:]):
        return "gpus", 1.0, "", 0  # "8× H100": a number of GPUs
    for pattern, kind, factor in _UNITS:
        found = pattern.match(text)
        if found:
            return kind, factor, found.group(0).strip(), skipped + found.end()
    if _GPU_NAME.match(raw_after):
        return "gpus", 1.0, "", 0  # "8 RTX 4090": a number of GPUs
    if prefix.startswith("×"):
        return "ratio", 1.0, "×", 0  # "×11.3" (but "× 7 天" is seven days)
    return None, 1.0, "", 0


def _time_factor(words: str) -> float:
    """Hours in the time unit a clause's words name ("wall clock in days")."""
    for pattern, kind, factor in _UNITS:
        if kind == "time" and factor != 1.0 and pattern.search(words):
            return factor
    return 1.0


def _words(text: str) -> str | None:
    for kind, pattern in _WORDS:
        if pattern.search(text):
            return kind
    return None


def _qualifier(text: str) -> str | None:
    text = _PER_TOKEN.sub(" ", text) if not _ACTIVE.search(text) else text
    active, total = bool(_ACTIVE.search(text)), bool(_TOTAL.search(text))
    return "active" if active and not total else "total" if total and not active else None


def _ranges(found: list[Mention], masked: str, normal: Normalized) -> list[Mention]:
    """In "60–90 tokens per parameter" the first number measures what the second does."""
    result = list(found)
    for index in range(len(found) - 1, 0, -1):
        first, second = result[index - 1], result[index]
        between = normal.original[first.end:second.start]
        if first.kind is None and _RANGE.match(between) and len(between) <= 4:
            result[index - 1] = Mention(first.text, first.start, first.end, first.value, first.precision, second.kind,
                                        second.qualifier, second.top_k, second.currency)
    return result


# -- what the tools said ----------------------------------------------------------------------------------------------


def known_kind(key: str, parent: str = "") -> str | None:
    """The quantity a tool result's field holds, by its name (``parent``: the field holding it, for maps of fits)."""
    if parent == "breakdown":
        return "params"
    if parent in ("predicted_loss", "loss_delta"):
        return "loss"
    rules: tuple[tuple[Callable[[str], bool], str], ...] = (
        (lambda k: "tokens_per" in k or k in ("factor", "near_optimal_band", "plan_over_point", "detailed_over_six_nd"),
         "ratio"),
        (lambda k: "params" in k or k == "routed_experts_active", "params"),
        (lambda k: k == "tokens" or k.endswith("_tokens"), "tokens"),
        (lambda k: "tflops" in k, "tflops"),
        (lambda k: "flops" in k, "flops"),
        (lambda k: k == "gpu_hours", "gpu_hours"),
        (lambda k: k == "wall_clock_hours", "time"),
        (lambda k: k.endswith("days") and k != "gpu_days", "time"),
        (lambda k: k in ("cost", "price_per_gpu_hour", "budget"), "money"),
        (lambda k: k.endswith("_gb"), "memory"),
        (lambda k: "mfu" in k or k in ("fraction", "fractions", "expert_fraction"), "share"),
        (lambda k: "loss" in k or k.endswith("_nats"), "loss"),
        (lambda k: k == "gpu_count", "gpus"),
        (lambda k: k in ("num_experts", "num_shared_experts"), "experts"),
        (lambda k: k in ("top_k", "zero_stage", "micro_batch", "epochs", "count") or k.endswith("_top_k"), "count"),
        (lambda k: k in ("seq_len", "mean_length"), "length"),
        (lambda k: k == "samples", "samples"),
        (lambda k: k.endswith("_kwh"), "energy"),
    )
    return next((kind for rule, kind in rules if rule(key)), None)


_NAMES = frozenset({"gpu", "gpu_key", "model", "label", "preset", "name", "key", "title", "fit", "citation", "source",
                    "family", "min_fit", "max_fit", "fits_min_fit", "fits_max_fit"})
"""Fields that hold names ("NVIDIA H800 SXM 80GB", "Kaplan 2020"): their digits are not quantities."""


def known_values(results: Iterable[Any], *, texts: Iterable[str] = ()) -> list[Known]:
    """Every number of the tool results (see the module doc) and of ``texts`` (the user's words)."""
    known: list[Known] = []
    for result in results:
        known += list(_walk(result, (), is_moe=isinstance(result, dict) and bool(result.get("is_moe"))))
    for text in texts:
        known += [Known(m.value, m.kind, m.qualifier, m.top_k, m.currency, wildcard=m.kind in (None, "big"))
                  for m in mentions(text)]
    return known


def _walk(item: Any, path: tuple[str, ...], *, is_moe: bool, siblings: dict[str, Any] | None = None,
          currency: str | None = None) -> Iterator[Known]:
    if isinstance(item, dict):
        currency = item.get("currency") if isinstance(item.get("currency"), str) else currency
        for key, value in item.items():
            yield from _walk(value, (*path, str(key)), is_moe=is_moe, siblings=item, currency=currency)
    elif isinstance(item, list | tuple):
        if path and not all(isinstance(v, int | float) for v in item):
            yield Known(float(len(item)), "items")  # "the eight fits"
        for value in item:
            yield from _walk(value, path, is_moe=is_moe, siblings=siblings, currency=currency)
    elif isinstance(item, str) and (not path or path[-1] not in _NAMES):
        yield from (Known(m.value, m.kind, m.qualifier, m.top_k, m.currency) for m in mentions(item))
    elif isinstance(item, int | float) and not isinstance(item, bool) and math.isfinite(item) and path:
        key, parent = path[-1], path[-2] if len(path) > 1 else ""
        kind = known_kind(key, parent)
        value = float(item) * (24.0 if kind == "time" and key.endswith("days") else 1.0)
        yield Known(value, kind, _known_qualifier(path, kind, is_moe), _sibling_top_k(key, siblings or {}),
                    currency if kind == "money" else None)


def _known_qualifier(path: tuple[str, ...], kind: str | None, is_moe: bool) -> str | None:
    joined = ".".join(path)
    if "active" in joined and "total" not in joined:
        return "active"
    if "total" in joined and "active" not in joined and kind in _QUALIFIED:
        return "total"
    if is_moe and kind in _QUALIFIED and any(p in joined for p in ("compute_optimal", "alternatives", "data_matched")):
        return "active"  # the fits and the alternatives are on activated parameters for an MoE
    return None


def _sibling_top_k(key: str, siblings: dict[str, Any]) -> int | None:
    prefix = key.rsplit("active_params", 1)[0] if "active_params" in key else None
    for name in ((f"{prefix}top_k",) if prefix else ()) + ("top_k",):
        value = siblings.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


# -- matching ---------------------------------------------------------------------------------------------------------


def _compatible(mention: Mention, known: Known) -> bool:
    if known.kind is None:  # a number of no known quantity (in a sentence) stands only for one of unknown quantity
        if mention.kind not in (None, "big") and not known.wildcard:
            return False
    elif known.kind == "items":  # a list's length: "the 8 fits", never "8 GPUs"
        if mention.kind not in (None, "count"):
            return False
    elif known.kind == "big":  # a count-sized number in a tool's sentence: any count-sized quantity
        if mention.kind not in _BIG | {None, "big"}:
            return False
    elif mention.kind == "big":
        if known.kind not in _BIG:
            return False
    elif mention.kind is not None and mention.kind != known.kind and not (
            (mention.kind == "tokens" and known.kind == "length")
            or (mention.kind == "count" and known.kind in _COUNTS)):
        return False
    if mention.qualifier and known.qualifier and mention.qualifier != known.qualifier:
        return False
    if mention.top_k is not None and known.top_k is not None and mention.top_k != known.top_k:
        return False
    if mention.currency and known.currency and mention.currency != known.currency:
        return False
    return True


def _agrees(mention: Mention, known: Known) -> bool:
    """Within half a unit of the mention's last written digit ("3" stands for 2.5-3.5), or 0.5% of the value."""
    half_unit = mention.precision * abs(mention.value)
    return abs(mention.value - known.value) <= max(half_unit, _FLOOR * abs(known.value), 1e-12)


def untraced(answer: str, *, results: Iterable[Any], sources: Iterable[str] = ()) -> list[Untraced]:
    """The numbers of ``answer`` that no tool result of the same quantity gives, nor the user's words
    (``sources``), in the order they stand."""
    known = known_values(results, texts=sources)
    return [m for m in mentions(answer) if not any(_compatible(m, k) and _agrees(m, k) for k in known)]


def marked(answer: str, found: Iterable[Untraced], *, mark: Callable[[str], str]) -> str:
    """``answer`` with each untraced number replaced by ``mark(number)`` where it stands."""
    for item in sorted(found, key=lambda m: -m.start):
        answer = answer[:item.start] + mark(answer[item.start:item.end]) + answer[item.end:]
    return answer
