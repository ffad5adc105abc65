"""Number tracing measured on the answer corpus (printed, not asserted).

``tests/fixtures/answers/``: answers to four plans (an MoE, DeepSeek-V3, a dense model, a GPU budget) in varied
styles (prose, bullets, tables, LaTeX, scientific and word forms, Chinese 亿/万), every number labelled by hand as
correct or planted wrong (a wrong quantity, a unit slip, an invented figure); the bench also plants a slip in each
correct number in turn (:data:`tests.support.answers.SLIPS`). Goals: no false flag on a correct answer, under 5% of
planted numbers missed.

Run: ``.venv/bin/python bench/bench_trace.py [dev|heldout ...] [-v]``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.trace import untraced  # noqa: E402
from tests.support.answers import Case, cases, covered, plan_results, user_text  # noqa: E402


def measure(name: str, *, verbose: bool) -> None:
    answers = flagged_answers = numbers = false_flags = 0
    planted = missed = planted_by_hand = missed_by_hand = 0
    problems: list[str] = []
    start = time.perf_counter()
    for case in cases(name):
        flags = [(m.start, m.end) for m in untraced(case.text, results=plan_results(case.answer.plan),
                                                     sources=[user_text(case.answer)])]
        wrongly = [span for span in case.correct if covered(span, flags)]
        unflagged = [span for span in case.planted if not covered(span, flags)]
        if not case.slip and not case.planted:
            answers += 1
            flagged_answers += bool(wrongly)
        numbers += len(case.correct)
        false_flags += len(wrongly)
        planted += len(case.planted)
        missed += len(unflagged)
        if not case.slip:
            planted_by_hand += len(case.planted)
            missed_by_hand += len(unflagged)
        if verbose:
            problems += [_describe(case, span, "false flag") for span in wrongly]
            problems += [_describe(case, span, "missed") for span in unflagged]
    elapsed = time.perf_counter() - start
    print(f"{name}: {answers} correct answers, {flagged_answers} with a false flag "
          f"({flagged_answers / max(answers, 1):.1%}; goal 0); {false_flags} of {numbers} correct numbers flagged "
          f"({false_flags / max(numbers, 1):.2%})")
    print(f"{name}: {planted} planted numbers ({planted_by_hand} by hand, {planted - planted_by_hand} slips), "
          f"{missed} missed ({missed / max(planted, 1):.1%}; goal < 5%; by hand {missed_by_hand}, slips "
          f"{missed - missed_by_hand}); {elapsed * 1000:.0f} ms")
    for line in problems:
        print("  " + line)


def _describe(case: Case, span: tuple[int, int], what: str) -> str:
    context = case.text[max(0, span[0] - 40):span[1] + 30].replace("\n", " ")
    return f"{what:<10} {case.answer.id:<28} {case.text[span[0]:span[1]]!r:<16} …{context}…"


def main() -> None:
    names = [arg for arg in sys.argv[1:] if not arg.startswith("-")] or ["dev"]
    for name in names:
        measure(name, verbose="-v" in sys.argv)


if __name__ == "__main__":
    main()
