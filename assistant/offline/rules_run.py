"""Reading the run: prices and budgets, MFU, compute and GPU-hour budgets, GPUs, durations and the data.

Each function is one rule family over a :class:`~assistant.offline.reader.Reader`; they run in the order
:mod:`assistant.offline.parse` gives. GPU names are recognised with the catalogue (``find_gpu``).
"""

from __future__ import annotations

import re

from assistant.offline.reader import (
    CJK_UNITS,
    DIGITS,
    IS,
    NUM,
    SCALE,
    Reader,
    amount,
    gpu_key,
    number,
    plain,
    qty,
    whole,
)
from tools.calc.hardware import find_gpu

_I = re.IGNORECASE

# --- ambiguous numbers -----------------------------------------------------------------------------------
_DECIMAL_COMMA = re.compile(rf"(?<![\d.,])\d+,(?:\d{{1,2}}|\d{{4,}})(?![\d.,]){SCALE}?", _I)  # "1,5T", "2,75"


def ambiguous(r: Reader) -> None:
    """A comma that is not a thousands separator ("1,5T") reads two ways: reported, never guessed."""
    for m in r.scan(_DECIMAL_COMMA):
        r.unknown_span(m)


# --- GPU names --------------------------------------------------------------------------------------------
GPU_CORE = r"(?:(?:nvidia|geforce|rtx|amd|instinct|tesla)[\s-]*)*(?:[A-Za-z]{1,3}\d{2,4}[A-Za-z]{0,2}|\d{4})"
GPU_NAME = GPU_CORE + r"(?:[\s-]*(?:sxm\d?|pcie|\d{2,3}\s*gb?|\(\s*\d{2,3}\s*GB?\s*\)))*"


def gpu_name(text: str) -> str | None:
    """``text`` as find_gpu reads it (a plural "s" dropped); or just its model, if that names one part."""
    text = re.sub(r"[()]", " ", text).strip()  # "A100 (80GB)"
    for candidate in (text, text[:-1] if text[-1:] in "sS" else "", text + "B" if re.search(r"\d[gG]$", text) else ""):
        if candidate and gpu_key(candidate):
            return candidate
    model = re.match(GPU_CORE, text, _I).group(0)
    if gpu_key(model) and find_gpu(model).notes == find_gpu(find_gpu(model).key).notes:  # no "read as" note
        return model
    return None


# --- money: prices per GPU-hour, budgets ------------------------------------------------------------------
_CUR = r"(?P<cur>US\$|[¥$€]|RMB|CNY|USD)"
_CUR_WORD = r"(?P<word>元|块钱?|人民币|美元|美金|刀|dollars?|USD|RMB|CNY)"
_GPU_HOUR = (r"(?:(?:张\s*)?(?:GPU|卡|card|显卡)(?:\s*(?:per|每)\s*|[\s·\-/]*)(?:小时|时|hours?|hrs?|h)(?![A-Za-z])"
             r"|(?:小时|hours?|hrs?|h)\s*(?:/|per|每)\s*(?:张\s*)?(?:GPU|卡|card|显卡))")
