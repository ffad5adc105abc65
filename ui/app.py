"""The Gradio app: ``build_app(...) -> gr.Blocks`` lays it out and wires it; ``main()`` launches it.

Tabs: Chat (streamed answers with their tool calls, examples, retry/undo/clear/copy, settings,
exports and plots), Calculator (a form, the same tools and report) and Plan from budget (a form for a budget,
the recommended configurations and their plot). A thin layer: numbers
come from the tools and the assistant, and the UI only shows them.

API endpoints (``api_name``): ``chat`` (the answer, then the conversation as the browser keeps it),
``export_<kind>`` (one
export file of the chat's report, made on demand), ``apply_settings``, ``test_connection``, ``calculate``,
``plan_from_budget``. DOM ids for browser tests: see ``ELEM_IDS``.

What a turn does not do: write export files or build figures (:mod:`ui.report_view` makes them when asked),
so the language switch, the tabs and the settings answer at once while answers are being written.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import sys
from collections.abc import Callable
from typing import Any

import gradio as gr

from assistant.settings import Settings, load_settings
from ui.browser_secret import browser_secret
from ui.budget_tab import build_budget_tab, wire_budget
from ui.calculator_tab import build_calculator_tab, wire_calculator
from ui.chat import ChatHandlers
from ui.concepts import CONCEPT_LINK_HEAD, PANEL_ID, build_concept_panel, wire_concept_panel
from ui.labels import Labels
from ui.memory import limit_arenas
from ui.report_view import build_report_view, wire_report_view
from ui.settings_panel import SettingsHandlers, fill_preset, initial_provider, provider_choices
from ui.state import ChatSession, ConversationFactory, default_factory
from ui.strings import EXAMPLES, I18N, LANGS, mode_text, pick_lang, t, tr

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
PORT = 7860
CHAT_CONCURRENCY = 64  # chat turns in flight at once (LLM turns mostly wait on the network)
DEFAULT_CONCURRENCY = 16  # every other event
MAX_THREADS = 96  # worker threads: above the chat limit, so short events never wait for a thread
SESSION_IDLE_S = 30 * 60  # a session unused this long is dropped (the browser keeps the conversation)
CACHE_TTL_S = 15 * 60  # gradio's copies of the export files are deleted this long after they were made
# System fonts installed with the app's Debian packages (fonts-noto-core, fonts-noto-cjk, fonts-noto-color-emoji,
# DejaVu): nothing is downloaded when the page loads. Noto Sans draws capitals unambiguously ("145M", "MoE");
# tabular figures line numbers up in tables and cards; emoji come from Noto Color Emoji.
FONT = ["Noto Sans", "Noto Sans CJK SC", "DejaVu Sans", "Noto Color Emoji", "sans-serif"]
FONT_MONO = ["DejaVu Sans Mono", "Noto Sans Mono CJK SC", "Noto Color Emoji", "monospace"]
CSS = """
body, .gradio-container, .gradio-container button, .gradio-container input, .gradio-container textarea {
  font-variant-numeric: tabular-nums lining-nums;
}
#chatbot .message-wrap { font-size: 0.95rem; }
#chatbot .placeholder-content { text-align: left; }
#calc-problems, #budget-problems { border-left: 4px solid #d9534f; padding-left: 0.75rem; }
.report-exports { padding: 0.25rem 0.5rem; }
.report-exports .exports-heading { margin: 0; }
.report-exports .exports-heading h4 { margin: 0.25rem 0; }
.report-exports .export-buttons { flex-wrap: wrap; gap: 0.4rem; }
.report-exports .export-buttons button { flex: 0 1 auto; }
#concept-panel:not(.open) > .toggle-button { display: none; }
@media (max-width: 640px) {
  .gradio-container { padding-left: 4px !important; padding-right: 4px !important; }
  #header { flex-direction: column; }
  #header > * { width: 100%; }
  #chatbot { height: 70vh !important; }
  #concept-panel { width: 100vw !important; }
}
"""
# The chat does not follow the bottom of a long answer: when an answer appears, its start is scrolled to the top
# of the chat (the tool calls above it are one folded line) and kept there while the answer streams in, the tool
# calls fold and the folded report is added under it, until the reader scrolls, types or clicks. A sent message
# is scrolled into view. On a phone the page itself is scrolled so the chat's top shows. The ids are "chatbot"
# and the message rows gradio draws ("message-row", "user-row", "bot-row"; tool calls are "thought-group"s).
ANSWER_FIRST_HEAD = """
<script>
(() => {
  let lastUser = null, lastAnswer = null, pinned = null;
  for (const type of ["wheel", "touchstart", "keydown", "mousedown"]) {
    window.addEventListener(type, () => { pinned = null; }, {capture: true, passive: true});
  }
  const scroller = (chat) => {
    for (let node = chat.querySelector(".message-row"); node && node !== chat; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (/(auto|scroll)/.test(style.overflowY) && node.scrollHeight > node.clientHeight) return node;
    }
    return null;
  };
  const show = (chat, row) => {
    const box = scroller(chat);
    const off = box ? row.getBoundingClientRect().top - box.getBoundingClientRect().top - 8 : 0;
    if (box && Math.abs(off) > 2) box.scrollTop += off;
    if (chat.getBoundingClientRect().top < 0) chat.scrollIntoView({block: "start"});  // a phone: the page too
  };
  const check = () => {
    const chat = document.querySelector("#chatbot");
    if (!chat) return;
    const rows = [...chat.querySelectorAll(".message-row")];
    let user = -1;
    rows.forEach((row, index) => { if (row.classList.contains("user-row")) user = index; });
    if (user < 0) { lastUser = lastAnswer = pinned = null; return; }
    const answer = rows.slice(user + 1).find((row) => row.classList.contains("bot-row")
      && !row.querySelector(".thought-group") && row.textContent.trim());
    if (rows[user] !== lastUser) { lastUser = rows[user]; lastAnswer = pinned = null; show(chat, rows[user]); }
    if (answer && answer !== lastAnswer) { lastAnswer = pinned = answer; }
    if (pinned && pinned.isConnected) show(chat, pinned);
  };
  new MutationObserver(check).observe(document.documentElement, {childList: true, subtree: true});
})();
</script>
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
        session.release()


