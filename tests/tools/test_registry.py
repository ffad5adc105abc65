"""Tool contracts: the schema the model sees, results that repeat assumptions, and error payloads."""

from __future__ import annotations

import json

import pytest

from tools.registry import SHARED, TOOLS, FieldDefinition, compact_schema, run_tool, shared_definitions, shared_refs

WORKED_MODEL = {"preset": "minimind2-moe", "top_k": 1}
WORKED_DATA = {"samples": 28.9e6, "mean_length": 512, "length_unit": "tokens"}
HARDWARE = {"gpu": "4090", "gpu_count": 8}


def test_every_tool_has_a_described_schema_derived_from_its_model() -> None:
    assert set(TOOLS) >= {"count_parameters", "estimate_training_flops", "chinchilla_analysis", "project_gpu_time",
                          "estimate_training_memory", "list_presets", "describe_gpu", "recommend_configurations"}
    for spec in TOOLS.values():
        schema = spec.json_schema()
        assert schema["type"] == "object"
        assert spec.description, spec.name
        assert schema == shared_refs(compact_schema(spec.input_model.model_json_schema()))


def test_shared_objects_are_named_in_the_schema_and_defined_once() -> None:
    """The model, the data and the hardware are defined in the argument list, not in each tool's schema."""
    schema = TOOLS["chinchilla_analysis"].json_schema()
    assert "$defs" not in schema
    assert schema["properties"]["model"] == {"type": "object", "description": "`model` object (see Arguments)"}
    assert schema["properties"]["hardware"]["type"] == "object"
    assert schema["required"] == ["model", "data"]
    definitions = shared_definitions()
    model = {field.name: field for field in definitions["model"]}
    assert model["hidden_size"] == FieldDefinition("hidden_size", "integer", False, "Hidden size d_model")
    assert {field.name for field in definitions["hardware"] if field.required} == {"gpu"}
    assert next(f for f in definitions["data"] if f.name == "length_unit").type == "tokens|chars"


def test_compaction_keeps_every_field_and_the_required_ones() -> None:
    """Optional fields lose only their null branch and null default; shared objects keep every field in their
    definition; nothing else changes."""
    for spec in TOOLS.values():
        full, compact = spec.input_model.model_json_schema(), spec.json_schema()
        assert compact.get("required") == full.get("required")
        assert set(compact["properties"]) == set(full["properties"])
    for name, model in SHARED.items():
        assert [f.name for f in shared_definitions()[name]] == list(model.model_json_schema()["properties"])
    original = {"anyOf": [{"type": "number", "minimum": 0}, {"type": "null"}], "default": None, "description": "x"}
    assert compact_schema(original) == {"type": "number", "minimum": 0, "description": "x"}
    kept = {"anyOf": [{"type": "number"}, {"type": "null"}], "default": 3}  # a real default stays as it is
    assert compact_schema(kept) == kept


def test_count_parameters_repeats_its_assumptions_and_is_exact() -> None:
    outcome = run_tool("count_parameters", {"model": WORKED_MODEL})
    assert outcome.ok
    assert outcome.result["active_params"] == 65_403_520  # 91,945,600 − 8 × 3 × 640 × 1728
    assert outcome.result["approximate"] is False
    codes = {a["code"]: a for a in outcome.result["assumptions"]}
    assert codes["top_k_stated"]["values"]["model_top_k"] == 2 and codes["top_k_stated"]["headline"]
    assert "top-1 as stated" in codes["top_k_stated"]["text"]  # the sentence the model reads
    json.loads(outcome.content)  # the content the model reads is JSON


def test_total_only_matches_a_preset_or_is_marked_approximate() -> None:
    matched = run_tool("count_parameters", {"model": {"total_params": 145e6, "num_experts": 4,
                                                      "num_shared_experts": 1, "top_k": 1}}).result
    assert matched["active_params"] == 65_403_520 and matched["approximate"] is False
    assert matched["reading"]["preset"] == "minimind2-moe" and matched["reading"]["matched_preset"] is True
    assert any(a["code"] == "preset_matched" for a in matched["assumptions"])
    estimated = run_tool("count_parameters", {"model": {"total_params": 300e6, "num_experts": 4,
                                                        "num_shared_experts": 1, "top_k": 1}}).result
    assert estimated["approximate"] is True


def test_chinchilla_analysis_hand_values() -> None:
    result = run_tool("chinchilla_analysis", {"model": WORKED_MODEL, "data": WORKED_DATA, "hardware": HARDWARE}).result
    tokens = 28.9e6 * 512
    assert result["tokens"] == pytest.approx(tokens)
    assert result["tokens_per_active_param"] == pytest.approx(tokens / 65_403_520)  # ≈ 226
    assert result["data_matched_params"] == pytest.approx(tokens / 20)  # ≈ 740M
    assert result["verdict_active"]["kind"] == "over-trained"
    assert result["compute_flops"] == pytest.approx(6 * 65_403_520 * tokens)
    rows = {row["key"]: row for row in result["alternatives"]}
    assert rows["as_planned"]["gpu_hours"] == pytest.approx(6 * 65_403_520 * tokens / (165.2e12 * 0.35) / 3600)


