"""Read one chat message into a :class:`ParsedRequest`: a deterministic, regex-based reader (no LLM).

It reads Chinese and English ("148 亿 token", "28.9M 条样本 × 512 字", "8 张 4090",
"$2.5 per GPU-hour") and never guesses:

- a number it cannot attribute to a field goes to ``unknown_numbers`` as written;
- a field given two different values stays ``None`` (both go to ``unknown_numbers``), unless the
  message says which replaces which ("换成", "change … to" keep the last; "instead of" keeps the first).

Extractors run in a fixed order, most specific first (preset names and prices before bare counts,
"N 个专家" before "N 条样本"). Each recognised span is blanked in a working copy of the text, so no
number is read twice and the numbers left at the end are exactly the unknown ones. GPU and preset
names are recognised with the catalogues of :mod:`tools.calc` (``find_gpu``, ``list_presets``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import fields

from assistant.offline.request import ParsedRequest
from assistant.quantities import SUFFIXES, parse_number
from tools.calc.errors import CalcInputError
from tools.calc.hardware import find_gpu
from tools.calc.presets import find_preset, list_presets

_I = re.IGNORECASE
_USED = "\x00"  # what a consumed span is replaced with

# --- numbers and units -----------------------------------------------------------------------------------
_DIGITS = r"(?>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:e[-+]?\d+)?)"  # 1,000,000 · 28.9 · 6e9; atomic: 10% is not 1
_NUM = r"(?<![A-Za-z0-9_.])" + _DIGITS
# Multipliers from assistant.quantities. Left out: G and P (80G is memory), and 兆 (1e12 or 1e6).
_LATIN = "".join(k for k in SUFFIXES if len(k) == 1 and k.isascii() and k not in "gp")
_CJK_UNITS = "|".join(sorted((k for k in SUFFIXES if k and not k.isascii() and k != "兆"), key=len, reverse=True))
_WORDS = "|".join(k for k in SUFFIXES if len(k) > 1 and k.isascii())
_SCALE = rf"(?:\s*(?:{_CJK_UNITS})|\s?[{_LATIN}](?![A-Za-z0-9])|\s*(?:{_WORDS})(?![A-Za-z]))"
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN = r"(?<!第)(?:[一二两三四五六七八九]?十[一二三四五六七八九]?|[一二两三四五六七八九])"
_EN_NUMBERS = {w: i for i, w in enumerate("one two three four five six seven eight nine ten".split(), 1)}
_EN = r"(?<![A-Za-z])(?:" + "|".join(_EN_NUMBERS) + r")(?![A-Za-z])"
_IS = r"\s*(?:[:=]|为|是|设为|of|is|to)?\s*"  # "hidden: 640", "隐藏层为 768", "vocab of 6400"
# After a named value: the number belongs to a noun of its own ("context of 3 epochs", "heads 8 张卡").
_NO_NOUN = r"(?!\s*(?:个\s*)?(?:epochs?|轮|遍|GPUs?|张|卡|天|days?|weeks?|周|层|layers?|heads?|头|experts?|专家|%))"


def _qty(name: str, *, scaled: bool = False) -> str:
    """A number with an optional (``scaled``: required) K/M/B/T or 千/万/亿/万亿 multiplier."""
    return rf"(?P<{name}>{_NUM}{_SCALE}{'' if scaled else '?'})"


def _amount(name: str) -> str:
    """A count as digits, a small Chinese numeral (一..九十九, 两) or an English one..ten."""
    return rf"(?P<{name}>{_NUM}|{_CN}|{_EN})"


def _number(text: str | None) -> float | None:
    """The value of a quantity or small numeral; None when it is not one."""
    text = (text or "").strip()
    if text.lower() in _EN_NUMBERS:
        return float(_EN_NUMBERS[text.lower()])
    if text and all(ch in _CN_DIGITS or ch == "十" for ch in text):
        tens, ten, ones = text.partition("十")
        if not ten:
            return float(_CN_DIGITS[text])
        return float(_CN_DIGITS.get(tens, 1) * 10 + _CN_DIGITS.get(ones, 0))
    try:
        return parse_number(text)
    except ValueError:
        return None


def _whole(text: str | None) -> int | None:
    """A positive whole number, else None (2.5 experts is not a count)."""
    value = _number(text)
    return int(value) if value is not None and value >= 1 and value == int(value) else None


def _dim(text: str, *, binary_k: bool = False) -> int | None:
    """A dimension: plain or with 万. "4k" is 4096 for a sequence length (``binary_k``), ambiguous elsewhere."""
    text = text.strip()
    if text[-1:] in "kK":
        value = _number(text[:-1])
        return int(value * 1024) if binary_k and value is not None and value == int(value) else None
    return _whole(text) if _plain(text) or text[-1:] in "千万" or not text[:1].isdigit() else None


def _plain(text: str) -> bool:
    """No multiplier and no exponent: "2048", not "2K" or "2e3"."""
    return re.fullmatch(r"[\d,.]+", text.strip()) is not None


# --- the reader ------------------------------------------------------------------------------------------
_CHANGE = re.compile(r"换成|换为|改成|改为|变成|变为|调到|增加到|减少到|降到|提高到|→|->|=>|\bfrom\b.*\bto\b"
                     r"|\b(?:change|switch|move|go|increase|decrease|reduce|raise|bump|scale|drop|cut)\w*\b.*\bto\b",
                     _I)
_INSTEAD = re.compile(r"instead of|rather than|而不是|而非", _I)


class _Reader:
    """The message being read. Recognised spans are blanked in ``work`` so nothing is read twice."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.work = text
        self.hits: dict[str, list[tuple[int, object, str]]] = {}
        self.unknown: list[tuple[int, str]] = []

    def scan(self, *patterns: re.Pattern[str]) -> Iterator[re.Match[str]]:
        """Matches of each pattern in turn that overlap nothing consumed so far."""
        for pattern in patterns:
            for m in pattern.finditer(self.work):
                if _USED not in self.work[m.start():m.end()]:
                    yield m

    def use(self, start: int, end: int) -> None:
        self.work = self.work[:start] + _USED * (end - start) + self.work[end:]

    def put(self, name: str, value: object, match: re.Match[str], group: str | int = 0) -> None:
        """Record ``value`` for field ``name`` (None: the group's text is unknown) and consume the match."""
        written, position = match.group(group).strip(), match.start(group)
        if value is None:
            self.unknown.append((position, written))
        else:
            self.hits.setdefault(name, []).append((position, value, written))
        self.use(*match.span())

    def settle(self, name: str) -> object:
        """The field's value: the one value read, or the one the message says replaces the others."""
        hits = sorted(self.hits.get(name, []), key=lambda hit: hit[0])
        if len({find_gpu(v).key if name == "gpu" else v for _, v, _ in hits}) <= 1:
            return hits[0][1] if hits else None
        if _INSTEAD.search(self.text):
            return hits[0][1]
        if _CHANGE.search(self.text):
            return hits[-1][1]
        self.unknown.extend((position, written) for position, _, written in hits if re.search(r"\d", written))
        return None


