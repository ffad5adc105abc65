"""The real-browser journey: Debian's chromium driven by Playwright against the real app.

1. open the page; 2. click the zh example; 3. see the tool-call messages and the report, and open a
concept link of the report in the side panel; 4. switch the interface to English; 5. download the
Markdown export and check it (concept links are footnotes there);
6. reload and find the history still there. Also: Enter pressed while an input method (IME)
is still composing must not send half-typed text. Screenshots are saved to test-artifacts/.

Needs /usr/bin/chromium and fonts-noto-cjk (``make test`` installs both through apt). Without
them the test is skipped locally, and fails under CI, where the browser journey must run.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ZH_EXAMPLE_START = "145M 参数的 MoE"
TIMEOUT_MS = 60_000

pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists() or shutil.which("fc-list") is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI must run the browser journey: install chromium and fonts-noto-cjk (make browser-deps)")
    pytest.skip("Debian chromium / fonts-noto-cjk not installed (run `make browser-deps`)", allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: object, app_url: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(app_url)
    page.wait_for_selector("#chatbot")
    try:
        yield page
    finally:
        context.close()


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_the_journey(page: Page, tmp_path: Path) -> None:
    # 2. click the zh example: the message goes in and is sent
    page.locator("#chat-examples").get_by_text(ZH_EXAMPLE_START).first.click()
    chatbot = page.locator("#chatbot")
    # 3. tool-call messages, then the answer (the verdict card), then the full report folded under it
    expect(chatbot.get_by_text("🛠 count_parameters").first).to_be_visible()
    expect(chatbot.get_by_text("🛠 chinchilla_analysis").first).to_be_visible()
    expect(chatbot.get_by_text("理解为：").first).to_be_visible()
    expect(chatbot.get_by_text("过度训练 ×11.3").first).to_be_visible()
    folded = chatbot.get_by_text("📄 完整报告").first
    expect(folded).to_be_visible()
    expect(page.locator("#chat-exports")).to_be_visible()
    _shot(page, "1-zh-answer")
    folded.click()  # one click away
    expect(chatbot.get_by_text("规模分析报告：MiniMind2-MoE")).to_be_visible()
    expect(chatbot.get_by_text("65.4M (65,403,520)").first).to_be_visible()
    _shot(page, "1-zh-report")
    # a concept link shows its Chinese title and opens the glossary entry beside the chat, the page staying put
    link = chatbot.locator("a[href='#concept/zh/flops-6nd']").first
    expect(link).to_have_text("训练 FLOPs 与 6ND")
    link.click()
    expect(page.locator("#concept-panel")).to_have_class(re.compile(r"\bopen\b"))
    entry = page.locator("#concept-entry")
    expect(entry.get_by_role("heading", name="训练 FLOPs 与 6ND")).to_be_visible()
    expect(entry.get_by_text("一次乘加记作 2 次 FLOP").first).to_be_visible()
    assert "#concept" not in page.url
    entry.locator("a[href='#concept/zh/mfu-gpu-hours']").click()  # a related concept, from inside the panel
    expect(entry.get_by_role("heading", name="MFU、峰值算力与 GPU 小时")).to_be_visible()
    _shot(page, "1-zh-concept")

    # 4. switch the interface to English: the interface relabels, the answer stays Chinese
    page.locator("#language-switch").get_by_text("English").click()
    expect(page.locator("#chat-send")).to_have_text("Send")
    expect(chatbot.get_by_text("理解为：").first).to_be_visible()
    _shot(page, "2-en-interface")

    # 5. download the Markdown export and check its content
    with page.expect_download() as info:
        page.locator("#chat-export-markdown").click()
    path = tmp_path / "report.md"
    info.value.save_as(path)
    markdown = path.read_text(encoding="utf-8")
    assert markdown.startswith("# 规模分析报告：MiniMind2-MoE")
    assert "65.4M (65,403,520)" in markdown and "14,796,800,000" in markdown
    assert "📖 训练 FLOPs 与 6ND[^" in markdown and "\n[^4]: **训练 FLOPs 与 6ND**：FLOPs（浮点运算次数）" in markdown
    assert "#concept/" not in markdown
    assert "sk-" not in markdown

    # 6. reload: the history is still there (stored in the browser)
    page.reload()
    page.wait_for_selector("#chatbot")
    expect(page.locator("#chatbot").get_by_text(ZH_EXAMPLE_START).first).to_be_visible()
    expect(page.locator("#chatbot").get_by_text("理解为：").first).to_be_visible()
    expect(page.locator("#chatbot").get_by_text("📄 完整报告").first).to_be_visible()
    _shot(page, "3-after-reload")


def test_enter_during_ime_composition_does_not_send(page: Page) -> None:
    box = page.locator("#chat-input textarea")
    box.click()
    cdp = page.context.new_cdp_session(page)
    # An input method composing "nihao": Enter while composing must not submit the half-typed text.
    cdp.send("Input.imeSetComposition", {"text": "nihao", "selectionStart": 5, "selectionEnd": 5})
    page.keyboard.press("Enter")
    page.wait_for_timeout(1500)
    assert page.locator("#chatbot").get_by_text("nihao").count() == 0
    assert "nihao" in box.input_value()  # still in the box, not sent
    # once the input method has committed, Enter sends as usual
    box.fill("")
    cdp.send("Input.insertText", {"text": "你好"})
    expect(box).to_have_value("你好")
    page.keyboard.press("Enter")
    expect(page.locator("#chatbot").get_by_text("你好").first).to_be_visible()
    _shot(page, "4-ime")