def test_gpu_time_from_model_and_data() -> None:
    result = run_tool("project_gpu_time", {"model": WORKED_MODEL, "data": WORKED_DATA,
                                           "hardware": {**HARDWARE, "mfu": 0.3, "price_per_gpu_hour": 2,
                                                        "currency": "CNY"}}).result
    gpu_hours = 6 * 65_403_520 * 28.9e6 * 512 / (165.2e12 * 0.3) / 3600
    assert result["gpu_hours"] == pytest.approx(gpu_hours)
    assert result["cost"] == pytest.approx(2 * gpu_hours)
    assert result["currency"] == "CNY"


@pytest.mark.parametrize(
    ("name", "arguments", "needle"),
    [
        ("count_parameters", {"model": {"preset": "gpt-9"}}, "preset"),
        ("count_parameters", {"model": {}}, "a preset, a config.json"),
        ("count_parameters", {"model": {"preset": "minimind2"}, "extra": 1}, "extra"),
        ("estimate_training_flops", {"model": WORKED_MODEL, "data": {"tokens": -1}}, "tokens"),
        ("project_gpu_time", {"hardware": {"gpu": "TPU-v9"}, "training_flops": 1e20}, "gpu"),
        ("project_gpu_time", {"hardware": {"gpu": "4090", "mfu": 1.5}, "training_flops": 1e20}, "mfu"),
        ("chinchilla_analysis", {"model": WORKED_MODEL}, "data"),
        ("count_parameters", "{not json", "JSON"),
        ("no_such_tool", {}, "unknown tool"),
    ],
)
def test_bad_arguments_come_back_as_error_and_hint(name: str, arguments: object, needle: str) -> None:
    outcome = run_tool(name, arguments)  # never raises
    assert not outcome.ok
    assert needle in outcome.result["error"]
    assert outcome.result["hint"]


def test_arguments_are_read_as_models_send_them() -> None:
    """"145M", "28.9M", "35%", "1.5e12" and "ZeRO-2" are read; the schema still says number/integer."""
    result = run_tool("estimate_training_memory", {"model": {"preset": "minimind2-moe"},
                                                   "hardware": {"gpu": "4090", "gpu_count": "8", "mfu": "35%"},
                                                   "zero_stage": "ZeRO-2", "recompute": "Selective"})
    assert result.ok and result.result["zero_stage"] == 2 and result.result["gpu_count"] == 8
    gpu = run_tool("project_gpu_time", {"hardware": {"gpu": "4090", "mfu": "35%"}, "training_flops": "1.5e18"}).result
    assert gpu["mfu"] == 0.35 and gpu["training_flops"] == 1.5e18
    counted = run_tool("count_parameters", {"model": {"total_params": "145M", "num_experts": "4",
                                                      "num_shared_experts": 1}}).result
    assert counted["total_params"] == 145_029_760  # MiniMind2-MoE, matched by size and layout
    assert counted["active_params"] == 91_945_600  # at its own top-2
    flops = run_tool("estimate_training_flops", {"model": {"preset": "minimind2-moe"},
                                                 "data": {"samples": "28.9M", "mean_length": 512,
                                                          "length_unit": "Tokens"}}).result
    assert flops["tokens"] == 28.9e6 * 512


def test_every_invalid_field_is_reported_in_one_round() -> None:
    """Several bad fields come back together, each with its field and what was expected."""
    outcome = run_tool("project_gpu_time", {"model": {"preset": "minimind2-moe"},
                                            "data": {"tokens": "1,5T", "seq_len": 0},
                                            "hardware": {"gpu": "4090", "mfu": 1.5}})
    assert not outcome.ok
    fields = {error["field"] for error in outcome.result["errors"]}
    assert fields == {"data.tokens", "data.seq_len", "hardware.mfu"}
    assert all(error["expected"] for error in outcome.result["errors"])
    resolved = run_tool("project_gpu_time", {"model": {"total_params": "500M", "num_experts": 8},
                                             "data": {"samples": "1M", "mean_length": 512},
                                             "hardware": {"gpu": "TPU-v9"}})
    fields = {error["field"] for error in resolved.result["errors"]}
    assert fields == {"model.top_k", "data.length_unit", "hardware.gpu"}


def test_a_decimal_comma_is_refused_by_name() -> None:
    outcome = run_tool("estimate_training_flops", {"model": {"preset": "llama-3-8b"}, "data": {"tokens": "1,5T"}})
    assert not outcome.ok and "1.5" in outcome.result["error"] and outcome.result["field"] == "data.tokens"
