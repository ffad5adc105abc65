"""Read one chat message into a :class:`ParsedRequest`: a deterministic, rule-based reader (no LLM).

It reads Chinese and English ("148 亿 token", "28.9M 条样本 × 512 字", "8 张 4090", "30B-A3B",
"一亿四千五百万参数", "--num-experts 128", a pasted config.json) and never guesses:

- a number it cannot attribute to a field goes to ``unknown_numbers`` as written;
- a number that reads two ways ("1,5T", "8 或 16 张", "再加 2 个") goes there too, with no field;
- a field given two different values stays ``None`` (both go to ``unknown_numbers``), unless the
  message says which replaces which ("换成", "change … to" keep the last; "instead of" keeps the first).

The rule families (:mod:`assistant.offline.rules_model`, :mod:`assistant.offline.rules_run`) run in a
fixed order, most specific first, over a :class:`~assistant.offline.reader.Reader` that blanks each
recognised span; the numbers left at the end are exactly the unknown ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import fields
from functools import lru_cache
from typing import Any

from assistant.offline import rules_model as model
from assistant.offline import rules_run as run
from assistant.offline.reader import LONG_RUN, Reader
from assistant.offline.request import ParsedRequest
from tools.calc.errors import CalcInputError
from tools.config_file import config_from_text
from tools.quantities import clean_text

_EXTRACTORS: tuple[Callable[[Reader], None], ...] = (
    model.keyed, run.candidate, model.presets, model.relative_and_alternatives, run.ambiguous, run.serving,
    model.size_names, run.compute,
    run.prices, run.mfu, run.training_settings, run.hardware, run.budgets, run.duration, model.expert_width,
    model.architecture, model.experts, run.data, model.sizes,
)
_FIELDS = tuple(f.name for f in fields(ParsedRequest)
                if f.name not in ("language", "text", "prose", "concept", "stop_at_tokens", "unknown_numbers",
                                  "hf_config"))
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_MULTIPLIER = re.compile(r"\d\s*(?:万亿|亿|万|千)")
_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻", "0123456789+-")
_POWER_OF_TEN = re.compile(r"(?<![\d.])(?P<m>\d+(?:\.\d+)?)\s*[×xX*·]\s*10\s*(?:\^|\*\*)?\s*"
                           r"\{?(?P<e>[-+]?\d+|[⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻]+)\}?")
_FENCE = re.compile(r"```(?:json)?\s*(\{.*?\})\s*```", re.S)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"\s{2,}")


_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[_.-][A-Za-z0-9]+)+|--[\w-]+|\b[A-Za-z]+(?=\s*[:=]\s*[\w\"'])")


_TERMS = re.compile(r"(?<![A-Za-z])(?:MFU|MoE|GPUs?|top-?k?|ZeRO|FLOPs?|tokens?|tok|H\d+|A\d+|RTX|epochs?|seq|ctx)"
                    r"(?![A-Za-z])", re.I)


def _language(text: str) -> tuple[str, bool]:
    """("zh" or "en", whether the message is prose in that language).

    "zh" when there is at least one Chinese character (万/亿 after a digit aside) per two English words.
    Identifiers and config keys ("num_hidden_layers:", "--use_moe") are not English prose: a Chinese question
    about a pasted config is still Chinese. Numbers, units and technical terms alone ("MFU 15%", "top-2") are
    not prose in either language.
    """
    chinese = len(_CJK.findall(_CJK_MULTIPLIER.sub("", text)))
    words = len(re.findall(r"[A-Za-z]{2,}", _IDENTIFIER.sub(" ", text)))
    prose_words = len(re.findall(r"[A-Za-z]{2,}", _TERMS.sub(" ", _IDENTIFIER.sub(" ", text))))
    language = "zh" if chinese and 2 * chinese >= words else "en"
    return language, (chinese >= 2 if language == "zh" else prose_words >= 2)


def _normalise(text: str) -> str:
    """Scientific forms as e-notation (3×10²⁰ → 3e20, 6×10^23 → 6e23), then full-width folded, invisibles dropped."""
    def power(m: re.Match[str]) -> str:
        exponent = m["e"].translate(_SUPERSCRIPT)
        return f"{m['m']}e{exponent}"

    text = clean_text(_POWER_OF_TEN.sub(power, text.replace("，", "；")))  # "；" keeps "top-1，28.9M" apart
    # Control characters read as spaces, and a run of spaces as one (or a line break): a rule's \s* then never
    # walks a long run once per character.
    return _SPACES.sub(lambda m: "\n" if "\n" in m.group(0) else " ", _CONTROL.sub(" ", text))


def pasted_config(text: str) -> tuple[dict[str, Any] | None, str]:
    """A config.json pasted into the message (with a ``model_type`` or ``architectures``), and the text without it.

    A JSON object without either is left in the text, where its keys are read one by one.
    """
    candidates = [m.group(1) for m in _FENCE.finditer(text)]
    start = text.find("{")
    if start >= 0:
        candidates.append(text[start:text.rfind("}") + 1])
    for candidate in candidates:
        try:  # the one config reader: bounded in depth and number length, as a file would be
            config = config_from_text(candidate)
        except CalcInputError:
            continue
        if config.get("model_type") or config.get("architectures"):
            return config, text.replace(candidate, " ")
    return None, text


@lru_cache(maxsize=1024)
def parse_message(text: str) -> ParsedRequest:
    """Read ``text`` into a :class:`ParsedRequest`; every field the message does not state is None.

    Cached (a :class:`ParsedRequest` is frozen): the planner reads every message of the conversation again at
    each step of each turn. ``parse_message.__wrapped__`` reads without the cache.
    """
    config, rest = pasted_config(text)
    normalised = _normalise(rest)
    language, prose = _language(LONG_RUN.sub(" ", normalised))
    reader = Reader(normalised)
    for extract in _EXTRACTORS:
        extract(reader)
    values = {name: reader.settle(name) for name in _FIELDS}
    stop = False
    if values["tokens"] is not None:
        at = next(position for position, value, _ in reader.hits["tokens"] if value == values["tokens"])
        written = next(w for position, _, w in reader.hits["tokens"] if position == at)
        stop = bool(run.STOP_BEFORE.search(reader.text[max(0, at - 64):at])
                    or run.STOP_AFTER.match(reader.text[:at + len(written) + 64], at + len(written)))
    reader.unknown.extend((m.start(), m.group(0).strip()) for m in run.LEFTOVER.finditer(reader.work))
    return ParsedRequest(
        language=language,  # type: ignore[arg-type]
        prose=prose,
        text=text,
        stop_at_tokens=stop,
        unknown_numbers=tuple(written for _, written in sorted(reader.unknown)),
        hf_config=config,
        **values,  # type: ignore[arg-type]
    )
