"""The calculator tab: a form for the model, the data and the hardware (every field with its unit),
the report and its plots and exports. The numbers come from :func:`ui.calculator.calculate`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import gradio as gr

from assistant.calculator import FIELDS, calculate, catalogue
from ui.exports import ReportFiles
from ui.labels import Labels
from ui.report_view import ReportView, after_turn_updates, build_report_view, wire_report_view
from ui.strings import pick_lang, t, tr

log = logging.getLogger(__name__)

# After a form is submitted, its result (the problems, or else the report) is scrolled into view.
SHOW_RESULT_JS = """
(...values) => {
  const prefix = "%s";
  const problems = document.querySelector(`#${prefix}-problems`);
  const target = problems && problems.offsetParent !== null && problems.textContent.trim()
    ? problems : document.querySelector(`#${prefix}-report`);
  if (target) target.scrollIntoView({block: "start"});
}
"""


def drop_files(files: Any) -> None:
    if isinstance(files, ReportFiles):
        files.forget()


def files_of(value: Any) -> ReportFiles:
    """A form tab's report and its files (a new, empty one before the first submit)."""
    return value if isinstance(value, ReportFiles) else ReportFiles()


def number_field(labels: Labels, key: str, *, placeholder: str = "", prefix: str = "calc",
                 field: str | None = None) -> gr.Textbox:
    """A quantity field: text read by tools.quantities ("28.9M", "148亿", "35%"); blank = not given (no pre-fill).
    ``key`` is its label, ``field`` (default ``key``) names its element."""
    return labels.bind(gr.Textbox(value="", label=tr(key), placeholder=placeholder, max_lines=1,
                                  elem_id=f"{prefix}-{(field or key).replace('_', '-')}"), label=key)


def build_calculator_tab(labels: Labels) -> dict[str, Any]:
    presets, gpus = catalogue()
    form: dict[str, Any] = {}
    groups: dict[str, Any] = {}
    with gr.Row(elem_id="calc-form"):
        with gr.Column():
            labels.bind(gr.Markdown(tr("calc_model")), value="calc_model")
            model_choices = [("src_preset", "preset"), ("src_config", "config"), ("src_dims", "dimensions"),
                             ("src_total", "total")]
            form["model_source"] = labels.bind(gr.Radio(
                choices=[(t("en", k), v) for k, v in model_choices], value="preset", label=tr("model_source"),
                elem_id="calc-model-source"), label="model_source", choices=model_choices)
            with gr.Group(visible=True) as groups["preset"]:
                form["preset"] = labels.bind(gr.Dropdown(choices=presets, value=None, label=tr("preset"),
                                                         elem_id="calc-preset"), label="preset")
            with gr.Group(visible=False) as groups["config"]:
                form["config_file"] = labels.bind(gr.File(label=tr("config_file"), file_types=[".json"],
                                                          type="filepath", elem_id="calc-config-file"),
                                                  label="config_file")
            with gr.Group(visible=False) as groups["dimensions"]:
                for key in ("vocab_size", "hidden_size", "num_layers", "num_heads", "num_kv_heads", "head_dim",
                            "intermediate_size"):
                    form[key] = number_field(labels, key)
                tie_choices = [("tie_tied", "tied"), ("tie_untied", "untied")]
                form["tied_embeddings"] = labels.bind(gr.Radio(
                    choices=[(t("en", k), v) for k, v in tie_choices], value=None, label=tr("tied_embeddings"),
                    elem_id="calc-tied-embeddings"), label="tied_embeddings", choices=tie_choices)
            with gr.Group(visible=True) as groups["total"]:
                form["total_params"] = number_field(labels, "total_params", placeholder="145M")
                form["active_params"] = number_field(labels, "active_params", placeholder="2.4B")
            form["top_k"] = number_field(labels, "top_k", placeholder="2")
            with gr.Group(visible=True) as groups["moe"]:
                kind_choices = [("kind_dense", "dense"), ("kind_moe", "moe")]
                form["model_kind"] = labels.bind(gr.Radio(
                    choices=[(t("en", k), v) for k, v in kind_choices], value=None, label=tr("model_kind"),
                    elem_id="calc-model-kind"), label="model_kind", choices=kind_choices)
                for key in ("num_experts", "num_shared_experts", "expert_intermediate_size", "granularity",
                            "first_k_dense"):
                    form[key] = number_field(labels, key)
        with gr.Column():
            labels.bind(gr.Markdown(tr("calc_data")), value="calc_data")
            data_choices = [("src_samples", "samples"), ("src_tokens", "tokens")]
            form["data_source"] = labels.bind(gr.Radio(
                choices=[(t("en", k), v) for k, v in data_choices], value="samples", label=tr("data_source"),
                elem_id="calc-data-source"), label="data_source", choices=data_choices)
            with gr.Group(visible=False) as groups["tokens"]:
                form["tokens"] = number_field(labels, "tokens", placeholder="14.8B")
            with gr.Group(visible=True) as groups["samples"]:
                form["samples"] = number_field(labels, "samples", placeholder="28.9M")
                form["mean_length"] = number_field(labels, "mean_length", placeholder="512")
                unit_choices = [("unit_tokens", "tokens"), ("unit_chars", "chars")]
                form["length_unit"] = labels.bind(gr.Radio(
                    choices=[(t("en", k), v) for k, v in unit_choices], value=None, label=tr("length_unit"),
                    elem_id="calc-length-unit"), label="length_unit", choices=unit_choices)
                form["tokens_per_char"] = number_field(labels, "tokens_per_char")
                form["epochs"] = number_field(labels, "epochs", placeholder="1")
            form["seq_len"] = number_field(labels, "seq_len")
        with gr.Column():
            labels.bind(gr.Markdown(tr("calc_hardware")), value="calc_hardware")
            form["gpu"] = labels.bind(gr.Dropdown(choices=gpus, value="", label=tr("gpu"),
                                                  elem_id="calc-gpu"), label="gpu")
            form["gpu_count"] = number_field(labels, "gpu_count", placeholder="8")
            form["mfu"] = number_field(labels, "mfu", placeholder="0.35")
            form["price"] = number_field(labels, "price", placeholder="2")
            form["currency"] = labels.bind(gr.Dropdown(choices=["USD", "CNY", "EUR"], value=None,
                                                       allow_custom_value=True, label=tr("currency"),
                                                       elem_id="calc-currency"), label="currency")
    submit = labels.bind(gr.Button(tr("calculate"), variant="primary", elem_id="calc-submit"), value="calculate")
    problems = gr.Markdown("", visible=False, elem_id="calc-problems")
    report = gr.Markdown("", elem_id="calc-report")
    view = build_report_view("calc", labels)
    files = gr.State(None, delete_callback=drop_files)
    return {"form": form, "groups": groups, "submit": submit, "problems": problems, "report": report, "view": view,
            "files": files}


