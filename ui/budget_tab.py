"""The "plan from budget" tab: GPUs and a budget (days, GPU-hours, money or FLOPs) → the recommended
configurations, their plot and the exports. The numbers come from :func:`assistant.budget_form.plan_from_budget`.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from assistant.budget_form import FIELDS, plan_from_budget
from assistant.calculator import catalogue
from ui.calculator_tab import drop_files, form_runner, number_field, wire_form
from ui.labels import Labels
from ui.report_view import build_report_view
from ui.strings import t, tr

_PREFIX = "budget"


def build_budget_tab(labels: Labels) -> dict[str, Any]:
    _, gpus = catalogue()
    form: dict[str, Any] = {}
    with gr.Row(elem_id="budget-form"):
        with gr.Column():
            labels.bind(gr.Markdown(tr("budget_hardware")), value="budget_hardware")
            form["gpu"] = labels.bind(gr.Dropdown(choices=gpus, value="", label=tr("gpu"),
                                                  elem_id="budget-gpu"), label="gpu")
            form["gpu_count"] = number_field(labels, "gpu_count", placeholder="8", prefix=_PREFIX)
            form["mfu"] = number_field(labels, "mfu", placeholder="0.35", prefix=_PREFIX)
        with gr.Column():
            labels.bind(gr.Markdown(tr("budget_amount")), value="budget_amount")
            form["days"] = number_field(labels, "days", placeholder="7", prefix=_PREFIX)
            form["gpu_hours"] = number_field(labels, "gpu_hours", placeholder="1344", prefix=_PREFIX)
            form["budget"] = number_field(labels, "budget_money", placeholder="20000", prefix=_PREFIX, field="budget")
            form["price"] = number_field(labels, "price", placeholder="2", prefix=_PREFIX)
            form["currency"] = labels.bind(gr.Dropdown(choices=["USD", "CNY", "EUR"], value=None,
                                                       allow_custom_value=True, label=tr("currency"),
                                                       elem_id="budget-currency"), label="currency")
            form["compute_flops"] = number_field(labels, "compute_flops", placeholder="3e20", prefix=_PREFIX)
        with gr.Column():
            labels.bind(gr.Markdown(tr("budget_options")), value="budget_options")
            kind_choices = [("arch_both", "both"), ("kind_moe", "moe"), ("kind_dense", "dense")]
            form["architectures"] = labels.bind(gr.Radio(
                choices=[(t("en", k), v) for k, v in kind_choices], value="both", label=tr("architectures"),
                elem_id="budget-architectures"), label="architectures", choices=kind_choices)
            form["fit"] = number_field(labels, "fit", placeholder="epoch-2024", prefix=_PREFIX)
            form["unique_tokens"] = number_field(labels, "unique_tokens", placeholder="2T", prefix=_PREFIX)
            form["inference_tokens"] = number_field(labels, "inference_tokens", placeholder="1T", prefix=_PREFIX)
            form["vocab_size"] = number_field(labels, "vocab_size", placeholder="32000", prefix=_PREFIX)
            form["seq_len"] = number_field(labels, "seq_len", placeholder="2048", prefix=_PREFIX)
            form["zero_stage"] = number_field(labels, "zero_stage", placeholder="2", prefix=_PREFIX)
    submit = labels.bind(gr.Button(tr("recommend"), variant="primary", elem_id="budget-submit"), value="recommend")
    problems = gr.Markdown("", visible=False, elem_id="budget-problems")
    report = gr.Markdown("", elem_id="budget-report")
    view = build_report_view(_PREFIX, labels)
    files = gr.State(None, delete_callback=drop_files)
    return {"form": form, "submit": submit, "problems": problems, "report": report, "view": view, "files": files}


_run_budget = form_runner(plan_from_budget, FIELDS, "plan from budget")


def wire_budget(ui: dict[str, Any], lang: gr.Radio) -> None:
    wire_form(ui, FIELDS, _run_budget, lang, prefix=_PREFIX, api_name="plan_from_budget")