_PRICES = (
    re.compile(rf"{_CUR}?\s*{qty('p')}\s*{_CUR_WORD}?\s*(?:/|每|per|an?)\s*{_GPU_HOUR}", _I),
    re.compile(rf"(?:每\s*(?:张\s*)?(?:卡|GPU|显卡)\s*每?\s*小?时|卡时(?:单价|价格|费用|成本)?|(?:per|an?)\s+GPU[\s-]*hours?"
               rf"|GPU[\s-]*hours?\s*(?:price|cost|rate))\s*(?:[:=]|为|是|costs?|is)?\s*(?:约|about|~)?\s*"
               rf"{_CUR}?\s*{qty('p')}\s*{_CUR_WORD}?", _I),
    re.compile(rf"{_CUR}?\s*{qty('p')}\s*{_CUR_WORD}?\s*(?:一个?|每个?)\s*卡时", _I),
    re.compile(rf"(?<=\w)\s*(?:一|每)\s*小时\s*{_CUR}\s*{qty('p')}", _I),  # "H100 一小时 $2.2"
    re.compile(rf"{_CUR}\s*{qty('p')}\s*/\s*(?:hr|hour|h)\s+(?:per|for\s+(?:an?|each))\s+(?=[A-Za-z]*\d)", _I),
    re.compile(rf"{_CUR}?\s*{qty('p')}\s*{_CUR_WORD}\s*(?:一|每)\s*(?:个\s*)?(?:小时|h)\s*(?:一|每)\s*(?:张|卡)", _I),
)
_WAN_MONEY = re.compile(rf"(?P<p>\d+(?:\.\d+)?)\s*[wW]\s*{_CUR_WORD}")  # "10w 块": chat shorthand for 10 万
_MONEY = (
    re.compile(rf"{_CUR}\s*{qty('p')}(?:\s*{_CUR_WORD})?", _I),
    re.compile(rf"{qty('p')}\s*{_CUR_WORD}", _I),
)


def _currency(m: re.Match[str]) -> str | None:
    written = (m.groupdict().get("cur") or m.groupdict().get("word") or "").lower()
    if not written:
        return None
    if written in ("$", "us$", "usd", "美元", "美金", "刀") or "dollar" in written:
        return "USD"
    return "EUR" if written == "€" else "CNY"


def prices(r: Reader) -> None:
    for m in r.scan(*_PRICES):
        currency = _currency(m)
        if currency:
            r.hits.setdefault("currency", []).append((m.start(), currency, m.group(0)))
        r.put("price_per_gpu_hour", number(m["p"]), m, "p")


def budgets(r: Reader) -> None:
    """Money that is not a price per GPU-hour: "预算 2 万元", "$20k", "3 块钱", "10w 块"."""
    for m in r.scan(_WAN_MONEY):
        r.hits.setdefault("currency", []).append((m.start(), _currency(m), m.group(0)))
        r.put("budget", float(m["p"]) * 1e4, m, "p")
    for m in r.scan(*_MONEY):
        currency = _currency(m)
        if currency:
            r.hits.setdefault("currency", []).append((m.start(), currency, m.group(0)))
        r.put("budget", number(m["p"]), m, "p")


# --- MFU, FLOPs, GPU-hours --------------------------------------------------------------------------------
_MFUS = (
    re.compile(rf"MFU\s*(?:[:=]|为|是|of|is|at|约|大约|大概|先按|按照?|改成|改为|调到|设为|只有|仅|能到|能达到|达到|到|能|可以|"
               rf"maybe|perhaps|probably|roughly|~|≈|around|about|only|targeting|\s)*{qty('v')}\s*(?P<pct>%)?", _I),
    re.compile(rf"{qty('v')}\s*(?P<pct>%)\s*(?:的\s*)?MFU", _I),
)
_FLOPS = re.compile(rf"{qty('f')}\s*(?:FLOPs?|flops|FLOP)(?![A-Za-z])", _I)
_GPU_HOURS = re.compile(rf"{qty('h')}\s*(?P<gpu>{GPU_NAME}\s*)?(?P<unit>GPU[\s·-]*(?:hours?|hrs?|h)(?![A-Za-z])"
                        rf"|卡时|卡小时|GPU\s*小时|GPU·h)", _I)


_ZERO = re.compile(r"(?<![A-Za-z])zero[\s_-]*(?:stage[\s_-]*)?(?P<n>[0-3])(?![\d.])", _I)


def training_settings(r: Reader) -> None:
    """The ZeRO stage ("ZeRO-3", "zero stage 2"): a memory setting."""
    for m in r.scan(_ZERO):
        r.put("zero_stage", int(m["n"]), m, "n")


def mfu(r: Reader) -> None:
    for m in r.scan(*_MFUS):
        value = number(m["v"])
        if value is not None and (m["pct"] or value > 1):
            value /= 100
        r.put("mfu", value if value is not None and 0 < value <= 1 else None, m, "v")


