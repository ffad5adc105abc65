"""Bad and heavy input for the four doors: the command line, the reader, a turn of the conversation, a config.json.

Shared by the fuzz tests (``tests/robust/``, Hypothesis, bounded in time) and the fuzz bench
(``bench/bench_fuzz.py``, many more inputs, seeded), so both judge an outcome the same way:

- a *failure* is an exception that escapes the door, a raw exception name or a trace in what the user reads,
  an error that is not one line naming the flag (command line), or a bad value the door accepted;
- everything else (a clear refusal, a question, an answer) is fine.

The command-line corpus is ``tests/fixtures/bad-inputs/cli.json``, written by hand with what each flag accepts.
The other doors' inputs are generated: numbers at and past every limit spliced into real phrasings and configs.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import random
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CLI_CORPUS = FIXTURES / "bad-inputs" / "cli.json"
HF_CONFIGS = FIXTURES / "hf-configs"

#: What a user must never read: a trace, a Python exception's class name, pydantic's own wording.
RAW_EXCEPTION = re.compile(r"Traceback \(most recent call last\)|\b[A-Z][A-Za-z]*(?:Error|Exception)\b"
                           r"|validation errors? for [A-Z]|\bFile \"[^\"]+\", line \d+")
#: A number that is not finite, formatted as if it were one ("infT", "inf万亿", "nan%"): a value nobody checked.
NOT_FINITE_SHOWN = re.compile(r"(?<![A-Za-z])(?:inf|nan)(?:[KMBT%]|万亿|亿|万)", re.IGNORECASE)
MAX_ERROR_CHARS = 400
"""A command-line error is one line, at most this long: a 10,000-character value is shown shortened."""

_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Finding:
    """One input a door handled wrongly."""

    door: str
    kind: str  # traceback, raw, accepted, not_one_line, unnamed, too_long, language, …
    input: str
    detail: str = ""

    def __str__(self) -> str:
        shown = self.input if len(self.input) <= 160 else self.input[:150] + f"…({len(self.input)} chars)"
        return f"[{self.door}] {self.kind}: {shown!r} — {self.detail[:300]}"


@dataclass
class Tally:
    """Inputs tried and the findings, per door."""

    tried: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    passed_bad: dict[str, list[str]] = field(default_factory=dict)  # exit 0 on a bad-looking input, with why
    slowest: dict[str, tuple[float, str]] = field(default_factory=dict)  # per door: (seconds, input)

    def add(self, door: str, found: Iterable[Finding], *, seconds: float = 0.0, shown: str = "") -> None:
        self.tried[door] = self.tried.get(door, 0) + 1
        self.findings.extend(found)
        if seconds > self.slowest.get(door, (-1.0, ""))[0]:
            self.slowest[door] = (seconds, shown)


def timed(check: Callable[..., list[Finding]], *args: Any) -> tuple[list[Finding], float]:
    start = time.perf_counter()
    found = check(*args)
    return found, time.perf_counter() - start


def _expand(value: Any) -> str:
    if isinstance(value, dict):
        return value["repeat"] * value["times"]
    return value


# --- the command line -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CliCase:
    argv: tuple[str, ...]
    expect: str  # "error": must be refused naming ``names``; "ok": may pass; "either": anything clean
    names: str = ""
    label: str = ""


def load_cli_corpus() -> dict[str, Any]:
    return json.loads(CLI_CORPUS.read_text(encoding="utf-8"))


def _with_flag(base: Sequence[str], flag: str, value: str) -> tuple[str, ...]:
    """``base`` with ``flag`` set to ``value`` (replacing the base's own value), as ``--flag=value``."""
    argv = list(base)
    if flag in argv:
        at = argv.index(flag)
        del argv[at:at + 2]
    return (*argv, f"{flag}={value}")


SLOW_COMMANDS = ("plan",)
"""Commands whose accepted values start a search (~0.2 s each): ``cli_cases(quick=True)`` keeps two per flag."""


def cli_cases(*, quick: bool = False) -> list[CliCase]:
    """Every case of the hand-written corpus: each flag with each value, each choice, the listed commands.

    ``quick`` keeps every value that must be refused but only two accepted values per flag of a slow command.
    """
    corpus = load_cli_corpus()
    values = {key: _expand(value) for key, value in corpus["values"].items()}
    cases: list[CliCase] = []
    for spec in corpus["flags"]:
        ok = (set(corpus["kinds"][spec["kind"]]) | set(spec.get("also_ok", ()))) - set(spec.get("not_ok", ()))
        slow = quick and corpus["bases"][spec["base"]][0] in SLOW_COMMANDS
        kept = [key for key in values if key in ok][:2] if slow else list(ok)
        for key, text in values.items():
            if key in ok and key not in kept:
                continue
            cases.append(CliCase(_with_flag(corpus["bases"][spec["base"]], spec["flag"], text),
                                 "ok" if key in ok else "error", spec["flag"], f"{spec['flag']}={key}"))
    for spec in corpus["choices"]:
        for text in (*spec["ok"], *map(_expand, corpus["choice_values"])):
            expect = "ok" if text in spec["ok"] else "error"
            cases.append(CliCase(_with_flag(corpus["bases"][spec["base"]], spec["flag"], text), expect, spec["flag"],
                                 f"{spec['flag']}={text[:20]!r}"))
    for case in corpus["cases"]:
        cases.append(CliCase(tuple(case["argv"]), case["expect"], case.get("names", ""), case["why"]))
    for report in corpus["reports"]:
        text = _expand(report["text"])
        cases.append(CliCase(("report", "--offline", text), "either", "", f"report {text[:30]!r}"))
    return cases


def run_cli(argv: Sequence[str]) -> tuple[int | None, str, str, BaseException | None]:
    """``scaling-assistant argv`` in this process: (exit status, stdout, stderr, the exception that escaped)."""
    from assistant.cli import main

    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out):  # argparse writes --help to sys.stdout itself
            status = main(list(argv), stdout=out, stderr=err)
    except BaseException as error:  # noqa: BLE001 - what escapes is what we count
        return None, out.getvalue(), err.getvalue(), error
    return status, out.getvalue(), err.getvalue(), None


