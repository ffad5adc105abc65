"""The bibliography: ``prompts/references.bib``, read once; short citations and BibTeX export."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

_ENTRY = re.compile(r"@(\w+)\{([^,]+),(.*?)\n\}", re.DOTALL)
_FIELD = re.compile(r"(\w+)\s*=\s*\{(.*?)\}\s*,?\s*$", re.MULTILINE)


@cache
def bibtex_source() -> str:
    return resources.files("prompts").joinpath("references.bib").read_text(encoding="utf-8")


@cache
def entries() -> dict[str, dict[str, str]]:
    found = {}
    for kind, key, body in _ENTRY.findall(bibtex_source()):
        fields = {name.lower(): value.replace("{", "").replace("}", "") for name, value in _FIELD.findall(body)}
        found[key.strip()] = {"type": kind, **fields}
    return found


@dataclass(frozen=True)
class AuthorYear:
    """What an author-year citation shows: the first author's surname, whether others follow, the year."""

    surname: str
    et_al: bool
    year: str


def author_year(key: str) -> AuthorYear:
    """The author-year parts of the entry ``key``: Hoffmann, et al., 2022 (DeepSeek-AI alone, 2024)."""
    entry = entries()[key]
    authors = [a.strip() for a in entry.get("author", "").split(" and ")]
    first = authors[0].split(",")[0] if authors and authors[0] else key
    return AuthorYear(surname=first, et_al=len(authors) > 1, year=entry.get("year", "n.d."))


def format_reference(key: str) -> str:
    """'Hoffmann et al. (2022). Training Compute-Optimal Large Language Models. NeurIPS …' style."""
    entry, cited = entries()[key], author_year(key)
    who = f"{cited.surname} et al." if cited.et_al else cited.surname
    venue = entry.get("journal") or entry.get("booktitle") or entry.get("howpublished") or ""
    return f"{who} ({cited.year}). *{entry.get('title', key)}*." + (f" {venue}." if venue else "") + f" [`{key}`]"


def bibtex(keys: list[str] | tuple[str, ...]) -> str:
    """The BibTeX entries for ``keys``, verbatim from the bibliography file."""
    wanted = set(keys)
    blocks = [match.group(0) for match in _ENTRY.finditer(bibtex_source()) if match.group(2).strip() in wanted]
    return "\n\n".join(blocks) + "\n"