# --- presets ---------------------------------------------------------------------------------------------
def _preset_pattern() -> re.Pattern[str]:
    """Every preset key, display name and alias; spaces, dashes and underscores optional between parts."""
    spellings: dict[str, int] = {}
    for preset in list_presets():
        for name in (preset.key, preset.display_name, *preset.aliases):
            parts = [part for part in re.split(r"[\s_\-]+", name.lower()) if part]
            spellings[r"[\s_\-]*".join(map(re.escape, parts))] = len("".join(parts))
    names = "|".join(sorted(spellings, key=spellings.__getitem__, reverse=True))  # longest first
    unit_follows = r"\s*(?:[张块个卡层天周轮×*]|x\s*\d|(?:GPUs?|cards?|epochs?|layers?|days?|weeks?)\b)"
    return re.compile(rf"(?<![A-Za-z0-9])(?:{names})(?![A-Za-z0-9]|\.\d)(?!{unit_follows})", _I)


_PRESET = _preset_pattern()
_MIXTURE_NAME = re.compile(rf"{_NUM}\s*[x×]\s*\d+(?:\.\d+)?\s*B(?![A-Za-z0-9])", _I)  # "8x7B": not an expert count


def _presets(r: _Reader) -> None:
    for m in r.scan(_PRESET):
        r.put("preset", find_preset(m.group(0)).key, m)
    for m in r.scan(_MIXTURE_NAME):
        r.put("unknown", None, m)


