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


@pytest.mark.parametrize(("changes", "english", "chinese"), [
    ({"model_source": "preset", "preset": None}, "preset: not given; expected a preset chosen from the list",
     "预设：没有给出，需要从列表中选一个预设"),
    ({"model_source": "config", "config_file": None},
     "config.json file: not given; expected an uploaded HuggingFace config.json",
     "config.json 文件：没有给出，需要上传 HuggingFace 的 config.json"),
    ({"model_source": "total", "total_params": "big"},
     'total parameters: got big; expected a number such as 14.8B, 28.9M, 1e21 or 148亿 ("big" is not one)',
     "总参数：给出的是 big，需要一个数，例如 14.8B、28.9M、1e21 或 148亿（“big”不是）"),
    ({"model_source": "preset", "preset": "llama-3-8b", "tokens": ""},
     "training tokens: not given; expected a count, e.g. 14.8B", "训练 token 数：没有给出，需要一个数量，例如 148亿"),
    ({"model_source": "preset", "preset": "llama-3-8b", "data_source": "samples", "samples": "1M"},
     "mean sample length: not given; expected a length beside the number of samples, in tokens or characters",
     "平均样本长度：没有给出，需要与样本数一起给出，按 token 或字符计"),
    ({"model_source": "dimensions", "hidden_size": 512}, "vocabulary size: not given; expected a value: counting "
     "from dimensions needs the hidden size, the vocabulary, the layers and the heads",
     "词表大小：没有给出，需要一个值：按维度计数需要隐藏维度、词表、层数和头数"),
    ({"model_source": "preset", "preset": "llama-3-8b", "gpu": "rtx-4090", "gpu_count": 8, "mfu": 1.5},
     "MFU: got 150%; expected a number ≤ 100%", "MFU：给出的是 150%，需要不超过 100% 的数"),
    ({"model_source": "preset", "preset": "llama-3-8b", "gpu": "rtx-4090", "gpu_count": "8.5"},
     "GPU count: got 8.5; expected an integer", "GPU 数量：给出的是 8.5，需要一个整数"),
    ({"model_source": "dimensions", "hidden_size": "wide"}, "hidden size: got wide; expected a number such as 14.8B",
     "隐藏维度：给出的是 wide，需要一个数，例如 14.8B"),
    ({"model_source": "preset", "preset": "llama-3-8b", "data_source": "samples", "samples": "1M",
      "mean_length": "512", "length_unit": None}, "length unit: not given; expected tokens or characters",
     "长度单位：没有给出，需要说明平均长度按 token 还是按字符计"),
    ({"model_source": "total", "total_params": "500M", "num_experts": 8},
     "routed experts per token (top-k): not given; expected a stated number: no preset has 8 routed experts and "
     "about 500M parameters to take it from",
     "每个 token 的路由专家数（top-k）：没有给出，需要由你给出：没有哪个预设有 8 个路由专家、"
     "约 5亿（500M） 参数可供参照"),
])
def test_invalid_values_name_the_field_and_the_reason_in_the_interface_language(
        changes: dict[str, object], english: str, chinese: str) -> None:
    for language, expected in (("en", english), ("zh", chinese)):
        outcome = calculate(_values(**changes), language=language)
        assert outcome.report is None
        assert any(problem.startswith(expected) for problem in outcome.problems), outcome.problems


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
    assert outcome.problems == ["config.json file: got config.json; expected a JSON file (the text stops being JSON "
                                "at line 1, column 2)"]


def test_the_calculator_and_the_chat_read_quantities_alike() -> None:
    """"1,5T" is refused by the calculator as by the chat and the CLI: one reader (tools.quantities)."""
    outcome = calculate(_values(model_source="preset", preset="llama-3-8b", tokens="1,5T"), language="en")
    assert outcome.report is None
    assert any(problem.startswith("training tokens: got 1,5T") and "write 1.5 for a decimal" in problem
               for problem in outcome.problems)


def test_nothing_is_defaulted_silently_in_the_calculator() -> None:
    """A blank top-k beside a preset takes the preset's routing, and the report says where it came from."""
    outcome = calculate(_values(model_source="total", total_params="145M", num_experts="4",
                                num_shared_experts="1"), language="en")
    assert outcome.problems == []
    assert outcome.report.params.active_params == 91_945_600  # MiniMind2-MoE at its own top-2
    assert "top-2 (from MiniMind2-MoE)" in outcome.report.understood


@pytest.mark.parametrize(("language", "currency", "sentence"), [
    ("zh", "CNY", "未说明币种：按 CNY 计算"), ("en", "USD", "currency not stated: USD")])
def test_a_price_without_a_currency_is_in_the_interface_languages(language: str, currency: str, sentence: str) -> None:
    """Chinese users price in yuan, and the report says the currency was taken (no price is ever made up)."""
    outcome = calculate(_values(model_source="preset", preset="minimind2-moe", gpu="rtx-4090", gpu_count=8,
                                price="2", currency=None), language=language)
    assert outcome.problems == []
    assert outcome.report.gpu.currency == currency and outcome.report.gpu.price_per_gpu_hour == 2
    assert sentence in outcome.report.markdown
    no_price = calculate(_values(model_source="preset", preset="minimind2-moe", gpu="rtx-4090", currency=None),
                         language=language)
    assert no_price.report.gpu.cost is None and "CNY" not in no_price.report.markdown
    stated = calculate(_values(model_source="preset", preset="minimind2-moe", gpu="rtx-4090", price="2",
                               currency="USD"), language="zh")
    assert stated.report.gpu.currency == "USD"
