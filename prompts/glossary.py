"""The bilingual glossary: one ``prompts/glossary/<id>.md`` file per concept.

Each file has front matter (``id``, ``version``, ``title_zh``, ``title_en``, ``keywords_zh`` and
``keywords_en`` as comma-separated phrases, ``sources`` (English citations) and ``sources_zh`` (the same
citations as a Chinese text cites them) separated by semicolons, ``related`` ids)
and a body with two sections, ``## zh`` and ``## en``. Each section holds a plain explanation
and, optionally, a ``### with_plan`` paragraph: a :class:`string.Template` that may use only the
names in :data:`PLAN_PLACEHOLDERS`, filled with the user's own numbers (already formatted by the
caller: this module never formats or computes a number).

* :func:`entries` / :func:`get`: the parsed entries.
* :func:`match_concept`: which entry a question such as "什么是 6ND?" asks about, or ``None``.
* :func:`render_entry`: one entry as Markdown, in one language, with the user's numbers if given.
* :func:`link_concepts`: a template's ``[[id]]`` marks as links titled in the text's language, whose target
  (``#concept/<lang>/<id>``) the app opens as the entry; :func:`concept_footnotes` turns those links into
  footnotes with the entry's title and text, for Markdown written to a file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from string import Template
from typing import Literal

from prompts import PromptError, load, names

__all__ = [
    "LANGUAGES",
    "PLAN_PLACEHOLDERS",
    "Entry",
    "UnknownConceptError",
    "concept_footnotes",
    "concept_ids",
    "concept_link",
    "entries",
    "get",
    "link_concepts",
    "match_concept",
    "parse_concept_href",
    "render_entry",
]

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")

#: The only placeholders a ``with_plan`` paragraph may use; the caller supplies them as strings.
PLAN_PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "tokens",  # "14.8B" / "148亿"
        "active_params",
        "total_params",
        "ratio_active",  # tokens per activated parameter, "161"
        "ratio_total",
        "verdict",  # "over-trained ×8.0" / "过度训练 ×8.0"
        "overtrained_verdict",  # the same, given only when the plan is over-trained
        "flops",  # "8.16e18"
        "gpu_hours",
        "gpu",
        "mfu",  # "35%"
        "data_matched_params",
        "compute_optimal_params",
    }
)

# Reading order, which also breaks ties in match_concept: general ideas before the narrower ones.
_ORDER = (
    "flops-6nd",
    "tokens-vs-chars",
    "total-vs-active",
    "moe-routing",
    "chinchilla-ratio",
    "tokens-per-param-verdict",
    "kaplan-vs-chinchilla",
    "fits-disagree",
    "loss-perplexity",
    "mfu-gpu-hours",
    "memory-zero",
    "overtraining",
)
_FOLDER = "glossary"
_REQUIRED = ("title_zh", "title_en", "keywords_zh", "keywords_en", "sources", "sources_zh", "related")
_SOURCES_HEADING = {"zh": "来源", "en": "Sources"}
_RELATED_HEADING = {"zh": "相关概念：", "en": "Related:"}
_LIST_SEPARATOR = {"zh": "、", "en": ", "}


class UnknownConceptError(KeyError):
    """:func:`get` was given an id that is not in the glossary; the message lists the known ids."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One glossary concept in both languages. ``with_plan_*`` is ``None`` when the entry has none."""

    id: str
    version: int
    sha256: str
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    with_plan_zh: str | None
    with_plan_en: str | None
    keywords_zh: tuple[str, ...]
    keywords_en: tuple[str, ...]
    sources: tuple[str, ...]
    sources_zh: tuple[str, ...]
    related: tuple[str, ...]

    def title(self, lang: Language) -> str:
        return self.title_zh if _lang(lang) == "zh" else self.title_en

    def body(self, lang: Language) -> str:
        """The plain explanation, without the with_plan paragraph."""
        return self.body_zh if _lang(lang) == "zh" else self.body_en

    def citations(self, lang: Language) -> tuple[str, ...]:
        """The sources as a text in ``lang`` cites them (the same works, in the same order)."""
        return self.sources_zh if _lang(lang) == "zh" else self.sources

    def text(self, lang: Language) -> str:
        """The explanation as one paragraph (its lines joined), for a footnote."""
        return ("" if _lang(lang) == "zh" else " ").join(line.strip() for line in self.body(lang).splitlines()
                                                         if line.strip())

    def with_plan(self, lang: Language) -> str | None:
        """The ``string.Template`` paragraph that uses the user's numbers, or ``None``."""
        return self.with_plan_zh if _lang(lang) == "zh" else self.with_plan_en

    def plan_placeholders(self, lang: Language) -> tuple[str, ...]:
        """The placeholders the with_plan paragraph needs (empty when there is none)."""
        template = self.with_plan(lang)
        return () if template is None else tuple(Template(template).get_identifiers())

    @property
    def keywords(self) -> tuple[str, ...]:
        """Every matching phrase, Chinese first, without duplicates."""
        return tuple(dict.fromkeys(self.keywords_zh + self.keywords_en))