def compute(r: Reader) -> None:
    for m in r.scan(_FLOPS):
        r.put("compute_flops", number(m["f"]), m, "f")
    for m in r.scan(_GPU_HOURS):
        r.put("gpu_hours", number(m["h"]), m, "h", consume=("h", "unit"))


# --- hardware ----------------------------------------------------------------------------------------------
_GPU_TOKEN = re.compile(rf"(?:(?<=\d[x×*])|(?<![A-Za-z0-9.]))(?P<gpu>{GPU_NAME})s?(?![A-Za-z0-9])", _I)  # "4090s"
_ONE = r"(?P<one>(?<![A-Za-z])(?:a\s+)?single(?![A-Za-z])|单)|(?P<two>双)"  # "a single 4090", "单卡", "双卡"
_COUNT_BEFORE = re.compile(rf"(?:{amount('n')}|{_ONE})\s*(?:张|块|片|个|卡)?\s*(?:[x×*]\s*)?$", _I)
_COUNT_AFTER = re.compile(rf"\s*(?:GPUs?|cards?|显卡|卡)?\s*(?:[x×*]\s*{amount('n')}|{amount('m')}\s*(?:张|块))", _I)
_NOT_GPU_TIME = r"(?![A-Za-z]|\s*-?\s*(?:hours?|hrs?|days?|h\b|小时|时|天))"  # "1000 GPU-hours", "卡时" are budgets
_NODES = (
    re.compile(rf"{amount('n')}\s*(?:台|个?节点|nodes?|machines?|servers?|hosts?)\s*(?:机器|服务器)?\s*[,;；]?\s*"
               rf"(?:each\s+with|of|with|每台|每个?节点|[x×*])?\s*{amount('m')}\s*(?:张|块|个)?\s*[x×*]?\s*"
               rf"(?:(?P<gpu>{GPU_NAME})|显卡|卡|GPUs?|cards?){_NOT_GPU_TIME}", _I),
    re.compile(rf"(?<![\d.])(?P<n>\d+)\s*[x×]\s*(?P<m>\d+)\s*(?P<gpu>{GPU_NAME}){_NOT_GPU_TIME}", _I),
)
_GPU_COUNTS = (
    re.compile(rf"(?:{amount('n')}|{_ONE})\s*(?:张|块|片|个)?\s*-?\s*(?:GPUs?|graphics\s+cards?|cards?|显卡|卡)"
               rf"{_NOT_GPU_TIME}", _I),
    re.compile(rf"{amount('n')}\s*张(?=\s*(?:[呢吧吗啊的,;.?!。、)]|$|[A-Za-z]))", _I),
    re.compile(rf"{amount('n')}\s+of\s+them", _I),
)


def hardware(r: Reader) -> None:
    for m in r.scan(*_NODES):
        nodes, per_node = whole(m["n"]), whole(m["m"])
        gpu = gpu_name(m["gpu"]) if m["gpu"] else None
        if m["gpu"] and gpu is None:
            continue
        r.put("gpu_count", nodes * per_node if nodes and per_node else None, m, "n")
        if gpu:
            r.put("gpu", gpu, m, "gpu")
    for m in r.scan(_GPU_TOKEN):
        name = gpu_name(m["gpu"])
        if name is None:
            continue
        r.put("gpu", name, m, "gpu")
        window, offset = r.before(m.start())
        before = _COUNT_BEFORE.search(window)
        after, at = r.match_after(_COUNT_AFTER, m.end())
        if before:
            group = "n" if before["n"] else "one" if before["one"] else "two"
            count = whole(before["n"]) if before["n"] else 1 if before["one"] else 2
            r.hits.setdefault("gpu_count", []).append((offset + before.start(group), count, before.group(group)))
            if before["n"] and whole(before["n"]) is None:
                r.unknown.append((offset + before.start("n"), before["n"]))
            r.use(offset + before.start(), offset + before.end())
        elif after:
            r.put("gpu_count", whole(after["n"] or after["m"]), after, "n" if after["n"] else "m", offset=at)
    for m in r.scan(*_GPU_COUNTS):
        group = next(g for g in ("n", "one", "two") if m.groupdict().get(g))
        r.put("gpu_count", {"one": 1, "two": 2}.get(group) or whole(m["n"]), m, group)


