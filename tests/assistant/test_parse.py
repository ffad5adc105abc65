"""The offline reader: each phrasing with every field it should set, written by hand.

A field not listed in a case's expectation must be None (``stop_at_tokens`` False, ``unknown_numbers``
empty), so each row also checks that nothing else was read into the message.
"""

from __future__ import annotations

from dataclasses import fields

import pytest

from assistant.offline.parse import parse_message
from assistant.offline.request import ParsedRequest, Plan
from tools.calc.hardware import find_gpu

WORKED_ZH = "145M 参数的 MoE，1 个共享专家 + 4 个路由专家，top-1，28.9M 条样本 × 512 字，8 张 4090"
WORKED_EN = "145M-parameter MoE, 1 shared + 4 routed experts, top-1, 28.9M samples × 512 characters, 8× RTX 4090"
WORKED = dict(total_params=145e6, num_shared_experts=1, num_experts=4, top_k=1, dense=False,
              samples=28.9e6, mean_length=512, length_unit="chars", gpu_count=8)

CASES = [
    # --- the worked example, both languages
    pytest.param(WORKED_ZH, dict(WORKED, language="zh", gpu="4090"), id="worked-zh"),
    pytest.param(WORKED_EN, dict(WORKED, language="en", gpu="RTX 4090"), id="worked-en"),
    # --- units
    pytest.param("148 亿 token", dict(language="en", tokens=14.8e9), id="yi-tokens"),
    pytest.param("1.48 万亿 tokens", dict(language="en", tokens=1.48e12), id="wanyi-tokens"),
    pytest.param("训练 148 亿个 token", dict(language="zh", tokens=14.8e9), id="yi-ge-token"),
    pytest.param("28.9M 条", dict(language="zh", samples=28.9e6), id="tiao"),
    pytest.param("每条 512 字符", dict(language="zh", mean_length=512, length_unit="chars"), id="chars-per-sample"),
    pytest.param("512 字符", dict(language="zh", mean_length=512, length_unit="chars"), id="bare-chars"),
    pytest.param("15T tokens", dict(language="en", tokens=15e12), id="T-tokens"),
    pytest.param("1,000,000 samples", dict(language="en", samples=1e6), id="thousands-separators"),
    pytest.param("6e9 tokens", dict(language="en", tokens=6e9), id="scientific"),
    pytest.param("2 million samples", dict(language="en", samples=2e6), id="million-word"),
    pytest.param("８张４０９０", dict(language="zh", gpu="4090", gpu_count=8), id="full-width-digits"),
    # --- model sizes
    pytest.param("145M 参数", dict(language="zh", total_params=145e6), id="params-zh"),
    pytest.param("145M params", dict(language="en", total_params=145e6), id="params-en"),
    pytest.param("1.3B active / 6.9B total", dict(language="en", active_params=1.3e9, total_params=6.9e9),
                 id="active-total"),
    pytest.param("激活 3B，总参数 30B", dict(language="zh", active_params=3e9, total_params=30e9),
                 id="active-total-zh"),
    pytest.param("a 7B model", dict(language="en", total_params=7e9), id="a-7B-model"),
    pytest.param("7B 模型", dict(language="zh", total_params=7e9), id="7B-moxing"),
    pytest.param("一个 7B 的稠密模型", dict(language="zh", total_params=7e9, dense=True), id="dense-zh"),
    pytest.param("a 1B dense model", dict(language="en", total_params=1e9, dense=True), id="dense-en"),
    pytest.param("DeepSeek-V3 671B total 37B active",
                 dict(language="en", preset="deepseek-v3", total_params=671e9, active_params=37e9), id="ds-totals"),
    # --- MoE layout
    pytest.param("1 个共享专家 + 4 个专家", dict(language="zh", num_shared_experts=1, num_experts=4), id="shared-zh"),
    pytest.param("1 shared + 4 routed experts", dict(language="en", num_shared_experts=1, num_experts=4),
                 id="shared-en"),
    pytest.param("64 experts top-8", dict(language="en", num_experts=64, top_k=8), id="64-top8"),
    pytest.param("top-1 路由", dict(language="zh", top_k=1), id="top1-luyou"),
    pytest.param("每个 token 激活 2 个专家", dict(language="zh", top_k=2), id="jihuo-2-zhuanjia"),
    pytest.param("8 选 2", dict(language="zh", num_experts=8, top_k=2), id="8-xuan-2"),
    pytest.param("八选二", dict(language="zh", num_experts=8, top_k=2), id="ba-xuan-er"),
    pytest.param("choose 2 of 8 experts", dict(language="en", num_experts=8, top_k=2), id="2-of-8"),
    pytest.param("四个专家", dict(language="zh", num_experts=4), id="si-ge-zhuanjia"),
    pytest.param("no shared experts, top-k=2", dict(language="en", num_shared_experts=0, top_k=2), id="no-shared"),
    pytest.param("8x7B", dict(language="en", unknown_numbers=("8x7B",)), id="8x7B-not-experts"),
    pytest.param("Mixtral 8x7B on 8 H100", dict(language="en", preset="mixtral-8x7b", gpu="H100", gpu_count=8),
                 id="mixtral-8x7B"),
    # --- architecture
    pytest.param("hidden 640, 8 层", dict(language="zh", hidden_size=640, num_layers=8), id="hidden-ceng"),
    pytest.param("d_model 2048 16 layers", dict(language="en", hidden_size=2048, num_layers=16), id="d_model"),
    pytest.param("隐藏层 768", dict(language="zh", hidden_size=768), id="yincangceng"),
    pytest.param("8 heads, kv heads 2", dict(language="en", num_heads=8, num_kv_heads=2), id="heads"),
    pytest.param("vocab 6400, ffn 1728", dict(language="en", vocab_size=6400, intermediate_size=1728), id="vocab-ffn"),
    pytest.param("16 layers, 1024 hidden, 16 heads, GQA 4",
                 dict(language="en", num_layers=16, hidden_size=1024, num_heads=16, num_kv_heads=4), id="postfix-dims"),
    pytest.param("十六层，八个头", dict(language="zh", num_layers=16, num_heads=8), id="cn-numerals-dims"),
    pytest.param("vocab 32k", dict(language="en", unknown_numbers=("32k",)), id="vocab-k-ambiguous"),
    # --- data
    pytest.param("28.9M 条样本 × 512 字", dict(language="zh", samples=28.9e6, mean_length=512, length_unit="chars"),
                 id="samples-x-chars"),
    pytest.param("10M samples of 2048 tokens",
                 dict(language="en", samples=10e6, mean_length=2048, length_unit="tokens"), id="samples-of-tokens"),
    pytest.param("10M samples, 2048 tokens each",
                 dict(language="en", samples=10e6, mean_length=2048, length_unit="tokens"), id="tokens-each"),
    pytest.param("28.9M 条，每条平均 512 字", dict(language="zh", samples=28.9e6, mean_length=512, length_unit="chars"),
                 id="meitiao-pingjun"),
    pytest.param("2 个 epoch", dict(language="zh", epochs=2), id="epoch-zh"),
    pytest.param("3 epochs", dict(language="en", epochs=3), id="epochs-en"),
    pytest.param("两个 epoch", dict(language="zh", epochs=2), id="liang-epoch"),
    pytest.param("seq len 2048", dict(language="en", seq_len=2048), id="seq-len"),
    pytest.param("序列长度 512", dict(language="zh", seq_len=512), id="xulie-changdu"),
    pytest.param("上下文 4096", dict(language="zh", seq_len=4096), id="shangxiawen"),
    pytest.param("4k context", dict(language="en", seq_len=4096), id="4k-context"),
    pytest.param("2048 tokens", dict(language="en", unknown_numbers=("2048",)), id="tiny-token-total-unknown"),
    # --- hardware and budget
    pytest.param("8 张 4090", dict(language="zh", gpu="4090", gpu_count=8), id="8-zhang-4090"),
    pytest.param("256 H100", dict(language="en", gpu="H100", gpu_count=256), id="256-H100"),
    pytest.param("8×A100", dict(language="en", gpu="A100", gpu_count=8), id="8xA100"),
    pytest.param("8 x H800", dict(language="en", gpu="H800", gpu_count=8), id="8-x-H800"),
    pytest.param("8 x A100-80GB", dict(language="en", gpu="A100-80GB", gpu_count=8), id="A100-80GB"),
    pytest.param("H100 SXM x 64", dict(language="en", gpu="H100 SXM", gpu_count=64), id="count-after"),
    pytest.param("on 4 MI300X at MFU 30%", dict(language="en", gpu="MI300X", gpu_count=4, mfu=0.30), id="mi300x"),
    pytest.param("两张 H100", dict(language="zh", gpu="H100", gpu_count=2), id="liang-zhang"),
    pytest.param("a 7B model on a single 4090", dict(language="en", total_params=7e9, gpu="4090", gpu_count=1),
                 id="single"),
    pytest.param("2 台 8 卡 A100", dict(language="zh", gpu="A100", gpu_count=16), id="nodes"),
    pytest.param("MFU 40%", dict(language="en", mfu=0.40), id="mfu"),
    pytest.param("7 天", dict(language="zh", days=7), id="7-tian"),
    pytest.param("for a week", dict(language="en", days=7), id="a-week"),
    pytest.param("两周", dict(language="zh", days=14), id="liang-zhou"),
    pytest.param("2 weeks", dict(language="en", days=14), id="2-weeks"),
    pytest.param("36 小时", dict(language="zh", days=1.5), id="hours"),
    pytest.param("¥2/卡时", dict(language="zh", price_per_gpu_hour=2, currency="CNY"), id="yen-kashi"),
    pytest.param("2 元/卡时", dict(language="zh", price_per_gpu_hour=2, currency="CNY"), id="yuan-kashi"),
    pytest.param("每卡时 1.5 元", dict(language="zh", price_per_gpu_hour=1.5, currency="CNY"), id="meikashi"),
    pytest.param("$2.5 per GPU-hour", dict(language="en", price_per_gpu_hour=2.5, currency="USD"), id="usd-per"),
    pytest.param("$2.5/GPU-h", dict(language="en", price_per_gpu_hour=2.5, currency="USD"), id="usd-slash"),
    pytest.param("1000 GPU hours", dict(language="en", gpu_hours=1000), id="gpu-hours-budget"),
    # --- named models and presets
    pytest.param("MiniMind2-MoE", dict(language="en", preset="minimind2-moe"), id="minimind2-moe"),
    pytest.param("minimind", dict(language="en"), id="minimind-family-only"),
    pytest.param("Mixtral", dict(language="en", preset="mixtral-8x7b"), id="mixtral"),
    pytest.param("DeepSeek-V3", dict(language="en", preset="deepseek-v3"), id="deepseek-v3"),
    pytest.param("Llama 3 8B", dict(language="en", preset="llama-3-8b"), id="llama-3-8b"),
    pytest.param("Qwen3-30B-A3B", dict(language="en", preset="qwen3-30b-a3b"), id="qwen3-moe"),
    pytest.param("OLMoE", dict(language="en", preset="olmoe-1b-7b"), id="olmoe"),
    pytest.param("Llama 2 13B on 4 A100", dict(language="en", gpu="A100", gpu_count=4, unknown_numbers=("2", "13B")),
                 id="not-a-preset"),
    pytest.param("145M 参数的 MoE，MiniMind 那种", dict(language="zh", total_params=145e6, dense=False),
                 id="minimind-style-no-preset"),
    # --- whole requests
    pytest.param("DeepSeek-V3, 14.8T tokens, 2048 H800, MFU 35%, $2 per GPU-hour",
                 dict(language="en", preset="deepseek-v3", tokens=14.8e12, gpu="H800", gpu_count=2048, mfu=0.35,
                      price_per_gpu_hour=2, currency="USD"), id="deepseek-scale"),
    pytest.param("I have 8 GPUs for 7 days, what should I train?", dict(language="en", gpu_count=8, days=7),
                 id="budget-en"),
    pytest.param("我有 8 张 4090，可以用 7 天，应该训练多大的模型？",
                 dict(language="zh", gpu="4090", gpu_count=8, days=7), id="budget-zh"),
    pytest.param("一个 7B 的稠密模型，训练 1.4 万亿 token，用 512 张 A800，大概要多少天？",
                 dict(language="zh", total_params=7e9, dense=True, tokens=1.4e12, gpu="A800", gpu_count=512),
                 id="dense-run-zh"),
    pytest.param("a 1.3B active / 6.9B total MoE with 64 experts, top-8, 16 layers, d_model 2048",
                 dict(language="en", active_params=1.3e9, total_params=6.9e9, dense=False, num_experts=64, top_k=8,
                      num_layers=16, hidden_size=2048), id="olmoe-like-shape"),
    # --- follow-ups
    pytest.param("如果换成 16 张卡呢?", dict(language="zh", gpu_count=16), id="followup-16-cards"),
    pytest.param("what if the model were 740M?", dict(language="en", total_params=740e6), id="followup-740M"),
    pytest.param("stop at 3B tokens", dict(language="en", tokens=3e9, stop_at_tokens=True), id="followup-stop-en"),
    pytest.param("只训练 30 亿 token", dict(language="zh", tokens=3e9, stop_at_tokens=True), id="followup-stop-zh"),
    pytest.param("用 H100 呢", dict(language="zh", gpu="H100"), id="followup-gpu"),
    pytest.param("top-2 呢", dict(language="zh", top_k=2), id="followup-topk"),
    pytest.param("8 张 4090 换成 16 张 H100", dict(language="zh", gpu="H100", gpu_count=16), id="change-keeps-last"),
    pytest.param("16 GPUs instead of 8 GPUs", dict(language="en", gpu_count=16), id="instead-keeps-first"),
    pytest.param("只用 8 张卡训练 3B token", dict(language="zh", gpu_count=8, tokens=3e9), id="only-gpus-not-a-stop"),
    # --- nothing to read, or nothing attributable
    pytest.param("hello", dict(language="en"), id="hello"),
    pytest.param("你好，帮我规划一次预训练", dict(language="zh"), id="nihao"),
    pytest.param("What is MoE?", dict(language="en"), id="concept-question"),
    pytest.param("8 GPUs or 16 GPUs", dict(language="en", unknown_numbers=("8", "16")), id="conflict-unknown"),
    pytest.param("batch size 1024, lr 3e-4, warmup 2000 steps",
                 dict(language="en", unknown_numbers=("1024", "3e-4", "2000")), id="unrelated-numbers"),
    pytest.param("top 10% of the data", dict(language="en", unknown_numbers=("10%",)), id="top-percent"),
]

