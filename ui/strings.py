"""The interface's own words in zh/en: one table feeds ``gr.I18n`` (the first render, by browser
locale) and the language switch (``relabel``). Answers follow the user's language regardless.
"""

from __future__ import annotations

from typing import Literal

import gradio as gr

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

EXAMPLES: tuple[str, ...] = (
    "145M 参数的 MoE，1 个共享专家 + 4 个路由专家，top-1，28.9M 条样本 × 512 字，8 张 4090",
    "我有 8 张 4090，可以用 7 天，应该训练多大的模型？",
    "DeepSeek-V3, 14.8T tokens, 2048 H800, MFU 35%, $2 per GPU-hour",
    "I have 8 GPUs (4090) for 7 days, what should I train?",
)

STRINGS: dict[Lang, dict[str, str]] = {
    "en": {
        "title": "# Scaling assistant\nPlan an LLM pre-training run: parameters, tokens, FLOPs, Chinchilla, GPU time.",
        "tab_chat": "Chat",
        "tab_calculator": "Calculator",
        "tab_budget": "Plan from budget",
        "budget_hardware": "### GPUs",
        "budget_amount": "### Budget (one of them)",
        "budget_options": "### Options",
        "days": "Days",
        "gpu_hours": "GPU-hours",
        "budget_money": "Money (with a price per GPU-hour)",
        "compute_flops": "Compute (FLOPs)",
        "architectures": "Architectures",
        "arch_both": "MoE and dense",
        "fit": "Scaling-law fit (default epoch-2024)",
        "unique_tokens": "Unique data available (tokens)",
        "inference_tokens": "Tokens to serve over the model's life",
        "zero_stage": "ZeRO stage for the memory check",
        "recommend": "Recommend configurations",
        "internal_error": "something went wrong on our side; the details are in the server log",
        "ui_language": "Interface language",
        "chatbot": "Scaling assistant",
        "message": "Your message",
        "message_placeholder": "Describe the run: model, data, GPUs … (Enter to send)",
        "send": "Send",
        "examples": "Examples (click to fill in)",
        "settings": "Model settings",
        "provider": "Provider preset",
        "base_url": "Base URL (OpenAI-compatible, …/v1)",
        "model": "Model name",
        "api_key": "API key (kept in this session only; never shown again)",
        "api_key_placeholder": "leave empty for the offline model (or the server's own key)",
        "apply": "Apply settings",
        "test": "Test connection",
        "mode": "Mode",
        "exports": "Exports",
        "export_markdown": "Markdown report",
        "export_latex": "LaTeX (paragraph + table)",
        "export_bibtex": "BibTeX",
        "export_json": "JSON",
        "export_plots": "Plots (HTML)",
        "plots": "Plots",
        "plot_frontier": "Compute-optimal frontier",
        "plot_loss": "Predicted loss vs tokens",
        "plot_tpp": "Tokens per parameter",
        "plot_wall": "Wall clock vs GPU count",
        "plot_candidates": "Recommended configurations",
        "calc_model": "### Model",
        "calc_data": "### Data",
        "calc_hardware": "### Hardware (optional)",
        "model_source": "Model given as",
        "src_preset": "preset",
        "src_config": "config.json",
        "src_dims": "dimensions",
        "src_total": "total only (estimate)",
        "preset": "Preset",
        "config_file": "HuggingFace config.json",
        "vocab_size": "Vocabulary size (tokens)",
        "hidden_size": "Hidden size d_model (dims)",
        "num_layers": "Layers (count)",
        "num_heads": "Attention heads (count)",
        "num_kv_heads": "KV heads, GQA (count; blank = heads)",
        "head_dim": "Head dimension (dims; blank = hidden/heads)",
        "intermediate_size": "FFN width, SwiGLU (dims)",
        "tied_embeddings": "Input embedding and lm_head (blank = not stated: counted as two matrices)",
        "tie_tied": "tied (one shared matrix)",
        "model_kind": "Dense or MoE (blank = as the other fields say)",
        "kind_dense": "dense",
        "kind_moe": "MoE",
        "granularity": "Granularity G = FFN width / expert width (blank = not used)",
        "tie_untied": "untied (two matrices)",
        "total_params": "Total parameters (count, e.g. 145M)",
        "active_params": "Activated parameters, if known (count, e.g. 2.4B; blank = estimated)",
        "num_experts": "Routed experts per MoE layer (count)",
        "num_shared_experts": "Shared experts (count)",
        "expert_intermediate_size": "Routed expert width (dims; blank = FFN width)",
        "top_k": "Experts per token, top-k (count; blank = architecture's)",
        "first_k_dense": "Leading dense layers (count)",
        "data_source": "Data given as",
        "src_samples": "samples × length × epochs",
        "src_tokens": "tokens",
        "tokens": "Training tokens (count, e.g. 14.8B)",
        "samples": "Samples (count, e.g. 28.9M)",
        "mean_length": "Mean sample length (tokens or characters)",
        "length_unit": "Length unit",
        "unit_tokens": "tokens",
        "unit_chars": "characters",
        "tokens_per_char": "Tokens per character (ratio; blank = 1)",
        "epochs": "Epochs (passes)",
        "seq_len": "Sequence length (tokens; blank = mean length, else 2048)",
        "gpu": "GPU (blank = no GPU projection)",
        "gpu_count": "GPUs (count)",
        "mfu": "MFU (fraction of peak, 0–1; blank = cited default)",
        "price": "Price (per GPU-hour)",
        "currency": "Currency (code)",
        "calculate": "Calculate",
        "calc_report": "Report",
        "calc_errors_title": "**Please fix:**",
        "key_set": "🔑 API key set for this session (hidden).",
        "key_env": "🔑 Using the server's configured API key (hidden).",
        "restored": "Conversation restored from this browser.",
        "welcome": "### Plan a pre-training run\nDescribe the model, the data and the GPUs in your own words, "
                   "or start from an example:",
        "mode_offline": "offline (built-in model)",
        "mode_fallback": "offline (fallback after the endpoint failed)",
        "provider_offline": "Offline (built-in)",
    },
    "zh": {
        "title": "# 规模规划助手\n规划一次大模型预训练：参数量、token、FLOPs、Chinchilla 判断、GPU 时间。",
        "tab_chat": "对话",
        "tab_calculator": "计算器",
        "tab_budget": "按预算规划",
        "budget_hardware": "### GPU",
        "budget_amount": "### 预算（任选其一）",
        "budget_options": "### 选项",
        "days": "天数",
        "gpu_hours": "卡时",
        "budget_money": "资金（需填每卡时单价）",
        "compute_flops": "计算量（FLOPs）",
        "architectures": "结构类型",
        "arch_both": "MoE 与稠密",
        "fit": "缩放律拟合（默认 epoch-2024）",
        "unique_tokens": "可用的不重复数据（token）",
        "inference_tokens": "模型一生要推理的 token",
        "zero_stage": "显存检查用的 ZeRO 阶段",
        "recommend": "推荐配置",
        "internal_error": "我们这边出了问题；详情见服务器日志",
        "ui_language": "界面语言",
        "chatbot": "规模规划助手",
        "message": "你的问题",
        "message_placeholder": "描述你的训练：模型、数据、GPU……（回车发送）",
        "send": "发送",
        "examples": "示例（点击填入）",
        "settings": "模型设置",
        "provider": "服务商预设",
        "base_url": "Base URL（OpenAI 兼容，…/v1）",
        "model": "模型名",
        "api_key": "API Key（只保存在本次会话中，不会再显示）",
        "api_key_placeholder": "留空则使用内置离线模型（或服务器配置的 Key）",
        "apply": "应用设置",
        "test": "测试连接",
        "mode": "模式",
        "exports": "导出",
        "export_markdown": "Markdown 报告",
        "export_latex": "LaTeX（段落 + 表格）",
        "export_bibtex": "BibTeX",
        "export_json": "JSON",
        "export_plots": "图表（HTML）",
        "plots": "图表",
        "plot_frontier": "计算最优前沿",
        "plot_loss": "预测损失与 token",
        "plot_tpp": "每参数 token 数",
        "plot_wall": "墙钟时间与 GPU 数量",
        "plot_candidates": "推荐的配置",
        "calc_model": "### 模型",
        "calc_data": "### 数据",
        "calc_hardware": "### 硬件（可选）",
        "model_source": "模型的给法",
        "src_preset": "预设",
        "src_config": "config.json",
        "src_dims": "结构维度",
        "src_total": "只有总参数（估算）",
        "preset": "预设",
        "config_file": "HuggingFace config.json",
        "vocab_size": "词表大小（token 数）",
        "hidden_size": "隐藏维度 d_model（维）",
        "num_layers": "层数（个）",
        "num_heads": "注意力头数（个）",
        "num_kv_heads": "KV 头数，GQA（个；留空 = 头数）",
        "head_dim": "每头维度（维；留空 = 隐藏维度/头数）",
        "intermediate_size": "FFN 宽度，SwiGLU（维）",
        "tied_embeddings": "输入词嵌入与输出头（留空 = 未说明：按两个矩阵计算）",
        "tie_tied": "共享（一个矩阵）",
        "model_kind": "稠密还是 MoE（留空 = 按其他字段判断）",
        "kind_dense": "稠密",
        "kind_moe": "MoE",
        "granularity": "粒度 G = FFN 宽度 ÷ 专家宽度（留空 = 不用）",
        "tie_untied": "不共享（两个矩阵）",
        "total_params": "总参数（个，如 145M）",
        "active_params": "激活参数，如已知（个，如 2.4B；留空 = 估算）",
        "num_experts": "每个 MoE 层的路由专家数（个）",
        "num_shared_experts": "共享专家数（个）",
        "expert_intermediate_size": "路由专家宽度（维；留空 = FFN 宽度）",
        "top_k": "每个 token 激活的专家数 top-k（个；留空 = 结构默认）",
        "first_k_dense": "前置稠密层数（个）",
        "data_source": "数据的给法",
        "src_samples": "样本数 × 长度 × 轮数",
        "src_tokens": "token 数",
        "tokens": "训练 token 数（个，如 14.8B 或 148亿）",
        "samples": "样本数（条，如 28.9M）",
        "mean_length": "平均样本长度（token 或字）",
        "length_unit": "长度单位",
        "unit_tokens": "token",
        "unit_chars": "字（字符）",
        "tokens_per_char": "每字 token 数（比值；留空 = 1）",
        "epochs": "训练轮数（epoch）",
        "seq_len": "序列长度（token；留空 = 平均长度，否则 2048）",
        "gpu": "GPU（留空 = 不估算 GPU 时间）",
        "gpu_count": "GPU 数量（张）",
        "mfu": "MFU（峰值的比例，0–1；留空 = 有出处的默认值）",
        "price": "单价（每卡时）",
        "currency": "币种（代码）",
        "calculate": "计算",
        "calc_report": "报告",
        "calc_errors_title": "**请修改：**",
        "key_set": "🔑 本次会话已设置 API Key（已隐藏）。",
        "key_env": "🔑 使用服务器配置的 API Key（已隐藏）。",
        "restored": "已从本浏览器恢复之前的对话。",
        "welcome": "### 规划一次预训练\n用自己的话描述模型、数据和 GPU，或者从一个示例开始：",
        "mode_offline": "离线（内置模型）",
        "mode_fallback": "离线（接口失败后改用内置模型）",
        "provider_offline": "离线（内置）",
    },
}