def judge_cli(case: CliCase, status: int | None, stdout: str, stderr: str,
              error: BaseException | None) -> list[Finding]:
    shown = " ".join(case.argv)
    if error is not None:
        return [Finding("cli", "traceback", shown, f"{type(error).__name__}: {error}"[:300])]
    found = []
    for name, stream in (("stdout", stdout), ("stderr", stderr)):
        if RAW_EXCEPTION.search(stream):
            found.append(Finding("cli", "raw", shown, f"{name}: {RAW_EXCEPTION.search(stream).group(0)}"))
        try:
            stream.encode("utf-8")
        except UnicodeEncodeError as problem:
            found.append(Finding("cli", "unencodable", shown, f"{name}: {problem.reason}"))
    if case.expect == "either":
        if status not in (0, 1):
            found.append(Finding("cli", "status", shown, f"exit {status}: {stderr[:200]}"))
        return found
    if status == 0:
        if case.expect == "error":
            found.append(Finding("cli", "accepted", shown, f"{case.label}: exit 0"))
        return found
    if "an internal error stopped" in stderr:
        found.append(Finding("cli", "internal", shown, stderr[:300]))
    lines = stderr.rstrip("\n").split("\n")
    if len(lines) != 1 or "usage:" in stderr:
        found.append(Finding("cli", "not_one_line", shown, stderr[:300]))
    if len(stderr.rstrip("\n")) > MAX_ERROR_CHARS:
        found.append(Finding("cli", "too_long", shown, f"{len(stderr)} chars"))
    if case.expect == "error" and case.names and case.names not in stderr:
        found.append(Finding("cli", "unnamed", shown, f"expected {case.names}: {stderr[:200]}"))
    elif case.expect == "ok" and "--" not in stderr and case.names:
        found.append(Finding("cli", "unnamed", shown, f"refused without naming a flag: {stderr[:200]}"))
    return found


def fuzz_cli(cases: Iterable[CliCase], tally: Tally) -> None:
    for case in cases:
        start = time.perf_counter()
        status, stdout, stderr, error = run_cli(case.argv)
        tally.add("cli", judge_cli(case, status, stdout, stderr, error), seconds=time.perf_counter() - start,
                  shown=" ".join(case.argv))
        if status == 0 and case.expect == "ok" and case.label:
            tally.passed_bad.setdefault("cli", []).append(case.label)


