"""The language switch: components register which of their properties are translated, and
:meth:`Labels.updates` gives every one of them in the chosen language.

The first render uses ``gr.I18n`` keys (the browser's locale); the switch then replaces them
with plain text from the same table (:data:`ui.strings.STRINGS`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import gradio as gr

from ui.strings import t

C = TypeVar("C", bound=gr.components.Component | gr.blocks.BlockContext)
Choices = list[tuple[str, str]] | Callable[[str], list[tuple[str, str]]]
"""(translation key, value) pairs, or a function of the language giving (label, value) pairs."""


class Labels:
    def __init__(self) -> None:
        self._bindings: list[tuple[Any, dict[str, str | Choices]]] = []

    def bind(self, component: C, **props: str | Choices) -> C:
        """Translate ``component``'s ``props`` (label="key", placeholder="key", choices=[(key, value)], …)."""
        self._bindings.append((component, props))
        return component

    @property
    def components(self) -> list[Any]:
        return [component for component, _ in self._bindings]

    def updates(self, lang: str) -> list[dict[str, Any]]:
        """One ``gr.update`` per bound component, in :attr:`components` order."""
        result = []
        for _, props in self._bindings:
            values: dict[str, Any] = {}
            for prop, key in props.items():
                if callable(key):
                    values[prop] = key(lang)
                else:
                    values[prop] = t(lang, key) if isinstance(key, str) else [(t(lang, k), v) for k, v in key]
            result.append(gr.update(**values))
        return result