# --- price and MFU ---------------------------------------------------------------------------------------
_CUR = r"(?P<cur>US\$|[¥$]|RMB|CNY|USD)"
_CUR_WORD = r"(?P<word>元|块钱?|人民币|美元|美金|dollars?|USD|RMB|CNY)"
_GPU_HOUR = (r"(?:(?:张\s*)?(?:GPU|卡|card|显卡)(?:\s*(?:per|每)\s*|[\s·\-/]*)(?:小时|时|hours?|hrs?|h)(?![A-Za-z])"
             r"|(?:小时|hours?|hrs?|h)\s*(?:/|per|每)\s*(?:张\s*)?(?:GPU|卡|card|显卡))")
_PRICES = (
    re.compile(rf"{_CUR}?\s*{_qty('p')}\s*{_CUR_WORD}?\s*(?:/|每|per|an?)\s*{_GPU_HOUR}", _I),
    re.compile(rf"(?:每\s*(?:张\s*)?卡\s*每?\s*小?时|卡时(?:单价|价格|费用|成本)?|(?:per|an?)\s+GPU[\s-]*hours?"
               rf"|GPU[\s-]*hours?\s*(?:price|cost|rate))\s*(?:[:=]|为|是|costs?|is)?\s*(?:约|about|~)?\s*"
               rf"{_CUR}?\s*{_qty('p')}\s*{_CUR_WORD}?", _I),
)
_MFUS = (
    re.compile(rf"MFU\s*(?:[:=]|为|是|of|is|at|约|大约|~|≈|around|about|\s)*{_qty('v')}\s*(?P<pct>%)?", _I),
    re.compile(rf"{_qty('v')}\s*(?P<pct>%)\s*(?:的\s*)?MFU", _I),
)


def _price(r: _Reader) -> None:
    for m in r.scan(*_PRICES):
        currency = (m["cur"] or m["word"] or "").lower()
        if currency:
            r.put("currency", "USD" if currency in ("$", "us$", "usd", "美元", "美金") or "dollar" in currency
                  else "CNY", m)
        r.put("price_per_gpu_hour", _number(m["p"]), m, "p")


def _mfu(r: _Reader) -> None:
    for m in r.scan(*_MFUS):
        value = _number(m["v"])
        if value is not None and (m["pct"] or value > 1):
            value /= 100
        r.put("mfu", value if value is not None and 0 < value <= 1 else None, m, "v")


# --- hardware and time -----------------------------------------------------------------------------------
_GPU_CORE = r"(?:(?:nvidia|geforce|rtx|amd|instinct|tesla)[\s-]*)*(?:[A-Za-z]{1,3}\d{2,4}[A-Za-z]{0,2}|\d{4})"
_GPU_NAME = _GPU_CORE + r"(?:[\s-]*(?:sxm\d?|pcie|\d{2,3}\s*gb?))*"
_GPU_TOKEN = re.compile(rf"(?:(?<=\d[x×*])|(?<![A-Za-z0-9.]))(?P<gpu>{_GPU_NAME})(?![A-Za-z0-9])", _I)
_ONE = r"(?P<one>(?<![A-Za-z])(?:a\s+)?single(?![A-Za-z])|单)"  # "a single 4090", "单卡"
_COUNT_BEFORE = re.compile(rf"(?:{_amount('n')}|{_ONE})\s*(?:张|块|片|个)?\s*(?:[x×*]\s*)?$", _I)
_COUNT_AFTER = re.compile(rf"\s*(?:GPUs?|cards?|显卡|卡)?\s*(?:[x×*]\s*{_amount('n')}|{_amount('m')}\s*(?:张|块))", _I)
_NOT_GPU_TIME = r"(?![A-Za-z]|\s*-?\s*(?:hours?|hrs?|days?|h\b|小时|时|天))"  # "1000 GPU-hours", "卡时" are budgets
_NODES = re.compile(rf"{_amount('n')}\s*(?:台|个?节点|nodes?|machines?|servers?|hosts?)\s*[,;]?\s*"
                    rf"(?:each\s+with|of|with|每台|每个?节点|[x×*])?\s*{_amount('m')}\s*(?:张|块|个)?\s*[x×*]?\s*"
                    rf"(?:(?P<gpu>{_GPU_NAME})|显卡|卡|GPUs?|cards?){_NOT_GPU_TIME}", _I)