# --- numbers at and past every limit --------------------------------------------------------------------

BAD_NUMBERS: tuple[str, ...] = (
    "0", "-1", "-0", "0.5", "1e400", "-1e400", "1e-400", "1e308", "1.8e308", "9e99", "1e30", "1e19",
    "10000000000000000000", "3e7", "30000000", "1,5", "nan", "inf", "Infinity", "∞", "1e400B", "1e300T",
    "一亿亿亿亿亿", "１ｅ４００", "2**64", "0x10", "1_000", "10^400", "3×10^999", "6×10²³", "１２８", "1" * 400,
    "9" * 60, "1e-9", "0.0001", "1e4", "65536", "1000000", "1,000,000,000,000,000,000,000",
)
"""Numbers that break naive readers: overflow, underflow, not finite, huge integers, odd notations."""

SEEDS: tuple[str, ...] = (
    "145M 参数的 MoE，1 个共享专家 + 4 个路由专家，top-1，28.9M 条样本 × 512 字，8 张 4090",
    "DeepSeek-V3, 14.8T tokens, 2048 H800, MFU 35%, $2 per GPU-hour",
    "I have 8 GPUs (4090) for 7 days, what should I train?",
    "MiniMind2, 28.9M samples x 512 tokens, 8 RTX 4090",
    "hidden 640, 8 layers, vocab 6400, 8 heads, 4 kv heads, 1B tokens, seq len 2048, 8 × H100, ZeRO-2",
    "16B total, 2.4B active, 64 experts choose 6, 2 shared experts, 300B tokens, 256 张 A100, ¥2/卡时",
    "我有 2 万元预算，H800 每卡时 15 元，训练 3 天，能训多大的模型？",
    "30B-A3B MoE, 128 experts, top-8, 36T tokens, 1000 GPU-hours, MFU 40%",
    "Llama-3-8B, 15T tokens, 24576 H100, 1e25 FLOPs",
    "num_hidden_layers=24 hidden_size=2048 num_attention_heads=16 vocab_size=151936 epochs 3",
)
FOLLOW_UPS: tuple[str, ...] = (
    "如果换成 {n} 张卡呢?", "what if the model were {n}?", "stop at {n} tokens", "MFU {n}%", "top-{n}",
    "{n} experts", "seq len {n}", "ZeRO-{n}", "${n} per GPU-hour", "for {n} days", "{n} 层", "hidden {n}",
    "vocab {n}", "{n} 条样本 × {n} 字", "{n} shared experts", "再加 {n} 个共享专家", "{n} epochs", "激活 {n}",
    "总参数 {n}", "{n} FLOPs", "{n} GPU hours", "预算 {n} 元", "什么是 6ND?", "论文里怎么写?",
    "compare top-{n} or top-2",
)
_WORDS: tuple[str, ...] = (
    "参数", "params", "B", "M", "T", "K", "tokens", "条样本", "×", "x", "字", "张", "卡", "GPUs", "4090", "H100",
    "H800", "A100-80GB", "MFU", "%", "$", "¥", "/卡时", "per GPU-hour", "天", "days", "epochs", "轮", "层", "layers",
    "heads", "hidden", "vocab", "experts", "专家", "共享专家", "top-", "top_k=", "MoE", "dense", "seq_len", "ZeRO-",
    "激活", "total", "active", "DeepSeek-V3", "minimind2-moe", "如果换成", "呢?", "what if", "instead of", "FLOPs",
    "GPU hours", "什么是", "6ND", "loss", "论文", "compare", "or", "或", "再加", "{", "}", '"model_type": "llama"',
    "```json", "\n", " ", "，", "。", "-", "/", ":", "=", "--num-experts", "万", "亿", "一", "十", "两", "千",
    "0", "1", "8", "16", "512", "2048", "1.5", "28.9M", "145M",
)