# --- time -----------------------------------------------------------------------------------------------
_TIME_UNIT = r"(?P<unit>天|days?|周|星期|礼拜|weeks?|小时|hours?|hrs?|h(?![A-Za-z0-9])|minutes?|mins?|分钟)"
_RANGE = re.compile(rf"{NUM}\s*(?:-|~|到|至|–)\s*{DIGITS}\s*(?:个\s*)?-?\s*{_TIME_UNIT}(?![A-Za-z])", _I)
_PER_EPOCH = re.compile(rf"(?:每轮|(?:训练)?一轮|每个?\s*epoch|一个?\s*epoch|per\s+epoch|each\s+epoch)"
                        rf"\s*(?:大概|约|大约|要|需要|about|~|takes?)*"
                        rf"\s*{amount('n')}\s*(?:个\s*)?{_TIME_UNIT}", _I)
_DAYS = re.compile(rf"(?:{amount('n')}|(?<![A-Za-z])(?P<a>an?)\s)\s*(?:个\s*)?-?\s*{_TIME_UNIT}"
                   rf"(?P<half>半)?(?![A-Za-z])",
                   _I)
_PER_UNIT = {"天": 1.0, "d": 1.0, "周": 7.0, "星": 7.0, "礼": 7.0, "w": 7.0, "小": 1 / 24, "h": 1 / 24,
             "m": 1 / 1440, "分": 1 / 1440}


def duration(r: Reader) -> None:
    for m in r.scan(_RANGE, _PER_EPOCH):
        r.unknown_span(m, 0 if m.re is _RANGE else "n")
    for m in r.scan(_DAYS):
        count = 1.0 if m["a"] else number(m["n"])
        if count is not None and m["half"]:
            count += 0.5  # "一周半", "两天半"
        unit = m["unit"].lower()
        per_unit = _PER_UNIT[unit[0]] if unit[0] != "m" or not unit.startswith("mo") else None
        r.put("days", count * per_unit if count and per_unit else None, m, "a" if m["a"] else "n")


# --- data ------------------------------------------------------------------------------------------------
_SAMPLE_WORD = (r"(?:条\s*(?:样本|数据|文本|文档|序列|记录)|[条行](?![\u4e00-\u9fff])"
                r"|(?:个|篇)\s*(?:样本|文本|文档|序列|网页|页面)"
                r"|篇(?:[\u4e00-\u9fff]{0,4}?(?:文章|文档|文本|论文))?"
                r"|(?:samples?|examples?|sequences?|documents?|docs|rows|records|web\s*pages?)(?![A-Za-z]))")


def _unit(name: str) -> str:
    return rf"(?P<{name}>字符|汉字|字(?!节)|characters?|chars?|tokens?|tokns?|toks?|词元|令牌)(?![A-Za-z])"


_APPROX = r"(?:\s*(?:多|余|左右))?"
_SAMPLES_BY_LENGTH = re.compile(
    rf"{qty('s')}\s*{_SAMPLE_WORD}\s*[,;、；]?\s*(?:[x×*]|each\s+of|of|at|with|每条(?:平均)?|平均(?:每条)?)\s*"
    rf"(?:约|about|~|avg\.?|average|mean|平均)?\s*{qty('l')}{_APPROX}\s*(?:个\s*)?{_unit('u')}"
    rf"(?:\s*(?:each|per\s+sample|on\s+average))?", _I)
