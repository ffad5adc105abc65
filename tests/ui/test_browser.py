"""The real-browser journeys: Debian's chromium driven by Playwright against the real app.

Desktop (1400 px): 1. open the page: a welcome with examples in the empty chat; 2. click the zh example; 3. the
tool calls are one folded line ("🛠 5 个工具 · … 秒") that opens on the calls, named in Chinese with their
arguments as quantities (145M, not 145000000.0); the view lands on the start of the answer; the full report is
one click away, and a concept link of the report opens in the side panel; 4. switch the interface to English
while a follow-up is being answered; 5. download the Markdown export (made when clicked) and check it; open the
plots (made when opened); 6. reload: the history is still there, and a follow-up continues the same plan.
Short journeys on a 390 px phone in Chinese and in English, and on an English desktop: the welcome example, the
answer's start in view, nothing wider than the screen, the exports and the plots. Also: Enter pressed while an
input method (IME) is still composing must not send half-typed text.
Screenshots are saved to test-artifacts/.

Every wait is on something shown (never on the network going idle, never on a time): the assertions retry up
to :data:`TIMEOUT_MS`, so the journeys pass on a busy machine (run them beside two busy CPU loops to check).

Needs /usr/bin/chromium and the fonts (``make test`` installs them through apt). Without them the test is skipped
locally, and fails under CI, where the browser journey must run.
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
TIMEOUT_MS = 90_000
DESKTOP = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}

pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists() or shutil.which("fc-list") is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI must run the browser journey: install chromium and the fonts (make browser-deps)")
    pytest.skip("Debian chromium / fonts not installed (run `make browser-deps`)", allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _open(browser: object, app_url: str, viewport: dict[str, int], locale: str = "zh-CN",
          **options: object) -> tuple[object, Page]:
    context = browser.new_context(viewport=viewport, locale=locale, accept_downloads=True, **options)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(app_url)
    page.wait_for_selector("#chatbot")
    return context, page


@pytest.fixture
def page(browser: object, app_url: str) -> Iterator[Page]:
    context, page = _open(browser, app_url, DESKTOP)
    try:
        yield page
    finally:
        context.close()


SCREENS = {"phone": {"viewport": PHONE, "is_mobile": True, "has_touch": True, "device_scale_factor": 2},
           "desktop": {"viewport": DESKTOP}}


@pytest.fixture(params=[("phone", "zh-CN"), ("phone", "en-US"), ("desktop", "en-US")],
                ids=["phone-zh", "phone-en", "desktop-en"])
def screen(browser: object, app_url: str, request: pytest.FixtureRequest) -> Iterator[tuple[str, Page]]:
    """A 390 px phone whose browser asks for Chinese, one that asks for English (the interface follows), and an
    English desktop (the desktop journey above is in Chinese)."""
    kind, locale = request.param
    options = dict(SCREENS[kind])
    context, page = _open(browser, app_url, options.pop("viewport"), locale, **options)
    try:
        yield kind, page
    finally:
        context.close()


def _shot(page: Page, name: str, *, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def test_the_journey(page: Page, tmp_path: Path) -> None:
    chatbot = page.locator("#chatbot")
    # 1. an empty chat says what to do and offers the examples
    expect(chatbot.get_by_text("规划一次预训练")).to_be_visible()
    expect(chatbot.get_by_text("DeepSeek-V3, 14.8T tokens").first).to_be_visible()
    # 2. click the zh example: the message goes in and is sent
    page.locator("#chat-examples").get_by_text(ZH_EXAMPLE_START).first.click()
    # 3. one folded line for the tool calls, then the answer, its start in view; the full report folded under it
    group = chatbot.get_by_text(re.compile(r"🛠 5 个工具 · [\d.]+ 秒"))
    expect(group).to_be_visible()
    answer_start = chatbot.get_by_text("理解为：").first
    expect(answer_start).to_be_visible()
    expect(chatbot.get_by_text("过度训练 ×11.3").first).to_be_visible()
    folded = chatbot.get_by_text("📄 完整报告").first
    expect(folded).to_be_visible()
    expect(page.locator("#chat-exports")).to_be_visible()
    expect(page.locator("#chat-exports").get_by_text("导出")).to_be_visible()
    expect(answer_start).to_be_in_viewport()  # the view is on the start of the answer, not its end
    _shot(page, "1-zh-answer", full_page=False)
    expect(chatbot.get_by_text("统计参数量")).to_have_count(0)  # the calls are folded
    group.click()  # the calls, one line each: the tool's name and its time
    call = chatbot.get_by_text("统计参数量")
    expect(call).to_be_visible()
    call.click()  # its arguments and results, as quantities (145M, not 145000000.0)
    expect(chatbot.get_by_text(re.compile(r"总参数 145M · ")).first).to_be_visible()
    expect(chatbot.get_by_text("→ 总参数 145M · 激活参数 65.4M")).to_be_visible()
    _shot(page, "1-zh-tool-calls", full_page=False)
    group.click()
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
    page.locator("#concept-panel .toggle-button").click()

    # 4. switch the interface to English while a follow-up is answered: the interface relabels, answers stay Chinese
    page.locator("#chat-input textarea").fill("换成 32 张卡呢")
    page.locator("#chat-send").click()
    page.locator("#language-switch").get_by_text("English").click()
    expect(page.locator("#chat-send")).to_have_text("Send")
    expect(page.locator("#mode-indicator textarea")).to_have_value("offline (built-in model)")
    expect(chatbot.get_by_text("墙钟 3.5 小时 → 0.9 小时").first).to_be_visible()  # 8 → 32 GPUs: a quarter
    expect(page.locator("#chat-exports").get_by_text("Exports")).to_be_visible()
    _shot(page, "2-en-interface", full_page=False)

    # 5. download the Markdown export (written when asked for) and check its content
    with page.expect_download() as info:
        page.locator("#chat-export-markdown").click()
    path = tmp_path / "report.md"
    info.value.save_as(path)
    markdown = path.read_text(encoding="utf-8")
    assert markdown.startswith("# 规模分析报告：MiniMind2-MoE")
    assert "65.4M (65,403,520)" in markdown and "14,796,800,000" in markdown
    assert "32 × NVIDIA GeForce RTX 4090" in markdown  # the latest plan's report
    assert "📖 训练 FLOPs 与 6ND[^" in markdown and "\n[^4]: **训练 FLOPs 与 6ND**：FLOPs（浮点运算次数）" in markdown
    assert "#concept/" not in markdown
    assert "sk-" not in markdown
    # the plots are made when their section is opened
    expect(page.locator("#chat-plot-frontier")).to_be_hidden()
    page.locator("#chat-plots").get_by_text("Plots").first.click()
    expect(page.locator("#chat-plot-frontier .js-plotly-plot")).to_be_visible()
    expect(page.locator("#chat-plot-frontier").get_by_text("20 倍法则").first).to_be_visible()
    _shot(page, "2-en-plots")

    # 6. reload: the history is still there (kept in the browser), and a follow-up continues the same plan
    page.reload()
    page.wait_for_selector("#chatbot")
    expect(chatbot.get_by_text(ZH_EXAMPLE_START).first).to_be_visible()
    expect(chatbot.get_by_text("理解为：").first).to_be_visible()
    expect(chatbot.get_by_text("📄 完整报告").first).to_be_visible()
    page.locator("#chat-input textarea").fill("如果换成 16 张卡呢？")
    page.locator("#chat-send").click()
    expect(chatbot.get_by_text("墙钟 0.9 小时 → 1.7 小时").first).to_be_visible()  # from 32 GPUs, the exact plan
    _shot(page, "3-after-reload")


# per interface language: the welcome's heading, the example clicked in the empty chat, the answer's first words,
# the folded tool calls, the full report and the plots section
PHONE_TEXTS = {
    "zh": ("规划一次预训练", ZH_EXAMPLE_START, "理解为：", r"🛠 5 个工具 · [\d.]+ 秒", "📄 完整报告", "图表"),
    "en": ("Plan a pre-training run", "DeepSeek-V3, 14.8T tokens", "Understood as:", r"🛠 5 tools · [\d.]+ s",
           "📄 Full report", "Plots"),
}


def test_the_short_journey(screen: tuple[str, Page]) -> None:
    kind, phone = screen
    language = "zh" if phone.evaluate("navigator.language").startswith("zh") else "en"
    welcome, example, first_words, tools, report, plots = PHONE_TEXTS[language]
    chatbot = phone.locator("#chatbot")
    expect(chatbot.get_by_text(welcome)).to_be_visible()
    _shot(phone, f"5-{kind}-{language}-welcome", full_page=False)
    chatbot.get_by_text(example).first.click()  # an example in the empty chat
    expect(chatbot.get_by_text(re.compile(tools))).to_be_visible()
    answer_start = chatbot.get_by_text(first_words).first
    expect(answer_start).to_be_visible()
    expect(chatbot.get_by_text(report).first).to_be_visible()
    expect(answer_start).to_be_in_viewport()
    _shot(phone, f"5-{kind}-{language}-answer", full_page=False)
    width = SCREENS[kind]["viewport"]["width"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= width  # nothing wider than the screen
    expect(phone.locator("#chat-export-markdown")).to_be_visible()
    phone.locator("#chat-plots").get_by_text(plots).first.click()
    expect(phone.locator("#chat-plot-frontier .js-plotly-plot")).to_be_visible()
    run_label = "MiniMind2-MoE" if language == "zh" else "DeepSeek-V3"
    expect(phone.locator("#chat-plot-tokens_per_param").get_by_text(run_label).first).to_be_visible()
    phone.locator("#chat-plot-frontier").scroll_into_view_if_needed()
    _shot(phone, f"5-{kind}-{language}-plots", full_page=False)
    assert phone.evaluate("document.documentElement.scrollWidth") <= width


def test_the_calculator_shows_its_result(page: Page) -> None:
    page.get_by_role("tab", name="计算器").click()
    page.locator("#calc-preset input").click()
    page.get_by_role("option", name="MiniMind2-MoE (minimind2-moe)").click()
    page.locator("#calc-samples textarea, #calc-samples input").first.fill("28.9M")
    page.locator("#calc-mean-length textarea, #calc-mean-length input").first.fill("512")
    page.locator("#calc-length-unit").get_by_text("字（字符）").click()
    page.locator("#calc-submit").click()
    heading = page.locator("#calc-report").get_by_text("规模分析报告：MiniMind2-MoE")
    expect(heading).to_be_visible()
    expect(heading).to_be_in_viewport()  # scrolled to the result
    expect(page.locator("#calc-report").get_by_text("@ c090b69")).to_have_count(0)
    _shot(page, "6-calculator", full_page=False)


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