def spliced(rng: random.Random, text: str) -> str:
    """``text`` with one of its numbers replaced by a bad one."""
    spots = list(re.finditer(r"\d+(?:\.\d+)?", text))
    if not spots:
        return text + " " + rng.choice(BAD_NUMBERS)
    spot = rng.choice(spots)
    return text[:spot.start()] + rng.choice(BAD_NUMBERS) + text[spot.end():]


def soup(rng: random.Random, *, max_words: int = 30) -> str:
    """Words and numbers of the reader's vocabulary, bad numbers among them, in a random order."""
    pieces = [rng.choice(_WORDS) if rng.random() < 0.75 else rng.choice(BAD_NUMBERS)
              for _ in range(rng.randint(1, max_words))]
    return rng.choice(("", " ", " ", "，")).join(pieces)


def message(rng: random.Random) -> str:
    """One message: a real phrasing with a bad number, a follow-up with one, or word soup."""
    roll = rng.random()
    if roll < 0.4:
        return spliced(rng, rng.choice(SEEDS))
    if roll < 0.7:
        return rng.choice(FOLLOW_UPS).replace("{n}", rng.choice(BAD_NUMBERS))
    if roll < 0.95:
        return soup(rng)
    return pasted_config_message(rng)


def pasted_config_message(rng: random.Random) -> str:
    """A config.json pasted into the message: a real one with bad values, or one JSON itself cannot hold."""
    text = json.dumps(bad_config(rng), ensure_ascii=False)
    roll = rng.random()
    if roll < 0.1:
        text = text.replace("{", '{"hidden_size": ' + "9" * rng.choice((40, 5000)) + ", ", 1)
    elif roll < 0.2:
        text = text.replace("{", '{"x": ' + "[" * 2000 + "]" * 2000 + ", ", 1)
    return f"```json\n{text}\n```\n{rng.choice(('1B tokens', '8 张 4090', ''))}"


# --- the reader ---------------------------------------------------------------------------------------------


def check_parse(text: str) -> list[Finding]:
    from assistant.offline.parse import parse_message

    try:
        parse_message.__wrapped__(text)
    except Exception as error:  # noqa: BLE001
        return [Finding("parser", "traceback", text, f"{type(error).__name__}: {error}")]
    return []


def fuzz_parser(texts: Iterable[str], tally: Tally) -> None:
    for text in texts:
        found, seconds = timed(check_parse, text)
        tally.add("parser", found, seconds=seconds, shown=text)


# --- a turn of the conversation -------------------------------------------------------------------------


def conversation() -> Any:
    from assistant.session import Conversation
    from assistant.settings import Settings

    return Conversation(Settings(force_offline=True))


def check_turn(conv: Any, text: str) -> list[Finding]:
    """One turn: it ends with an answer or a failure said in the conversation's language, and no raw exception."""
    try:
        events = list(conv.send(text))
    except Exception as error:  # noqa: BLE001
        return [Finding("turn", "traceback", text, f"{type(error).__name__}: {error}")]
    found = []
    if not events or events[-1].kind not in ("final", "error"):
        found.append(Finding("turn", "unfinished", text, events[-1].kind if events else "no events"))
    for event in events:
        shown = event.text or ""
        if RAW_EXCEPTION.search(shown):
            found.append(Finding("turn", "raw", text, f"{event.kind}: {shown[:300]}"))
        for number in NOT_FINITE_SHOWN.finditer(shown):
            if number[0].lower() not in text.lower():  # "infK" the user typed is echoed as not understood
                found.append(Finding("turn", "not_finite", text, f"{event.kind}: {number[0]}"))
    return found


def fuzz_turns(messages: Iterable[Sequence[str]], tally: Tally) -> None:
    """Each item is a conversation: its messages in order (a plan, then follow-ups)."""
    for turns in messages:
        conv = conversation()
        for text in turns:
            found, seconds = timed(check_turn, conv, text)
            tally.add("turn", found, seconds=seconds, shown=text)


def conversations(rng: random.Random, count: int) -> Iterator[list[str]]:
    for _ in range(count):
        first = rng.choice(SEEDS) if rng.random() < 0.5 else message(rng)
        yield [first, *(message(rng) for _ in range(rng.randint(0, 2)))]


# --- config.json ----------------------------------------------------------------------------------------

