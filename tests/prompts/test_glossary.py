"""The bilingual glossary: file structure, rendering with the user's numbers, and concept matching.

Every expected sentence below is typed by hand from the glossary files, not produced by the
template under test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from prompts import glossary
from prompts.glossary import Entry, entries, get, match_concept, render_entry

REPO = Path(__file__).resolve().parents[2]
LITERATURE = Path(__file__).resolve().parents[1] / "fixtures" / "literature.md"  # copy of shared/reference
SURVIVING_PLACEHOLDER = re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?")
CJK = re.compile(r"[\u4e00-\u9fff]")

REQUIRED_IDS = {
    "flops-6nd", "tokens-vs-chars", "total-vs-active", "moe-routing", "chinchilla-ratio", "kaplan-vs-chinchilla",
    "fits-disagree", "loss-perplexity", "mfu-gpu-hours", "memory-zero", "overtraining",
}
# The fixed set of names a with_plan paragraph may use (typed from the brief, not imported).
ALLOWED_PLACEHOLDERS = {
    "tokens", "active_params", "total_params", "ratio_active", "ratio_total", "verdict", "flops", "gpu_hours",
    "gpu", "mfu", "data_matched_params", "compute_optimal_params",
    "overtrained_verdict",  # the verdict, given only for an over-trained plan (issue 8: no "over-training is sound"
                            # said of an under-trained plan)
}
PLAN_EN = {
    "tokens": "14.8B", "active_params": "91.9M", "total_params": "145.0M", "ratio_active": "161",
    "ratio_total": "102", "verdict": "over-trained ×8.0", "overtrained_verdict": "over-trained ×8.0",
    "flops": "8.16e18", "gpu_hours": "39",
    "gpu": "8 × RTX 4090", "mfu": "35%", "data_matched_params": "740M", "compute_optimal_params": "261M",
}
PLAN_ZH = {**PLAN_EN, "tokens": "148亿", "active_params": "9190万", "total_params": "1.45亿",
           "verdict": "过度训练 ×8.0", "overtrained_verdict": "过度训练 ×8.0",
           "data_matched_params": "7.4亿", "compute_optimal_params": "2.61亿"}


# --- structure ---------------------------------------------------------------------------------


def test_every_required_concept_is_there_and_every_file_is_an_entry() -> None:
    ids = [entry.id for entry in entries()]
    assert REQUIRED_IDS <= set(ids)
    assert len(ids) == len(set(ids))
    files = sorted(p.stem for p in (REPO / "prompts" / "glossary").glob("*.md"))
    assert sorted(ids) == files
    assert ids[0] == "flops-6nd"  # reading order, not alphabetical


@pytest.mark.parametrize("entry", entries(), ids=lambda e: e.id)
def test_entry_has_both_languages_sources_and_valid_related(entry: Entry) -> None:
    known = {e.id for e in entries()}
    assert entry.version >= 1
    for lang in ("zh", "en"):
        assert entry.title(lang) and entry.body(lang)
        lines = [line for line in entry.body(lang).splitlines() if line.strip()]
        assert 5 <= len(lines) <= 12, (entry.id, lang, len(lines))
        assert "$" not in entry.body(lang)
    assert CJK.search(entry.title_zh) and CJK.search(entry.body_zh)
    assert not CJK.search(entry.title_en) and not CJK.search(entry.body_en)
    assert entry.keywords_zh and entry.keywords_en
    assert len(entry.sources) >= 1 and all(len(source) > 10 for source in entry.sources)
    assert entry.related and set(entry.related) <= known and entry.id not in entry.related
    assert (entry.with_plan("zh") is None) == (entry.with_plan("en") is None)
    if entry.with_plan("en") is not None:
        assert set(entry.plan_placeholders("zh")) <= ALLOWED_PLACEHOLDERS
        assert set(entry.plan_placeholders("en")) <= ALLOWED_PLACEHOLDERS
        assert set(entry.plan_placeholders("zh")) == set(entry.plan_placeholders("en"))


@pytest.mark.parametrize("entry", entries(), ids=lambda e: e.id)
@pytest.mark.parametrize(("lang", "plan"), [("zh", PLAN_ZH), ("en", PLAN_EN)])
def test_every_entry_renders_with_no_placeholder_left(entry: Entry, lang: str, plan: dict[str, str]) -> None:
    for values in (None, plan):
        text = render_entry(entry.id, lang=lang, plan_values=values)
        assert SURVIVING_PLACEHOLDER.search(text) is None
        assert text.startswith(f"## {entry.title(lang)}\n\n{entry.body(lang)}\n\n")
        assert f"**{'来源' if lang == 'zh' else 'Sources'}**" in text
        for source in entry.citations(lang):
            assert f"- {source}" in text


def test_numbers_in_the_glossary_come_from_the_reference_sheet() -> None:
    reference = LITERATURE.read_text(encoding="utf-8").replace(",", "")
    by_definition = {"7.4"}  # e² ≈ 7.39, the perplexity of a 2.0-nat loss
    missing = []
    for entry in entries():
        for lang in ("zh", "en"):
            text = "\n".join((entry.title(lang), entry.body(lang), entry.with_plan(lang) or ""))
            for match in re.finditer(r"\d+(?:[.,]\d+)*", text):
                number = match.group().replace(",", "")
                found = re.search(r"(?<![\d.])" + re.escape(number) + r"(?!\d)", reference)
                if not found and number not in by_definition:
                    missing.append((entry.id, lang, number))
    assert missing == []


# --- rendering with the user's numbers -----------------------------------------------------------


def test_chinchilla_with_plan_uses_the_users_numbers_en() -> None:
    text = render_entry("chinchilla-ratio", lang="en", plan_values=PLAN_EN)
    assert (
        "Your 14.8B tokens ÷ 91.9M active parameters = 161 tokens per parameter: over-trained ×8.0 against "
        "the 20× rule. Against all 145.0M parameters the ratio is 102."
    ) in text
    assert text.startswith("## The Chinchilla ~20 tokens-per-parameter rule and compute-optimal training\n")


def test_chinchilla_with_plan_uses_the_users_numbers_zh() -> None:
    text = render_entry("chinchilla-ratio", lang="zh", plan_values=PLAN_ZH)
    assert (
        "你的 148亿 token ÷ 9190万 激活参数 = 每参数 161 个 token：相对 20 倍规则为过度训练 ×8.0。"
        "按总参数 1.45亿 计算，这个比值是 102。"
    ) in text
    assert ("**相关概念：** [token/参数比的判定：训练不足、接近最优、过度训练]"
            "(#concept/zh/tokens-per-param-verdict)、") in text
    assert "**来源**\n- Hoffmann 等 2022，表 1、2、3\n- Ludziejewski 等 2025，表 1" in text


def test_other_with_plan_paragraphs_by_hand() -> None:
    assert (
        "Your 8.16e18 FLOPs on 8 × RTX 4090 at 35% MFU come to 39 GPU-hours."
        in render_entry("mfu-gpu-hours", lang="en", plan_values=PLAN_EN)
    )
    assert (
        "按 6·N·D：6 × 9190万 激活参数 × 148亿 token ≈ 8.16e18 次训练 FLOPs。"
        in render_entry("flops-6nd", lang="zh", plan_values=PLAN_ZH)
    )
    assert (
        "For 14.8B tokens, the model the 20× rule matches to your data has 740M parameters; for your 8.16e18 FLOPs, "
        "the compute-optimal model under the same rule has 261M."
        in render_entry("tokens-per-param-verdict", lang="en", plan_values=PLAN_EN)
    )


def test_with_plan_is_left_out_unless_every_value_is_given() -> None:
    sentence = "tokens per parameter: over-trained"
    assert sentence not in render_entry("chinchilla-ratio", lang="en", plan_values=None)
    partial = {k: v for k, v in PLAN_EN.items() if k != "verdict"}
    assert "Your 14.8B tokens" not in render_entry("chinchilla-ratio", lang="en", plan_values=partial)
    empty_verdict = {**PLAN_EN, "verdict": ""}
    assert "Your 14.8B tokens" not in render_entry("chinchilla-ratio", lang="en", plan_values=empty_verdict)
    # An entry without a with_plan paragraph renders the same with or without values.
    assert render_entry("moe-routing", lang="en", plan_values=PLAN_EN) == render_entry("moe-routing", lang="en")


def test_unknown_entry_and_language_are_clear_errors() -> None:
    with pytest.raises(KeyError) as info:
        get("no-such-concept")
    message = str(info.value)
    assert "no-such-concept" in message and "flops-6nd" in message and "overtraining" in message
    with pytest.raises(ValueError, match="lang must be one of zh, en"):
        render_entry("flops-6nd", lang="fr")  # type: ignore[arg-type]


def test_entry_accessors() -> None:
    entry = get("total-vs-active")
    assert entry.title("zh") == "总参数与激活参数"
    assert entry.title("en") == "Total vs activated parameters"
    assert "DeepSeek-V3 总参数 671B、激活 37B" in entry.body("zh")
    assert "DeepSeek-V3 has 671B total and 37B activated" in entry.body("en")
    assert "总参数" in entry.keywords and "total parameters" in entry.keywords
    assert get("moe-routing").with_plan("en") is None
    with pytest.raises(AttributeError):
        entry.version = 2  # type: ignore[misc]


# --- match_concept ---------------------------------------------------------------------------------

QUESTIONS = [
    ("什么是 6ND?", "flops-6nd"),
    ("6ND 里的 6 是怎么来的？", "flops-6nd"),
    ("为什么反向传播是前向的两倍？", "flops-6nd"),
    ("How are training FLOPs counted?", "flops-6nd"),
    ("总参数和激活参数有什么区别?", "total-vs-active"),
    ("What is the difference between total and active parameters?", "total-vs-active"),
    ("为什么 DeepSeek 的激活参数不算输入 embedding？", "total-vs-active"),
    ("token 和字符有什么区别？", "tokens-vs-chars"),
    ("一个汉字大概是几个 token?", "tokens-vs-chars"),
    ("What is a tokenizer?", "tokens-vs-chars"),
    ("what is top-k routing", "moe-routing"),
    ("什么是共享专家？", "moe-routing"),
    ("Explain fine-grained experts and granularity", "moe-routing"),
    ("MoE", "moe-routing"),
    ("What is the Chinchilla 20 tokens per parameter rule?", "chinchilla-ratio"),
    ("20 倍规则是什么意思？", "chinchilla-ratio"),
    ("Kaplan 和 Chinchilla 的结论为什么不一样?", "kaplan-vs-chinchilla"),
    ("Why does Kaplan say N ∝ C^0.73?", "kaplan-vs-chinchilla"),
    ("why do the scaling laws disagree?", "fits-disagree"),
    ("为什么 Approach 3 给出 92.6 token/参数？", "fits-disagree"),
    ("perplexity 是什么", "loss-perplexity"),
    ("预测损失和困惑度是什么关系？", "loss-perplexity"),
    ("What does MFU mean?", "mfu-gpu-hours"),
    ("为什么 4090 的峰值算力是 165.2 TFLOPS 而不是 330？", "mfu-gpu-hours"),
    ("How is GPU-hours calculated?", "mfu-gpu-hours"),
    ("MFU", "mfu-gpu-hours"),
    ("什么是 ZeRO", "memory-zero"),
    ("ZeRO-3", "memory-zero"),
    ("What is activation recomputation?", "memory-zero"),
    ("训练显存是怎么估算的？", "memory-zero"),
    ("为什么 Llama 3 训练了 15T token，远超 20 倍?", "overtraining"),
    ("Llama 3 8B 为什么训练了 15T token?", "overtraining"),
    ("What is over-training?", "overtraining"),
    ("MiniCPM 的 192 倍是什么意思？", "overtraining"),
    ("What does under-trained mean in the verdict?", "tokens-per-param-verdict"),
]

PLAN_DESCRIPTIONS = [
    "145M MoE, 28.9M samples × 512, 8 张 4090",
    "145M 参数的 MoE，1 个共享专家 + 4 个路由专家，top-1，28.9M 条样本 × 512 字，8 张 4090",
    "Llama 3 8B on 15T tokens with 256 H100 at 40% MFU",
    "7B dense model, 2T tokens, 1024 A100s — how long will it take?",
    "训练一个 1B 的稠密模型，200 亿 token，8 张 H100，要多久？",
    "deepseek-v3 preset, 14.8T tokens, 2048 张 H800, MFU 35%",
    "1e21 FLOPs 预算，用多大的模型？",
    "8 张 4090 训练 145M MoE 的显存够吗?",
    "如果换成 16 张卡呢？",
    "MoE, top-2, 8 experts, 50B tokens",
    "What is the GPU time for a 145M MoE on 8 4090s?",
    "8×H100, 7B, 2T tokens, what is the MFU?",
    "",
    "hello",
]


def test_question_table_is_big_enough() -> None:
    assert len(QUESTIONS) >= 20
    assert {expected for _, expected in QUESTIONS} >= REQUIRED_IDS
    assert sum(1 for text in PLAN_DESCRIPTIONS if text.strip()) >= 5


@pytest.mark.parametrize(("question", "expected"), QUESTIONS)
def test_match_concept(question: str, expected: str) -> None:
    assert match_concept(question) == expected


@pytest.mark.parametrize("text", PLAN_DESCRIPTIONS)
def test_plan_descriptions_are_not_concept_questions(text: str) -> None:
    assert match_concept(text) is None


def test_full_width_and_spacing_do_not_matter() -> None:
    assert match_concept("什么是６ＮＤ？") == "flops-6nd"
    assert match_concept("为什么Llama 3训练了15T token,远超20倍") == "overtraining"
    assert match_concept("  WHAT   DOES   mfu   MEAN  ") == "mfu-gpu-hours"


def test_longest_match_beats_a_shorter_one_inside_it() -> None:
    # "远超 20 倍" (over-training) contains "20 倍" (the Chinchilla rule).
    assert match_concept("为什么要远超 20 倍？") == "overtraining"
    assert match_concept("为什么是 20 倍？") == "chinchilla-ratio"


def test_glossary_module_exports() -> None:
    assert set(glossary.__all__) >= {"Entry", "entries", "get", "match_concept", "render_entry"}


# --- links to entries --------------------------------------------------------------------------------------


def test_concept_marks_become_links_titled_in_the_language() -> None:
    template = "📖 [[flops-6nd]]、[[memory-zero]]"
    assert glossary.concept_ids(template) == ("flops-6nd", "memory-zero")
    assert glossary.link_concepts(template, lang="zh") == (
        "📖 [训练 FLOPs 与 6ND](#concept/zh/flops-6nd)、[训练显存、ZeRO 与激活重计算](#concept/zh/memory-zero)")
    assert glossary.link_concepts("📖 [[flops-6nd]]", lang="en") == "📖 [Training FLOPs and 6ND](#concept/en/flops-6nd)"
    with pytest.raises(glossary.UnknownConceptError, match="no glossary entry 'no-such'"):
        glossary.link_concepts("[[no-such]]", lang="zh")


@pytest.mark.parametrize(("href", "target"), [
    ("#concept/zh/flops-6nd", ("zh", "flops-6nd")),
    ("#concept/en/loss-perplexity", ("en", "loss-perplexity")),
    ("#concept/fr/flops-6nd", None),
    ("#concept/zh/no-such", None),
    ("https://example.org/#concept/zh/flops-6nd", None),
])
def test_a_link_target_is_read_back(href: str, target: tuple[str, str] | None) -> None:
    assert glossary.parse_concept_href(href) == target


def test_links_become_footnotes_with_the_entrys_title_and_text() -> None:
    markdown = ("Loss 📖 [Predicted loss L(N, D) and perplexity](#concept/en/loss-perplexity); "
                "again [Predicted loss L(N, D) and perplexity](#concept/en/loss-perplexity) "
                "and [训练 FLOPs 与 6ND](#concept/zh/flops-6nd).\n")
    text = glossary.concept_footnotes(markdown)
    body, notes = text.split("\n\n", 1)
    assert body == ("Loss 📖 Predicted loss L(N, D) and perplexity[^1]; again Predicted loss L(N, D) and "
                    "perplexity[^1] and 训练 FLOPs 与 6ND[^2].")
    first, second = notes.rstrip("\n").split("\n")
    assert first.startswith("[^1]: **Predicted loss L(N, D) and perplexity**: Training loss is the average "
                            "cross-entropy per token, in nats: how surprised the model is by the next token. "
                            "Perplexity = e^loss")
    assert second.startswith("[^2]: **训练 FLOPs 与 6ND**：FLOPs（浮点运算次数）衡量训练要做多少计算；"
                             "一次乘加记作 2 次 FLOP。前向传播中每个 token 约需 2N 次 FLOP")
    assert glossary.concept_footnotes("no links here\n") == "no links here\n"
