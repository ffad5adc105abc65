"""Every template in both languages: the same keys, the same placeholders, the same concept links, and Chinese
that is Chinese.

Each prompt family with a ``zh`` and an ``en`` file (``prompts/<family>/{zh,en}.md``) is compared block by block,
and entry by entry in ``key = text`` blocks. Then every Chinese block and entry is rendered with the realistic
values a conversation would put in (typed in ``tests/fixtures/realistic-zh.json``, in the form the code
writes them: "1.45亿（145M）", "NVIDIA GeForce RTX 4090", "Epoch AI 2024") and checked for Latin words outside
the allow-list of :mod:`tests.support.latin` and for internal codes. The glossary's entries are checked the same way.

The failure codes the code raises (found by reading its source, not by asking the module that renders them) must
each have a sentence in both languages that uses only the values given where they are raised.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from string import Template

import pytest

from prompts import load, names
from prompts.glossary import concept_ids, entries, link_concepts
from tests.conftest import load_fixture
from tests.support.latin import internal_codes, latin_words

REPO = Path(__file__).resolve().parents[2]
FAMILIES = sorted({name.rsplit("/", 1)[0] for name in names() if name.endswith("/zh")})
_TABLE_LINE = re.compile(r"^[\w.\-]+ = ")
_LINK = re.compile(r"\]\(#concept/zh/[a-z0-9-]+\)")

# What a Chinese conversation puts into each placeholder, written as the code writes it (typed by hand).
REALISTIC_ZH: dict[str, str] = load_fixture("realistic-zh.json")
# Glossary paragraphs use the user's numbers under their own names (prompts.glossary.PLAN_PLACEHOLDERS).
PLAN_ZH = {"tokens": "148亿", "active_params": "9190万", "total_params": "1.45亿", "ratio_active": "161",
           "ratio_total": "102", "verdict": "过度训练 ×8.0",
           "overtrained_verdict": "过度训练 ×8.0", "flops": "8.16e18", "gpu_hours": "39",
           "gpu": "8 × NVIDIA GeForce RTX 4090", "mfu": "35%", "data_matched_params": "7.4亿",
           "compute_optimal_params": "2.61亿"}
SLUGS = {entry.id for entry in entries()}


def _is_table(text: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip()]
    return bool(lines) and all(_TABLE_LINE.match(line) for line in lines)


def _table(text: str) -> dict[str, str]:
    return dict(line.split(" = ", 1) for line in text.splitlines() if line.strip())


def _units(family: str, language: str) -> dict[str, str]:
    """Every renderable unit of a file: each block, or each entry of a block that is ``key = text`` lines in both
    languages."""
    blocks = load(f"{family}/{language}").blocks()
    other = load(f"{family}/{'en' if language == 'zh' else 'zh'}").blocks()
    found: dict[str, str] = {}
    for name, text in blocks.items():
        if _is_table(text) and _is_table(other.get(name, "")):
            found.update({f"{name}.{key}": value for key, value in _table(text).items()})
        else:
            found[name] = text
    return found


def _placeholders(text: str) -> set[str]:
    return set(Template(text).get_identifiers())


def _shown(text: str) -> str:
    """What a reader sees of rendered Markdown: link targets are not shown, link texts are."""
    return _LINK.sub("]", text)


@pytest.mark.parametrize("family", FAMILIES)
def test_both_languages_have_the_same_keys(family: str) -> None:
    zh, en = _units(family, "zh"), _units(family, "en")
    assert sorted(set(zh) - set(en)) == [], f"only in {family}/zh"
    assert sorted(set(en) - set(zh)) == [], f"only in {family}/en"


@pytest.mark.parametrize("family", FAMILIES)
def test_both_languages_use_the_same_placeholders_and_concept_links(family: str) -> None:
    zh, en = _units(family, "zh"), _units(family, "en")
    differ = {key: sorted(_placeholders(zh[key]) ^ _placeholders(en[key])) for key in zh.keys() & en.keys()
              if _placeholders(zh[key]) != _placeholders(en[key])}
    assert differ == {}
    links = {key: (concept_ids(zh[key]), concept_ids(en[key])) for key in zh.keys() & en.keys()
             if sorted(concept_ids(zh[key])) != sorted(concept_ids(en[key]))}
    assert links == {}
    assert {concept for text in zh.values() for concept in concept_ids(text)} <= SLUGS


@pytest.mark.parametrize("family", FAMILIES)
def test_every_chinese_key_renders_without_english(family: str) -> None:
    units = _units(family, "zh")
    unknown = sorted({name for text in units.values() for name in _placeholders(text)} - set(REALISTIC_ZH))
    assert unknown == [], "give these placeholders a realistic value in REALISTIC_ZH"
    found = {}
    for key, template in units.items():
        rendered = _shown(link_concepts(Template(template).substitute(REALISTIC_ZH), lang="zh"))
        problems = latin_words(rendered) + internal_codes(rendered, slugs=SLUGS)
        if problems:
            found[key] = problems
    assert found == {}


@pytest.mark.parametrize("entry", entries(), ids=lambda entry: entry.id)
def test_every_glossary_entry_is_chinese_in_chinese(entry) -> None:  # noqa: ANN001 - a glossary Entry
    parts = [entry.title("zh"), entry.body("zh"), *entry.citations("zh")]
    if entry.with_plan("zh") is not None:
        assert set(entry.plan_placeholders("zh")) == set(entry.plan_placeholders("en"))
        parts.append(Template(entry.with_plan("zh")).substitute(PLAN_ZH))
    found = [problem for part in parts for problem in latin_words(part) + internal_codes(part, slugs=SLUGS)]
    assert found == []
    assert len(entry.citations("zh")) == len(entry.citations("en"))


# --- failure codes ---------------------------------------------------------------------------------------


def _raised_codes() -> dict[str, set[frozenset[str]]]:
    """Every failure code written in the source of tools/ and assistant/, with the value names given beside it."""
    found: dict[str, set[frozenset[str]]] = {}
    for path in [*REPO.joinpath("tools").rglob("*.py"), *REPO.joinpath("assistant").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            keywords = {kw.arg: kw.value for kw in getattr(node, "keywords", []) if kw.arg}
            code = keywords.get("code")
            func = getattr(node, "func", None)
            called = getattr(func, "id", None) or getattr(func, "attr", "")
            failure = isinstance(called, str) and called.endswith(("Error", "Reason"))  # not a Heuristic or Advice
            if isinstance(node, ast.Call) and failure and isinstance(code, ast.Constant) \
                    and isinstance(code.value, str):
                values = keywords.get("values")
                names_given = frozenset(k.value for k in values.keys if isinstance(k, ast.Constant)) \
                    if isinstance(values, ast.Dict) else frozenset(k for k in keywords if k not in (
                        "code", "field", "value", "expected", "why", "values"))
                found.setdefault(code.value, set()).add(names_given)
            if isinstance(node, ast.Dict):  # {"code": "unknown_tool", "values": {"tool": name}} in a tool result
                items = {key.value: value for key, value in zip(node.keys, node.values, strict=True)
                         if isinstance(key, ast.Constant)}
                code, values = items.get("code"), items.get("values")
                if isinstance(code, ast.Constant) and isinstance(code.value, str):
                    names_given = frozenset(k.value for k in values.keys if isinstance(k, ast.Constant)) \
                        if isinstance(values, ast.Dict) else frozenset()
                    found.setdefault(code.value, set()).add(names_given)
    return found


# Codes the source builds rather than writes out: tools/calc/errors.py (require_int, require_number), pydantic's
# error types as tools/error_text.py reads them, and the calculator's missing fields.
BUILT_CODES = {
    "int_at_least": {"minimum"}, "int_between": {"minimum", "maximum"}, "number_above": {"minimum"},
    "number_at_least": {"minimum"}, "number_above_at_most": {"minimum", "maximum"},
    "number_at_least_at_most": {"minimum", "maximum"}, "number_below": {"maximum"}, "number_at_most": {"maximum"},
    "integer": set(), "number": set(), "boolean": set(), "text": set(), "json_object": set(), "list": set(),
    "unknown_field": set(), "missing_field": set(), "invalid": set(), "samples_missing": set(),
    "mean_length_missing": set(), "length_unit_missing": set(),
}


def test_the_source_raises_failure_codes() -> None:
    """The scan below finds what it should: a few codes written by hand (a scan finding nothing would pass)."""
    codes = _raised_codes()
    assert {"top_k_missing_no_preset", "needs_architecture", "unknown_tool", "decimal_comma", "one_of"} <= set(codes)
    assert frozenset({"experts", "total_params"}) in codes["top_k_missing_no_preset"]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_failure_code_has_a_sentence_using_only_its_values(language: str) -> None:
    errors = load(f"errors/{language}")
    sentences = {**errors.table("expected"), **errors.table("failures"), **errors.table("stopped")}
    problems = {}
    raised = _raised_codes()
    for code, names_given in BUILT_CODES.items():
        raised.setdefault(code, set()).add(frozenset(names_given))
    for code, given in raised.items():
        if code not in sentences:
            problems[code] = "no sentence"
            continue
        for names_given in given:
            extra = _placeholders(sentences[code]) - names_given
            if extra:
                problems[code] = f"uses {sorted(extra)} but is raised with {sorted(names_given)}"
    assert problems == {}


def test_every_fit_has_a_name_in_both_languages() -> None:
    from tools.calc.fits import FITS

    for language in ("zh", "en"):
        named = load(f"names/{language}").table("fits")
        assert set(FITS) <= set(named), language