_GPU_COUNTS = (
    re.compile(rf"(?:{_amount('n')}|{_ONE})\s*(?:张|块|片|个)?\s*-?\s*(?:GPUs?|graphics\s+cards?|cards?|显卡|卡)"
               rf"{_NOT_GPU_TIME}", _I),
    re.compile(rf"{_amount('n')}\s*张(?=\s*(?:[呢吧吗啊的,;.?!。、)]|$))", _I),
)
_DAYS = re.compile(rf"(?:{_amount('n')}|(?<![A-Za-z])(?P<a>an?)\s)\s*(?:个\s*)?-?\s*"
                   rf"(?P<unit>天|days?|周|星期|礼拜|weeks?|小时|hours?|hrs?)(?![A-Za-z])", _I)


def _gpu_name(text: str) -> str | None:
    """``text`` as find_gpu reads it (a plural "s" dropped); or just its model, if that names one part."""
    def reads(name: str) -> bool:
        try:
            return bool(find_gpu(name))
        except CalcInputError:
            return False

    for candidate in (text, text[:-1] if text[-1:] in "sS" else ""):
        if candidate and reads(candidate):
            return candidate
    model = re.match(_GPU_CORE, text, _I).group(0)
    if reads(model) and find_gpu(model).notes == find_gpu(find_gpu(model).key).notes:  # no "read as" note
        return model
    return None


def _hardware(r: _Reader) -> None:
    for m in r.scan(_NODES):
        nodes, per_node = _whole(m["n"]), _whole(m["m"])
        r.put("gpu_count", nodes * per_node if nodes and per_node else None, m, "n")
        if m["gpu"]:
            r.put("gpu", _gpu_name(m["gpu"]), m, "gpu")
    for m in r.scan(_GPU_TOKEN):
        name = _gpu_name(m["gpu"])
        if name is None:
            continue
        r.put("gpu", name, m, "gpu")
        if before := _COUNT_BEFORE.search(r.work, 0, m.start()):
            r.put("gpu_count", _whole(before["n"]) if before["n"] else 1, before, "n" if before["n"] else "one")
        elif after := _COUNT_AFTER.match(r.work, m.end()):
            r.put("gpu_count", _whole(after["n"] or after["m"]), after, "n" if after["n"] else "m")
    for m in r.scan(*_GPU_COUNTS):
        one = m.groupdict().get("one")
        r.put("gpu_count", 1 if one else _whole(m["n"]), m, "one" if one else "n")


def _duration(r: _Reader) -> None:
    for m in r.scan(_DAYS):
        count, unit = (1.0 if m["a"] else _number(m["n"])), m["unit"].lower()
        per_unit = 7 if unit[0] in "周星礼w" else 1 / 24 if unit[0] in "小h" else 1
        r.put("days", count * per_unit if count else None, m, "a" if m["a"] else "n")


