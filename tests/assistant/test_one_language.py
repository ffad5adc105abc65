"""Chinese conversations end to end through the offline planner: every answer, notice and failure the user sees,
and the full report folded under an answer, are Chinese.

"Chinese" is checked as the absence of English: no Latin word outside the allow-list of
:mod:`tests.support.latin` (models, units, fits and their authors, established terms), no internal code (a
glossary slug, a fit key, a preset key, a section code of the literature sheet). The report's bibliography is the
one place a paper's English title belongs; those entries, exactly as the bibliography file gives them, are left out
of the check. Concept links show the entry's Chinese title and open its Chinese text.
"""

from __future__ import annotations

import re

import pytest

from assistant.references import format_reference
from assistant.session import Conversation, Event
from assistant.settings import Settings
from prompts.glossary import entries, get
from tests.conftest import FIXTURES
from tests.llm_server import Reply, ToolCall, ToolCalls
from tests.support.latin import internal_codes, latin_words
from tools.calc.fits import FITS
from tools.calc.presets import PRESETS

SEED = "145M 参数的 MoE，1 个共享专家 + 4 个路由专家，28.9M 条样本 × 512 字，8 张 4090"
CONVERSATIONS: dict[str, list[str]] = {
    "seed and follow-ups": [SEED, "MFU 只有 15% 呢", "换成 16 张卡呢", "帮我写一段论文级别的 scaling 分析描述",
                            "MoE 的激活参数怎么算？", "对比 8 张和 16 张卡"],
    "gpu hours": ["Qwen3-30B-A3B 训练 36T token 需要多少 H800 卡时？"],
    "memory": ["Llama-3-8B 用 ZeRO-3 在 8 张 A100 上显存够吗？"],
    "wall clock": ["DeepSeek-V3 14.8T token 在 2048 张 H800 上要多久"],
    "budget": ["我有 8 张 4090 一周，该训什么"],
    "cost": ["Llama-3-8B，2T token，8 张 H100，每卡时 2 美元，要花多少钱？"],
    "fits": ["MiniMind2-MoE，28.9M 条样本 × 512 字，8 张 4090", "各个拟合对比一下"],
    "question": ["145M 参数的 MoE，8 个路由专家，28.9M 条样本 × 512 字，8 张 4090"],
    "concepts": ["什么是 6ND？", "为什么 Llama 3 训练了 15T token，远超 20 倍？"],
    "config": ["这个模型训练 1T token，8 张 H100 要多久？\n" + (FIXTURES / "hf-configs" / "Mixtral-8x7B-v0.1.json")
               .read_text(encoding="utf-8")],
    "loss and variants": ["预测一下 MiniMind2-MoE 在 28.9M 条样本 × 512 字上的 loss 曲线，8 张 4090",
                          "top-1 和 top-2 对比", "如果模型是 740M 呢"],
    "money budget": ["我有 8 张 H100，预算 10 万美元，每卡时 2 美元，训什么模型？"],
    "dense by size": ["1.5B 的稠密模型，30B token，8 张 A800，MFU 45%，每卡时 ¥5"],
    "refused": ["hidden 640，8 层，8 个头，词表 6400，FFN 1728，64 个专家，top-2，粒度 7，15T token",
                "DeepSeek-V3，激活 40B，总参数 20B，15T token"],
}
SLUGS = ({entry.id for entry in entries()} | set(FITS)
         | {preset.key for preset in PRESETS if preset.key.lower() != preset.display_name.lower()})
CJK = re.compile(r"[\u4e00-\u9fff]")
LINK = re.compile(r"\[([^\]\n]+)\]\((#concept/[^)\s]+)\)")


def _shown(text: str, references: list[str]) -> str:
    """What a reader sees, minus the bibliography entries: link texts stay, link targets go."""
    for key in references:
        text = text.replace(format_reference(key), "")
    return LINK.sub(lambda match: match.group(1), text)


def _english(text: str, references: list[str] = ()) -> list[str]:
    shown = _shown(text, list(references))
    return latin_words(shown) + internal_codes(shown, slugs=SLUGS)


def _links_are_chinese(text: str) -> list[str]:
    wrong = []
    for title, target in LINK.findall(text):
        _, lang, entry_id = target.split("/")
        if lang != "zh" or title != get(entry_id).title("zh"):
            wrong.append(f"[{title}]({target})")
    return wrong


