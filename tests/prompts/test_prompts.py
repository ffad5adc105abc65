"""The prompt loader and the system prompt.

Expected texts are written out by hand, never computed with the template under test (smolagents
once shipped ``{remaining_steps}`` verbatim because its test rendered the expectation itself).
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from prompts import MissingPlaceholderError, Prompt, PromptError, load, names, parse

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
SURVIVING_PLACEHOLDER = re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?")


def test_names_lists_every_markdown_file_in_the_package() -> None:
    on_disk = sorted(str(p.relative_to(PROMPTS_DIR).with_suffix("")) for p in PROMPTS_DIR.rglob("*.md"))
    assert list(names()) == on_disk
    assert "system" in on_disk
    assert "glossary/chinchilla-ratio" in on_disk
    assert names("glossary") == tuple(n for n in on_disk if n.startswith("glossary/"))


@pytest.mark.parametrize("name", names())
def test_every_prompt_loads_with_id_version_and_hash(name: str) -> None:
    prompt = load(name)
    assert isinstance(prompt, Prompt)
    assert prompt.id and prompt.meta["id"] == prompt.id
    assert isinstance(prompt.version, int) and prompt.version >= 1
    raw = (PROMPTS_DIR / f"{name}.md").read_bytes()
    assert prompt.sha256 == hashlib.sha256(raw).hexdigest()
    assert prompt.text and not prompt.text.startswith("---")


@pytest.mark.parametrize("name", names())
def test_every_prompt_renders_with_no_placeholder_left(name: str) -> None:
    prompt = load(name)
    values = {placeholder: f"<<{placeholder}>>" for placeholder in prompt.placeholders}
    rendered = prompt.render(**values)
    # A literal "$$N$$" (LaTeX in the export templates) legitimately renders as "$N$"; nothing else may.
    escaped = re.findall(r"\$\$\{?[A-Za-z_]", prompt.text)
    assert len(SURVIVING_PLACEHOLDER.findall(rendered)) == len(escaped), SURVIVING_PLACEHOLDER.findall(rendered)
    for value in values.values():
        assert value in rendered


def test_load_is_cached_and_accepts_the_suffix() -> None:
    assert load("system") is load("system")
    assert load("system.md") is load("system")


def test_system_prompt_renders_context_last() -> None:
    rendered = load("system").render(arguments="`model`:\n- preset (string): Preset name",
                                     context="Mode: LLM. The user's GPU is 8 × RTX 4090.")
    assert rendered.endswith("## Context for this conversation\nMode: LLM. The user's GPU is 8 × RTX 4090.")
    assert "## Arguments\nMost tools take these objects. Give only the fields the user stated.\n`model`:" in rendered
    assert rendered.startswith("You are scaling-assistant, a bilingual (中文/English) assistant")


def test_system_prompt_says_what_the_brief_requires() -> None:
    system = load("system")
    assert system.id == "system" and system.version == 7
    assert system.placeholders == ("arguments", "context")
    assert len(system.text.splitlines()) <= 60
    text = system.text
    for tool in (
        "count_parameters", "estimate_training_flops", "chinchilla_analysis", "project_gpu_time",
        "estimate_training_memory", "list_presets", "describe_gpu", "explain_concept", "predict_loss_curve",
        "recommend_configurations",
    ):
        assert tool in text
    for phrase in (
        "Every number you show comes from a tool result in this conversation.",
        "Do no arithmetic yourself",
        "in parallel, in one round",
        "Answer in the user's language (简体中文 or English)",
        "imply about 60–90 at large budgets",
        "Quote numbers as the tools give them",
        "ask one clear question",
        "each default named as a default",
        "not even a typical value",
        "go in total_params and active_params",
        "never intermediate_size",
        "fix every field it lists",
    ):
        assert phrase in text, phrase


def test_missing_placeholder_names_it() -> None:
    with pytest.raises(MissingPlaceholderError) as info:
        load("system").render()
    message = str(info.value)
    assert "$arguments" in message
    assert "render(arguments=...)" in message
    assert "'system'" in message
    assert info.value.name == "arguments"


def test_render_of_a_hand_written_template() -> None:
    prompt = parse("---\nid: greeting\nversion: 3\nlang: en\n---\nHello $name, meet ${other}. Price: $$5.\n")
    assert (prompt.id, prompt.version) == ("greeting", 3)
    assert dict(prompt.meta) == {"id": "greeting", "version": "3", "lang": "en"}
    assert prompt.render(name="Ada", other="Grace", unused="x") == "Hello Ada, meet Grace. Price: $5."
    with pytest.raises(MissingPlaceholderError, match=r"\$other") as info:
        prompt.render(name="Ada")
    assert "given name" in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("no front matter\n", "front-matter block"),
        ("---\nid: x\nversion: 1\nbody without closing fence\n", "no closing"),
        ("---\nid: x\n---\nbody\n", "'version'"),
        ("---\nversion: 1\n---\nbody\n", "'id'"),
        ("---\nid: x\nversion: 1.1\n---\nbody\n", "positive integer"),
        ("---\nid: x\nversion: 1\nid: y\n---\nbody\n", "duplicate"),
        ("---\nid: x\nversion: 1\njust text\n---\nbody\n", "key: value"),
        ("---\nid: x\nversion: 1\n---\n\n", "empty"),
        ("---\nid: x\nversion: 1\n---\nCosts $5 per hour.\n", "$$"),
    ],
)
def test_malformed_files_are_rejected_with_a_reason(source: str, fragment: str) -> None:
    with pytest.raises(PromptError) as info:
        parse(source, origin="prompts/x.md")
    assert fragment in str(info.value)
    assert "prompts/x.md" in str(info.value)


def test_unknown_prompt_lists_the_known_ones() -> None:
    with pytest.raises(PromptError, match="known prompts: .*system"):
        load("no-such-prompt")
    with pytest.raises(PromptError, match="not valid"):
        load("../pyproject")


def test_prompt_is_frozen() -> None:
    prompt = load("system")
    with pytest.raises(AttributeError):
        prompt.version = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        prompt.meta["id"] = "other"  # type: ignore[index]


def test_importing_reads_no_file() -> None:
    code = (
        "import prompts, prompts.glossary as g; "
        "print(prompts._load.cache_info().currsize, prompts._all_names.cache_info().currsize, "
        "g._entries.cache_info().currsize)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=PROMPTS_DIR.parent)
    assert result.stdout.split() == ["0", "0", "0"]


def test_the_understood_templates_have_the_same_blocks_and_keys_in_both_languages() -> None:
    """Every line of the first lines (parts, conventions, unused items) exists in en and zh alike."""
    english, chinese = load("understood/en").blocks(), load("understood/zh").blocks()
    assert set(english) == set(chinese)
    for table in ("parts", "conventions", "vendor_conventions", "unused_items"):
        keys = [{line.split(" = ")[0] for line in blocks[table].splitlines() if " = " in line}
                for blocks in (english, chinese)]
        assert keys[0] == keys[1], table


def test_the_understood_line_renders_in_both_languages_without_placeholders() -> None:
    from assistant.understood import RunReading, understood_line

    model = {"source": "size", "label": "MiniMind2-MoE", "preset": "minimind2-moe", "matched_preset": True,
             "is_moe": True, "total_params": 145_029_760, "total_basis": "counted", "active_params": 91_945_600,
             "active_basis": "counted", "num_experts": 4, "num_shared_experts": 1, "top_k": 2,
             "top_k_origin": "preset", "checks": [], "unused": []}
    reading = RunReading(model=model, tokens=14_796_800_000, seq_len=512, gpu="NVIDIA GeForce RTX 4090", gpu_count=8)
    assert understood_line(reading, language="en") == (
        "**Understood as:** MoE · MiniMind2-MoE (matched by size and layout) · 145M total · 91.9M active · "
        "1 shared + 4 routed experts · top-2 (from MiniMind2-MoE) · 14.8B tokens · sequence 512 · "
        "8 × NVIDIA GeForce RTX 4090")
    assert understood_line(reading, language="zh") == (
        "**理解为：** MoE · MiniMind2-MoE（按规模与专家结构匹配） · 总参数 1.45亿（145M） · 激活 9,195万（91.9M） · "
        "1 个共享 + 4 个路由专家 · top-2（取自 MiniMind2-MoE） · 148亿（14.8B） token · 序列长度 512 · "
        "8 × NVIDIA GeForce RTX 4090")
