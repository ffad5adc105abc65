"""Reading the user right, end to end: the issue's examples, three doors that agree, and no number dropped.

Expected counts are written out by hand from tests/fixtures/models.json (MiniMind2-MoE: 145,029,760 total,
91,945,600 active at its own top-2; at top-1 each of its 8 layers drops one routed SwiGLU expert of
3 × 640 × 1728) and the DeepSeek-V2-Lite config (vocabulary 102,400 × hidden 2,048 input embedding).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from assistant.calculator import FIELDS
from assistant.calculator import model_spec as calculator_model_spec
from assistant.cli import main as cli
from assistant.offline.parse import parse_message
from assistant.offline.plan_calls import decide_plan, model_spec
from assistant.offline.request import Plan
from assistant.session import Conversation
from assistant.settings import Settings
from tests.support.phrasings import READ_FIELDS, load
from tools.registry import run_tool

MINIMIND_TOTAL, MINIMIND_ACTIVE_TOP2 = 145_029_760, 91_945_600
MINIMIND_ACTIVE_TOP1 = MINIMIND_ACTIVE_TOP2 - 8 * 3 * 640 * 1728  # 65,403,520
SEED = {
    "zh": "145M 参数的 MoE，1 个共享专家 + 4 个路由专家，2890 万条样本 × 512 token，8 张 4090",
    "en": "145M-parameter MoE, 1 shared + 4 routed experts, 28.9M samples × 512 tokens, 8× RTX 4090",
}


def _final(text: str) -> Any:
    return list(Conversation(Settings()).send(text))[-1]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_seed_question_without_top_k_takes_the_presets_routing(language: str) -> None:
    final = _final(SEED[language])
    report = final.report
    assert report is not None
    assert report.params.active_params == MINIMIND_ACTIVE_TOP2
    assert report.params.total_params == MINIMIND_TOTAL and report.params.approximate is False
    first_line = final.text.split("\n\n")[0]  # the answer opens with what was understood
    assert "MiniMind2-MoE" in first_line
    assert ("top-2（取自 MiniMind2-MoE）" if language == "zh" else "top-2 (from MiniMind2-MoE)") in first_line
    assert not any(a.code == "top_k_stated" for a in report.assumptions)  # no "routing override"


def test_a_stated_active_count_is_kept_and_the_convention_explained() -> None:
    """16B total, 2.4B active, 64 choose 6 is DeepSeek-V2-Lite: counted exactly, the 2.4B explained, not replaced."""
    final = _final("16B 总参数、2.4B 激活，64 个专家选 6 个，训练 1T token，64 张 H800")
    report = final.report
    assert report.params.active_params == 2_661_150_208
    check = report.params.reading.checks[0]
    lines = report.first_lines
    assert "24亿（2.4B）" in lines[1] and "26.6亿" in lines[1]
    active_without_input_embedding = 2_661_150_208 - 102_400 * 2048
    assert f"{active_without_input_embedding:,}" in lines[1] and "DeepSeek" in lines[1]
    assert check.convention == "excl_input_embedding"


@pytest.mark.parametrize("text", [
    "2.7B activated and 14.3B total, 1T tokens on 64 H100",
    "14.3B total and 2.7B activated, 1T tokens on 64 H100",
    "激活 2.7B，总参数 14.3B，训练 1T token，64 张 H100",
    "总参数 14.3B、激活 2.7B，训练 1T token，64 张 H100",
])
def test_activated_and_total_in_either_order_set_the_compute(text: str) -> None:
    """FLOPs use the 2.7B activated, not the 14.3B total: 6 × 2.7e9 × 1e12."""
    report = _final(text).report
    assert report.params.active_params == 2.7e9 and report.params.total_params == 14.3e9
    assert report.flops.six_nd_flops == pytest.approx(6 * 2.7e9 * 1e12)


def test_an_explicit_expert_width_is_used() -> None:
    """64 experts of width 1024 (OLMoE's shape): per layer 64 × 3 × 2048 × 1024 routed weights, not 5504-wide."""
    report = _final("a MoE with 64 experts of width 1024, top-8, hidden 2048, 16 layers, 16 heads, vocab 50304, "
                    "1T tokens").report
    routed = 16 * 64 * 3 * 2048 * 1024
    attention = 16 * 4 * 2048 * 2048
    embeddings = 2 * 50304 * 2048  # untied (stated as a default)
    router, norms = 16 * 2048 * 64, 16 * 2 * 2048 + 2048
    assert report.params.total_params == routed + attention + embeddings + router + norms  # ≈ 6.92B
    assert "expert_width_default" not in {a.code for a in report.assumptions}
    assert any(a.code == "tied_default" and a.headline for a in report.assumptions)


@pytest.mark.parametrize(("text", "missing"), [
    ("a 500M MoE with 8 experts, 10B tokens on 8 H100", "model.top_k"),
    ("MiniMind2-MoE, 28.9M samples × 512, 8 张 4090", "data.length_unit"),
    ("1,5T tokens on 64 H100, Llama-3-8B", "data"),
])
def test_what_cannot_be_read_gets_one_precise_question(text: str, missing: str) -> None:
    final = _final(text)
    assert final.report is None and final.question is not None
    assert final.question["missing"] == [missing]


def test_a_decimal_comma_is_reported_not_read_as_fifteen() -> None:
    final = _final("1,5T tokens on 64 H100, Llama-3-8B")
    assert "1,5T" in final.text and "15T" not in final.text and "15,000" not in final.text


def test_a_pasted_config_is_read_like_an_uploaded_one() -> None:
    config = json.loads((Path(__file__).parents[1] / "fixtures" / "hf-configs" / "Qwen1.5-MoE-A2.7B.json").read_text())
    final = _final(f"这个模型训练 1T token 要多久？8 张 H100\n```json\n{json.dumps(config)}\n```")
    record = next(r for r in load_models() if r["name"] == "Qwen1.5-MoE-A2.7B")
    assert final.report.params.total_params == record["total_params"]
    assert final.report.params.active_params == record["active_params"]
    assert final.report.not_understood == []  # the config's numbers are the config's


def load_models() -> list[dict[str, Any]]:
    return json.loads((Path(__file__).parents[1] / "fixtures" / "models.json").read_text())


# --- every corpus entry that names a model: the CLI, the tools and the calculator agree -----------------

CORPUS = load("dev") + load("heldout")
_FLAGS = {
    "preset": "--preset", "vocab_size": "--vocab", "hidden_size": "--hidden", "num_layers": "--layers",
    "num_heads": "--heads", "num_kv_heads": "--kv-heads", "head_dim": "--head-dim", "intermediate_size":
    "--intermediate", "num_experts": "--experts", "num_shared_experts": "--shared-experts", "top_k": "--top-k",
    "expert_intermediate_size": "--expert-intermediate", "first_k_dense": "--first-k-dense",
    "granularity": "--granularity", "total_params": "--total-params", "active_params": "--active-params",
}


def _model_of(entry: dict[str, Any]) -> dict[str, Any] | None:
    return model_spec(Plan().merged(parse_message(entry["text"])))


NAMED = [(entry, spec) for entry in CORPUS if (spec := _model_of(entry)) is not None]


def _cli_argv(spec: dict[str, Any], tmp_path: Path) -> list[str]:
    argv = ["params", "--json"]
    for name, value in spec.items():
        if name == "hf_config":
            path = tmp_path / "config.json"
            path.write_text(json.dumps(value), encoding="utf-8")
            argv += ["--hf-config", str(path)]
        elif name == "tied_embeddings":
            argv.append("--tied" if value else "--untied")
        elif name == "dense":
            argv.append("--dense" if value else "--moe")
        else:
            argv += [_FLAGS[name], value if isinstance(value, str) else repr(value)]
    return argv


def _calculator_values(spec: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    values: dict[str, Any] = dict.fromkeys(FIELDS)
    source = "preset" if "preset" in spec else "config" if "hf_config" in spec else (
        "dimensions" if any(k in spec for k in ("hidden_size", "vocab_size", "num_layers", "num_heads")) else "total")
    values["model_source"] = source
    for name, value in spec.items():
        if name == "hf_config":
            path = tmp_path / "form-config.json"
            path.write_text(json.dumps(value), encoding="utf-8")
            values["config_file"] = str(path)
        elif name == "dense":
            values["model_kind"] = "dense" if value else "moe"
        elif name == "tied_embeddings":
            values["tied_embeddings"] = "tied" if value else "untied"
        else:
            values[name] = str(value)  # the form's fields are text
    return values


def _outcome(result: dict[str, Any]) -> dict[str, Any]:
    """What must agree: the counts, the approximate flag, the reading and the assumptions (codes and values)."""
    return {"total": result["total_params"], "active": result["active_params"], "approximate": result["approximate"],
            "reading": result["reading"],
            "assumptions": [(a["code"], a["values"], a["headline"]) for a in result["assumptions"]]}


def _error_fields(result: dict[str, Any]) -> set[str]:
    return {error["field"].removeprefix("model.") for error in result.get("errors", [])}


@pytest.mark.parametrize(("entry", "spec"), NAMED, ids=[entry["id"] for entry, _ in NAMED])
def test_cli_tools_and_calculator_agree(entry: dict[str, Any], spec: dict[str, Any], tmp_path: Path) -> None:
    tools = run_tool("count_parameters", {"model": spec})
    problems: list[str] = []
    form_spec = calculator_model_spec(_calculator_values(spec, tmp_path), problems)
    assert problems == []
    calculator = run_tool("count_parameters", {"model": form_spec})
    out, err = io.StringIO(), io.StringIO()
    code = cli(_cli_argv(spec, tmp_path), stdout=out, stderr=err)
    if tools.ok:
        assert code == 0, err.getvalue()
        assert calculator.ok, calculator.result
        assert _outcome(json.loads(out.getvalue())) == _outcome(tools.result) == _outcome(calculator.result)
    else:
        assert code == 2 and not calculator.ok
        fields = _error_fields(tools.result)
        assert fields == _error_fields(calculator.result)
        flags = {_FLAGS.get(field, f"--{field}") for field in fields}
        assert any(flag in err.getvalue() for flag in flags), (err.getvalue(), flags)


def test_most_corpus_entries_name_a_model() -> None:
    assert len(NAMED) >= 150


# --- no number dropped in silence -----------------------------------------------------------------------

@pytest.mark.parametrize("entry", CORPUS, ids=[entry["id"] for entry in CORPUS])
def test_every_field_read_is_used_shown_or_reported_unused(entry: dict[str, Any]) -> None:
    parsed = parse_message(entry["text"])
    plan = Plan().merged(parsed)
    decision = decide_plan(plan)
    read = {name for name in (*READ_FIELDS, "hf_config") if getattr(parsed, name) is not None}
    accounted = decision.used | decision.shown | set(decision.not_used)
    auxiliary = {"currency", "length_unit"}  # said with the price/budget and the mean length they qualify
    assert read - auxiliary <= accounted, sorted(read - auxiliary - accounted)


WITH_UNKNOWNS = [entry for entry in CORPUS if entry.get("unknown")]


@pytest.mark.parametrize("entry", WITH_UNKNOWNS, ids=[entry["id"] for entry in WITH_UNKNOWNS])
def test_every_number_not_understood_is_said_in_the_answer(entry: dict[str, Any]) -> None:
    final = _final(entry["text"])
    for number in entry["unknown"]:
        assert number.replace(" ", "").lower() in final.text.replace(" ", "").lower(), number