def _turns(questions: list[str]) -> list[tuple[str, list[Event]]]:
    conversation = Conversation(Settings(force_offline=True))
    return [(question, list(conversation.send(question))) for question in questions]


@pytest.fixture(scope="module")
def answered() -> dict[str, list[tuple[str, list[Event]]]]:
    return {name: _turns(questions) for name, questions in CONVERSATIONS.items()}


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_chinese_answers_are_chinese(answered, name: str) -> None:  # noqa: ANN001 - fixture
    found = {}
    for question, events in answered[name]:
        final = events[-1]
        assert final.kind == "final", (question, final)
        assert len(CJK.findall(final.text)) >= 10, (question, final.text)  # a Chinese answer, not an empty one
        shown = [final.text, *(e.text for e in events if e.kind in ("notice", "flag", "error", "tool_result"))]
        references = final.report.references if final.report is not None else []
        problems = [p for text in shown for p in _english(text, references) + _links_are_chinese(text)]
        if problems:
            found[question] = problems
    assert found == {}


WITHOUT_REPORT = ("concepts", "question", "refused", "memory")  # a concept, a question, a refusal, memory alone


@pytest.mark.parametrize("name", [name for name in CONVERSATIONS if name not in WITHOUT_REPORT])
def test_the_folded_full_report_is_chinese(answered, name: str) -> None:  # noqa: ANN001 - fixture
    reports = [events[-1].report for _, events in answered[name] if events[-1].report is not None]
    assert reports, "the conversation made a report"
    found = {}
    for report in reports:
        assert report.language == "zh" and len(CJK.findall(report.markdown)) > 100
        problems = _english(report.markdown, report.references) + _links_are_chinese(report.markdown)
        if problems:
            found[report.request] = problems
    assert found == {}


def test_the_checks_catch_english(answered) -> None:  # noqa: ANN001 - fixture
    """The checks above can fail: the English report of the same plan, and a slug, are caught."""
    conversation = Conversation(Settings(force_offline=True))
    english = [e for e in conversation.send(SEED) if e.kind == "final"][0].report
    report = conversation.report("en")
    assert report is not None and english is not None
    assert len(_english(report.markdown, report.references)) > 50
    assert _english("📖 *total-vs-active*") and _english("（literature §9b）") and _english("拟合 epoch-2024")


def test_a_value_the_core_refuses_is_named_in_chinese(answered) -> None:  # noqa: ANN001 - fixture
    granularity, active = (events[-1].text for _, events in answered["refused"])
    assert granularity.startswith("无法使用给出的专家粒度（7）：需要FFN 宽度 1728 的约数")
    assert active.startswith("无法使用给出的激活参数（400亿（40B））：需要不超过总参数（200亿（20B））")


def test_a_tool_failure_is_said_in_chinese_and_read_in_english_by_the_model(llm_server) -> None:  # noqa: ANN001
    bad = {"model": {"preset": "llama-3-8b"}, "data": {"tokens": "1,5T"}, "hardware": {"gpu": "h100", "mfu": 1.5}}
    llm_server.script([ToolCalls([ToolCall("project_gpu_time", bad)]), Reply("MFU 不能超过 100%，请改一下。")])
    settings = Settings(api_key="sk-test", base_url=llm_server.base_url, model="scripted", timeout_s=2, max_retries=0)
    events = list(Conversation(settings).send("Llama-3-8B 训练 1,5T token，H100，MFU 150%，要多久？"))

    failed = next(e for e in events if e.kind == "tool_result")
    assert not failed.ok
    assert failed.text == ("MFU：给出的是 150%，需要不超过 100% 的数；训练 token 数：给出的是 1,5T，需要没有歧义的数："
                           "“1,5T”里的逗号不是千位分隔符；小数请写成 1.5，千位分隔请三位一组（1,500）")
    sent = [m["content"] for m in llm_server.chat_bodies[1]["messages"] if m["role"] == "tool"][0]
    assert "Input should be less than or equal to 1" in sent and "has a comma" in sent  # the model reads English


def test_a_question_for_a_missing_value_is_chinese(answered) -> None:  # noqa: ANN001 - fixture
    _, events = answered["question"][0]
    assert events[-1].report is None and "top-k" in events[-1].text and "？" in events[-1].text
