"""Answers shaped by the question (issue 8): the figure asked for first, follow-ups as diffs, comparisons, paper
text and loss checkpoints from the chat, published runs beside the projection, at most 12 lines before the full
report, in the asker's language.

Expected numbers are hand calculations written here from independent sources: the models' configs
(``tests/fixtures/hf-configs``, ``models.json``), the GPU peaks the README documents, Hoffmann et al. 2022's printed
constants (Eq. 2 and §D.2), and the published GPU-hours of the Llama 2 model card.
"""

from __future__ import annotations

import re

import pytest

from assistant.offline.intent import asked
from assistant.session import Conversation, Event
from assistant.settings import Settings

SEED = "145M 参数的 MoE，1 个共享专家 + 4 个路由专家，top-1，28.9M 条样本 × 512 字，8 张 4090"
SEED_EN = "145M-parameter MoE, 1 shared + 4 routed experts, top-1, 28.9M samples × 512 characters, 8× RTX 4090"
# MiniMind2-MoE at top-1 (models.json: 91,945,600 at its native top-2, minus one routed expert of 3 × 640×1728 in
# each of the 8 layers); 28.9M samples × 512 characters at 1 token per character.
ACTIVE_TOP1 = 91_945_600 - 8 * 3 * 640 * 1728
ACTIVE_TOP2 = 91_945_600
TOKENS = 28_900_000 * 512
RTX_4090_PEAK, H800_PEAK, A100_PEAK = 165.2e12, 989.0e12, 312.0e12  # dense BF16 (README, hardware catalogue)
MOE_MFU, DENSE_MFU = 0.35, 0.40


def _hours(active: float, tokens: float, peak: float, mfu: float) -> float:
    return 6 * active * tokens / (peak * mfu * 3600)


def answer_of(events: list[Event]) -> str:
    return events[-1].text


def send(conversation: Conversation, text: str) -> str:
    return answer_of(list(conversation.send(text)))


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


# --- the figure asked for comes first --------------------------------------------------------------------------

def test_gpu_hours_for_qwen3_lead_with_the_one_number_and_no_wall_clock_for_one_gpu() -> None:
    # Qwen3-30B-A3B config: hidden 2048, 48 layers, 32 heads × 128, 4 KV heads, 128 experts of width 768, top-8,
    # vocabulary 151,936, untied head. Activated per layer: q,o 2048×4096 each; k,v 2048×512 each; q/k norms 128
    # each; two layer norms 2048 each; router 2048×128; 8 experts × 3 × 2048×768.
    per_layer = 2 * 2048 * 4096 + 2 * 2048 * 512 + 2 * 128 + 2 * 2048 + 2048 * 128 + 8 * 3 * 2048 * 768
    active = 48 * per_layer + 2 * 151_936 * 2048 + 2048
    hours = _hours(active, 36e12, H800_PEAK, MOE_MFU)
    text = send(Conversation(Settings()), "Qwen3-30B-A3B 训练 36T token 需要多少 H800 卡时？")
    assert lines(text)[0].startswith(f"**约 {hours:,.0f} 卡时**")
    assert "墙钟 **" not in text  # no wall clock for a GPU count nobody gave
    assert len(lines(text)) <= 12


def test_a_memory_question_needs_no_data_size() -> None:
    text = send(Conversation(Settings()), "Llama-3-8B 用 ZeRO-3 在 8 张 A100 上显存够吗？")
    first = lines(text)[0]
    assert first.startswith("**放得下**：") and "/ 80.0 GB" in first
    # ZeRO-3 over 8 GPUs shards weights (2 B), gradients (2 B) and Adam states (12 B) of 8,030,261,248 params:
    sharded_gb = 16 * 8_030_261_248 / 8 / 1e9
    parts = re.search(r"权重 ([\d.]+)、梯度 ([\d.]+)、优化器 ([\d.]+)", text)
    assert parts and sum(float(p) for p in parts.groups()) == pytest.approx(sharded_gb, abs=0.15)
    assert len(lines(text)) <= 12


# --- follow-ups are diffs --------------------------------------------------------------------------------------

