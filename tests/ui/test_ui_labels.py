"""The interface's words: both languages complete, and the switch relabels what was bound."""

from __future__ import annotations

import gradio as gr

from ui.labels import Labels
from ui.strings import I18N, STRINGS, pick_lang, tr


def test_both_languages_have_every_key() -> None:
    assert set(STRINGS["zh"]) == set(STRINGS["en"])
    assert I18N.translations_dict["zh-CN"] == {f"sa.{key}": value for key, value in STRINGS["zh"].items()}
    assert tr("send").key == "sa.send"


def test_the_switch_relabels_bound_components() -> None:
    labels = Labels()
    with gr.Blocks():
        box = labels.bind(gr.Textbox(), label="message", placeholder="message_placeholder")
        radio = labels.bind(gr.Radio(choices=["tokens", "chars"]), choices=[("unit_tokens", "tokens"),
                                                                             ("unit_chars", "chars")])
    assert labels.components == [box, radio]
    assert labels.updates("zh") == [
        {"__type__": "update", "label": "你的问题", "placeholder": "描述你的训练：模型、数据、GPU……（回车发送）"},
        {"__type__": "update", "choices": [("token", "tokens"), ("字（字符）", "chars")]},
    ]
    assert labels.updates("en")[0]["label"] == "Your message"


def test_locales_map_to_zh_or_en() -> None:
    assert [pick_lang(value) for value in ("zh-CN", "zh", "ZH-tw", "en-US", "fr", None, "")] == [
        "zh", "zh", "zh", "en", "en", "en", "en"]