BAD_VALUES: tuple[Any, ...] = (
    None, True, False, "", "abc", "1e400", "32", -1, 0, 1, 30_000_000, 10**19, 10**400, 1.5, 1e308,
    float("inf"), float("-inf"), float("nan"), [], [1, 2], [[[]]], {}, {"a": 1}, "x" * 10_000, 2**63,
)


def real_configs() -> dict[str, dict[str, Any]]:
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(HF_CONFIGS.glob("*.json"))}


_REAL: dict[str, dict[str, Any]] = {}


def bad_config(rng: random.Random) -> dict[str, Any]:
    """A real config.json with one to three keys set to bad values (or a key added or removed)."""
    if not _REAL:
        _REAL.update(real_configs())
    config = dict(_REAL[rng.choice(sorted(_REAL))])
    for _ in range(rng.randint(1, 3)):
        roll = rng.random()
        if roll < 0.8 and config:
            config[rng.choice(sorted(config))] = rng.choice(BAD_VALUES)
        elif roll < 0.9 and config:
            config.pop(rng.choice(sorted(config)))
        else:
            config[rng.choice(("num_hidden_layers", "moe_layer_freq", "layer_types", "mlp_only_layers",
                               "decoder_sparse_step", "first_k_dense_replace", "num_local_experts"))] = \
                rng.choice(BAD_VALUES)
    return config


def nested(depth: int) -> str:
    return '{"model_type": "llama", "x": ' + "[" * depth + "]" * depth + "}"


def config_files(rng: random.Random, count: int) -> Iterator[tuple[str, bytes]]:
    """(label, file bytes): bad configs, in every encoding a file can have, and broken files."""
    fixed: list[tuple[str, bytes]] = [
        ("empty", b""), ("not json", b"hello"), ("truncated", b'{"model_type": "llama", "hidden_size": 6'),
        ("a list", b"[1, 2, 3]"), ("a number", b"1e400"), ("a string", b'"llama"'), ("null", b"null"),
        ("deep nesting 100000", nested(100_000).encode()), ("deep nesting 900", nested(900).encode()),
        ("2 MB", b'{"model_type": "llama", "_name_or_path": "' + b"x" * 2_000_000 + b'"}'),
        ("binary", bytes(range(256)) * 4), ("a lone surrogate", b'{"model_type": "\\udcff"}'),
        ("huge integer", b'{"model_type": "llama", "num_hidden_layers": ' + b"9" * 5000 + b"}"),
        ("Infinity", b'{"model_type": "llama", "hidden_size": Infinity}'),
        ("30M layers, mixtral", json.dumps({"model_type": "mixtral", "num_hidden_layers": 30_000_000, "hidden_size": 64,
                                            "vocab_size": 10, "num_attention_heads": 1, "intermediate_size": 8,
                                            "num_local_experts": 2, "num_experts_per_tok": 1}).encode()),
        ("30M layers, qwen2_moe", json.dumps({"model_type": "qwen2_moe", "num_hidden_layers": 30_000_000,
                                              "hidden_size": 64, "vocab_size": 10, "num_attention_heads": 1,
                                              "intermediate_size": 8, "num_experts": 2, "num_experts_per_tok": 1,
                                              "moe_intermediate_size": 8, "shared_expert_intermediate_size": 8,
                                              "mlp_only_layers": [1]}).encode()),
    ]
    yield from fixed
    if not _REAL:
        _REAL.update(real_configs())
    for name, config in sorted(_REAL.items()):
        text = json.dumps(config, ensure_ascii=False, indent=2)
        for encoding in ("utf-8-sig", "utf-16", "utf-16-le", "utf-32", "gbk", "latin-1"):
            try:
                yield f"{name} in {encoding}", text.encode(encoding)
            except UnicodeEncodeError:
                continue
    for index in range(count):
        config = bad_config(rng)
        text = json.dumps(config, ensure_ascii=False)
        encoding = rng.choice(("utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1"))
        yield f"mutated {index} ({encoding})", text.encode(encoding, errors="replace")


