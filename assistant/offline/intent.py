"""What a message asks for, so the answer leads with it: one figure, a comparison, paper text, a loss curve,
or (by default) a review of the whole plan.

Rule tables in Chinese and English, like the reader's. A figure is only "asked" when the message also asks
(a question mark, 多少/几/吗, how/what): "MFU 35%" in a description is not a question about MFU.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Intent = Literal["plan", "figure", "compare", "paper", "loss"]
Figure = Literal["memory", "gpu_hours", "cost", "wall_clock", "tokens_per_param", "flops", "params"]
Stance = Literal["neutral", "overtrained", "optimal"]
Compared = Literal["top_k", "gpu_count", "fits"]

_I = re.IGNORECASE
_QUESTION = re.compile(r"[?？]|多少|几(?:天|个|张|小时)|多久|多长|吗|够不够|能不能|是否|\bhow\b|\bwhat\b|\bwhich\b"
                       r"|\bis it\b|\bdoes it\b|\bwill it\b|\bcan (?:it|i|we)\b|\benough\b", _I)
_FIGURES: tuple[tuple[Figure, re.Pattern[str]], ...] = (
    ("memory", re.compile(r"显存|内存|memory|VRAM|OOM|放得下|装得下|fit (?:in|on|into)", _I)),
    ("gpu_hours", re.compile(r"(?:多少|几)\s*(?:\S{0,6}\s*)?卡时|卡时\s*(?:数|是多少)|GPU[\s·-]*(?:hours?|h)\b"
                             r"|how many (?:GPU[\s-]*)?hours", _I)),
    ("cost", re.compile(r"多少钱|花费|成本|费用|花多少|\bcost\b|how much (?:will|would|does) it|\bprice\b"
                        r"|\$\s*\?", _I)),
    ("wall_clock", re.compile(r"多少天|几天|多久|多长时间|几个?小时|how long|how many days|wall[\s-]*clock"
                              r"|\bdays?\s*\?", _I)),
    ("tokens_per_param", re.compile(r"每参数|token\s*比例|tokens?\s*(?:per|/)\s*param|过训练|欠训练|over-?train"
                                    r"|under-?train|chinchilla", _I)),
    ("flops", re.compile(r"FLOPs?|计算量|算力(?:需求)?", _I)),
    ("params", re.compile(r"参数量|多少参数|激活参数|how many param|parameter count|active param", _I)),
)
_PAPER = re.compile(r"论文|写一段|段落|学术|paper|paragraph|write-?up|methods? section|LaTeX", _I)
_LOSS = re.compile(r"loss\s*曲线|损失曲线|训练曲线|loss\s*curve|learning\s*curve|会看到什么|能看到什么"
                   r"|what (?:loss )?(?:will|would|do|should) (?:I|we) (?:see|expect|get)|loss (?:会|at|after|will)"
                   r"|预测.{0,4}loss|predicted loss|what loss", _I)
_COMPARE = re.compile(r"对比|比较|相比|compare|comparison|\bvs\.?\b|versus|哪个(?:好|更)", _I)
_TOP_K_PAIR = re.compile(r"top[\s_-]*k?\s*[=-]?\s*(\d+)\D{1,12}?top[\s_-]*k?\s*[=-]?\s*(\d+)", _I)
_COUNT_PAIR = re.compile(r"(\d+)\s*(?:张|卡|块|GPUs?|cards?)?\s*(?:和|与|跟|还是|或|vs\.?|versus|and|or|/)\s*(\d+)\s*"
                         r"(?:张|卡|块|GPUs?|cards?)", _I)
_FITS = re.compile(r"拟合|fits?\b|scaling law", _I)
_OVERTRAIN = re.compile(r"故意|刻意|有意|推理成本|deliberate|on purpose|inference[\s-]*(?:cost|aware)|过训练", _I)
_OPTIMAL = re.compile(r"计算最优|compute[\s-]*optimal|chinchilla[\s-]*optimal", _I)


@dataclass(frozen=True)
class Asked:
    """What the message asks for."""

    intent: Intent
    figure: Figure | None = None
    compared: Compared | None = None
    values: tuple[int, int] | None = None
    stance: Stance = "neutral"


def asked(text: str) -> Asked:
    """The intent of ``text`` (see module doc); "plan" when nothing more specific is asked."""
    if _PAPER.search(text):
        stance: Stance = "overtrained" if _OVERTRAIN.search(text) else "optimal" if _OPTIMAL.search(text) \
            else "neutral"
        return Asked("paper", stance=stance)
    if _LOSS.search(text):
        return Asked("loss")
    if _COMPARE.search(text) or re.search(r"\bvs\b|对比", text, _I):
        for compared, pattern in (("top_k", _TOP_K_PAIR), ("gpu_count", _COUNT_PAIR)):
            pair = pattern.search(text)
            if pair and pair.group(1) != pair.group(2):
                return Asked("compare", compared=compared, values=(int(pair.group(1)), int(pair.group(2))))
        if _FITS.search(text):
            return Asked("compare", compared="fits")
    if _QUESTION.search(text):
        for figure, pattern in _FIGURES:
            if pattern.search(text):
                return Asked("figure", figure=figure)
    return Asked("plan")