def _files(chat: ChatHandlers) -> Any:
    return lambda session: chat.session(session).files


def _ui_language(saved: str | None, request: gr.Request | None) -> str:
    if saved in LANGS:
        return saved
    header = request.headers.get("accept-language", "") if request is not None else ""
    return pick_lang(header.split(",")[0].strip())


def _gradio_session_forgetter(demo: gr.Blocks) -> Callable[[str], None]:
    """Drops a closed page's state from gradio's state holder. Gradio keeps each page's copy of the interface
    config (``SessionState``, about 1.5 MB here) after the page closes, only removing the oldest past
    ``state_session_capacity`` (10,000 pages): memory that grows with every visitor. The app needs none of it after
    the page's ``unload``: the conversation is in the browser. (``state_holder`` is gradio's attribute, set at
    launch; looked up when a page closes.)"""

    def forget(session_hash: str) -> None:
        holder = getattr(demo, "state_holder", None)
        if holder is None:
            return
        with holder.lock:
            holder.session_data.pop(session_hash, None)
            holder.time_last_used.pop(session_hash, None)

    return forget


def build_app(conversation_factory: ConversationFactory | None = None, *, settings: Settings | None = None
              ) -> gr.Blocks:
    """The app. ``conversation_factory(settings)`` makes each session's Conversation (default:
    :class:`assistant.session.Conversation`); ``settings`` are the sessions' defaults (default:
    from the environment, offline without a key)."""
    defaults = settings or default_settings()
    chat = ChatHandlers(conversation_factory or default_factory, defaults)
    panel = SettingsHandlers(chat)
    labels = Labels()
    with gr.Blocks(title="Scaling assistant", analytics_enabled=False,
                   delete_cache=(CACHE_TTL_S, CACHE_TTL_S)) as demo:
        chat.open_sessions.forget = _gradio_session_forgetter(demo)
        session = gr.State(None, time_to_live=SESSION_IDLE_S, delete_callback=_drop_session)
        saved_chat = gr.BrowserState([], storage_key="scaling-assistant-chat", secret=browser_secret())
        saved_lang = gr.BrowserState("", storage_key="scaling-assistant-ui-language", secret=browser_secret())
        with gr.Row(equal_height=True, elem_id="header"):
            labels.bind(gr.Markdown(tr("title"), elem_id="title"), value="title")
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

        def relabel(value: str | None, current: Any) -> list[Any]:
            language = pick_lang(value)
            label = current.mode_label if isinstance(current, ChatSession) else ChatSession.mode_for(defaults)
            return [*labels.updates(language), language, mode_text(label, language)]

        lang.change(relabel, [lang, session], [*labels.components, saved_lang, chat_ui["mode"]],
                    api_visibility="private", queue=False)
        demo.unload(chat.release)
    demo.queue(default_concurrency_limit=DEFAULT_CONCURRENCY)
    return demo


