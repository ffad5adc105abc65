"""Concept links open their glossary entry in a side panel.

Answers and reports link concepts as ``[MoE 路由](#concept/zh/moe-routing)`` (see
:func:`prompts.glossary.link_concepts`). Gradio renders such a link as a plain in-page anchor (it opens
only external links in a new tab), so :data:`CONCEPT_LINK_HEAD`, a capture-phase click listener, stops
the jump and writes the link's target into a hidden textbox; its ``change`` event shows the entry, in the
link's language, in a right-hand sidebar that opens for it. The same links work in the chat, in the folded
report and in the calculator's report; in Markdown files they are footnotes instead
(:func:`assistant.report.markdown_file`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from assistant.report import concept_page

REQUEST_ID = "concept-request"
PANEL_ID = "concept-panel"
ENTRY_ID = "concept-entry"
CONCEPT_LINK_HEAD = """
<script>
window.addEventListener("click", (event) => {
  const link = event.target instanceof Element ? event.target.closest('a[href^="#concept/"]') : null;
  const box = document.querySelector("#concept-request textarea, #concept-request input");
  if (!link || !box) return;
  event.preventDefault();
  event.stopPropagation();
  box.value = link.getAttribute("href") + " " + Date.now();  // a new value on every click, so each one shows
  box.dispatchEvent(new Event("input", {bubbles: true}));
}, true);
</script>
"""  # the ids are REQUEST_ID


@dataclass
class ConceptPanel:
    request: gr.Textbox
    sidebar: gr.Sidebar
    entry: gr.Markdown


def build_concept_panel() -> ConceptPanel:
    """The hidden textbox the click listener writes to, and the closed sidebar the entry opens in."""
    request = gr.Textbox(visible="hidden", elem_id=REQUEST_ID)
    with gr.Sidebar(open=False, position="right", width=420, elem_id=PANEL_ID) as sidebar:
        entry = gr.Markdown("", elem_id=ENTRY_ID)
    return ConceptPanel(request, sidebar, entry)


def show_concept(request: str | None) -> tuple[Any, Any]:
    """(sidebar, entry) updates for a click: the entry, opened; nothing when the request is not a concept link."""
    href = (request or "").split(" ", 1)[0]
    page = concept_page(href)
    if page is None:
        return gr.skip(), gr.skip()
    return gr.Sidebar(open=True), gr.Markdown(page)


def wire_concept_panel(panel: ConceptPanel) -> None:
    panel.request.change(show_concept, [panel.request], [panel.sidebar, panel.entry], api_visibility="private",
                         queue=False)