# --- architecture ----------------------------------------------------------------------------------------
_SEQ_LENS = (
    re.compile(rf"(?:(?:max[\s_-]*)?seq(?:uence)?(?:[\s_-]*len(?:gth)?)?|context(?:[\s_-]*(?:length|window|len))?"
               rf"|ctx(?:[\s_-]*len)?|block[\s_-]*size|序列长度|上下文(?:长度|窗口)?|最大长度){_IS}{_qty('n')}"
               rf"{_NO_NOUN}", _I),
    re.compile(rf"{_qty('n')}[\s-]*(?:tokens?[\s-]*)?(?:context(?:[\s_-]*(?:length|window))?|上下文|序列长度)", _I),
)
_KEYED = r"(?:[\s_-]*(?:size|dim(?:ension)?|hidden|维度|大小|规模))?"


def _named(names: str, value: str = _qty("n")) -> re.Pattern[str]:
    """A value after its name: "hidden 640", "vocab_size: 6400", "隐藏层维度为 768"."""
    return re.compile(rf"(?:{names}){_KEYED}{_IS}{value}{_NO_NOUN}", _I)


def _counted(names: str) -> re.Pattern[str]:
    """A count before its noun: "8 heads", "16 层", "八个头"."""
    return re.compile(rf"{_amount('n')}\s*(?:个\s*)?-?\s*(?:{names})(?![A-Za-z])", _I)


_KV = r"(?:kv|key[\s_-]*value)[\s_-]*"
_DIMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("hidden_size", _named(r"hidden|d[\s_-]?model|model[\s_-]*dim|隐藏层?|隐层|模型维度")),
    ("hidden_size", re.compile(rf"{_qty('n')}[\s-]*(?:维\s*(?:的\s*)?(?:隐藏|隐层)|d[\s_-]?model"
                               rf"|hidden(?![\s_-]*layers?)(?:[\s_-]*(?:size|dim))?)", _I)),
    ("intermediate_size", _named(r"ffn|mlp|intermediate|d[\s_-]?ff|前馈(?:层|网络)?|中间层")),
    ("vocab_size", _named(r"vocab(?:ulary)?|词表|词汇表")),
    ("vocab_size", re.compile(rf"{_qty('n')}\s*(?:的\s*)?(?:vocab(?:ulary)?|词表)", _I)),
    ("num_kv_heads", _counted(rf"{_KV}(?:heads?|头)")),
    ("num_kv_heads", _named(rf"{_KV}(?:heads?|头数?)|num_key_value_heads|n_kv_heads|GQA[\s-]*(?:groups?)?",
                            rf"-?\s*{_amount('n')}")),
    ("num_heads", _counted(r"(?:(?:attention|注意力)\s*)?(?:heads?|头)")),
    ("num_heads", _named(r"n_heads|num_heads|num_attention_heads|heads|注意力头数?|头数", _amount("n"))),
    ("num_layers", _counted(r"(?:hidden\s+|transformer\s+|隐藏)?(?:层|layers?)")),
    ("num_layers", _named(r"层数|num[\s_-]*(?:hidden[\s_-]*)?layers|n[\s_-]*layers?|layers", _amount("n"))),
)


def _architecture(r: _Reader) -> None:
    for m in r.scan(*_SEQ_LENS):
        r.put("seq_len", _dim(m["n"], binary_k=True), m, "n")
    for name, pattern in _DIMS:
        for m in r.scan(pattern):
            r.put(name, _dim(m["n"]), m, "n")