# --- the chat tab ---------------------------------------------------------------------------------------


def _chat_tab(labels: Labels, defaults: Settings) -> dict[str, Any]:
    ui: dict[str, Any] = {}
    with gr.Row():
        with gr.Column(scale=3):
            ui["chatbot"] = labels.bind(gr.Chatbot(
                label=tr("chatbot"), elem_id="chatbot", height=560, buttons=["copy", "copy_all"],
                feedback_options=None, layout="panel", group_consecutive_messages=False, autoscroll=False,
                show_label=False,
                placeholder=t("en", "welcome"), examples=[{"text": example} for example in EXAMPLES],
            ), label="chatbot", placeholder="welcome")
            ui["report"] = build_report_view("chat", labels)
            with gr.Row():
                ui["text"] = labels.bind(gr.Textbox(label=tr("message"), placeholder=tr("message_placeholder"),
                                                    elem_id="chat-input", scale=8, lines=1, max_lines=6),
                                         label="message", placeholder="message_placeholder")
                ui["send"] = labels.bind(gr.Button(tr("send"), variant="primary", elem_id="chat-send", scale=1),
                                         value="send")
                ui["pending"] = gr.Textbox(visible=False, elem_id="chat-pending")  # a sent message, being answered
                ui["view_key"] = gr.Textbox(visible=False, elem_id="chat-view-key")
            ui["examples"] = gr.Examples([[example] for example in EXAMPLES], inputs=[ui["text"]],
                                         label=tr("examples"), elem_id="chat-examples")
            labels.bind(ui["examples"].dataset, label="examples")
        with gr.Column(scale=1, min_width=280):
            ui["mode"] = labels.bind(gr.Textbox(value=mode_text(ChatSession.mode_for(defaults), "en"), label=tr("mode"),
                                                interactive=False, elem_id="mode-indicator"), label="mode")
            with gr.Accordion(tr("settings"), open=False, elem_id="settings") as box:
                labels.bind(box, label="settings")
                ui["provider"] = labels.bind(gr.Dropdown(
                    choices=provider_choices(), value=initial_provider(defaults), label=tr("provider"),
                    elem_id="settings-provider"), label="provider", choices=provider_choices)
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
    chatbot, text, view, pending = ui["chatbot"], ui["text"], ui["report"], ui["pending"]
    # A message is taken at once (shown, the textbox emptied, kept in the browser), then answered by a streaming
    # step whose only outputs are the chat and the session: every other output would cost each streamed update.
    take = {"fn": chat.take, "inputs": [text, chatbot, session, saved_chat],
            "outputs": [chatbot, text, pending, session, saved_chat], "queue": False, "api_visibility": "private"}
    # the saved conversation and the view's key come with the answer's last update (one event per turn)
    answer = {"fn": chat.answer, "inputs": [pending, chatbot, session, saved_chat, lang],
              "outputs": [chatbot, session, saved_chat, ui["view_key"]], "concurrency_limit": CHAT_CONCURRENCY,
              "concurrency_id": "chat"}
    turn_io = {"outputs": [chatbot, text, session, saved_chat], "concurrency_limit": CHAT_CONCURRENCY,
               "concurrency_id": "chat"}
    # after undo, retry, clear or a restore: the conversation into the browser, and a key of what the page around
    # the chat shows, whose change (only) updates the exports, the plots and the mode
    after = {"fn": chat.after_turn, "inputs": [session, chatbot, lang], "outputs": [saved_chat, ui["view_key"]],
             "api_visibility": "private"}
    ui["view_key"].change(chat.show_view, [session, lang], [*view.outputs, ui["mode"]], api_visibility="private")

    text.submit(**take).then(**answer, api_name="chat")
    ui["send"].click(**take).then(**answer, api_visibility="private")
    ui["examples"].load_input_event.then(**take).then(**answer, api_visibility="private")
    chatbot.example_select(_example_text, None, [text], api_visibility="private", queue=False).then(**take).then(
        **answer, api_visibility="private")
    chatbot.retry(chat.retry, [chatbot, session, saved_chat], api_visibility="private", **turn_io).then(**after)
    chatbot.undo(chat.undo, [chatbot, session, saved_chat], [chatbot, text, session], api_visibility="private"
                 ).then(**after)
    chatbot.clear(chat.clear, [session], [chatbot, session], api_visibility="private").then(**after)
    demo.load(chat.restore, [saved_chat, session], [chatbot, session, text], api_visibility="private").then(**after)
    wire_report_view(view, session, _files(chat), api=True)

    ui["provider"].change(fill_preset, [ui["provider"]], [ui["base_url"], ui["model"]], api_visibility="private",
                          queue=False)
    panel_inputs = [ui["provider"], ui["base_url"], ui["model"], ui["api_key"], session, lang]
    ui["apply"].click(panel.apply, panel_inputs, [session, ui["api_key"], ui["mode"], ui["key_note"]],
                      api_name="apply_settings")
    ui["test"].click(panel.test, panel_inputs, [ui["status"]], api_name="test_connection")


