"""Smoke tests through the real app: launch(prevent_thread_lock=True) + gradio_client, no mocks."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from gradio_client import Client

from assistant.calculator import FIELDS
from tests.llm_server import Reply, ScriptedLLMServer, ToolCall, ToolCalls
from tests.ui.conftest import read_files, value_of
from tools.calc.params import count_parameters
from tools.calc.presets import find_preset
from tools.registry import run_tool

ZH_EXAMPLE = "145M 参数的 MoE，1 个共享专家 + 4 个路由专家，top-1，28.9M 条样本 × 512 字，8 张 4090"
TOKENS = 14_796_800_000  # 28.9M samples × 512 characters × 1 token per character, by hand
FAKE_KEY = "sk-test-DO-NOT-LEAK-0123456789abcdef"


def _text(message: dict) -> str:
    content = message["content"]
    return content if isinstance(content, str) else "".join(part.get("text", "") for part in content)


def test_the_api_names_are_explicit(client: Callable[[], Client]) -> None:
    endpoints = client().view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert set(endpoints) == {"/chat", "/apply_settings", "/test_connection", "/calculate",
                              "/plan_from_budget", "/export_markdown", "/export_latex", "/export_bibtex",
                              "/export_json", "/export_plots"}


def test_plan_from_budget_through_the_api(client: Callable[[], Client]) -> None:
    from assistant.budget_form import FIELDS

    values = dict.fromkeys(FIELDS, "")
    values.update(gpu="rtx-4090", gpu_count="8", days="7", architectures="moe")
    outputs = client().predict(*values.values(), "zh", None, api_name="/plan_from_budget")
    report = outputs[1]
    flops = 8 * 165.2e12 * 0.35 * 7 * 86_400  # 8 × RTX 4090 dense BF16 peak × default MoE MFU × a week
    assert "## 2. 推荐的配置" in report and f"{flops:.2e}".replace("e+", "e") in report
    empty = {**dict.fromkeys(FIELDS, ""), "architectures": "both"}
    missing = client().predict(*empty.values(), "en", None, api_name="/plan_from_budget")
    assert "Please fix" in missing[0]["value"] if isinstance(missing[0], dict) else "Please fix" in missing[0]


def test_zh_example_through_the_chat_api_matches_the_core(client: Callable[[], Client]) -> None:
    session = client()
    history, saved, view = session.predict(ZH_EXAMPLE, [], api_name="/chat")
    group, *calls = [m for m in history if m["metadata"].get("title") and not m["metadata"]["title"].startswith("📄")]
    assert group["metadata"]["title"].startswith("🛠 5 个工具 · ") and group["metadata"]["title"].endswith(" 秒")
    assert [m["metadata"]["title"] for m in calls] == ["统计参数量", "训练计算量", "Chinchilla 判断", "GPU 时间与成本",
                                                       "训练显存"]
    assert {m["metadata"]["parent_id"] for m in calls} == {group["metadata"]["id"]}
    assert "**模型：** 路由专家 4 · 共享专家 1 · top-k 1 · 总参数 145M" in _text(calls[0])  # not 145000000.0
    assert all(m["metadata"].get("status") == "done" for m in history if m["metadata"].get("title"))
    answer = _text(history[-2])
    assert "14,796,800,000" in _text(history[-1]) and "148亿（14.8B） token" in answer

    expected = run_tool("count_parameters", {"model": {"total_params": 145e6, "num_experts": 4,
                                                       "num_shared_experts": 1, "top_k": 1}}).result
    assert read_files([saved, view]) == {}  # nothing is written after a turn: files are made when asked for
    assert saved["turns"][0]["user"] == ZH_EXAMPLE and view.startswith("markdown,latex,bibtex,json,plots|True|")
    files = read_files([session.predict(api_name=f"/export_{kind}")
                        for kind in ("markdown", "latex", "bibtex", "json", "plots")])
    assert {"scaling-report.md", "scaling-report.tex", "references.bib", "scaling-report.json",
            "scaling-plots.html"} <= set(files)
    report = json.loads(files["scaling-report.json"])
    assert report["flops"]["tokens"] == TOKENS
    assert report["params"]["active_params"] == expected["active_params"]
    assert report["params"]["total_params"] == expected["total_params"]
    assert f"{expected['active_params']:,.0f}" in _text(history[-1])
    # the Markdown file is the report with each concept link as a footnote giving the entry's title and text
    markdown = files["scaling-report.md"]
    assert "📖 [总参数与激活参数](#concept/zh/total-vs-active)" in report["markdown"]
    assert "📖 总参数与激活参数[^1]" in markdown and "#concept/" not in markdown
    assert "\n[^1]: **总参数与激活参数**：总参数：模型里存下的全部参数，" in markdown
    assert markdown.startswith(report["markdown"].split("📖")[0])
    assert "\\begin{tabular}" in files["scaling-report.tex"]
    assert "@" in files["references.bib"] and "plotly" in files["scaling-plots.html"]


def test_a_follow_up_keeps_the_sessions_context(client: Callable[[], Client]) -> None:
    session = client()
    session.predict(ZH_EXAMPLE, [], api_name="/chat")
    history, _, _ = session.predict("如果换成 16 张卡呢？", [], api_name="/chat")
    answer = _text(history[-1])
    assert "16 × NVIDIA GeForce RTX 4090" in answer


def _form(**changes: object) -> list[object]:
    values = {name: None for name in FIELDS}
    values.update(model_source="preset", preset="minimind2-moe", top_k="1", tied_embeddings=None,
                  data_source="samples", samples="28.9M", mean_length="512", length_unit="chars", epochs="1",
                  gpu="rtx-4090", gpu_count="8", currency="USD")
    values.update(changes)
    return [values[name] for name in FIELDS]


def test_the_calculator_gives_the_cores_numbers(client: Callable[[], Client]) -> None:
    outputs = client().predict(*_form(), "en", api_name="/calculate")
    problems, markdown = value_of(outputs[0]), value_of(outputs[1])
    assert not problems
    counts = count_parameters(find_preset("minimind2-moe").shape, top_k=1)
    assert f"{counts.active:,}" in markdown and f"{counts.total:,}" in markdown
    assert "14,796,800,000" in markdown
    assert read_files(list(outputs)) == {}  # the exports are made when asked for


def test_the_calculator_explains_invalid_values_inline(client: Callable[[], Client]) -> None:
    outputs = client().predict(*_form(samples="lots", gpu_count="0"), "zh", api_name="/calculate")
    problems = value_of(outputs[0])
    assert problems.startswith("**请修改：**")
    assert "- 样本数：给出的是 lots，需要一个数，例如 14.8B、28.9M、1e21 或 148亿（“lots”不是）" in problems
    assert "- GPU 数量：给出的是 0，需要不小于 1 的数" in problems
    assert "Traceback" not in problems
    outputs = client().predict(*_form(gpu_count="0"), "en", api_name="/calculate")
    problems = value_of(outputs[0])
    assert "- GPU count: got 0; expected a number ≥ 1" in problems
    assert value_of(outputs[1]) == ""


def test_exports_never_contain_the_api_key(client: Callable[[], Client], llm_server: ScriptedLLMServer) -> None:
    llm_server.expected_api_key = FAKE_KEY
    model = {"preset": "minimind2-moe", "top_k": 1}
    data = {"samples": 28.9e6, "mean_length": 512, "length_unit": "chars"}
    llm_server.script([
        ToolCalls([ToolCall("count_parameters", {"model": model}),
                   ToolCall("estimate_training_flops", {"model": model, "data": data}),
                   ToolCall("chinchilla_analysis", {"model": model, "data": data})]),
        Reply("The plan is over-trained for its size; the report has the details."),
    ])
    session = client()
    applied = session.predict("openai", llm_server.base_url, "scripted-model", FAKE_KEY, "en",
                              api_name="/apply_settings")
    assert FAKE_KEY not in json.dumps(applied)
    assert value_of(applied[0]) == ""  # the key box is emptied at once
    assert value_of(applied[1]) == "scripted-model"

    status = session.predict("openai", llm_server.base_url, "scripted-model", "", "en", api_name="/test_connection")
    assert status.startswith("✅") and FAKE_KEY not in status

    history, saved, _ = session.predict("MiniMind2-MoE top-1, 28.9M samples × 512 characters", [], api_name="/chat")
    assert llm_server.saw_api_key(FAKE_KEY)
    assert FAKE_KEY not in json.dumps(history, ensure_ascii=False)
    exports = [session.predict(api_name=f"/export_{kind}") for kind in ("markdown", "latex", "bibtex", "json")]
    files = read_files(exports)
    assert "scaling-report.json" in files and len(files) >= 4
    for name, text in files.items():
        assert FAKE_KEY not in text, name
    assert FAKE_KEY not in json.dumps([saved, exports], ensure_ascii=False, default=str)


def test_a_failing_endpoint_is_a_message_not_a_trace(client: Callable[[], Client]) -> None:
    session = client()
    status = session.predict("openai", "http://127.0.0.1:9/v1", "m", FAKE_KEY, "zh", api_name="/test_connection")
    assert status.startswith("❌") and FAKE_KEY not in status and "Traceback" not in status


def test_every_documented_elem_id_is_in_the_page() -> None:
    from assistant.settings import Settings
    from ui.app import ELEM_IDS, build_app

    config = build_app(settings=Settings(force_offline=True)).get_config_file()
    ids = {component.get("props", {}).get("elem_id") for component in config["components"]}
    assert set(ELEM_IDS) <= ids


def test_a_follow_up_on_a_restarted_server_continues_the_plan_the_browser_kept(client: Callable[[], Client]) -> None:
    """The conversation the browser keeps (it comes with each answer) is all a new server needs."""
    from assistant.settings import Settings
    from tests.ui.conftest import free_port
    from ui.app import build_app, launch_options

    first = client()
    history, saved, _ = first.predict("DeepSeek-V3, 14.8T tokens, 2048 H800, MFU 35%", [], api_name="/chat")
    restarted = build_app(settings=Settings(force_offline=True))
    _, url, _ = restarted.launch(server_port=free_port(), prevent_thread_lock=True, quiet=True, **launch_options())
    try:
        follow_up, _, _ = Client(url, verbose=False).predict("MFU 20%", history, saved, api_name="/chat")
    finally:
        restarted.close()
    answer = _text(follow_up[-2])
    assert answer.startswith("**MFU 20%:** GPU-hours "), answer  # a diff against the plan, not a greeting
    kept, _, _ = first.predict("MFU 20%", history, api_name="/chat")  # the same follow-up on the first server
    assert answer == _text(kept[-2])


def test_the_calculators_exports_are_made_when_asked_for() -> None:
    from ui.calculator_tab import _run_calculator

    outputs = _run_calculator(*_form(), "en", None)
    files = outputs[-1]
    assert files.folder is None  # nothing written by the calculation
    report = json.loads(Path(files.path("json")).read_text(encoding="utf-8"))
    counts = count_parameters(find_preset("minimind2-moe").shape, top_k=1)
    assert report["params"]["active_params"] == counts.active and report["language"] == "en"
    folder = files.folder
    _run_calculator(*_form(gpu_count="16"), "en", files)  # a new report: the old files go
    assert not Path(folder).exists()
    files.forget()


def test_a_closed_page_leaves_no_state_on_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """Gradio would keep each closed page's copy of the interface until 10,000 pages came after it; the app drops
    it, and its conversation, once the page's heartbeat connection ends (the browser keeps the conversation)."""
    import time

    from assistant.settings import Settings
    from tests.ui.conftest import free_port
    from ui import state
    from ui.app import build_app, launch_options

    monkeypatch.setattr(state, "TRIM_DELAY_S", 0.1)
    demo = build_app(settings=Settings(force_offline=True))
    _, url, _ = demo.launch(server_port=free_port(), prevent_thread_lock=True, quiet=True, **launch_options())
    try:
        page = Client(url, verbose=False)
        page.predict(ZH_EXAMPLE, [], api_name="/chat")
        assert page.session_hash in demo.state_holder.session_data
        page.close()  # the heartbeat ends, as when a tab closes
        deadline = time.monotonic() + 60  # a bound on waiting for the event, not a timing assertion
        while page.session_hash in demo.state_holder.session_data and time.monotonic() < deadline:
            time.sleep(0.1)
        assert page.session_hash not in demo.state_holder.session_data
        assert not [key for key in demo.state_holder.time_last_used if key == page.session_hash]
    finally:
        demo.close()