# --- experts ---------------------------------------------------------------------------------------------
_NO_SHARED = re.compile(r"(?:no|without|zero|无|没有|不用|不要)\s*(?:个\s*)?(?:共享专家|shared\s+experts?)", _I)
_SHARED = (
    re.compile(rf"{_amount('n')}\s*(?:个\s*)?(?:共享专家|shared(?:[\s-]*experts?)?)(?![A-Za-z])", _I),
    re.compile(rf"(?:共享专家(?:数量?)?|(?:num_|n_)?shared[\s_-]*experts){_IS}{_amount('n')}(?:\s*个)?", _I),
)
_TOP_K = (
    re.compile(rf"(?<![A-Za-z])top[\s_-]*(?:k\s*)?(?:[:=_-]\s*)?{_amount('n')}(?!\s*%)", _I),
    re.compile(rf"(?:每个?\s*token\s*)?(?:激活|选择?|路由(?:到|给)|发送(?:到|给)|分配给?)\s*{_amount('n')}\s*个\s*"
               rf"(?:路由)?专家", _I),
    re.compile(rf"{_amount('n')}\s*(?:个\s*)?(?:active|activated|selected|激活)\s*(?:routed\s+)?(?:experts?|专家)"
               rf"|{_amount('m')}\s+experts?\s+(?:per\s+token|active|activated)"
               rf"|(?:activates?|routes?(?:\s+each\s+token)?\s+to|picks?|selects?|chooses?)\s+{_amount('k')}\s+"
               rf"(?:routed\s+)?experts?(?:\s+per\s+token)?", _I),
)
_K_OF_E = (
    re.compile(rf"{_amount('k')}\s*(?:of|out\s+of)\s*{_amount('e')}\s*(?:routed\s+)?experts?", _I),
    re.compile(rf"{_amount('e')}\s*选\s*{_amount('k')}", _I),
)
_ROUTED = (
    re.compile(rf"{_amount('n')}\s*(?:个\s*)?-?\s*(?:路由专家|专家|routed[\s-]*experts?|experts?)(?![A-Za-z])", _I),
    re.compile(rf"(?:(?:路由)?专家(?:数量?|数目)?|(?:num|n)[\s_-]*(?:routed[\s_-]*)?experts){_IS}{_amount('n')}"
               rf"(?:\s*个)?|(?<![A-Za-z])experts?\s*[:=]\s*{_amount('m')}", _I),
)


def _experts(r: _Reader) -> None:
    for m in r.scan(_NO_SHARED):
        r.put("num_shared_experts", 0, m)
    for m in r.scan(*_SHARED):
        r.put("num_shared_experts", _whole(m["n"]), m, "n")
    for m in r.scan(*_TOP_K):
        group = next(g for g in ("n", "m", "k") if m.groupdict().get(g))
        r.put("top_k", _whole(m[group]), m, group)
    for m in r.scan(*_K_OF_E):
        r.put("top_k", _whole(m["k"]), m, "k")
        r.put("num_experts", _whole(m["e"]), m, "e")
    for m in r.scan(*_ROUTED):
        group = "n" if m.groupdict().get("n") else "m"
        r.put("num_experts", _whole(m[group]), m, group)


# --- data ------------------------------------------------------------------------------------------------
_SAMPLE_WORD = (r"(?:条\s*(?:样本|数据|文本|文档|序列|记录)|条(?![\u4e00-\u9fff])|(?:个|篇)\s*(?:样本|文本|文档|序列)"
                r"|(?:samples?|examples?|sequences?|documents?|docs|rows|records)(?![A-Za-z]))")


def _unit(name: str) -> str:
    return rf"(?P<{name}>字符|字(?!节)|characters?|chars?|tokens?|词元)(?![A-Za-z])"


_SAMPLES_BY_LENGTH = re.compile(
    rf"{_qty('s')}\s*{_SAMPLE_WORD}\s*[,;、]?\s*(?:[x×*]|each\s+of|of|at|with|每条(?:平均)?|平均(?:每条)?)\s*"
    rf"(?:约|about|~|avg\.?|average|mean|平均)?\s*{_qty('l')}\s*(?:个\s*)?{_unit('u')}"
    rf"(?:\s*(?:each|per\s+sample|on\s+average))?", _I)
