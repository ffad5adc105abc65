"""The Gradio app: ``build_app(...) -> gr.Blocks`` lays it out and wires it; ``main()`` launches it.

Tabs: Chat (streamed answers with their tool calls, examples, retry/undo/clear/copy, settings,
exports and plots), Calculator (a form, the same tools and report) and Plan from budget (a form for a budget,
the recommended configurations and their plot). A thin layer: numbers
come from the tools and the assistant, and the UI only shows them.

API endpoints (``api_name``): ``chat``, ``chat_exports``, ``apply_settings``,
``test_connection``, ``calculate``. DOM ids for browser tests: see ``ELEM_IDS``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

import gradio as gr

from assistant.settings import Settings, load_settings
from ui.browser_secret import browser_secret
from ui.budget_tab import build_budget_tab, wire_budget
from ui.calculator_tab import build_calculator_tab, wire_calculator
from ui.chat import ChatHandlers
from ui.concepts import CONCEPT_LINK_HEAD, PANEL_ID, build_concept_panel, wire_concept_panel
from ui.labels import Labels
from ui.report_view import build_report_view
from ui.settings_panel import SettingsHandlers, fill_preset, initial_provider, provider_choices
from ui.state import ChatSession, ConversationFactory, default_factory
from ui.strings import EXAMPLES, I18N, LANGS, pick_lang, tr

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
PORT = 7860
CHAT_CONCURRENCY = 64  # chat turns in flight at once (LLM turns mostly wait on the network)
DEFAULT_CONCURRENCY = 16  # every other event
MAX_THREADS = 96  # worker threads: above the chat limit, so short events never wait for a thread
CSS = """
#chatbot .message-wrap { font-size: 0.95rem; }
#calc-problems { border-left: 4px solid #d9534f; padding-left: 0.75rem; }
"""
# Gradio's Textbox submits on Enter even while an input method is still composing (Chinese, Japanese …),
# which would send half-typed pinyin. This capture-phase listener runs before the textbox's own handler
# and stops that Enter from reaching it; the input method still receives it and commits the text.
IME_GUARD_HEAD = """
<script>
for (const type of ["keydown", "keypress"]) {
  window.addEventListener(type, (event) => {
    if (event.key === "Enter" && (event.isComposing || event.keyCode === 229) && event.target instanceof Element
        && event.target.closest("textarea, input")) {
      event.stopImmediatePropagation();
    }
  }, true);
}
</script>
"""
ELEM_IDS = (
    "language-switch", "tab-chat", "tab-calculator", "chatbot", "chat-input", "chat-send", "chat-examples",
    "mode-indicator", "settings", "settings-provider", "settings-base-url", "settings-model", "settings-api-key",
    "settings-apply", "settings-test", "settings-key-note", "connection-status",
    "chat-exports", "chat-export-markdown", "chat-export-latex", "chat-export-bibtex", "chat-export-json",
    "chat-export-plots", "chat-plots", "calc-form", "calc-submit", "calc-problems", "calc-report", "calc-exports",
    "calc-plots", "tab-budget", "budget-form", "budget-submit", "budget-problems", "budget-report", "budget-exports",
    "budget-plots", "budget-plot-candidates", PANEL_ID,
)


def default_settings() -> Settings:
    """Settings from the environment (and .env); offline when they cannot be read."""
    try:
        return load_settings()
    except ValueError as error:
        log.warning("ignoring the LLM settings from the environment: %s", error)
        return Settings(force_offline=True)


def _drop_session(session: Any) -> None:
    if isinstance(session, ChatSession):
        session.forget_exports()


def _ui_language(saved: str | None, request: gr.Request | None) -> str:
    if saved in LANGS:
        return saved
    header = request.headers.get("accept-language", "") if request is not None else ""
    return pick_lang(header.split(",")[0].strip())


def build_app(conversation_factory: ConversationFactory | None = None, *, settings: Settings | None = None
              ) -> gr.Blocks:
    """The app. ``conversation_factory(settings)`` makes each session's Conversation (default:
    :class:`assistant.session.Conversation`); ``settings`` are the sessions' defaults (default:
    from the environment, offline without a key)."""
    defaults = settings or default_settings()
    chat = ChatHandlers(conversation_factory or default_factory, defaults)
    panel = SettingsHandlers(chat)
    labels = Labels()
    with gr.Blocks(title="Scaling assistant", analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
        session = gr.State(None, delete_callback=_drop_session)
        saved_chat = gr.BrowserState([], storage_key="scaling-assistant-chat", secret=browser_secret())
        saved_lang = gr.BrowserState("", storage_key="scaling-assistant-ui-language", secret=browser_secret())
        with gr.Row(equal_height=True):
            labels.bind(gr.Markdown(tr("title")), value="title")
            lang = gr.Radio(choices=[("中文", "zh"), ("English", "en")], value=None, label=tr("ui_language"),
                            elem_id="language-switch", scale=0, min_width=220)
            labels.bind(lang, label="ui_language")
        with gr.Tabs():
            with gr.Tab(tr("tab_chat"), id="chat", elem_id="tab-chat") as chat_tab:
                labels.bind(chat_tab, label="tab_chat")
                chat_ui = _chat_tab(labels, defaults)
            with gr.Tab(tr("tab_calculator"), id="calculator", elem_id="tab-calculator") as calc_tab:
                labels.bind(calc_tab, label="tab_calculator")
                calc_ui = build_calculator_tab(labels)
            with gr.Tab(tr("tab_budget"), id="budget", elem_id="tab-budget") as budget_tab:
                labels.bind(budget_tab, label="tab_budget")
                budget_ui = build_budget_tab(labels)
        concepts = build_concept_panel()
        _wire_chat(demo, chat, panel, chat_ui, session, saved_chat, lang)
        wire_calculator(calc_ui, lang)
        wire_budget(budget_ui, lang)
        wire_concept_panel(concepts)
        demo.load(_ui_language, [saved_lang], [lang], api_visibility="private", queue=False)
        lang.change(lambda value: [*labels.updates(pick_lang(value)), pick_lang(value)], [lang],
                    [*labels.components, saved_lang], api_visibility="private", queue=False)
    demo.queue(default_concurrency_limit=DEFAULT_CONCURRENCY)
    return demo


# --- the chat tab ---------------------------------------------------------------------------------------


def _chat_tab(labels: Labels, defaults: Settings) -> dict[str, Any]:
    ui: dict[str, Any] = {}
    with gr.Row():
        with gr.Column(scale=3):
            ui["chatbot"] = labels.bind(gr.Chatbot(
                label=tr("chatbot"), elem_id="chatbot", height=560, buttons=["copy", "copy_all"],
                feedback_options=None, layout="panel", group_consecutive_messages=False,
            ), label="chatbot")
            with gr.Row():
                ui["text"] = labels.bind(gr.Textbox(label=tr("message"), placeholder=tr("message_placeholder"),
                                                    elem_id="chat-input", scale=8, lines=1, max_lines=6,
                                                    autofocus=True), label="message", placeholder="message_placeholder")
                ui["send"] = labels.bind(gr.Button(tr("send"), variant="primary", elem_id="chat-send", scale=1),
                                         value="send")
            ui["examples"] = gr.Examples([[example] for example in EXAMPLES], inputs=[ui["text"]],
                                         label=tr("examples"), elem_id="chat-examples")
            labels.bind(ui["examples"].dataset, label="examples")
            ui["report"] = build_report_view("chat", labels)
        with gr.Column(scale=1, min_width=280):
            ui["mode"] = labels.bind(gr.Textbox(value=ChatSession.mode_for(defaults), label=tr("mode"),
                                                interactive=False, elem_id="mode-indicator"), label="mode")
            with gr.Accordion(tr("settings"), open=False, elem_id="settings") as box:
                labels.bind(box, label="settings")
                ui["provider"] = labels.bind(gr.Dropdown(
                    choices=provider_choices(), value=initial_provider(defaults), label=tr("provider"),
                    elem_id="settings-provider"), label="provider")
                llm = defaults.mode != "offline"
                ui["base_url"] = labels.bind(gr.Textbox(value=defaults.resolved_base_url if llm else "",
                                                        label=tr("base_url"), elem_id="settings-base-url"),
                                             label="base_url")
                ui["model"] = labels.bind(gr.Textbox(value=defaults.resolved_model if llm else "",
                                                     label=tr("model"), elem_id="settings-model"), label="model")
                ui["api_key"] = labels.bind(gr.Textbox(type="password", label=tr("api_key"),
                                                       placeholder=tr("api_key_placeholder"),
                                                       elem_id="settings-api-key"),
                                            label="api_key", placeholder="api_key_placeholder")
                with gr.Row():
                    ui["apply"] = labels.bind(gr.Button(tr("apply"), elem_id="settings-apply", size="sm"),
                                              value="apply")
                    ui["test"] = labels.bind(gr.Button(tr("test"), elem_id="settings-test", size="sm"), value="test")
                ui["key_note"] = gr.Markdown("", elem_id="settings-key-note")
                ui["status"] = gr.Markdown("", elem_id="connection-status")
    return ui


def _wire_chat(demo: gr.Blocks, chat: ChatHandlers, panel: SettingsHandlers, ui: dict[str, Any], session: gr.State,
               saved_chat: gr.BrowserState, lang: gr.Radio) -> None:
    chatbot, text, view = ui["chatbot"], ui["text"], ui["report"]
    turn_io = {"outputs": [chatbot, text, session], "concurrency_limit": CHAT_CONCURRENCY, "concurrency_id": "chat"}
    after = {"fn": chat.after_turn, "inputs": [session, chatbot], "outputs": [*view.outputs, saved_chat, ui["mode"]]}

    text.submit(chat.respond, [text, chatbot, session], api_name="chat", **turn_io).then(
        **after, api_name="chat_exports")
    ui["send"].click(chat.respond, [text, chatbot, session], api_visibility="private", **turn_io).then(
        **after, api_visibility="private")
    ui["examples"].load_input_event.then(chat.respond, [text, chatbot, session], api_visibility="private",
                                         **turn_io).then(**after, api_visibility="private")
    chatbot.retry(chat.retry, [chatbot, session], api_visibility="private", **turn_io).then(
        **after, api_visibility="private")
    chatbot.undo(chat.undo, [chatbot, session], [chatbot, text, session], api_visibility="private").then(
        **after, api_visibility="private")
    chatbot.clear(chat.clear, [session], [chatbot, session], api_visibility="private").then(
        **after, api_visibility="private")
    demo.load(chat.restore, [saved_chat, session], [chatbot, session], api_visibility="private").then(
        **after, api_visibility="private")

    ui["provider"].change(fill_preset, [ui["provider"]], [ui["base_url"], ui["model"]], api_visibility="private",
                          queue=False)
    panel_inputs = [ui["provider"], ui["base_url"], ui["model"], ui["api_key"], session, lang]
    ui["apply"].click(panel.apply, panel_inputs, [session, ui["api_key"], ui["mode"], ui["key_note"]],
                      api_name="apply_settings")
    ui["test"].click(panel.test, panel_inputs, [ui["status"]], api_name="test_connection")


# --- launching ----------------------------------------------------------------------------------------------


GRADIO_QUEUE_ENV = {
    # gradio recomputes a pandas summary of the last GRADIO_ANALYTICS_MAX_EVENTS events after every
    # event (~10 ms at its default of 10,000); keep fewer and refresh it less often
    "GRADIO_ANALYTICS_MAX_EVENTS": "1000",
    "GRADIO_ANALYTICS_CACHE_FREQUENCY": "20",
}


def tune_gradio_queue() -> None:
    """Defaults for gradio's queue bookkeeping (read when the queue is built: call before build_app)."""
    for name, value in GRADIO_QUEUE_ENV.items():
        os.environ.setdefault(name, value)