_DEFAULTS = {"stop_at_tokens": False, "unknown_numbers": ()}


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_phrasing(text: str, expected: dict[str, object]) -> None:
    parsed = parse_message(text)
    assert parsed.text == text
    for item in fields(ParsedRequest):
        if item.name in ("text", "prose"):  # prose: tested below
            continue
        want = expected.get(item.name, _DEFAULTS.get(item.name))
        got = getattr(parsed, item.name)
        if isinstance(want, float):
            assert got == pytest.approx(want, rel=1e-12), item.name
        else:
            assert got == want, item.name
    if parsed.gpu is not None:
        find_gpu(parsed.gpu)  # raises if the catalogue cannot read it


def test_at_least_fifty_phrasings() -> None:
    assert len(CASES) >= 50


def test_gpu_names_resolve_to_the_right_part() -> None:
    assert find_gpu(parse_message(WORKED_ZH).gpu).key == "rtx-4090"
    assert find_gpu(parse_message(WORKED_EN).gpu).key == "rtx-4090"
    assert find_gpu(parse_message("8 x H800").gpu).key == "h800"
    assert find_gpu(parse_message("8 x A100-80GB").gpu).key == "a100-80gb"


def test_integer_fields_are_ints() -> None:
    parsed = parse_message("hidden 640, 8 层, 8 heads, kv heads 2, vocab 6400, 8 张 4090, 64 experts top-8")
    for name in ("hidden_size", "num_layers", "num_heads", "num_kv_heads", "vocab_size", "gpu_count", "num_experts",
                 "top_k"):
        assert type(getattr(parsed, name)) is int, name


