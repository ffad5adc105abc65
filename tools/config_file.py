"""Reading a config.json someone gave us: a file, an upload, a paste, or an object an LLM sent.

The one place a config's text becomes a dict. Before anything reads its fields, it is bounded:

- at most :data:`MAX_CONFIG_BYTES` (a real config.json is a few kilobytes; the largest in
  ``tests/fixtures/hf-configs`` is under 5 KB);
- in any encoding: a byte-order mark (UTF-8, UTF-16, UTF-32) says which, UTF-16/32 without one is
  told by its zero bytes, and text that is not UTF-8 is read as GB18030, else Latin-1 (the keys are
  ASCII, so only a name or a path could come out garbled);
- JSON nested at most :data:`MAX_DEPTH` levels (real configs nest three), with no number longer
  than :data:`MAX_DIGITS` digits, and no ``NaN`` or ``Infinity``;
- an object at the top.

Anything else raises :class:`~tools.calc.errors.CalcInputError` for the field ``config_file`` with a
code (``config_too_large``, ``config_not_json``, ``config_too_deep``, ``config_number_too_long``,
``config_not_finite``, ``json_object``, ``config_unreadable``), so every door says it the same way.
The core (:mod:`tools.calc.hf_config`) then checks each field's type and range.
"""

from __future__ import annotations

import codecs
import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tools.calc.errors import CalcInputError

MAX_CONFIG_BYTES = 1_000_000
MAX_DEPTH = 32
MAX_DIGITS = 30
FIELD = "config_file"

_BOMS = (  # longest first: UTF-32-LE's mark begins with UTF-16-LE's
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class _Refused(ValueError):
    def __init__(self, code: str, **values: Any) -> None:
        super().__init__(code)
        self.code = code
        self.values = values


def size_text(size: int) -> str:
    """A file size as people read it: 2.0 MB, 340 KB, 12 bytes."""
    if size >= 1_000_000:
        return f"{size / 1e6:.1f} MB"
    if size >= 1_000:
        return f"{size / 1e3:.0f} KB"
    return f"{size} bytes"


def _error(name: str, code: str, expected: str, **values: Any) -> CalcInputError:
    return CalcInputError(field=FIELD, value=name, expected=expected, code=code, values=values)


def read_config_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The config.json at ``path``, read and bounded (see the module docstring); the file is read only up to the
    size limit."""
    name = Path(path).name or str(path)
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_CONFIG_BYTES + 1)
            if len(data) > MAX_CONFIG_BYTES:
                size = os.fstat(file.fileno()).st_size
                raise _error(name, "config_too_large", f"a config.json of at most {size_text(MAX_CONFIG_BYTES)}",
                             maximum=size_text(MAX_CONFIG_BYTES), size=size_text(max(size, len(data))))
    except OSError as error:
        raise CalcInputError(field=FIELD, value=name, expected="a file that can be read",
                             why=error.strerror or "", code="config_unreadable") from None
    return config_from_bytes(data, name=name)


def decode(data: bytes) -> str:
    """The text of a file in any encoding (see the module docstring); never raises."""
    for mark, encoding in _BOMS:
        if data.startswith(mark):
            return data[len(mark):].decode(encoding, errors="replace")
    head = data[:4]
    if len(head) == 4 and b"\x00" in head:  # JSON starts with ASCII: its zero bytes tell UTF-16/32 and the order
        encoding = ("utf-32-le" if head[1:] == b"\x00\x00\x00" else "utf-32-be" if head[:3] == b"\x00\x00\x00"
                    else "utf-16-le" if head[1] == 0 else "utf-16-be")
        return data.decode(encoding, errors="replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def config_from_bytes(data: bytes, *, name: str = "config.json") -> dict[str, Any]:
    if len(data) > MAX_CONFIG_BYTES:
        raise _error(name, "config_too_large", f"a config.json of at most {size_text(MAX_CONFIG_BYTES)}",
                     maximum=size_text(MAX_CONFIG_BYTES), size=size_text(len(data)))
    return config_from_text(decode(data), name=name)


def _integer(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        raise _Refused("config_number_too_long", maximum=MAX_DIGITS, digits=digits)
    return int(text)


def _float(text: str) -> float:
    if len(text) > 2 * MAX_DIGITS:
        raise _Refused("config_number_too_long", maximum=MAX_DIGITS, digits=len(text))
    value = float(text)
    if not math.isfinite(value):
        raise _Refused("config_not_finite", text=text)
    return value


def _constant(text: str) -> float:
    raise _Refused("config_not_finite", text=text)


def config_from_text(text: str, *, name: str = "config.json") -> dict[str, Any]:
    """A config.json's text as a dict, bounded (see the module docstring)."""
    if len(text) > MAX_CONFIG_BYTES:
        raise _error(name, "config_too_large", f"a config.json of at most {size_text(MAX_CONFIG_BYTES)}",
                     maximum=size_text(MAX_CONFIG_BYTES), size=size_text(len(text.encode("utf-8", "replace"))))
    try:
        config = json.loads(text.lstrip("\ufeff"), parse_int=_integer, parse_float=_float,
                            parse_constant=_constant)
    except _Refused as refused:
        raise _error(name, refused.code, "a config.json with finite numbers of at most 30 digits",
                     **refused.values) from None
    except json.JSONDecodeError as error:
        raise _error(name, "config_not_json", f"valid JSON (it stops being JSON at line {error.lineno}, "
                     f"column {error.colno})", line=error.lineno, column=error.colno) from None
    except RecursionError:
        raise _error(name, "config_too_deep", f"JSON nested at most {MAX_DEPTH} levels deep",
                     maximum=MAX_DEPTH) from None
    except ValueError:  # a float with too many digits, or anything else json itself refuses
        raise _error(name, "config_not_json", "valid JSON", line=1, column=1) from None
    return checked_config(config, name=name)


def checked_config(config: Any, *, name: str = "config.json") -> dict[str, Any]:
    """``config`` if it is an object nested at most :data:`MAX_DEPTH` deep with finite numbers (an object an LLM
    sent is held to the same bounds as a file)."""
    if not isinstance(config, Mapping):
        raise CalcInputError(field=FIELD, value=type(config).__name__, expected="a JSON object", code="json_object")
    stack: list[tuple[Any, int]] = [(config, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, Mapping | list | tuple):
            if depth > MAX_DEPTH:
                raise _error(name, "config_too_deep", f"JSON nested at most {MAX_DEPTH} levels deep",
                             maximum=MAX_DEPTH)
            stack.extend((item, depth + 1) for item in (value.values() if isinstance(value, Mapping) else value))
        elif isinstance(value, float) and not math.isfinite(value):
            raise _error(name, "config_not_finite", "finite numbers", text=repr(value))
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10 ** MAX_DIGITS:
            raise _error(name, "config_number_too_long", f"numbers of at most {MAX_DIGITS} digits",
                         maximum=MAX_DIGITS, digits=math.floor(math.log10(abs(value))) + 1)
    return dict(config)