def entries() -> tuple[Entry, ...]:
    """Every glossary entry, in reading order (which also breaks ties in :func:`match_concept`)."""
    return _entries()


def get(entry_id: str) -> Entry:
    """The entry with this id; :class:`UnknownConceptError` (a ``KeyError``) lists the known ids."""
    for entry in _entries():
        if entry.id == entry_id:
            return entry
    known = ", ".join(entry.id for entry in _entries())
    raise UnknownConceptError(f"no glossary entry {entry_id!r}; known entries: {known}")


def render_entry(entry_id: str, *, lang: Language, plan_values: Mapping[str, str] | None = None,
                 worked: str | None = None) -> str:
    """One entry as Markdown: title, explanation, the with_plan paragraph, a worked example, related concepts,
    sources.

    The with_plan paragraph appears only when ``plan_values`` has a non-empty value for every
    placeholder it uses; otherwise it is left out (never rendered half-filled). ``worked`` is a paragraph the
    caller wrote from a tool result (a formula worked through an exact count).
    """
    entry = get(entry_id)
    language = _lang(lang)
    parts = [f"## {entry.title(language)}", entry.body(language)]
    template = entry.with_plan(language)
    if template is not None and plan_values:
        needed = entry.plan_placeholders(language)
        if all(plan_values.get(name) not in (None, "") for name in needed):
            parts.append(Template(template).substitute({name: str(plan_values[name]) for name in needed}))
    if worked:
        parts.append(worked)
    links = [concept_link(related, lang=language) for related in entry.related]
    if links:
        parts.append(f"**{_RELATED_HEADING[language]}** " + _LIST_SEPARATOR[language].join(links))
    parts.append(f"**{_SOURCES_HEADING[language]}**\n" + "\n".join(f"- {source}" for source in
                                                                   entry.citations(language)))
    return "\n\n".join(parts) + "\n"


# --------------------------------------------------------------------------------------------
# Links to entries: in templates, in the app, and as footnotes in files
# --------------------------------------------------------------------------------------------

_MARK = re.compile(r"\[\[([a-z0-9][a-z0-9-]*)\]\]")
_HREF = "#concept/{lang}/{id}"
_HREF_PARTS = re.compile(r"#concept/(zh|en)/([a-z0-9][a-z0-9-]*)")
_LINK = re.compile(r"\[([^\]\n]+)\]\((#concept/(?:zh|en)/[a-z0-9][a-z0-9-]*)\)")


def concept_link(entry_id: str, *, lang: Language) -> str:
    """A Markdown link to the entry, showing its title in ``lang``: ``[MoE 路由](#concept/zh/moe-routing)``."""
    return f"[{get(entry_id).title(lang)}]({_HREF.format(lang=_lang(lang), id=entry_id)})"


def concept_ids(template: str) -> tuple[str, ...]:
    """The entry ids a template marks with ``[[id]]``, in order."""
    return tuple(match.group(1) for match in _MARK.finditer(template))


def link_concepts(text: str, *, lang: Language) -> str:
    """``text`` with every ``[[id]]`` mark as a :func:`concept_link` (an unknown id raises UnknownConceptError)."""
    return _MARK.sub(lambda match: concept_link(match.group(1), lang=lang), text)


def parse_concept_href(href: str) -> tuple[Language, str] | None:
    """``(lang, id)`` of a concept link's target (``#concept/zh/moe-routing``), or None if it is not one of ours."""
    match = _HREF_PARTS.fullmatch(href.strip())
    if match is None or match.group(2) not in {entry.id for entry in _entries()}:
        return None
    return match.group(1), match.group(2)  # type: ignore[return-value]