_SAMPLES = re.compile(rf"{_qty('s')}\s*{_SAMPLE_WORD}", _I)
_LENGTHS = (
    re.compile(rf"(?:每条(?:样本|数据)?(?:平均)?(?:长度)?|平均(?:每条)?(?:长度)?|(?:mean|avg\.?|average)(?:[\s_-]*"
               rf"(?:sample[\s_-]*)?length)?)\s*(?:[:=]|为|是|约|of|is)?\s*(?:约|about|~)?\s*{_qty('l')}\s*(?:个\s*)?"
               rf"{_unit('u')}?", _I),
    re.compile(rf"{_qty('l')}\s*(?:个\s*)?{_unit('u')}\s*(?:each|per\s+(?:sample|example|document|doc|sequence|row)"
               rf"|/\s*条|每条|一条|on\s+average)", _I),
)
_BARE_CHARS = re.compile(rf"{_qty('l')}\s*(?:个\s*)?(?P<u>字符|字(?!节)|characters?|chars?)(?![A-Za-z])", _I)
_EPOCHS = (
    re.compile(rf"{_amount('n')}\s*(?:个\s*)?-?\s*(?:epochs?|轮|遍)(?![A-Za-z])", _I),
    re.compile(rf"epochs?\s*(?:数)?{_IS}{_amount('n')}", _I),
)
_TOKENS = (
    re.compile(rf"{_qty('n')}\s*(?:个\s*)?(?:tokens?|词元)(?![A-Za-z])", _I),
    re.compile(rf"(?:tokens?|token\s*数(?:量)?|词元数|训练\s*token\s*数?){_IS}(?:约|about|~)?\s*{_qty('n')}", _I),
)
# "stop at 3B tokens", "只训练到 30 亿 token": just before the tokens; "30 亿 token 就停": just after them.
_STOP_BEFORE = re.compile(r"(?:stop(?:ping)?(?:\s+training)?\s+(?:at|after)|cap(?:ped)?\s+(?:at|to)|halt\s+at"
                          r"|(?:only|just)\s+(?:train|use|run)(?:\s+(?:on|for|with))?|[只仅](?:训练?|用|跑)(?:到|了)?"
                          r"|训练?到|停在|截断到)\s*$", _I)
_STOP_AFTER = re.compile(r"\s*(?:个\s*)?(?:tokens?|词元)?\s*(?:就|后|时|之后|then)?\s*(?:停|结束|stop)", _I)


def _length_unit(unit: str | None) -> str | None:
    return None if unit is None else "tokens" if unit.lower().startswith("token") or unit == "词元" else "chars"


def _data(r: _Reader) -> None:
    for m in r.scan(_SAMPLES_BY_LENGTH):
        r.put("samples", _number(m["s"]), m, "s")
        r.put("mean_length", _number(m["l"]), m, "l")
        r.put("length_unit", _length_unit(m["u"]), m, "u")
    for m in r.scan(_SAMPLES):
        r.put("samples", _number(m["s"]), m, "s")
    for m in r.scan(*_LENGTHS):
        r.put("mean_length", _number(m["l"]), m, "l")
        if m["u"]:
            r.put("length_unit", _length_unit(m["u"]), m, "u")
    for m in r.scan(_BARE_CHARS):  # "512 字符" is a length; a total in characters has no field
        value = _number(m["l"])
        per_sample = value is not None and _plain(m["l"]) and value < 1e6
        r.put("mean_length", value if per_sample else None, m, "l")
        if per_sample:
            r.put("length_unit", "chars", m, "u")
    for m in r.scan(*_EPOCHS):
        r.put("epochs", _number(m["n"]), m, "n")
    for m in r.scan(*_TOKENS):  # a total of "2048 tokens" is not a training run: left unknown
        value = _number(m["n"])
        r.put("tokens", value if value is not None and (not _plain(m["n"]) or value >= 1e6) else None, m, "n")