def test_hello_reads_nothing() -> None:
    parsed = parse_message("hello")
    for item in fields(ParsedRequest):
        if item.name not in ("language", "text", "prose", "stop_at_tokens", "unknown_numbers"):
            assert getattr(parsed, item.name) is None, item.name
    assert parsed.stop_at_tokens is False
    assert parsed.unknown_numbers == ()


def test_follow_up_changes_only_what_it_says() -> None:
    first = Plan().merged(parse_message(WORKED_ZH))
    second = first.merged(parse_message("如果换成 16 张卡呢?"))
    assert second.gpu_count == 16
    assert second.changes_from(first) == {"gpu_count": (8, 16)}
    assert second.total_params == 145e6
    assert second.num_shared_experts == 1 and second.num_experts == 4 and second.top_k == 1
    assert second.samples == 28.9e6 and second.mean_length == 512 and second.length_unit == "chars"
    assert second.gpu == "4090"
    assert second.language == "zh"


def test_follow_up_in_another_language_and_a_token_cap() -> None:
    plan = Plan().merged(parse_message(WORKED_ZH)).merged(parse_message("stop at 3B tokens"))
    assert plan.language == "en"
    assert plan.tokens == 3e9
    assert plan.samples is None and plan.mean_length is None  # tokens replace samples × length
    assert plan.gpu_count == 8 and plan.total_params == 145e6


@pytest.mark.parametrize(("text", "language", "prose"), [
    ("MFU 15%", "en", False), ("top-2", "en", False), ("16 GPUs", "en", False), ("8 张 4090", "zh", False),
    ("MFU 改成 20%", "zh", True), ("MFU 只有 15% 呢", "zh", True), ("what if we used 16 GPUs?", "en", True),
    ("如果换成 16 张卡呢?", "zh", True),
])
def test_numbers_and_units_alone_are_not_prose(text: str, language: str, prose: bool) -> None:
    parsed = parse_message(text)
    assert (parsed.language, parsed.prose) == (language, prose)


def test_a_conversation_keeps_its_language_until_a_sentence_in_the_other() -> None:
    plan = Plan().merged(parse_message("145M 参数的 MoE，1 个共享专家 + 4 个路由专家"))
    assert plan.merged(parse_message("MFU 15%")).language == "zh"
    assert plan.merged(parse_message("what if we used 16 GPUs?")).language == "en"
