"""Finding English in Chinese text: Latin words outside a hand-written allow-list, and internal slugs.

A Chinese answer may name things in Latin letters: models and GPUs, units, fits and their authors, the
established technical terms that Chinese writers leave untranslated, math symbols and LaTeX commands. Any
other Latin word is English prose that leaked into Chinese (a source string, an error message, an untranslated
template line) and :func:`latin_words` reports it. The lists below are typed by hand, not read from the code
under test, so a leak cannot allow itself.

:func:`internal_codes` reports identifiers that mean nothing to a reader: glossary slugs, fit keys, preset keys
and the literature sheet's section codes ("§9b").
"""

from __future__ import annotations

import re

#: Names and terms a Chinese sentence may write in Latin letters (case-sensitive).
ALLOWED_WORDS: frozenset[str] = frozenset({
    # units and quantities
    "GB", "GiB", "MB", "TB", "TFLOPS", "TFLOPs", "FLOPs", "FLOP", "PFLOPs", "kWh", "W", "nats", "token", "epoch",
    "MFU", "GPU", "CPU", "HBM", "BF", "FP", "PUE", "USD", "CNY", "EUR",
    # hardware names
    "NVIDIA", "GeForce", "RTX", "SXM", "PCIe", "AMD", "Instinct",
    # architecture and training terms that stay in Latin letters in Chinese writing
    "MoE", "ZeRO", "FlashAttention", "SwiGLU", "RMSNorm", "LayerNorm", "RoPE", "GQA", "MHA", "MQA", "MLA", "MTP",
    "FFN", "MLP", "KV", "WSD", "AdamW", "Adam", "SGD", "Transformer", "HFU", "TPU", "LLM", "nat",
    # file formats, tools and software
    "LaTeX", "BibTeX", "siunitx", "booktabs", "natbib", "ctex", "xelatex", "pdflatex", "plainnat", "Markdown",
    "JSON", "HTML", "PNG", "API", "HTTP", "URL", "HuggingFace",
    "Megatron", "LM", "PyTorch", "nanoGPT", "llmq", "arXiv",
    # models and model families
    "MiniMind", "minimind", "Llama", "Qwen", "DeepSeek", "Mixtral", "Mistral", "OLMoE", "GLM", "Air", "ERNIE",
    "Hunyuan", "gpt", "oss", "dots", "llm", "PaLM", "Gopher", "GPT", "MiniCPM", "Lite", "Small", "Scout",
    "Maverick", "SmolLM", "Ada", "Lovelace", "OpenAI",
    "mixtral", "llama", "mistral", "qwen", "olmoe", "deepseek",  # as config.json's model_type names them
    # fits and the authors cited beside them
    "Chinchilla", "Kaplan", "Hoffmann", "Besiroglu", "Epoch", "AI", "Chowdhery", "Sardana", "Krajewski",
    "Korthikanti", "Rajbhandari", "Muennighoff", "Hu", "Clark", "Ludziejewski", "Brown", "Allal", "Tian", "Ling",
    "DeepSeekMoE",
})
#: Phrases allowed as a whole (their words are not allowed alone).
ALLOWED_PHRASES: tuple[str, ...] = (
    "et al.", "all-to-all", "micro-batch", "top-k", "config.json", "MT-NLG", "UTF-8", "QKᵀ", "Switch Transformer",
    "minimind-3-moe", "scaling-assistant",
)
#: Names written in a form no prose takes: inline code (a value to type, "`chars`"), a repository path
#: ("Qwen/Qwen3-30B-A3B"), a file name ("model.py"), a code identifier or a subscripted symbol ("model_type",
#: "d_model"), "top-2", and LaTeX commands.
ALLOWED_FORMS: tuple[re.Pattern[str], ...] = (
    re.compile(r"`[^`\n]+`"),
    re.compile(r"(?<![\w/])[A-Za-z0-9][\w.-]*/[\w.-]*[A-Za-z][\w.-]*"),
    re.compile(r"\b[\w-]+\.(?:py|md|ipynb|cpp|json|jsonl|bib|tex)\b"),
    re.compile(r"\b[A-Za-z][A-Za-z0-9]*_\w+"),
    re.compile(r"\btop-\d+\b"),
    # LaTeX commands whose arguments are names, not prose: packages, classes, citation keys, labels
    re.compile(r"\\(?:usepackage|documentclass|cite[tp]?|ref|label|bibliographystyle|bibliography)"
               r"(?:\[[^\]]*\])?\{[^}]*\}"),
    re.compile(r"\btab:[\w-]+"),  # a LaTeX label
    re.compile(r"\\[A-Za-z]+"),
)
_WORD = re.compile(r"[A-Za-z]+")
_SHORT_CODE = 3  # letters glued to digits, up to this many, are part of a name or a number: 145M, H800, BF16, A3B


def latin_words(text: str) -> list[str]:
    """Every Latin word of ``text`` that is not allowed, with its context, in order."""
    cleaned = text
    for phrase in ALLOWED_PHRASES:
        cleaned = cleaned.replace(phrase, " " * len(phrase))
    for form in ALLOWED_FORMS:
        cleaned = form.sub(lambda m: " " * len(m.group(0)), cleaned)
    found = []
    for match in _WORD.finditer(cleaned):
        word, (start, end) = match.group(0), match.span()
        glued = (start > 0 and cleaned[start - 1].isdigit()) or (end < len(cleaned) and cleaned[end].isdigit())
        if len(word) == 1 or word in ALLOWED_WORDS or (glued and len(word) <= _SHORT_CODE):
            continue
        found.append(f"{word!r} in …{text[max(0, start - 20):end + 20]}…".replace("\n", " "))
    return found


_SECTION_CODE = re.compile(r"(?:文献|literature)\s*§\s*\d+[a-z]?\b|§\s*\d+[a-z]\b")


def internal_codes(text: str, *, slugs: set[str]) -> list[str]:
    """Slugs (whole words, case-sensitive) and literature-sheet section codes found in ``text``."""
    found = [code.group(0) for code in _SECTION_CODE.finditer(text)]
    for slug in sorted(slugs):
        if re.search(rf"(?<![\w-]){re.escape(slug)}(?![\w-])", text):
            found.append(slug)
    return found