# --- model size and kind ---------------------------------------------------------------------------------
_PARAMS = r"(?:\s*(?:params?|parameters|参数量?))?"
_ACTIVE = (
    re.compile(rf"{_qty('v', scaled=True)}\s*(?:个\s*)?(?:active|activated|激活){_PARAMS}", _I),
    re.compile(rf"(?:激活参数量?|激活|activated?{_PARAMS}){_IS}(?:约|about|~)?\s*{_qty('v', scaled=True)}", _I),
)
_TOTAL = (
    re.compile(rf"{_qty('v', scaled=True)}\s*(?:total|总参数量?|总){_PARAMS}", _I),
    re.compile(rf"{_qty('v')}\s*(?:个\s*)?[\s-]?(?:参数|params?|parameters?)(?![A-Za-z])", _I),
    re.compile(rf"(?:总参数量?|总参|total{_PARAMS}|参数量|参数规模|parameter\s+count|模型(?:大小|规模)|model\s+size)"
               rf"{_IS}(?:约|about|~)?\s*{_qty('v', scaled=True)}", _I),
    re.compile(rf"{_qty('v', scaled=True)}(?=[\s-]*(?:的\s*)?(?:MoE|dense|稠密|模型|model|LLM|transformer))", _I),
    re.compile(rf"(?:model|模型)\s*(?:were|was|is|of|at|to|with|becomes?|=|:|换成|改成|变成|改为|为|是)?\s*"
               rf"{_qty('v', scaled=True)}", _I),
)
_DENSE = re.compile(r"(?<![A-Za-z])dense(?![A-Za-z])|稠密|密集", _I)
_QUESTION = re.compile(r"what\s+(?:is|are)\s+(?:an?\s+)?(?:dense|MoE)|什么是|是什么|explain|解释一下", _I)
_MOE = re.compile(r"(?<![A-Za-z])MoEs?(?![A-Za-z])|混合专家|mixture[\s-]+of[\s-]+experts", _I)


def _sizes(r: _Reader) -> None:
    for name, patterns in (("active_params", _ACTIVE), ("total_params", _TOTAL)):
        for m in r.scan(*patterns):
            r.put(name, _number(m["v"]), m, "v")
    if _QUESTION.search(r.text):  # "what is MoE?" says nothing about the model being planned
        return
    for pattern, dense in ((_DENSE, True), (_MOE, False)):
        for m in r.scan(pattern):
            r.put("dense", dense, m)


# --- the message -----------------------------------------------------------------------------------------
_EXTRACTORS: tuple[Callable[[_Reader], None], ...] = (
    _presets, _price, _mfu, _hardware, _duration, _architecture, _experts, _data, _sizes,
)
_LEFTOVER = re.compile(  # what is left: "GPT-4", "2e21", "94GB", "三十亿"
    rf"(?<![\dA-Za-z.])(?:[A-Za-z]+-?)?{_DIGITS}{_SCALE}?[A-Za-z%]*|[一二两三四五六七八九十百]+(?:{_CJK_UNITS})", _I)
_FIELDS = tuple(f.name for f in fields(ParsedRequest)
                if f.name not in ("language", "text", "concept", "stop_at_tokens", "unknown_numbers"))
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_MULTIPLIER = re.compile(rf"\d\s*(?:{_CJK_UNITS})")


def _language(text: str) -> str:
    """"zh" when there is at least one Chinese character (万/亿 after a digit aside) per two English words."""
    chinese = len(_CJK.findall(_CJK_MULTIPLIER.sub("", text)))
    return "zh" if chinese and 2 * chinese >= len(re.findall(r"[A-Za-z]{2,}", text)) else "en"


def parse_message(text: str) -> ParsedRequest:
    """Read ``text`` into a :class:`ParsedRequest`; every field the message does not state is None."""
    reader = _Reader(unicodedata.normalize("NFKC", text.replace("，", "；")))  # keep "top-1，28.9M" apart
    for extract in _EXTRACTORS:
        extract(reader)
    values = {name: reader.settle(name) for name in _FIELDS}
    stop = False
    if values["tokens"] is not None:
        at = next(position for position, value, _ in reader.hits["tokens"] if value == values["tokens"])
        written = next(w for position, _, w in reader.hits["tokens"] if position == at)
        stop = bool(_STOP_BEFORE.search(reader.text[:at]) or _STOP_AFTER.match(reader.text, at + len(written)))
    reader.unknown.extend((m.start(), m.group(0).strip()) for m in _LEFTOVER.finditer(reader.work))
    return ParsedRequest(
        language=_language(text),  # type: ignore[arg-type]
        text=text,
        stop_at_tokens=stop,
        unknown_numbers=tuple(written for _, written in sorted(reader.unknown)),
        **values,  # type: ignore[arg-type]
    )
