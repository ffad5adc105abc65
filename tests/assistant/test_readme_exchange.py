"""The README's short exchange is what the offline assistant really answers: each quoted line is replayed."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.session import Conversation
from assistant.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def _exchanges() -> list[list[tuple[str, list[str]]]]:
    """The quoted conversations: [(user message, [answer lines shown])], one list per block quote."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("A short exchange, as it appears offline:"):text.index("test_readme_exchange.py")]
    conversations = []
    for block in re.split(r"\n\n(?=> \*\*)(?<!>\n)", section):
        quoted = [line[2:] if line.startswith("> ") else line[1:] for line in block.splitlines()
                  if line.startswith(">")]
        if not quoted:
            continue
        turns: list[tuple[str, list[str]]] = []
        for line in quoted:
            user = re.fullmatch(r"\*\*([^*]+)\*\*", line.strip())
            if user and (not turns or turns[-1][1]):
                turns.append((user.group(1), []))
            elif line.strip() and turns:
                turns[-1][1].append(line.strip())
        conversations.append(turns)
    return conversations


def test_the_readme_shows_two_exchanges() -> None:
    exchanges = _exchanges()
    assert [len(turns) for turns in exchanges] == [2, 2]


def test_every_line_the_readme_shows_is_in_the_real_answer() -> None:
    for turns in _exchanges():
        conversation = Conversation(Settings(force_offline=True))
        for message, shown in turns:
            answer = list(conversation.send(message))[-1].text
            for line in shown:
                for fragment in line.split("…"):  # an ellipsis marks what the README leaves out
                    fragment = fragment.strip(" ()")
                    if fragment and not fragment.startswith("the card:"):
                        assert fragment in answer, (message, fragment)
