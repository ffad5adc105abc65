"""The calculator's form → tools → report, against the reference counts (tests/fixtures/models.json)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.calculator import FIELDS, calculate
from tests.conftest import FIXTURES, load_fixture

MODELS = {record["name"]: record for record in load_fixture("models.json")}


def _values(**changes: object) -> dict[str, object]:
    values: dict[str, object] = dict.fromkeys(FIELDS)
    values.update(data_source="tokens", tokens="14.8B", length_unit="tokens", epochs=1, currency="USD")
    values.update(changes)
    return values


@pytest.mark.parametrize("name", ["Llama-3-8B", "Mixtral-8x7B-v0.1", "DeepSeek-V3", "MiniMind2-MoE"])
def test_an_uploaded_config_is_counted_exactly(name: str) -> None:
    record = MODELS[name]
    path = FIXTURES / "hf-configs" / f"{name}.json"
    outcome = calculate(_values(model_source="config", config_file=str(path)), language="en")
    assert outcome.problems == []
    assert outcome.report.params.total_params == record["total_params"]
    assert outcome.report.params.active_params == record["active_params"]


def test_explicit_dimensions_with_moe_fields() -> None:
    # MiniMind2-MoE as dimensions: hidden 640, 8 layers, 8/2 heads, FFN 1728, tied, 4 routed + 1 shared, top-2
    record = MODELS["MiniMind2-MoE"]
    outcome = calculate(_values(model_source="dimensions", vocab_size=6400, hidden_size=640, num_layers=8,
                                num_heads=8, num_kv_heads=2, intermediate_size=1728, tied_embeddings=True,
                                num_experts=4, num_shared_experts=1, top_k=2), language="zh")
    assert outcome.problems == []
    assert outcome.report.params.total_params == record["total_params"]
    assert outcome.report.params.active_params == record["active_params"]
    assert outcome.report.language == "zh" and outcome.report.gpu is None


def test_total_only_is_an_estimate() -> None:
    outcome = calculate(_values(model_source="total", total_params="1.5亿", num_experts=8, top_k=2,
                                gpu="h100-sxm", gpu_count=8, mfu="40%", price=2.5, currency="USD"), language="en")
    assert outcome.problems == []
    params = outcome.report.params
    assert params.approximate is True and params.total_params == 1.5e8
    assert outcome.report.gpu.gpu_count == 8 and outcome.report.gpu.mfu == 0.4
    assert outcome.report.memory is None  # no architecture, no memory estimate


@pytest.mark.parametrize(("changes", "expected"), [
    ({"model_source": "preset", "preset": None}, "preset: choose a preset"),
    ({"model_source": "config", "config_file": None}, "config_file: upload a HuggingFace config.json"),
    ({"model_source": "total", "total_params": "big"}, "model.total_params: got 'big', expected not a number: 'big'"),
    ({"model_source": "preset", "preset": "llama-3-8b", "tokens": ""}, "tokens: give the number of training tokens"),
    ({"model_source": "preset", "preset": "llama-3-8b", "data_source": "samples", "samples": "1M"},
     "mean_length: give the mean sample length"),
    ({"model_source": "dimensions", "hidden_size": 512}, "model.vocab_size: got None"),
    ({"model_source": "preset", "preset": "llama-3-8b", "gpu": "rtx-4090", "gpu_count": 8, "mfu": 1.5},
     "hardware.mfu"),
    ({"model_source": "preset", "preset": "llama-3-8b", "gpu": "rtx-4090", "gpu_count": "8.5"},
     "hardware.gpu_count"),
    ({"model_source": "dimensions", "hidden_size": "wide"}, "model.hidden_size: got 'wide', expected not a number"),
    ({"model_source": "preset", "preset": "llama-3-8b", "data_source": "samples", "samples": "1M",
      "mean_length": "512", "length_unit": None}, "length_unit: give whether the mean length is in tokens"),
    ({"model_source": "total", "total_params": "500M", "num_experts": 8}, "model.top_k"),
])
def test_invalid_values_name_the_field_and_the_reason(changes: dict[str, object], expected: str) -> None:
    outcome = calculate(_values(**changes), language="en")
    assert outcome.report is None
    assert any(expected in problem for problem in outcome.problems), outcome.problems


def test_quantities_are_read_as_people_write_them() -> None:
    outcome = calculate(_values(model_source="preset", preset="llama-3-8b", tokens="1.5万亿", gpu="h100-sxm",
                                gpu_count="1,024", mfu="0.4", price="2.5"), language="zh")
    assert outcome.problems == []
    assert outcome.report.flops.tokens == 1.5e12
    assert outcome.report.gpu.gpu_count == 1024 and outcome.report.gpu.cost is not None


def test_a_broken_config_file_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "config.json"
    bad.write_text("{not json", encoding="utf-8")
    outcome = calculate(_values(model_source="config", config_file=str(bad)), language="en")
    assert outcome.problems == ["config_file: not a readable JSON file (JSONDecodeError)"]


def test_the_calculator_and_the_chat_read_quantities_alike() -> None:
    """"1,5T" is refused by the calculator as by the chat and the CLI: one reader (tools.quantities)."""
    outcome = calculate(_values(model_source="preset", preset="llama-3-8b", tokens="1,5T"), language="en")
    assert outcome.report is None
    assert any(problem.startswith("data.tokens") and "1.5" in problem for problem in outcome.problems)


def test_nothing_is_defaulted_silently_in_the_calculator() -> None:
    """A blank top-k beside a preset takes the preset's routing, and the report says where it came from."""
    outcome = calculate(_values(model_source="total", total_params="145M", num_experts="4",
                                num_shared_experts="1"), language="en")
    assert outcome.problems == []
    assert outcome.report.params.active_params == 91_945_600  # MiniMind2-MoE at its own top-2
    assert "top-2 (from MiniMind2-MoE)" in outcome.report.understood