def check_config_file(label: str, data: bytes, folder: Path) -> list[Finding]:
    """One config file through the doors that take a file: the command line and the calculator's upload."""
    from assistant.calculator import calculate

    path = folder / "config.json"
    path.write_bytes(data)
    found: list[Finding] = []
    status, stdout, stderr, error = run_cli(("params", "--hf-config", str(path)))
    if error is not None:
        found.append(Finding("config", "traceback", label, f"cli: {type(error).__name__}: {error}"[:300]))
    elif status != 0:
        found.extend(Finding("config", f.kind, label, "cli: " + f.detail)
                     for f in judge_cli(CliCase(("params", "--hf-config", "FILE"), "error", "--hf-config"),
                                        status, stdout, stderr, None))
    values = {"model_source": "config", "config_file": str(path), "data_source": "tokens", "tokens": "1B"}
    for language in ("en", "zh"):
        try:
            outcome = calculate(values, language=language)
        except Exception as problem:  # noqa: BLE001
            found.append(Finding("config", "traceback", label, f"calculator: {type(problem).__name__}: {problem}"))
            continue
        for line in outcome.problems:
            if RAW_EXCEPTION.search(line):
                found.append(Finding("config", "raw", label, f"calculator ({language}): {line[:300]}"))
            if language == "zh" and not _CJK.search(line):
                found.append(Finding("config", "language", label, f"calculator (zh): {line[:300]}"))
    return found


def check_config_dict(label: str, config: Any) -> list[Finding]:
    """One parsed config through the tools (what an LLM or the planner sends)."""
    from tools.registry import run_tool

    caught = _Caught()
    logger = logging.getLogger("tools.registry")
    logger.addHandler(caught)
    try:
        outcome = run_tool("count_parameters", {"model": {"hf_config": config}})
    except Exception as error:  # noqa: BLE001
        return [Finding("config", "traceback", label, f"tool: {type(error).__name__}: {error}")]
    finally:
        logger.removeHandler(caught)
    if not outcome.ok and outcome.result.get("code") == "internal_error":
        return [Finding("config", "internal_error", label, f"tool: {caught.last}")]
    return []


class _Caught(logging.Handler):
    """The last exception a logger reported (run_tool logs what it turns into ``internal_error``)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.last = ""

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            self.last = f"{type(record.exc_info[1]).__name__}: {record.exc_info[1]}"[:300]


def fuzz_configs(rng: random.Random, count: int, tally: Tally) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for label, data in config_files(rng, count):
            found, seconds = timed(check_config_file, label, data, Path(folder))
            tally.add("config", found, seconds=seconds, shown=label)
    for index in range(count):
        config = bad_config(rng)
        label = f"tool {index}: {json.dumps(config)[:120]}"
        found, seconds = timed(check_config_dict, label, config)
        tally.add("config", found, seconds=seconds, shown=label)


# --- the calculator's form -----------------------------------------------------------------------------------

_FORM_TEXT = ("vocab_size", "hidden_size", "num_layers", "num_heads", "num_kv_heads", "head_dim", "intermediate_size",
              "total_params", "active_params", "num_experts", "num_shared_experts", "expert_intermediate_size",
              "granularity", "top_k", "first_k_dense", "tokens", "samples", "mean_length", "tokens_per_char", "epochs",
              "seq_len", "gpu_count", "mfu", "price", "currency")
_FORM_CHOICES = {"model_source": ("preset", "dimensions", "total", "config", "", "nope"),
                 "preset": ("MiniMind2-MoE", "DeepSeek-V3", "", "nope"), "model_kind": ("dense", "moe", "", "x"),
                 "data_source": ("tokens", "samples", "", "x"), "length_unit": ("tokens", "chars", "", "x"),
                 "gpu": ("rtx-4090", "h100-sxm", "", "TPU v9"), "tied_embeddings": ("tied", "untied", None, "x")}
_GOOD_FORM = {"model_source": "dimensions", "vocab_size": "6400", "hidden_size": "640", "num_layers": "8",
              "num_heads": "8", "data_source": "samples", "samples": "28.9M", "mean_length": "512",
              "length_unit": "tokens", "gpu": "rtx-4090", "gpu_count": "8"}


def _spoiled(rng: random.Random, good: dict[str, Any], texts: Sequence[str], choices: dict[str, Sequence[Any]],
             most: int) -> dict[str, Any]:
    """``good`` with one to ``most`` fields set to bad text (8 in 10) or to a bad or odd choice."""
    form = dict(good)
    for _ in range(rng.randint(1, most)):
        if rng.random() < 0.8:
            form[rng.choice(texts)] = rng.choice((*BAD_NUMBERS, "", " ", "abc", "35%", "1e3", "x" * 5000))
        else:
            name = rng.choice(sorted(choices))
            form[name] = rng.choice(choices[name])
    return form


def calculator_form(rng: random.Random) -> dict[str, Any]:
    """A filled calculator form with one to four fields set to bad text."""
    return _spoiled(rng, _GOOD_FORM, _FORM_TEXT, _FORM_CHOICES, 4)


def check_calculator(form: dict[str, Any]) -> list[Finding]:
    """The calculator's form, or the "plan from budget" form (``budget_form``), in both languages: a report, or one
    line per problem naming the field, in the interface's language."""
    from assistant.budget_form import plan_from_budget
    from assistant.calculator import calculate

    shown = json.dumps(form, ensure_ascii=False)[:300]
    found: list[Finding] = []
    run = plan_from_budget if form.get("budget_form") else calculate
    values = {key: value for key, value in form.items() if key != "budget_form"}
    for language in ("en", "zh"):
        try:
            outcome = run(values, language=language)
        except Exception as error:  # noqa: BLE001
            return [Finding("calculator", "traceback", shown, f"{type(error).__name__}: {error}")]
        for line in outcome.problems:
            if RAW_EXCEPTION.search(line) or NOT_FINITE_SHOWN.search(line):
                found.append(Finding("calculator", "raw", shown, f"({language}) {line[:300]}"))
            if len(line) > 2 * MAX_ERROR_CHARS:
                found.append(Finding("calculator", "too_long", shown, f"({language}) {len(line)} chars"))
            if language == "zh" and not _CJK.search(line):
                found.append(Finding("calculator", "language", shown, f"(zh) {line[:300]}"))
        if outcome.report is None and not outcome.problems:
            found.append(Finding("calculator", "silent", shown, f"({language}) neither a report nor a problem"))
    return found