@pytest.mark.parametrize("follow_up", ["MFU 改成 20%", "MFU 只有 20% 呢", "如果 MFU 是 20%"])
def test_an_mfu_edit_is_a_diff_in_the_conversations_language(follow_up: str) -> None:
    conversation = Conversation(Settings())
    send(conversation, SEED)
    text = send(conversation, follow_up)
    before = _hours(ACTIVE_TOP1, TOKENS, RTX_4090_PEAK, MOE_MFU)
    after = _hours(ACTIVE_TOP1, TOKENS, RTX_4090_PEAK, 0.20)
    assert text.startswith("**MFU 20%**：") and f"卡时 {before:,.0f} → {after:,.0f}" in text
    assert text.rstrip().endswith("其余不变。") and len(lines(text)) <= 3


def test_more_gpus_show_only_the_wall_clock_that_moved() -> None:
    conversation = Conversation(Settings())
    send(conversation, SEED)
    text = send(conversation, "换成 16 张卡呢")
    hours = _hours(ACTIVE_TOP1, TOKENS, RTX_4090_PEAK, MOE_MFU)
    assert text.startswith("**16 × ")
    assert f"墙钟 {hours / 8:.1f} 小时 → {hours / 16:.1f} 小时" in text and "卡时" not in text


def test_a_numbers_only_follow_up_keeps_chinese() -> None:
    conversation = Conversation(Settings())
    send(conversation, SEED)
    text = send(conversation, "MFU 15%")
    assert "其余不变" in text and "unchanged" not in text


def test_top_1_against_top_2_is_a_side_by_side_table() -> None:
    conversation = Conversation(Settings())
    send(conversation, SEED)
    text = send(conversation, "对比 top-1 和 top-2")
    assert "| | top-1 | top-2 |" in text
    assert f"{ACTIVE_TOP1 / 1e4:,.0f}万" in text and f"{ACTIVE_TOP2 / 1e4:,.0f}万" in text
    hours = [f"{_hours(active, TOKENS, RTX_4090_PEAK, MOE_MFU):,.0f}" for active in (ACTIVE_TOP1, ACTIVE_TOP2)]
    assert re.search(rf"\| {hours[0]}\D[^|]*\| {hours[1]}\D", text)


# --- paper text and loss checkpoints from the chat --------------------------------------------------------------

def test_paper_text_comes_from_the_chat_in_its_language() -> None:
    conversation = Conversation(Settings())
    send(conversation, SEED)
    text = send(conversation, "帮我写一段论文级别的 scaling 分析描述")
    assert "计划没有变化" not in text and "LaTeX" in text and "BibTeX" in text
    assert "Hoffmann" in text and re.search(r"[\u4e00-\u9fff]{20,}", text)


def _chinchilla_printed_loss(params: float, tokens: float) -> float:
    """Hoffmann et al. 2022, Eq. 2 with the printed constants (§D.2): E 1.69, A 406.4, B 410.7, α 0.34, β 0.28."""
    return 1.69 + 406.4 / params ** 0.34 + 410.7 / tokens ** 0.28


@pytest.mark.parametrize(("message", "language"), [("画 loss 曲线", "zh"), ("what loss will I see?", "en")])
def test_a_loss_question_gets_checkpoints_and_the_point_of_diminishing_returns(message: str, language: str) -> None:
    conversation = Conversation(Settings())
    send(conversation, SEED if language == "zh" else SEED_EN)
    events = list(conversation.send(message))
    assert "predict_loss_curve" in [e.tool for e in events if e.kind == "tool_start"]
    text = answer_of(events)
    name = {"zh": "Chinchilla 方法 3", "en": "Chinchilla Approach 3"}[language]  # the printed constants
    row = next(line for line in text.splitlines() if line.startswith(f"| {name} |"))
    for share in (0.1, 0.3, 1.0):
        assert f"{_chinchilla_printed_loss(ACTIVE_TOP1, share * TOKENS):.2f}" in row
    end = _chinchilla_printed_loss(ACTIVE_TOP1, TOKENS)
    assert f"{_chinchilla_printed_loss(ACTIVE_TOP1, 0.1 * TOKENS) - end:.2f}" in row  # what the rest still buys
    # Diminishing returns where B/D^β = A/N^α: D* = (B·N^α / A)^(1/β).
    point = (410.7 * ACTIVE_TOP1 ** 0.34 / 406.4) ** (1 / 0.28)
    assert f"{point / ACTIVE_TOP1:.1f}" in row
    assert len(lines(text)) <= 12
    assert ("预测" in text and "不是承诺" in text) if language == "zh" else "not a promise" in text