def concept_footnotes(markdown: str) -> str:
    """Markdown for a file: each concept link becomes its title with a footnote (``MoE 路由[^1]``), and the
    footnotes, one per entry in order of first mention, give the entry's title and text in the link's language."""
    numbers: dict[tuple[str, str], int] = {}

    def footnote(match: re.Match[str]) -> str:
        lang, entry_id = _HREF_PARTS.fullmatch(match.group(2)).groups()  # type: ignore[union-attr]
        number = numbers.setdefault((lang, entry_id), len(numbers) + 1)
        return f"{match.group(1)}[^{number}]"

    text = _LINK.sub(footnote, markdown)
    if not numbers:
        return markdown
    notes = [f"[^{number}]: **{get(entry_id).title(lang)}**{'：' if lang == 'zh' else ': '}"  # type: ignore[arg-type]
             f"{get(entry_id).text(lang)}" for (lang, entry_id), number in numbers.items()]  # type: ignore[arg-type]
    return text.rstrip("\n") + "\n\n" + "\n".join(notes) + "\n"


# --------------------------------------------------------------------------------------------
# Matching a question to a concept
# --------------------------------------------------------------------------------------------

# Cues that make a message a question about meaning, in three strengths. A plan description
# ("145M MoE, 8 张 4090, 要多久？") also carries question marks and "what is", so the weaker the cue,
# the fewer plan quantities (numbers with a unit or scale, GPU counts) the message may carry:
# why-cues always count, what-cues only with at most one quantity, weak cues only with none.
_WHY_CUES = re.compile(
    r"为什么|为何|区别|差别|差异|有何不同|有什么不同|不一样|解释|含义|意思|定义|概念|原理|怎么理解|如何理解"
    r"|(?<![a-z0-9])(?:why|explain|explained|meaning|difference|differ|differs|define|definition)(?![a-z0-9])"
    r"|(?<![a-z0-9])means?\s*(?:\?|$)"  # "what does MFU mean?", but not "mean length 512"
)
_WHAT_CUES = re.compile(
    r"什么是|是什么|什么叫|啥是|是啥|怎么算|如何计算|怎么计算|怎么估|讲讲|介绍一下"
    r"|(?<![a-z0-9])(?:what is|what's|what are|what does|what do|how does|how do|how is|how are|tell me about)"
    r"(?![a-z0-9])"
)
_WEAK_CUES = re.compile(r"\?|什么|怎么|如何|吗|呢|多少|(?<![a-z0-9])(?:what|how)(?![a-z0-9])")
_GPU_NAMES = r"gpus?|cards?|h100s?|h800s?|h20s?|h200s?|a100s?|a800s?|4090s?|3090s?|5090s?|mi300xs?|l40s"
# A number starts where a run of digits does and is read once (possessive), so a run of 5,000 digits is not
# walked from each of its digits.
_PLAN_QUANTITY = re.compile(
    r"(?<![\d.,])\d(?:[.,]?\d)*+\s*(?:[kmbt](?![a-z])|千|万|亿|张|块|台|卡|个|条|%|e[+-]?\d|[×x*]\s*\d)"
    rf"|(?<!\d)\d++\s*(?:[×x*]\s*)?(?:rtx\s*)?(?:{_GPU_NAMES})(?![a-z0-9])"
)
_FILLER = re.compile(r"(?<![a-z0-9])(?:the|a|an|about|please|in|llm|llms)(?![a-z0-9])|请|的|呢|吗|啊|一下")
_CJK = "\u2e80-\u9fff\uf900-\ufaff"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_DASHES = str.maketrans({"‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "’": "'", "‘": "'"})
_ONLY_NAME_MAX_EXTRA = 2  # "MFU", "ZeRO-3": at most this many other letters, and no digits


def match_concept(text: str) -> str | None:
    """The id of the glossary entry a concept question asks about, or ``None``.

    Scoring: every keyword of every entry is searched in the normalised text (NFKC, lower case;
    ASCII keywords match whole words, plural -s allowed). Longest matches claim their span first,
    so "远超 20 倍" beats the "20 倍" inside it; an entry scores the total length of the spans it
    claimed (a phrase two entries share counts for both), ties go to the longest single match,
    then to reading order. ``None`` unless the message is a question about meaning or is
    essentially only the concept's name ("MFU", "ZeRO-3"). A question needs a cue: 为什么/区别/解释/
    why/explain/difference/mean… always count; 什么是/是什么/what is/how does… count when the message
    carries at most one plan quantity ("145M", "8 张", "1e21"); a bare "?", 什么, 怎么, how or what
    counts only when it carries none, so "8 张 4090 训练 145M MoE 要多久？" stays a plan request.
    """
    normalized = _normalize(text)
    if not normalized:
        return None
    claimed = _claimed_spans(normalized)
    if not claimed:
        return None
    if not (_is_question(normalized) or _is_only_name(normalized, claimed)):
        return None
    order = {entry.id: position for position, entry in enumerate(_entries())}
    score: dict[str, int] = {}
    longest: dict[str, int] = {}
    for start, end, ids in claimed:
        for entry_id in ids:
            score[entry_id] = score.get(entry_id, 0) + (end - start)
            longest[entry_id] = max(longest.get(entry_id, 0), end - start)
    return min(score, key=lambda entry_id: (-score[entry_id], -longest[entry_id], order[entry_id]))


def _normalize(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).translate(_DASHES).lower()
    return _SPACE_NEAR_CJK.sub("", " ".join(folded.split()))


def _is_question(normalized: str) -> bool:
    quantities = len(_PLAN_QUANTITY.findall(normalized))
    if _WHY_CUES.search(normalized):
        return True
    if _WHAT_CUES.search(normalized):
        return quantities <= 1
    return bool(_WEAK_CUES.search(normalized)) and quantities == 0


def _is_only_name(normalized: str, claimed: list[tuple[int, int, frozenset[str]]]) -> bool:
    rest = list(normalized)
    for start, end, _ in claimed:
        rest[start:end] = [" "] * (end - start)
    leftover = "".join(ch for ch in _FILLER.sub(" ", "".join(rest)) if ch.isalnum())
    return len(leftover) <= _ONLY_NAME_MAX_EXTRA and not any(ch.isdigit() for ch in leftover)


def _claimed_spans(normalized: str) -> list[tuple[int, int, frozenset[str]]]:
    """Non-overlapping keyword spans, longest first; each with the ids of the entries that own it."""
    found: dict[tuple[int, int], set[str]] = {}
    for pattern, owners in _keyword_patterns():
        for match in pattern.finditer(normalized):
            found.setdefault(match.span(), set()).update(owners)
    claimed: list[tuple[int, int, frozenset[str]]] = []
    taken = [False] * len(normalized)
    for (start, end), owners in sorted(found.items(), key=lambda item: (item[0][0] - item[0][1], item[0][0])):
        if not any(taken[start:end]):
            taken[start:end] = [True] * (end - start)
            claimed.append((start, end, frozenset(owners)))
    return claimed


@cache
def _keyword_patterns() -> tuple[tuple[re.Pattern[str], frozenset[str]], ...]:
    owners: dict[str, set[str]] = {}
    for entry in _entries():
        for keyword in entry.keywords:
            normalized = _normalize(keyword)
            if normalized:
                owners.setdefault(normalized, set()).add(entry.id)
    return tuple((_keyword_pattern(keyword), frozenset(ids)) for keyword, ids in owners.items())


def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    left = r"(?<![a-z0-9])" if _is_ascii_alnum(keyword[0]) else ""
    if keyword[-1].isascii() and keyword[-1].isalpha():
        right = r"(?:s|es)?(?![a-z0-9])"  # "token" also matches "tokens"
    elif _is_ascii_alnum(keyword[-1]):
        right = r"(?![0-9a-z])"
    else:
        right = ""
    return re.compile(left + re.escape(keyword) + right)


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


# --------------------------------------------------------------------------------------------
# Loading and checking the files
# --------------------------------------------------------------------------------------------


def _lang(lang: str) -> Language:
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    return lang  # type: ignore[return-value]


@cache
def _entries() -> tuple[Entry, ...]:
    stems = [name.removeprefix(_FOLDER + "/") for name in names(_FOLDER)]
    ordered = [stem for stem in _ORDER if stem in stems] + sorted(stem for stem in stems if stem not in _ORDER)
    parsed = tuple(_parse_entry(stem) for stem in ordered)
    known = {entry.id for entry in parsed}
    for entry in parsed:
        unknown = [related for related in entry.related if related not in known]
        if unknown:
            raise PromptError(f"prompts/{_FOLDER}/{entry.id}.md: related ids {unknown} are not glossary entries")
    return parsed


def _parse_entry(stem: str) -> Entry:
    origin = f"prompts/{_FOLDER}/{stem}.md"
    prompt = load(f"{_FOLDER}/{stem}")
    meta = prompt.meta
    if prompt.id != stem:
        raise PromptError(f"{origin}: id {prompt.id!r} must equal the file name {stem!r}")
    missing = [key for key in _REQUIRED if not meta.get(key)]
    if missing:
        raise PromptError(f"{origin}: front matter needs {', '.join(missing)}")
    sections = _sections(prompt.text, origin)
    for lang, (_, template) in sections.items():
        if template is not None:
            unknown = sorted(set(Template(template).get_identifiers()) - PLAN_PLACEHOLDERS)
            if unknown:
                raise PromptError(
                    f"{origin}: with_plan ({lang}) uses {', '.join('$' + n for n in unknown)}; "
                    f"allowed: {', '.join(sorted(PLAN_PLACEHOLDERS))}"
                )
    if (sections["zh"][1] is None) != (sections["en"][1] is None):
        raise PromptError(f"{origin}: a with_plan paragraph must be in both languages or in neither")
    if len(_split(meta["sources"], ";")) != len(_split(meta["sources_zh"], "；")):
        raise PromptError(f"{origin}: sources and sources_zh must cite the same works (as many, '；' between)")
    return Entry(
        id=prompt.id,
        version=prompt.version,
        sha256=prompt.sha256,
        title_zh=meta["title_zh"],
        title_en=meta["title_en"],
        body_zh=sections["zh"][0],
        body_en=sections["en"][0],
        with_plan_zh=sections["zh"][1],
        with_plan_en=sections["en"][1],
        keywords_zh=_split(meta["keywords_zh"], ","),
        keywords_en=_split(meta["keywords_en"], ","),
        sources=_split(meta["sources"], ";"),
        sources_zh=_split(meta["sources_zh"], "；"),
        related=_split(meta["related"], ","),
    )


def _sections(text: str, origin: str) -> dict[str, tuple[str, str | None]]:
    """``{"zh": (explanation, with_plan or None), "en": ...}`` from the ``## zh`` / ``## en`` body."""
    chunks: dict[str, dict[str, list[str]]] = {}
    lang: str | None = None
    part = "body"
    for line in text.splitlines():
        heading = line.strip()
        if heading.startswith("## "):
            lang = heading[3:].strip()
            if lang not in LANGUAGES or lang in chunks:
                raise PromptError(f"{origin}: unexpected section {heading!r}; expected '## zh' and '## en' once each")
            chunks[lang] = {"body": [], "with_plan": []}
            part = "body"
        elif heading.startswith("### "):
            if lang is None or heading != "### with_plan" or part == "with_plan":
                raise PromptError(f"{origin}: unexpected heading {heading!r}; only '### with_plan' inside a language")
            part = "with_plan"
        elif lang is None:
            if heading:
                raise PromptError(f"{origin}: text before the '## zh' section: {heading!r}")
        else:
            chunks[lang][part].append(line)
    if set(chunks) != set(LANGUAGES):
        raise PromptError(f"{origin}: needs both '## zh' and '## en' sections, found {sorted(chunks)}")
    result: dict[str, tuple[str, str | None]] = {}
    for lang_id, parts in chunks.items():
        body = "\n".join(parts["body"]).strip()
        if not body:
            raise PromptError(f"{origin}: the {lang_id} explanation is empty")
        if "$" in body:
            raise PromptError(f"{origin}: the {lang_id} explanation has a '$'; placeholders belong in with_plan")
        plan = "\n".join(parts["with_plan"]).strip() or None
        result[lang_id] = (body, plan)
    return result


def _split(value: str, separator: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item.strip() for item in value.split(separator) if item.strip()))