def launch_options() -> dict[str, Any]:
    """What every launch uses (main, tests, bench): local only, no share link, no run history
    (it would keep the settings panel's inputs in the browser), our translations, theme and CSS."""
    return {"server_name": HOST, "share": False, "run_history": False, "i18n": I18N, "css": CSS,
            "head": IME_GUARD_HEAD + CONCEPT_LINK_HEAD,
            "theme": gr.themes.Soft(), "footer_links": ["api", "settings"], "max_threads": MAX_THREADS}


def _port(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= 65_535:
        raise argparse.ArgumentTypeError(f"got {text[:20]!r}; expected a port number from 1 to 65535")
    return int(text)


def main(argv: list[str] | None = None) -> None:
    """Serve the app on 127.0.0.1; a port in use (or a bad --port) is one line and exit status 2, no traceback."""
    parser = argparse.ArgumentParser(description="The scaling assistant's web UI (local only).")
    parser.add_argument("--port", type=_port, default=PORT, help=f"port on {HOST} (default {PORT})")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    tune_gradio_queue()
    settings = default_settings()
    demo = build_app(settings=settings)
    try:
        _, url, _ = demo.launch(server_port=args.port, prevent_thread_lock=True, quiet=True, **launch_options())
    except OSError as error:  # the port is taken (gradio says "Cannot find empty port"), or not ours to bind
        logging.getLogger(__name__).debug("launch failed", exc_info=True)
        sys.stderr.write(f"error: --port: cannot serve on {HOST}:{args.port} ({_first_sentence(error)}); "
                         "is another copy running? Pick another port with --port N\n")
        raise SystemExit(2) from None
    print(f"scaling-assistant UI: {url}  (mode: {ChatSession.mode_for(settings)})", flush=True)
    demo.block_thread()


def _first_sentence(error: OSError) -> str:
    return (error.strerror or str(error)).split(". ")[0].rstrip(".")


if __name__ == "__main__":
    main()
