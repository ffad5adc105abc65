"""`scaling-assistant plan`: the JSON contract, configs counted back by `params --hf-config`, one-line errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.cli import main

ROOT = Path(__file__).resolve().parents[2]
WEEK = ("plan", "--gpu", "4090", "--count", "8", "--days", "7")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def week() -> dict:
    code, out, err = run(*WEEK, "--json")
    assert code == 0, err
    return json.loads(out)


def test_json_has_the_issue_keys(week: dict) -> None:
    assert {"compute_flops", "mfu", "targets", "candidates", "assumptions"} <= set(week)
    assert week["compute_flops"] == pytest.approx(8 * 165.2e12 * 0.35 * 7 * 86400, rel=1e-12)
    assert week["mfu"] == 0.35
    assert all({"fit", "active_params", "tokens"} <= set(t) for t in week["targets"])
    for candidate in week["candidates"]:
        assert {"config", "total_params", "active_params", "tokens", "training_days", "memory_per_gpu_bytes",
                "predicted_loss", "notes"} <= set(candidate)
        assert candidate["training_days"] == pytest.approx(7.0)


def test_params_counts_every_candidate_config_back(week: dict, tmp_path: Path) -> None:
    for candidate in week["candidates"]:
        path = tmp_path / f"candidate-{candidate['rank']}.json"
        path.write_text(json.dumps(candidate["config"]), encoding="utf-8")
        code, out, err = run("params", "--hf-config", str(path), "--json")
        assert code == 0, err
        counted = json.loads(out)
        assert (counted["total_params"], counted["active_params"]) == (candidate["total_params"],
                                                                       candidate["active_params"])


def test_config_flag_prints_one_candidates_config(week: dict) -> None:
    code, out, _ = run(*WEEK, "--config", "2")
    assert code == 0 and json.loads(out) == week["candidates"][1]["config"]


def test_the_table_shows_the_exact_counts(week: dict) -> None:
    code, out, _ = run(*WEEK)
    assert code == 0
    first = week["candidates"][0]
    assert "MOE candidates" in out and "DENSE candidates" in out and f"{first['total_params']:,}" in out
    assert "! MFU not stated: 35%" in out and "! MFU not stated: 40%" in out


def test_money_and_flop_budgets() -> None:
    code, out, err = run("plan", "--gpu", "4090", "--count", "8", "--budget", "20000", "--price", "2",
                         "--currency", "CNY", "--json")
    assert code == 0, err
    assert json.loads(out)["compute_flops"] == pytest.approx(10_000 * 3600 * 165.2e12 * 0.35, rel=1e-12)
    code, out, err = run("plan", "--compute", "3e20", "--arch", "dense", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["compute_flops"] == 3e20 and result["mfu"] is None
    assert {c["architecture"] for c in result["candidates"]} == {"dense"}


@pytest.mark.parametrize(("argv", "flag"), [
    (("plan", "--days", "7"), "--gpu"),
    (("plan", "--gpu", "4091", "--count", "8", "--days", "7"), "--gpu"),
    (("plan", "--gpu", "4090", "--days", "7", "--compute", "1e20"), "exactly one budget"),
    (("plan", "--gpu", "4090", "--count", "8", "--days", "-1"), "--days"),
    (("plan", "--gpu", "4090", "--count", "8", "--budget", "1000"), "--price"),
    (("plan", "--compute", "3e20", "--fit", "chinchilla"), "--fit"),
    (("plan", "--compute", "3e20", "--inference-tokens", "1T", "--fit", "rule-20"), "--fit"),
    (("plan", "--compute", "abc"), "--compute"),
    (("plan", "--count", "8", "--compute", "1e20"), "--count"),
    (("plan", "--compute", "3e20", "--optimizer", "adam"), "--optimizer"),
    (("plan", "--compute", "3e20", "--config", "99"), "--config"),
])
def test_bad_input_is_one_line_naming_the_flag(argv: tuple[str, ...], flag: str) -> None:
    code, out, err = run(*argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: plan") and flag in err and "Traceback" not in err


def test_the_console_script_prints_no_traceback() -> None:
    done = subprocess.run([sys.executable, "-m", "assistant.cli", "plan", "--gpu", "4091", "--count", "8", "--days",
                           "7"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2 and "Traceback" not in done.stderr and done.stderr.count("\n") == 1