# "28.9M samples × 512": a length without its unit is read, and the unit asked for.
_SAMPLES_BY_BARE_LENGTH = re.compile(rf"{qty('s')}\s*{_SAMPLE_WORD}\s*[x×*]\s*{qty('l')}(?![\w.])", _I)
_SAMPLES = re.compile(rf"{qty('s')}\s*{_SAMPLE_WORD}", _I)
_LENGTHS = (
    re.compile(rf"(?:每(?:条|个|篇|行)(?:样本|数据|网页|文档|文章)?(?:平均)?(?:长度)?|平均(?:每(?:条|篇|个|行))?(?:长度)?"
               rf"|(?:mean|avg\.?|average)"
               rf"(?:[\s_-]*(?:sample[\s_-]*)?length)?)\s*(?:[:=]|为|是|约|of|is)?\s*(?:约|大约|大概|about|~)?\s*"
               rf"{qty('l')}{_APPROX}\s*(?:个\s*)?{_unit('u')}?", _I),
    re.compile(rf"{qty('l')}\s*(?:个\s*)?{_unit('u')}\s*(?:each|per\s+(?:sample|example|document|doc|sequence|row)"
               rf"|/\s*条|每条|一条|on\s+average)", _I),
)
_BARE_CHARS = re.compile(rf"{qty('l')}\s*(?:个\s*)?(?P<u>字符|汉字|字(?!节)|characters?|chars?)(?![A-Za-z])", _I)
_EPOCHS = (
    re.compile(rf"{amount('n')}\s*(?:个\s*)?-?\s*(?:epochs?|轮|遍|passes)(?![A-Za-z])", _I),
    re.compile(rf"epochs?\s*(?:数)?{IS}{amount('n')}", _I),
    re.compile(r"(?P<one>(?<![A-Za-z])(?:a\s+)?single\s+epoch|one\s+epoch|一个\s*epoch|单\s*epoch)", _I),
)
_BATCH = re.compile(rf"(?:global\s+)?batch(?:[\s_-]*size)?\s*(?:of\s*|[:=]\s*|为|是)?\s*{qty('b')}"
                    rf"\s*(?:tokens?|个?\s*token)?",
                    _I)
_TOKENS = (
    re.compile(rf"{qty('n')}\s*(?:个\s*)?(?:training\s+|train\s+|pre-?training\s+)?(?:tokens?|tokns?|toks?|词元|令牌)"
               rf"(?![A-Za-z])", _I),
    re.compile(rf"(?:tokens?|token\s*数(?:量)?|词元数|训练\s*token\s*数?){IS}(?:约|about|~)?\s*{qty('n')}", _I),
)
# "stop at 3B tokens", "只训练到 30 亿 token": just before the tokens; "30 亿 token 就停": just after them.
STOP_BEFORE = re.compile(r"(?:stop(?:ping)?(?:\s+training)?\s+(?:at|after)|cap(?:ped)?\s+(?:at|to)|halt\s+at"
                         r"|(?:only|just)\s+(?:train|use|run)(?:\s+(?:on|for|with))?|[只仅](?:训练?|用|跑)(?:到|了)?"
                         r"|训练?到|停在|截断到)\s*$", _I)
STOP_AFTER = re.compile(r"\s*(?:个\s*)?(?:tokens?|词元)?\s*(?:就|后|时|之后|then)?\s*(?:停|结束|stop)", _I)


def _length_unit(unit: str | None) -> str | None:
    if unit is None:
        return None
    return "tokens" if unit.lower().startswith("tok") or unit in ("词元", "令牌") else "chars"


_RATE = re.compile(rf"{qty('n')}\s*(?:tokens?|toks?)\s*(?:/|per|每)\s*(?:天|days?|hours?|小时|h|s|秒|sec(?:ond)?s?)"
                   rf"(?![A-Za-z])", _I)