def test_a_loss_question_without_a_plan_says_what_it_needs() -> None:
    text = send(Conversation(Settings()), "画 loss 曲线")
    assert "训练计划" in text


def test_loss_phrasings_are_read_as_loss_questions() -> None:
    for text in ("画 loss 曲线", "损失曲线会是什么样", "训练中会看到什么", "plot the loss curve", "what will I see",
                 "what loss should we expect"):
        assert asked(text).intent == "loss", text


def test_the_full_report_and_the_plot_carry_the_loss_checkpoints() -> None:
    from assistant.plots import loss_figure

    conversation = Conversation(Settings())
    send(conversation, SEED)
    send(conversation, "画 loss 曲线")
    report = conversation.report("zh")
    assert report.loss is not None and "### 训练中会看到什么" in report.markdown
    figure = loss_figure(report)
    point = (410.7 * ACTIVE_TOP1 ** 0.34 / 406.4) ** (1 / 0.28)  # printed Approach 3; the plot uses epoch-2024
    assert any(trace.mode == "markers+text" and list(trace.text) == ["10%", "30%", "100%"] for trace in figure.data)
    assert len(figure.layout.shapes) == 1 and figure.layout.shapes[0].x0 != pytest.approx(point, rel=0.01)


# --- published runs beside the projection ------------------------------------------------------------------------

def test_llama_2_7b_shows_the_published_gpu_hours_and_the_mfu_they_imply() -> None:
    text = send(Conversation(Settings()), "Llama-2-7B 2T token 在 1024 张 A100 上需要多少卡时？")
    # Llama 2 model card: 184,320 A100-80GB GPU-hours for 2.0T tokens; N = 6,738,415,616 (the instantiated model).
    implied = 6 * 6_738_415_616 * 2e12 / (184_320 * 3600 * A100_PEAK)
    assert "184,320 卡时" in text and f"隐含 MFU {implied:.1%}" in text
    assert f"**约 {_hours(6_738_415_616, 2e12, A100_PEAK, DENSE_MFU):,.0f} 卡时**" in lines(text)[0]


# --- every example in at most 12 lines, in the asker's language ---------------------------------------------------

@pytest.mark.parametrize("question", [SEED, "Qwen3-30B-A3B 训练 36T token 需要多少 H800 卡时？",
                                      "Llama-3-8B 用 ZeRO-3 在 8 张 A100 上显存够吗？"])
def test_each_example_is_answered_in_at_most_12_lines_before_the_full_report(question: str) -> None:
    text = send(Conversation(Settings()), question)
    assert len(lines(text)) <= 12
    assert "## " not in text  # no report section in the chat answer


def test_a_dense_model_is_not_said_to_have_activated_parameters() -> None:
    text = send(Conversation(Settings()), "1B dense model, 20B tokens, 8 H100s")
    assert f"{20e9 / 1e9:.1f} tokens per parameter" in text and "activated" not in text


# --- onboarding: the activated count, formula and worked numbers --------------------------------------------------

# MiniMind2-MoE (models.json): 8 MoE layers of 4 routed SwiGLU experts, each 3 matrices of 640×1728, top-2.
MINIMIND_TOTAL = 145_029_760
MINIMIND_ROUTED = 8 * 4 * 3 * 640 * 1728
MINIMIND_ROUTED_TOP2 = 8 * 2 * 3 * 640 * 1728


def test_how_activated_parameters_are_counted_is_worked_through_minimind() -> None:
    conversation = Conversation(Settings())
    events = list(conversation.send("MoE 的激活参数怎么算？"))
    assert [e.tool for e in events if e.kind == "tool_start"] == ["count_parameters"]
    text = answer_of(events)
    assert "激活参数 = 总参数 − 全部路由专家 + 每个 token 实际经过的 top-k 个路由专家" in text
    assert (f"{MINIMIND_TOTAL:,} − {MINIMIND_ROUTED:,} + {MINIMIND_ROUTED_TOP2:,} = "
            f"**{MINIMIND_TOTAL - MINIMIND_ROUTED + MINIMIND_ROUTED_TOP2:,}**") in text
    assert MINIMIND_TOTAL - MINIMIND_ROUTED + MINIMIND_ROUTED_TOP2 == 91_945_600  # models.json's active count
    assert conversation.report("zh") is None  # the worked example is not the user's plan