FRIENDLY_ERROR: dict[Lang, str] = {
    "zh": "抱歉，出了点问题，这一轮没有完成。对话还在，可以再试一次或换个说法。",
    "en": "Sorry, something went wrong and this turn did not finish. The chat is still here; try again or rephrase.",
}

CONNECTION_TEXT: dict[Lang, dict[str, str]] = {
    "en": {"ok": "✅ Connected to {url}. Models: {models}. {listed}", "listed": "'{model}' is available.",
           "unlisted": "'{model}' is not in the list.", "failed": "❌ Connection to {url} failed: {reason}.",
           "offline": "ℹ️ Offline mode: no endpoint to test (give an API key or a local provider)."},
    "zh": {"ok": "✅ 已连接 {url}。可用模型：{models}。{listed}", "listed": "“{model}” 可用。",
           "unlisted": "列表中没有 “{model}”。", "failed": "❌ 连接 {url} 失败：{reason}。",
           "offline": "ℹ️ 当前为离线模式：没有可测试的接口（请填写 API Key 或选择本地服务）。"},
}

_PREFIX = "sa."  # the browser translates any label equal to a key: namespaced keys never collide with values


def _keyed(table: dict[str, str]) -> dict[str, str]:
    return {_PREFIX + key: value for key, value in table.items()}


I18N = gr.I18n(en=_keyed(STRINGS["en"]), zh=_keyed(STRINGS["zh"]), **{"zh-CN": _keyed(STRINGS["zh"])})


def t(lang: str, key: str) -> str:
    """The text of ``key`` in ``lang`` (English for anything but zh)."""
    return STRINGS["zh" if lang == "zh" else "en"][key]


def tr(key: str) -> gr.i18n.I18nData:
    """A translatable label for a component (resolved in the browser by gr.I18n)."""
    return I18N(_PREFIX + key)


def mode_text(label: str, lang: str) -> str:
    """The mode indicator in ``lang``: the offline modes translated, a model's name as it is."""
    names = {"offline": "mode_offline", "offline (fallback)": "mode_fallback"}
    return t(lang, names[label]) if label in names else label


def pick_lang(value: str | None) -> Lang:
    """'zh' for any Chinese locale or switch value, else 'en'."""
    return "zh" if (value or "").lower().startswith("zh") else "en"