def fuzz_calculator(rng: random.Random, count: int, tally: Tally) -> None:
    for index in range(count):
        form = calculator_form(rng) if index % 2 == 0 else budget_form(rng)
        found, seconds = timed(check_calculator, form)
        tally.add("calculator", found, seconds=seconds, shown=json.dumps(form, ensure_ascii=False)[:200])


_BUDGET_TEXT = ("gpu_count", "days", "gpu_hours", "budget", "price", "compute_flops", "mfu", "unique_tokens",
                "inference_tokens", "vocab_size", "seq_len", "currency")
_BUDGET_CHOICES = {"gpu": ("rtx-4090", "h100-sxm", "", "TPU v9"), "architectures": ("both", "moe", "dense", "", "x"),
                   "fit": ("epoch-2024", "rule-20", "", "nope"), "zero_stage": ("0", "3", "", "9", "1e400")}
_GOOD_BUDGET = {"gpu": "rtx-4090", "gpu_count": "8", "days": "7"}


def budget_form(rng: random.Random) -> dict[str, Any]:
    """A filled "plan from budget" form with one to three fields set to bad text (``budget_form: True`` marks it)."""
    return _spoiled(rng, {"budget_form": True, **_GOOD_BUDGET}, _BUDGET_TEXT, _BUDGET_CHOICES, 3)


def run_all(*, seed: int, parser: int, turns: int, configs: int, forms: int = 0,
            progress: Callable[[str], None] | None = None) -> Tally:
    """The bench's run: the whole command-line corpus, and ``parser``/``turns``/``configs`` generated inputs."""
    rng = random.Random(seed)
    tally = Tally()
    fuzz_cli(cli_cases(), tally)
    if progress:
        progress("cli")
    fuzz_parser((message(rng) for _ in range(parser)), tally)
    if progress:
        progress("parser")
    fuzz_turns(conversations(rng, turns), tally)
    if progress:
        progress("turn")
    fuzz_configs(rng, configs, tally)
    if progress:
        progress("config")
    fuzz_calculator(rng, forms, tally)
    if progress:
        progress("calculator")
    return tally