def _model_groups(source: str) -> list[Any]:
    """The source's own fields, plus the stated sizes and the expert layout, which go with any source."""
    return [gr.update(visible=source == name) for name in ("preset", "config", "dimensions")] + [
        gr.update(visible=True), gr.update(visible=True)]


def _data_groups(source: str) -> list[Any]:
    return [gr.update(visible=source == "tokens"), gr.update(visible=source != "tokens")]


def form_runner(compute: Callable[..., Any], fields: tuple[str, ...], what: str) -> Callable[..., list[Any]]:
    """A form's click handler: its values (then the interface language and the tab's report files) → problems,
    report, the report view, the report files. ``compute(values, language=…)`` returns an outcome with
    ``problems`` and ``report``; a bug shows as a message, never as a trace. Exports and plots are made later,
    when asked for."""
    def run(*values: Any) -> list[Any]:
        *form_values, lang, old = values
        files = files_of(old)
        language = pick_lang(lang)
        try:
            outcome = compute(dict(zip(fields, form_values, strict=True)), language=language)
        except Exception:  # noqa: BLE001 - a bug shows as a message, never as a trace
            log.exception("%s failed", what)
            files.set(None)
            failed = f"{t(language, 'calc_errors_title')}\n- {t(language, 'internal_error')}"
            return [gr.update(value=failed, visible=True), "", *after_turn_updates(files), files]
        if outcome.problems:
            files.set(None)
            lines = "\n".join(f"- {problem}" for problem in outcome.problems)
            return [gr.update(value=f"{t(language, 'calc_errors_title')}\n{lines}", visible=True), "",
                    *after_turn_updates(files), files]
        files.set(outcome.report)
        return [gr.update(value="", visible=False), outcome.report.markdown, *after_turn_updates(files), files]

    return run


def wire_form(ui: dict[str, Any], fields: tuple[str, ...], run: Callable[..., list[Any]], lang: gr.Radio, *,
              prefix: str, api_name: str) -> None:
    """The submit button of a form tab (its result then scrolled into view) and the tab's exports and plots."""
    view: ReportView = ui["view"]
    ui["submit"].click(run, [*[ui["form"][name] for name in fields], lang, ui["files"]],
                       [ui["problems"], ui["report"], *view.outputs, ui["files"]], api_name=api_name).then(
        None, None, None, js=SHOW_RESULT_JS % prefix, api_visibility="private")
    wire_report_view(view, ui["files"], files_of)


_run_calculator = form_runner(calculate, FIELDS, "calculator")


def wire_calculator(ui: dict[str, Any], lang: gr.Radio) -> None:
    form, groups = ui["form"], ui["groups"]
    form["model_source"].change(_model_groups, [form["model_source"]],
                                [groups[k] for k in ("preset", "config", "dimensions", "total", "moe")],
                                api_visibility="private", queue=False)
    form["data_source"].change(_data_groups, [form["data_source"]], [groups["tokens"], groups["samples"]],
                               api_visibility="private", queue=False)
    wire_form(ui, FIELDS, _run_calculator, lang, prefix="calc", api_name="calculate")