def data(r: Reader) -> None:
    for m in r.scan(_BATCH, _RATE):
        r.unknown_span(m, "b" if m.re is _BATCH else "n")
    for m in r.scan(_SAMPLES_BY_LENGTH):
        r.put("samples", number(m["s"]), m, "s")
        r.put("mean_length", number(m["l"]), m, "l")
        r.put("length_unit", _length_unit(m["u"]), m, "u")
    for m in r.scan(_SAMPLES_BY_BARE_LENGTH):
        r.put("samples", number(m["s"]), m, "s")
        r.put("mean_length", number(m["l"]), m, "l")
    for m in r.scan(_SAMPLES):
        r.put("samples", number(m["s"]), m, "s")
    for m in r.scan(*_LENGTHS):
        r.put("mean_length", number(m["l"]), m, "l")
        if m["u"]:
            r.put("length_unit", _length_unit(m["u"]), m, "u")
    for m in r.scan(_BARE_CHARS):  # "512 字符" is a length; a total in characters has no field
        value = number(m["l"])
        per_sample = value is not None and plain(m["l"]) and value < 1e6
        r.put("mean_length", value if per_sample else None, m, "l")
        if per_sample:
            r.put("length_unit", "chars", m, "u")
    for m in r.scan(*_EPOCHS):
        one = m.groupdict().get("one")
        r.put("epochs", 1.0 if one else number(m["n"]), m, "one" if one else "n")
    for m in r.scan(*_TOKENS):  # a total of "2048 tokens" is not a training run: left unknown
        value = number(m["n"])
        r.put("tokens", value if value is not None and (not plain(m["n"]) or value >= 1e6) else None, m, "n")


LEFTOVER = re.compile(  # what is left: "GPT-4", "2e21", "94GB", "三十亿"
    rf"(?<![\dA-Za-z.])(?:[A-Za-z]+-?)?{DIGITS}{SCALE}?[A-Za-z%]*|[一二两三四五六七八九十百]+(?:{CJK_UNITS})", _I)


# --- serving and adopting a candidate ---------------------------------------------------------------------
_INFERENCE_TOKENS = (
    re.compile(rf"(?:推理|部署后?|服务|上线后?|生成|serv(?:e|ing)|inference(?:\s+of)?|generat(?:e|ing))\s*"
               rf"(?:量|总量|约|大约|about|~|roughly|for)?\s*{qty('n')}\s*(?:个\s*)?(?:tokens?|词元)", _I),
    re.compile(rf"{qty('n')}\s*(?:个\s*)?(?:inference|serving|推理|生成)\s*(?:tokens?|词元)", _I),
    re.compile(rf"{qty('n')}\s*(?:个\s*)?(?:tokens?|词元)\s*(?:of\s+inference|(?:的\s*)?推理(?:量)?)", _I),
)
_ORDINALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
             "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5}
_CANDIDATE = (
    re.compile(r"(?:用|选|采用|就用|换成|要)\s*第\s*(?P<n>\d+|[一二两三四五六七八九十])\s*(?:个|种|号)?\s*"
               r"(?:配置|候选|方案|模型|结构)?", _I),
    re.compile(r"(?:use|pick|take|choose|go\s+with|adopt)\s+(?:the\s+)?(?:candidate|option|config(?:uration)?|row)"
               r"\s*(?:#|no\.?\s*|number\s+)?(?P<n>\d+)(?![\d.])", _I),
    re.compile(r"(?:use|pick|take|choose|go\s+with|adopt)\s+#\s*(?P<n>\d+)(?![\d.])", _I),
    re.compile(r"(?:use|pick|take|choose|go\s+with|adopt)\s+the\s+(?P<n>first|second|third|fourth|fifth)\s+"
               r"(?:candidate|option|config(?:uration)?|one|row)", _I),
    re.compile(r"(?:candidate|option)\s*#\s*(?P<n>\d+)(?![\d.])", _I),
)


def serving(r: Reader) -> None:
    """Tokens the model will serve over its life ("推理 1T token", "serve 2T tokens"): not training data."""
    for m in r.scan(*_INFERENCE_TOKENS):
        r.put("inference_tokens", number(m["n"]), m, "n")


def candidate(r: Reader) -> None:
    """Which recommended configuration becomes the plan ("用第二个配置", "use candidate 2")."""
    for m in r.scan(*_CANDIDATE):
        written = m["n"]
        value = int(written) if written.isdigit() else _ORDINALS.get(written.lower())
        r.put("candidate", value if value and 1 <= value <= 50 else None, m, "n")
