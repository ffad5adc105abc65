"""Chinese renderings of the tools' assumption sentences.

The tools state their assumptions in English (they are also read by LLMs). A Chinese report
shows them in Chinese: each known sentence shape maps to a Chinese template that reuses the
values it carries. A sentence with no known shape is shown as it is, so nothing is dropped.
"""

from __future__ import annotations

import re

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), t) for p, t in (
    (r"^architecture from preset (?P<name>\S+) \((?P<source>.*)\)$", "架构取自预设 {name}（{source}）"),
    (r"^architecture from the given config\.json$", "架构取自给定的 config.json"),
    (r"^architecture from explicit dimensions \(SwiGLU MLP, RMSNorm, RoPE\)$",
     "架构由给定维度构造（SwiGLU MLP、RMSNorm、RoPE）"),
    (r"^routing overridden: top-(?P<k>\d+) instead of the architecture's top-(?P<orig>\d+)$",
     "路由改为 top-{k}（该架构原为 top-{orig}）"),
    (r"^(?P<total>[\d.]+)M total with (?P<shared>\d+) shared \+ (?P<n>\d+) routed experts matches preset (?P<name>\S+) "
     r"\((?P<count>[\d,]+) parameters\): counted exactly with its architecture at top-(?P<k>\d+)$",
     "总参数 {total}M、{shared} 个共享 + {n} 个路由专家，与预设 {name}（{count} 参数）一致："
     "按其架构在 top-{k} 下精确计数"),
    (r"^routing overridden: top-(?P<k>\d+) instead of the architecture's top-(?P<orig>\d+) \((?P<active>[\d,]+) active "
     r"at top-(?P<k2>\d+)\)$", "路由改为 top-{k}（该架构原为 top-{orig}，那时激活参数为 {active}）"),
    (r"^FFN width not given: assumed (?P<w>\d+) = .*$",
     "未给出 FFN 宽度：按 {w} 计算（= 64·⌈(8/3)·hidden/64⌉，即参数量与 4×hidden MLP 相同的 SwiGLU，"
     "MiniMind 与 Llama 的取法）"),
    (r"^tied embeddings not stated: input embedding and lm_head counted as separate matrices$",
     "未说明是否共享词嵌入：输入词嵌入与输出头按两个独立矩阵计算"),
    (r"^top-k routing not given: assumed top-1$", "未给出 top-k：按 top-1 计算"),
    (r"^dense model of the given total size: activated = total parameters$",
     "按给定总参数的稠密模型计算：激活参数 = 总参数"),
    (r"^activated parameters estimated, not counted: experts assumed equal in size, their share of all parameters "
     r"taken from the closest preset (?P<name>\S+) \((?P<pct>[\d.]+%) of its parameters are experts\); a token uses "
     r"(?P<shared>\d+) shared \+ (?P<k>\d+) routed of (?P<n>\d+) experts$",
     "激活参数为估算而非精确计数：假设各专家大小相同，专家参数占比取自最接近的预设 {name}（专家占 {pct}）；"
     "每个 token 使用 {shared} 个共享专家 + {k} 个路由专家（共 {n} 个专家）"),
    (r"^activated parameters estimated, not counted: experts assumed equal in size, their share of all parameters "
     r"taken from the given expert share \((?P<pct>[\d.]+%)\); a token uses (?P<shared>\d+) shared \+ (?P<k>\d+) "
     r"routed of (?P<n>\d+) experts$",
     "激活参数为估算而非精确计数：假设各专家大小相同，专家参数占比 {pct}（给定）；"
     "每个 token 使用 {shared} 个共享专家 + {k} 个路由专家（共 {n} 个专家）"),
    (r"^training tokens given directly$", "训练 token 数直接给出"),
    (r"^tokens = samples × mean length × epochs \(lengths are in tokens\)$",
     "token 数 = 样本数 × 平均长度 × epoch 数（长度以 token 计）"),
    (r"^tokens = samples × mean length × epochs \(lengths are in characters; (?P<f>[\d.]+) token\(s\) per character "
     r"\(default assumption: depends on the tokenizer\)\)$",
     "token 数 = 样本数 × 平均长度 × epoch 数（长度以字符计；按每字符 {f} 个 token 换算——默认假设，实际取决于分词器）"),
    (r"^tokens = samples × mean length × epochs \(lengths are in characters; (?P<f>[\d.]+) token\(s\) per character "
     r"\(given\)\)$", "token 数 = 样本数 × 平均长度 × epoch 数（长度以字符计；每字符 {f} 个 token，给定）"),
    (r"^sequence length taken as the mean sample length, (?P<n>\d+) tokens$", "序列长度取平均样本长度：{n} token"),
    (r"^sequence length not given: assumed (?P<n>\d+)$", "未给出序列长度：按 {n} 计算"),
    (r"^detailed count needs the architecture: only 6·N·D is given$", "逐项计数需要具体架构：这里只给出 6·N·D"),
    (r"^(?P<n>\d+) × (?P<gpu>.+), dense BF16 peak (?P<t>[\d.]+) TFLOPS$", "{n} × {gpu}，每卡稠密 BF16 峰值 {t} TFLOPS"),
    (r"^MFU not given: (?P<mfu>\d+%) \(default for MoE runs: .*\)$",
     "未给出 MFU：按 {mfu} 计算（MoE 默认值：DeepSeek-V3 预训练在 H800 上约为 BF16 峰值的 35%，文献表 §9b；"
     "MoE 因 all-to-all 与负载不均通常低于稠密模型）"),
    (r"^MFU not given: (?P<mfu>\d+%) \(default for dense runs: .*\)$",
     "未给出 MFU：按 {mfu} 计算（稠密默认值：Llama 2 7B/13B/70B 在 A100 上约 39%/38%/43%，文献表 §9b；"
     "Megatron-LM 在 H100 上报告 38–47%）"),
    (r"^fits and losses treat the activated parameters as N .*$",
     "各拟合与损失预测以激活参数作为 N（它们基于稠密模型得到；MoE 通常优于同等激活规模的稠密模型）"),
    (r"^GPU time uses 6·N_active·D, the numerator the default MFUs were calibrated with$",
     "GPU 时间按 6·N_激活·D 计算，与默认 MFU 的标定口径一致"),
    (r"^(?P<n>\d+) × (?P<gpu>.+); micro-batch (?P<mb>\d+), sequence (?P<s>\d+), ZeRO-(?P<z>\d), recompute (?P<r>\w+)$",
     "{n} × {gpu}；micro-batch {mb}，序列 {s}，ZeRO-{z}，重计算 {r}"),
    (r"^FLOPs = GPU-hours × 3600 × peak × MFU \(PaLM App\. B\)$", "FLOPs = 卡时 × 3600 × 峰值 × MFU（PaLM 附录 B）"),
    (r"^training FLOPs given directly$", "训练 FLOPs 直接给出"),
))

_LABELS = {
    "MoE model (total only)": "MoE 模型（仅知总参数）",
    "dense model (total only)": "稠密模型（仅知总参数）",
    "explicit dimensions": "按给定维度",
}


def localise_assumption(sentence: str, language: str) -> str:
    """``sentence`` in ``language`` ('en' returns it unchanged)."""
    if language != "zh":
        return sentence
    for pattern, template in _PATTERNS:
        match = pattern.match(sentence)
        if match:
            return template.format(**match.groupdict())
    return sentence


def localise_label(label: str, language: str) -> str:
    return _LABELS.get(label, label) if language == "zh" else label
