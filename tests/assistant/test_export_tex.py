"""The LaTeX export compiled by real TeX: pdflatex for English, xelatex with ctex for Chinese, with bibtex.

Each document is a one-column ``article`` or a two-column one (``\\documentclass[twocolumn]{article}``) whose
preamble is exactly the packages the export's first lines name, holding three exports at once (the dense
MiniMind2, MiniMind2-MoE and DeepSeek-V3: three table labels in one paper) and the references of all three.
The log must show no undefined citation, no overfull box, no missing glyph and no label defined twice.
``make test`` installs TeX Live from Debian (``make tex-deps``); without it these tests say so and skip.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from assistant.export import latex_export
from assistant.references import bibtex

ENGINES = {"en": "pdflatex", "zh": "xelatex"}
_MISSING = [binary for binary in (*ENGINES.values(), "bibtex") if shutil.which(binary) is None]
pytestmark = pytest.mark.skipif(
    bool(_MISSING), reason=f"TeX is not installed ({', '.join(_MISSING)} not found); `make tex-deps` installs it")

PACKAGE = re.compile(r"\\usepackage(?:\[[^\]]*\])?\{[^}]+\}")
BIBLIOGRAPHY_STYLE = re.compile(r"\\bibliographystyle\{[^}]+\}")
E_NOTATION = re.compile(r"\d(?:\.\d+)?[eE][-+]?\d")
SIUNITX = re.compile(r"\\num(?:\[[^\]]*\])?\{[^}]*\}")
LOG_PROBLEMS = {
    "undefined citation": re.compile(r"Citation .* undefined|There were undefined citations"),
    "undefined reference": re.compile(r"Reference .* undefined|There were undefined references"),
    "overfull box": re.compile(r"Overfull \\hbox"),
    "missing glyph": re.compile(r"Missing character"),
    "label defined twice": re.compile(r"multiply defined"),
    "unstable cross-references": re.compile(r"Rerun to get"),
}
RUN_SECONDS = 120


def _run(command: list[str], folder: Path) -> None:
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=RUN_SECONDS, check=False)
    if done.returncode != 0:
        log = folder / "paper.log"
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:] if log.exists() else done.stdout[-3000:]
        pytest.fail(f"{' '.join(command)} exited with {done.returncode}:\n{tail}")


def compile_paper(folder: Path, *, language: str, columns: str, exports: list[str], bib: str) -> str:
    """Write the document, run latex → bibtex → latex (draft) → latex until the labels settle; return the log."""
    note = [line for line in exports[0].splitlines() if line.startswith("%")]
    packages = [match for line in note for match in PACKAGE.findall(line)]
    style = next(match for line in note for match in BIBLIOGRAPHY_STYLE.findall(line))
    for number, export in enumerate(exports):
        (folder / f"export{number}.tex").write_text(export, encoding="utf-8")
    (folder / "references.bib").write_text(bib, encoding="utf-8")
    document = [r"\documentclass[twocolumn]{article}" if columns == "two" else r"\documentclass{article}",
                *packages, r"\begin{document}", *(rf"\input{{export{number}}}" for number in range(len(exports))),
                style, r"\bibliography{references}", r"\end{document}"]
    (folder / "paper.tex").write_text("\n".join(document) + "\n", encoding="utf-8")
    engine = ENGINES[language]
    latex = [engine, "-interaction=nonstopmode", "-halt-on-error"]
    draft = "-draftmode" if engine == "pdflatex" else "-no-pdf"  # no output file: the passes before the last
    _run([*latex, draft, "paper.tex"], folder)
    _run(["bibtex", "paper"], folder)
    _run([*latex, draft, "paper.tex"], folder)
    for _ in range(3):  # a float moving to another page changes the labels once more
        _run([*latex, "paper.tex"], folder)
        log = (folder / "paper.log").read_text(encoding="utf-8", errors="replace")
        if "Rerun to get" not in log:
            break
    assert (folder / "paper.pdf").stat().st_size > 0
    return log


@pytest.fixture(scope="module")
def reports(plan_dense, plan_zh, plan_en) -> list:
    return [plan_dense, plan_zh, plan_en]


@pytest.mark.parametrize("columns", ["one", "two"])
@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_latex_export_compiles_cleanly(reports, tmp_path: Path, language: str, columns: str) -> None:
    exports = [latex_export(report, language=language) for report in reports]
    for export in exports:
        assert E_NOTATION.findall(SIUNITX.sub("", export)) == []
    if language == "zh":
        assert r"\usepackage{ctex}" in exports[0]
    keys = sorted(set().union(*(report.references for report in reports)))
    log = compile_paper(tmp_path, language=language, columns=columns, exports=exports, bib=bibtex(keys))
    found = {problem: pattern.findall(log) for problem, pattern in LOG_PROBLEMS.items()}
    assert {problem: hits for problem, hits in found.items() if hits} == {}
    assert (tmp_path / "paper.aux").read_text(encoding="utf-8").count(r"\newlabel{tab:scaling-") == 3