def test_the_users_own_moe_is_worked_through_when_there_is_one() -> None:
    conversation = Conversation(Settings())
    send(conversation, SEED_EN)
    text = send(conversation, "how are activated parameters counted?")
    routed_top1 = 8 * 1 * 3 * 640 * 1728
    assert "**Your model, MiniMind2-MoE**" in text
    assert f"{MINIMIND_TOTAL:,} − {MINIMIND_ROUTED:,} + {routed_top1:,} = **{ACTIVE_TOP1:,}**" in text


def test_a_plan_after_the_worked_example_is_the_users_own() -> None:
    conversation = Conversation(Settings())
    send(conversation, "MoE 的激活参数怎么算？")
    send(conversation, SEED)
    report = conversation.report("zh")
    assert report is not None and report.params.active_params == ACTIVE_TOP1
    text = send(conversation, "换成 16 张卡呢")
    assert text.startswith("**16 × ")


def test_a_model_described_in_the_question_is_the_one_worked_through() -> None:
    text = send(Conversation(Settings()), "How are activated params counted for my MoE: hidden 768, 12 layers, "
                                          "12 heads, 8 routed experts of width 2048, top-2, vocab 32000?")
    expert = 3 * 768 * 2048  # SwiGLU: gate, up and down
    routed, routed_top2 = 12 * 8 * expert, 12 * 2 * expert
    shared = 2 * 32_000 * 768 + 12 * (4 * 768 * 768 + 768 * 8 + 2 * 768) + 768  # untied head, attention, router, norms
    assert f"{shared + routed:,} − {routed:,} + {routed_top2:,} = **{shared + routed_top2:,}**" in text


# --- fits are quoted within the span they were fitted on -----------------------------------------------------------

def test_the_caveat_names_a_fit_read_beyond_its_fitted_budgets() -> None:
    conversation = Conversation(Settings())
    send(conversation, SEED_EN)
    caveats = conversation.report("en").markdown.split("## 9.")[1]
    # Hoffmann 2022 §3.2 fitted Approach 2 on budgets of 6e18 to 3e21 FLOPs; the seed is below that:
    assert 6 * ACTIVE_TOP1 * TOKENS < 6e18
    assert "Read beyond its fitted span, Chinchilla Approach 2 gives" in caveats


def test_when_every_fit_extrapolates_the_caveat_says_so() -> None:
    conversation = Conversation(Settings())
    send(conversation, "DeepSeek-V3 14.8T token 2048 张 H800")
    caveats = conversation.report("zh").markdown.split("## 9.")[1]
    # 6 × 37.55B × 14.8T ≈ 3.3e24 FLOPs: above every fit's span (the largest, Approach 2, ends at 3e21 FLOPs).
    assert 6 * 37_552_282_624 * 14.8e12 > 3e21
    assert "没有一个拟合处在它的拟合范围之内" in caveats and "Kaplan 2020" in caveats


def test_an_under_trained_plan_is_not_told_that_over_training_is_sound() -> None:
    conversation = Conversation(Settings())
    send(conversation, "7B dense model, 30B tokens, 64 H100")
    text = send(conversation, "为什么要过度训练？")
    assert 30e9 / 7e9 < 20  # under-trained against the 20× rule
    assert "你的方案相对 20 倍规则为训练不足" not in text


def test_an_over_trained_plan_gets_the_paragraph_with_its_own_numbers() -> None:
    conversation = Conversation(Settings())
    send(conversation, SEED)
    text = send(conversation, "为什么要过度训练？")
    ratio = TOKENS / ACTIVE_TOP1
    assert f"按每激活参数 {ratio:.0f} 个 token，你的方案相对 20 倍规则为过度训练 ×{ratio / 20:.1f}" in text


def test_a_follow_up_shows_no_wall_clock_for_a_gpu_count_nobody_gave() -> None:
    conversation = Conversation(Settings())
    send(conversation, "Qwen3-30B-A3B, 36T tokens: how many H800 GPU-hours?")
    text = send(conversation, "MFU 20%")
    assert text.startswith("**MFU 20%:** GPU-hours") and "wall clock" not in text
