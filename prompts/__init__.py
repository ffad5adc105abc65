"""System prompts, report templates and the glossary, as versioned files.

Every prompt is a ``*.md`` file under this package, shipped as package data. It starts with a
front-matter block of ``key: value`` lines between two ``---`` lines (``id`` and a positive
integer ``version`` are required; bump the version on every change), followed by the body.
The body is a stdlib :class:`string.Template`: ``$name`` or ``${name}`` is a placeholder and
``$$`` a literal dollar sign. It is the only template dialect in the project.

>>> from prompts import load
>>> system = load("system")                 # prompts/system.md
>>> text = system.render(context="...")     # raises MissingPlaceholderError if a value is missing

Files are read lazily through :mod:`importlib.resources` and cached; nothing runs at import.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from importlib.resources.abc import Traversable
from string import Template
from types import MappingProxyType

__all__ = [
    "MissingPlaceholderError",
    "Prompt",
    "PromptError",
    "load",
    "names",
    "parse",
]

_PACKAGE = __name__
_SUFFIX = ".md"
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*(?:/[a-z0-9][a-z0-9_-]*)*")
_KEY = re.compile(r"[a-z][a-z0-9_]*")
_FENCE = "---"
_BLOCK = re.compile(r"^<!-- block: ([a-z_0-9]+) -->\n", re.MULTILINE)


class PromptError(ValueError):
    """A prompt file that cannot be loaded or rendered: says which file, what is wrong and what was expected."""


class MissingPlaceholderError(PromptError):
    """``render`` was not given a value for a placeholder in the template."""

    def __init__(self, prompt_id: str, version: int, name: str, needed: tuple[str, ...], given: tuple[str, ...]):
        self.prompt_id = prompt_id
        self.name = name
        self.needed = needed
        self.given = given
        super().__init__(
            f"prompt {prompt_id!r} (version {version}) has no value for placeholder ${name}: "
            f"pass render({name}=...). It needs {', '.join(needed) or 'nothing'}; "
            f"given {', '.join(given) or 'nothing'}."
        )


@dataclass(frozen=True)
class Prompt:
    """One prompt file: its front matter, its body (``text``, a :class:`string.Template`) and a hash.

    ``sha256`` is the hex digest of the whole file as shipped (front matter and body, UTF-8), so
    it changes whenever anything in the file changes; log it with ``id`` and ``version``.
    ``meta`` holds every front-matter key, including ``id`` and ``version``, as strings.
    """

    id: str
    version: int
    text: str
    sha256: str
    meta: Mapping[str, str] = field(compare=False, repr=False)

    @property
    def placeholders(self) -> tuple[str, ...]:
        """The placeholder names in ``text``, in order of first appearance."""
        return tuple(Template(self.text).get_identifiers())

    def blocks(self) -> dict[str, str]:
        """The named blocks of a template file made of ``<!-- block: name -->`` sections (report, export)."""
        return dict(self._blocks)

    def table(self, block: str) -> dict[str, str]:
        """A block made of ``key = text`` lines, as a mapping (lines without `` = `` are skipped)."""
        if block not in self._tables:
            pairs = (line.partition(" = ") for line in self._blocks.get(block, "").splitlines())
            self._tables[block] = {key.strip(): text.strip() for key, _, text in pairs if text}
        return dict(self._tables[block])

    # Parsed once per prompt (answers read their blocks and tables many times a turn); blocks() and table() copy.
    @cached_property
    def _blocks(self) -> dict[str, str]:
        parts = _BLOCK.split(self.text)
        return {name: body.strip("\n") for name, body in zip(parts[1::2], parts[2::2], strict=True)}

    @cached_property
    def _tables(self) -> dict[str, dict[str, str]]:
        return {}

    def render(self, **values: object) -> str:
        """Substitute every placeholder; a missing one raises :class:`MissingPlaceholderError` naming it.

        Values are inserted with ``str()`` and are not themselves expanded; extra values are ignored.
        """
        try:
            return Template(self.text).substitute(values)
        except KeyError as exc:
            raise MissingPlaceholderError(
                self.id, self.version, str(exc.args[0]), self.placeholders, tuple(sorted(values))
            ) from None
        except ValueError as exc:  # unreachable for loaded prompts: parse() checks the template
            raise PromptError(f"prompt {self.id!r}: {exc}") from None


def parse(source: str, *, origin: str = "<string>") -> Prompt:
    """Build a :class:`Prompt` from the text of a prompt file. ``origin`` names it in errors."""
    lines = source.splitlines()
    if not lines or lines[0].strip() != _FENCE:
        raise PromptError(f"{origin}: expected a front-matter block starting with a '---' line on line 1")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == _FENCE)
    except StopIteration:
        raise PromptError(f"{origin}: the front-matter block has no closing '---' line") from None

    meta: dict[str, str] = {}
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep or not _KEY.fullmatch(key):
            raise PromptError(f"{origin}, line {number}: expected 'key: value' with a lower-case key, got {line!r}")
        if key in meta:
            raise PromptError(f"{origin}, line {number}: duplicate front-matter key {key!r}")
        meta[key] = value.strip()

    for required in ("id", "version"):
        if not meta.get(required):
            raise PromptError(f"{origin}: front matter needs a non-empty {required!r}")
    if not re.fullmatch(r"[1-9][0-9]*", meta["version"]):
        raise PromptError(f"{origin}: version must be a positive integer, got {meta['version']!r}")

    text = "\n".join(lines[end + 1 :]).strip()
    if not text:
        raise PromptError(f"{origin}: the body after the front matter is empty")
    if not Template(text).is_valid():
        raise PromptError(
            f"{origin}: the body has a '$' that is not a placeholder; write $$ for a literal dollar sign "
            "and $name or ${name} for a placeholder"
        )
    return Prompt(
        id=meta["id"],
        version=int(meta["version"]),
        text=text,
        sha256=hashlib.sha256(source.encode("utf-8")).hexdigest(),
        meta=MappingProxyType(meta),
    )


def load(name: str) -> Prompt:
    """Load ``prompts/<name>.md``: ``load("system")``, ``load("glossary/flops-6nd")``. Cached.

    Raises :class:`PromptError` for an unknown name (listing the known ones) or a malformed file.
    """
    key = name.removesuffix(_SUFFIX)
    if not _NAME.fullmatch(key):
        raise PromptError(
            f"prompt name {name!r} is not valid: expected lower-case path segments such as 'system' or "
            "'glossary/flops-6nd'"
        )
    return _load(key)


@cache
def _load(key: str) -> Prompt:
    *folders, stem = key.split("/")
    resource = resources.files(_PACKAGE)
    for part in (*folders, stem + _SUFFIX):
        resource = resource.joinpath(part)
    if not resource.is_file():
        raise PromptError(f"no prompt named {key!r}; known prompts: {', '.join(names())}")
    return parse(resource.read_text(encoding="utf-8"), origin=f"prompts/{key}{_SUFFIX}")


def names(under: str = "") -> tuple[str, ...]:
    """Names of every prompt file (``"system"``, ``"glossary/flops-6nd"``, …), sorted; ``under`` filters by folder."""
    prefix = under.strip("/")
    return tuple(n for n in _all_names() if not prefix or n.startswith(prefix + "/"))


@cache
def _all_names() -> tuple[str, ...]:
    found: list[str] = []

    def walk(folder: Traversable, parts: tuple[str, ...]) -> None:
        for child in folder.iterdir():
            if child.is_dir() and not child.name.startswith(("_", ".")):
                walk(child, (*parts, child.name))
            elif child.is_file() and child.name.endswith(_SUFFIX):
                name = "/".join((*parts, child.name.removesuffix(_SUFFIX)))
                if _NAME.fullmatch(name):
                    found.append(name)

    walk(resources.files(_PACKAGE), ())
    return tuple(sorted(found))