def _example_text(selected: gr.SelectData) -> str:
    value = selected.value
    return str(value.get("text") or "") if isinstance(value, dict) else str(value or "")


# --- launching ----------------------------------------------------------------------------------------------


GRADIO_QUEUE_ENV = {
    # gradio recomputes a pandas summary of the last GRADIO_ANALYTICS_MAX_EVENTS events after every
    # event (~10 ms at its default of 10,000), for a monitoring page this app does not show; each kept event is a
    # record that outlives its request, scattered among the memory freed around it (after a 50-session load,
    # 13-19% over the warm baseline stayed held with 1 kept and two arenas, 18-21% with 1,000): keep one, refresh
    # the summary less often
    "GRADIO_ANALYTICS_MAX_EVENTS": "1",
    "GRADIO_ANALYTICS_CACHE_FREQUENCY": "20",
}


ABSENT_OPTIONAL_MODULES = ("matplotlib", "bokeh")


def tune_gradio_queue() -> None:
    """Defaults for gradio's queue bookkeeping (read when the queue is built: call before build_app), and the
    optional plotting packages gradio looks for on every event (``import matplotlib`` around each call,
    ``import bokeh`` for each plot's config): when they are not installed, a failed import searches the whole
    path again each time, so they are recorded as absent once. Also limits the process's malloc arenas
    (:func:`ui.memory.limit_arenas`), before the server's threads exist."""
    for name, value in GRADIO_QUEUE_ENV.items():
        os.environ.setdefault(name, value)
    limit_arenas()
    for module in ABSENT_OPTIONAL_MODULES:
        if module not in sys.modules and importlib.util.find_spec(module) is None:
            sys.modules[module] = None  # type: ignore[assignment]  # "import module" now fails at once


def launch_options() -> dict[str, Any]:
    """What every launch uses (main, tests, bench): local only, no share link, no run history
    (it would keep the settings panel's inputs in the browser), our translations, theme and CSS."""
    return {"server_name": HOST, "share": False, "run_history": False, "i18n": I18N, "css": CSS,
            "head": IME_GUARD_HEAD + CONCEPT_LINK_HEAD + ANSWER_FIRST_HEAD,
            "theme": gr.themes.Soft(font=FONT, font_mono=FONT_MONO), "footer_links": ["api", "settings"],
            "max_threads": MAX_THREADS}


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
