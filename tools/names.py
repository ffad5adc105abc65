"""Names as a reader knows them, in zh/en (``prompts/names/{en,zh}.md``): fits ("Chinchilla 方法 3", "Epoch AI
2024"), never their keys. The one place a key becomes a name, for the report, the answers, the assumption and
planner sentences alike.
"""

from __future__ import annotations

from functools import cache

from prompts import load


@cache
def _table(language: str, block: str) -> dict[str, str]:
    return load(f"names/{'zh' if language == 'zh' else 'en'}").table(block)


def fit_name(fit: str, language: str) -> str:
    """A fit by name; an unknown key is shown as given (a fit added without a name is a bug a test catches)."""
    return _table(language, "fits").get(fit, fit)


def architecture_name(architecture: str, language: str) -> str:
    """``moe``/``dense`` as words."""
    return _table(language, "architectures").get(architecture, architecture)
