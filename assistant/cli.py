"""``scaling-assistant``: the command line.

Core subcommands (``params``, ``flops``, ``optimal``, ``gpu-time``, ``memory``, ``gpus``,
``presets``) print a readable table, or JSON with ``--json``. They import only the pure core,
so they start fast. ``report`` and ``chat`` (the assistant) import their heavier modules
lazily, only when called.

Bad input prints one line naming the field and what was expected, and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.quantities import human, parse_number, sci

EXIT_USAGE = 2


class UsageError(Exception):
    """A problem with the command line itself (a file that cannot be read, a missing flag)."""


def _quantity(text: str) -> float:
    try:
        return parse_number(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _count(text: str) -> int:
    value = _quantity(text)
    if value != int(value):
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}")
    return int(value)


def _fraction(text: str) -> float:
    """MFU as 0.4 or 40%."""
    text = text.strip()
    try:
        return float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a fraction such as 0.4 or 40%, got {text!r}") from None


# --- model selection ------------------------------------------------------------------------


def _add_model_arguments(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    group = parser.add_argument_group("model (one of --preset, --hf-config, or explicit dimensions)")
    group.add_argument("--preset", help="a preset name, e.g. minimind2-moe, deepseek-v3 (see `presets`)")
    group.add_argument("--hf-config", metavar="FILE", help="a HuggingFace config.json")
    group.add_argument("--vocab", type=_count, help="vocabulary size")
    group.add_argument("--hidden", type=_count, help="hidden size (d_model)")
    group.add_argument("--layers", type=_count, help="number of layers")
    group.add_argument("--heads", type=_count, help="attention heads")
    group.add_argument("--kv-heads", type=_count, help="key/value heads (GQA/MQA); default = heads")
    group.add_argument("--head-dim", type=_count, help="head dimension; default = hidden / heads")
    group.add_argument("--intermediate", type=_count, help="dense FFN width")
    group.add_argument("--plain-mlp", action="store_true", help="2-matrix MLP instead of gated SwiGLU")
    group.add_argument("--tied", action="store_true", help="tie input embedding and lm_head")
    group.add_argument("--experts", type=_count, default=0, help="routed experts per MoE layer")
    group.add_argument("--expert-intermediate", type=_count, help="width of one routed expert")
    group.add_argument("--shared-experts", type=_count, default=0, help="shared experts per MoE layer")
    group.add_argument("--shared-intermediate", type=_count, help="width of one shared expert")
    group.add_argument("--first-k-dense", type=_count, default=0, help="leading dense layers before MoE")
    group.add_argument("--moe-every", type=_count, default=1, help="MoE on every n-th layer")
    group.add_argument("--top-k", type=_count, help="routed experts per token (overrides a preset's)")
    group.add_argument("--total-params", type=_quantity,
                       help="only the total is known: estimate active params from the expert layout")
    group.add_argument("--expert-fraction", type=float,
                       help="with --total-params: share of parameters in experts (default: closest preset)")
    parser.set_defaults(model_required=required)


@dataclass(frozen=True)
class ModelChoice:
    """What the user chose: an exact shape, or only an estimate from a total."""

    shape: Any | None
    estimate: Any | None
    top_k: int | None
    label: str


def _model_from_args(args: argparse.Namespace) -> ModelChoice | None:
    from tools.calc.hf_config import shape_from_hf_config
    from tools.calc.presets import find_preset
    from tools.calc.shapes import build_shape

    chosen = [flag for flag, value in (("--preset", args.preset), ("--hf-config", args.hf_config),
                                        ("--hidden", args.hidden), ("--total-params", args.total_params))
              if value is not None]
    if len(chosen) > 1:
        raise UsageError(f"choose one model source, not {' and '.join(chosen)}")
    if args.preset is not None:
        preset = find_preset(args.preset)
        return ModelChoice(shape=preset.shape, estimate=None, top_k=args.top_k, label=preset.display_name)
    if args.hf_config is not None:
        return ModelChoice(shape=shape_from_hf_config(_read_json(args.hf_config), name=Path(args.hf_config).stem),
                           estimate=None, top_k=args.top_k, label=args.hf_config)
    if args.total_params is not None:
        from tools.calc.moe_estimate import estimate_active_params

        if not args.experts:
            raise UsageError("--total-params needs --experts (and --top-k) to estimate active parameters")
        estimate = estimate_active_params(
            total_params=args.total_params, num_routed_experts=args.experts, top_k=args.top_k or 1,
            num_shared_experts=args.shared_experts, expert_fraction=args.expert_fraction,
        )
        return ModelChoice(shape=None, estimate=estimate, top_k=args.top_k or 1, label="estimate from total")
    if args.hidden is not None:
        missing = [flag for flag, value in (("--vocab", args.vocab), ("--layers", args.layers),
                                            ("--heads", args.heads)) if value is None]
        if missing:
            raise UsageError(f"explicit dimensions also need {', '.join(missing)}")
        shape = build_shape(
            vocab_size=args.vocab, hidden_size=args.hidden, num_layers=args.layers, num_heads=args.heads,
            num_kv_heads=args.kv_heads, head_dim=args.head_dim, intermediate_size=args.intermediate or 0,
            gated_mlp=not args.plain_mlp, tied_embeddings=args.tied, num_experts=args.experts,
            expert_intermediate_size=args.expert_intermediate, top_k=args.top_k,
            num_shared_experts=args.shared_experts, shared_expert_intermediate_size=args.shared_intermediate,
            first_k_dense=args.first_k_dense, moe_every=args.moe_every,
        )
        return ModelChoice(shape=shape, estimate=None, top_k=None, label="explicit dimensions")
    if args.model_required:
        raise UsageError("name a model: --preset NAME, --hf-config FILE, or --vocab/--hidden/--layers/--heads")
    return None


def _read_json(path: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise UsageError(f"hf-config: cannot read {path}: {error.strerror or error}") from None
    except json.JSONDecodeError as error:
        raise UsageError(f"hf-config: {path} is not valid JSON (line {error.lineno}: {error.msg})") from None


# --- subcommands ------------------------------------------------------------------------------


def _params(args: argparse.Namespace) -> dict[str, Any]:
    from tools.calc.params import count_parameters

    choice = _model_from_args(args)
    if choice.estimate is not None:
        est = choice.estimate
        return {
            "model": choice.label, "total_params": est.total_params, "active_params": est.active_params,
            "embedding_params": None, "non_embedding_params": None, "breakdown": None,
            "approximate": True, "assumptions": [est.assumption],
        }
    counts = count_parameters(choice.shape, top_k=choice.top_k)
    result = {
        "model": choice.shape.name, "total_params": counts.total, "active_params": counts.active,
        "embedding_params": counts.embedding_params, "lm_head_params": counts.lm_head,
        "non_embedding_params": counts.non_embedding,
        "active_params_excl_input_embedding": counts.active_excl_input_embedding,
        "active_non_embedding_params": counts.active_non_embedding,
        "breakdown": counts.parts, "top_k": counts.top_k, "tied_embeddings": counts.tied_embeddings,
        "approximate": False,
        "assumptions": [
            "active = all parameters except the routed experts a token is not sent to "
            "(embedding and lm_head included; a tied matrix counted once)",
        ],
    }
    if counts.mtp:
        result["mtp_params"] = counts.mtp
        result["total_params_with_mtp"] = counts.total_with_mtp
        result["active_params_with_mtp"] = counts.active_with_mtp
    return result


def _tokens_from_args(args: argparse.Namespace) -> tuple[float, list[str]]:
    from tools.calc.tokens import tokens_from_samples

    if args.tokens is not None and args.samples is not None:
        raise UsageError("give --tokens or --samples with --mean-length, not both")
    if args.tokens is not None:
        return args.tokens, [f"tokens given: {human(args.tokens)}"]
    if args.samples is not None and args.mean_length is not None:
        count = tokens_from_samples(
            samples=args.samples, mean_length=args.mean_length, epochs=args.epochs,
            length_unit="chars" if args.chars else "tokens", tokens_per_char=args.tokens_per_char,
        )
        return count.tokens, [
            f"tokens = {human(args.samples)} samples × {args.mean_length:g} × {args.epochs:g} epoch(s)",
            count.assumption,
        ]
    raise UsageError("give --tokens, or --samples and --mean-length")


def _add_token_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("data")
    group.add_argument("--tokens", type=_quantity, help="training tokens, e.g. 14.8B")
    group.add_argument("--samples", type=_quantity, help="number of samples, e.g. 28.9M")
    group.add_argument("--mean-length", type=_quantity, help="mean sample length (tokens, or chars with --chars)")
    group.add_argument("--epochs", type=float, default=1.0, help="passes over the data (default 1)")
    group.add_argument("--chars", action="store_true", help="--mean-length is in characters")
    group.add_argument("--tokens-per-char", type=float, help="with --chars: tokens per character (default 1)")


def _flops(args: argparse.Namespace) -> dict[str, Any]:
    from tools.calc.flops import training_flops

    choice = _model_from_args(args)
    tokens, assumptions = _tokens_from_args(args)
    if choice.estimate is not None:
        raise UsageError("the detailed FLOP count needs the model's dimensions (--preset, --hf-config or flags)")
    result = training_flops(choice.shape, tokens=tokens, seq_len=args.seq_len, attention=args.attention,
                            recompute=args.recompute, top_k=choice.top_k, include_mtp=args.mtp)
    per_token = result.flops_per_token
    return {
        "model": choice.shape.name, "tokens": tokens, "seq_len": args.seq_len,
        "active_params": result.active_params,
        "six_nd_flops": result.six_nd_flops, "six_nd_non_embedding_flops": result.six_nd_non_embedding_flops,
        "six_nd_convention": result.six_nd_convention,
        "detailed_flops": result.detailed_flops, "flops_per_token": per_token.training_flops,
        "forward_flops_per_token": per_token.forward_flops,
        "forward_flops_per_token_by_component": per_token.forward_by_component,
        "detailed_over_six_nd": result.detailed_over_six_nd,
        "convention": per_token.convention, "assumptions": assumptions,
    }


def _allocation_dict(allocation: Any) -> dict[str, Any]:
    return {
        "fit": allocation.fit, "params": allocation.params, "tokens": allocation.tokens,
        "compute_flops": allocation.compute_flops, "tokens_per_param": allocation.tokens_per_param,
        "approximate": allocation.approximate, "compute_rule": allocation.compute_rule,
        "notes": list(allocation.notes),
    }


def _optimal(args: argparse.Namespace) -> dict[str, Any]:
    from tools.calc.fits import FITS, get_fit

    if (args.compute is None) == (args.params is None):
        raise UsageError("give exactly one of --compute FLOPS or --params N")
    names = list(FITS) if args.fit == "all" else [get_fit(args.fit).name]
    allocations = []
    for name in names:
        fit = FITS[name]
        if args.compute is not None:
            allocations.append(_allocation_dict(fit.optimal_for_compute(compute_flops=args.compute)))
        else:
            allocations.append(_allocation_dict(fit.optimal_for_params(params=args.params)))
    if len(allocations) == 1:
        return allocations[0]
    given = {"compute_flops": args.compute} if args.compute is not None else {"params": args.params}
    return {**given, "allocations": allocations}


def _gpu_time(args: argparse.Namespace) -> dict[str, Any]:
    from tools.calc.gpu_time import compute_budget, default_mfu, project_gpu_time
    from tools.calc.hardware import find_gpu

    gpu = find_gpu(args.gpu)
    mfu, mfu_source = args.mfu, "given"
    if mfu is None:
        choice = default_mfu(is_moe=args.moe)
        mfu, mfu_source = choice.mfu, f"default {choice.mfu:g} ({'MoE' if args.moe else 'dense'}): {choice.source}"
    limits = [v for v in (args.days, args.gpu_hours, args.budget) if v is not None]
    if args.flops is not None and limits:
        raise UsageError("give --flops (to project time) or --days/--gpu-hours/--budget (for a budget), not both")
    if args.flops is not None:
        result = project_gpu_time(training_flops=args.flops, gpu=gpu, gpu_count=args.count, mfu=mfu,
                                  price_per_gpu_hour=args.price, currency=args.currency)
        energy = result.energy_kwh
    elif limits:
        result = compute_budget(gpu=gpu, gpu_count=args.count, mfu=mfu, days=args.days, gpu_hours=args.gpu_hours,
                                budget=args.budget, price_per_gpu_hour=args.price, currency=args.currency)
        energy = None
    else:
        raise UsageError("give --flops, or one of --days, --gpu-hours, --budget")
    return {
        "gpu": gpu.display_name, "gpu_key": gpu.key, "count": args.count, "mfu": mfu, "mfu_source": mfu_source,
        "peak_tflops_per_gpu": gpu.bf16_tflops, "training_flops": result.training_flops,
        "gpu_hours": result.gpu_hours, "wall_clock_hours": result.wall_clock_hours,
        "wall_clock_days": result.wall_clock_days, "cost": result.cost, "currency": result.currency,
        "price_per_gpu_hour": result.price_per_gpu_hour, "energy_kwh": energy, "notes": list(result.notes),
    }


def _memory(args: argparse.Namespace) -> dict[str, Any]:
    from tools.calc.hardware import find_gpu
    from tools.calc.memory import bytes_to_gb, estimate_training_memory
    from tools.calc.params import count_parameters

    choice = _model_from_args(args)
    if choice.shape is None:
        raise UsageError("the memory estimate needs the model's dimensions (--preset, --hf-config or flags)")
    shape = choice.shape
    moe = shape.moe
    result = estimate_training_memory(
        total_params=count_parameters(shape).total, gpu=find_gpu(args.gpu), gpu_count=args.count,
        zero_stage=args.zero, optimizer=args.optimizer, seq_len=args.seq_len, micro_batch=args.micro_batch,
        hidden=shape.hidden_size, num_layers=shape.num_layers, num_heads=shape.num_heads,
        recompute=args.recompute, flash_attention=not args.no_flash_attention,
        moe_top_k=(choice.top_k or moe.top_k) if moe else None,
        moe_ffn_hidden=moe.expert_intermediate_size if moe else None,
    )
    gb = bytes_to_gb
    return {
        "model": shape.name, "gpu": result.gpu.display_name, "count": result.gpu_count,
        "zero_stage": result.zero_stage, "optimizer": result.optimizer.name,
        "weights_gb": gb(result.weights_bytes), "grads_gb": gb(result.grads_bytes),
        "optimizer_gb": gb(result.optimizer_bytes), "activations_gb": gb(result.activations_bytes),
        "overhead_gb": gb(result.overhead_bytes), "total_gb": gb(result.total_bytes),
        "capacity_gb": gb(result.capacity_bytes), "fits": result.fits,
        "headroom_gb": gb(result.headroom_bytes), "suggestions": list(result.suggestions),
        "notes": list(result.notes),
    }


def _gpus(args: argparse.Namespace) -> dict[str, Any]:
    from tools.calc.hardware import list_gpus

    return {"gpus": [
        {"key": g.key, "name": g.display_name, "bf16_tflops": g.bf16_tflops, "fp8_tflops": g.fp8_tflops,
         "memory_gb": g.memory_gb, "board_power_watts": g.board_power_watts, "source": g.source}
        for g in list_gpus()
    ]}


def _presets(args: argparse.Namespace) -> dict[str, Any]:
    from tools.calc.params import count_parameters
    from tools.calc.presets import list_presets

    rows = []
    for preset in list_presets():
        counts = count_parameters(preset.shape)
        rows.append({"key": preset.key, "name": preset.display_name, "family": preset.family,
                     "total_params": counts.total, "active_params": counts.active,
                     "published_total": preset.published_total, "published_active": preset.published_active,
                     "source": preset.source})
    return {"presets": rows}


# --- presentation -------------------------------------------------------------------------------

def _format_value(key: str, value: Any) -> str:
    """One table cell: counts as 14.8B (14,796,800,000), FLOPs as 8.16e18, the rest plainly."""
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, bool):
        return {True: "yes", False: "no", None: "—"}[value]
    if not isinstance(value, int | float):
        return json.dumps(value, ensure_ascii=False)
    if "tflops" in key or key.endswith(("_gb", "_hours", "_days", "_kwh", "cost", "tokens_per_param", "_six_nd")):
        return f"{value:,.2f}"
    if "flops" in key or "compute" in key:
        return sci(value)
    if "params" in key or "tokens" in key:
        return f"{human(value)}  ({value:,.0f})"
    return f"{value:g}"


def _print_table(result: dict[str, Any], stream: Any) -> None:
    rows: list[tuple[str, str]] = []
    lists: list[tuple[str, list[Any]]] = []
    for key, value in result.items():
        if isinstance(value, dict):
            rows.append((key, ""))
            unit = {"breakdown": "_params", "forward_flops_per_token_by_component": "_flops"}.get(key, "")
            rows.extend((f"  {k}", _format_value(k + unit, v)) for k, v in value.items())
        elif isinstance(value, list):
            lists.append((key, value))
        else:
            rows.append((key, _format_value(key, value)))
    width = max((len(k) for k, _ in rows), default=0)
    for key, text in rows:
        stream.write(f"{key.ljust(width)}  {text}\n")
    for key, items in lists:
        if not items:
            continue
        stream.write(f"{key}:\n")
        for item in items:
            if isinstance(item, dict):
                stream.write("  - " + ", ".join(f"{k}={_format_value(k, v)}" for k, v in item.items()
                                               if k not in ("notes", "source")) + "\n")
            else:
                stream.write(f"  - {item}\n")


# --- the assistant -------------------------------------------------------------------------------


def _settings(args: argparse.Namespace) -> Any:
    from assistant.settings import load_settings

    try:
        settings = load_settings()
    except ValueError as error:
        raise UsageError(str(error)) from None
    if args.offline:
        from dataclasses import replace

        return replace(settings, force_offline=True)
    if args.llm and settings.mode == "offline":
        raise UsageError("--llm needs OPENAI_API_KEY (and OPENAI_BASE_URL for non-OpenAI endpoints); see README")
    return settings


def _report_command(args: argparse.Namespace, stdout: Any, stderr: Any) -> int:
    from assistant import export
    from assistant.session import Conversation

    conversation = Conversation(_settings(args))
    final = None
    for event in conversation.send(args.text):
        if event.kind in ("notice", "flag"):
            stderr.write(event.text + "\n")
        elif event.kind == "error":
            stderr.write(event.text + "\n")
            return 1
        elif event.kind == "final":
            final = event
    report = conversation.report(args.lang) if args.lang else final.report
    if report is None:  # not a plan: the assistant asked a question or explained a concept
        stdout.write(final.text.rstrip() + "\n")
        return 0
    if args.format == "json":
        stdout.write(export.json_export(report))
    elif args.format == "latex":
        stdout.write(export.latex_export(report) if report["kind"] == "plan" else report["markdown"])
    elif args.format == "bibtex":
        stdout.write(export.bibtex_export(report))
    else:
        text = report["markdown"] if args.lang else final.text
        stdout.write(text.rstrip() + "\n")
        if final.flags:
            stdout.write("\n> ⚠ untraced numbers: " + ", ".join(final.flags) + "\n")
    return 0


def _chat_command(args: argparse.Namespace, stdout: Any, stderr: Any) -> int:
    from assistant.session import Conversation

    conversation = Conversation(_settings(args))
    stdout.write(f"scaling-assistant ({conversation.mode_label}). Describe a run or ask a question; "
                 "empty line or Ctrl-D to quit.\n")
    while True:
        stdout.write("\n> ")
        stdout.flush()
        line = sys.stdin.readline()
        if not line or not line.strip():
            return 0
        for event in conversation.send(line.strip()):
            if event.kind == "text":
                stdout.write(event.text)
            elif event.kind == "tool_start":
                stdout.write(f"  → {event.tool}({json.dumps(event.arguments, ensure_ascii=False)})\n")
            elif event.kind == "tool_result":
                stdout.write(f"  ← {event.tool}: {'ok' if event.ok else event.result.get('error')}\n")
            elif event.kind in ("notice", "flag", "error"):
                stdout.write("\n" + event.text + "\n")
            stdout.flush()
        stdout.write("\n")


# --- entry point ------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scaling-assistant",
        description="Scaling-law calculator and assistant for dense and MoE LLM pre-training runs.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler: Callable[[argparse.Namespace], dict[str, Any]], help_text: str):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--json", action="store_true", help="print JSON instead of a table")
        p.set_defaults(handler=handler)
        return p

    params = command("params", _params, "count total and activated parameters")
    _add_model_arguments(params)

    flops = command("flops", _flops, "training FLOPs: 6·N·D and the detailed count")
    _add_model_arguments(flops)
    _add_token_arguments(flops)
    flops.add_argument("--seq-len", type=_count, default=2048, help="sequence length (default 2048)")
    flops.add_argument("--attention", choices=("full", "causal"), default="full",
                       help="full = measured convention (default); causal = Megatron-LM halving")
    flops.add_argument("--recompute", choices=("none", "selective", "full"), default="none")
    flops.add_argument("--mtp", action="store_true", help="include DeepSeek-V3 MTP modules")

    optimal = command("optimal", _optimal, "compute-optimal parameters and tokens under a named fit")
    optimal.add_argument("--compute", type=_quantity, help="compute budget in FLOPs, e.g. 1e21")
    optimal.add_argument("--params", type=_quantity, help="model size, e.g. 740M")
    optimal.add_argument("--fit", default="all", help="fit name or 'all' (default)")

    gpu_time = command("gpu-time", _gpu_time, "GPU-hours, wall clock, cost and energy (or the FLOPs a budget buys)")
    gpu_time.add_argument("--flops", type=_quantity, help="training FLOPs to project")
    gpu_time.add_argument("--days", type=float, help="inverse: wall-clock days available")
    gpu_time.add_argument("--gpu-hours", type=_quantity, help="inverse: GPU-hours available")
    gpu_time.add_argument("--budget", type=_quantity, help="inverse: money available (needs --price)")
    gpu_time.add_argument("--gpu", required=True, help="GPU name, e.g. 4090, H100, A100-80GB")
    gpu_time.add_argument("--count", type=_count, default=1, help="number of GPUs (default 1)")
    gpu_time.add_argument("--mfu", type=_fraction, help="model FLOPs utilisation, 0.4 or 40%% (default: named)")
    gpu_time.add_argument("--moe", action="store_true", help="use the MoE default MFU")
    gpu_time.add_argument("--price", type=float, help="price per GPU-hour")
    gpu_time.add_argument("--currency", default="USD", help="currency of --price (default USD)")

    memory = command("memory", _memory, "training memory per GPU and what would make it fit")
    _add_model_arguments(memory)
    memory.add_argument("--gpu", required=True, help="GPU name, e.g. 4090")
    memory.add_argument("--count", type=_count, default=1, help="number of GPUs (data parallel)")
    memory.add_argument("--zero", type=int, choices=(0, 1, 2, 3), default=0, help="ZeRO stage (default 0)")
    memory.add_argument("--optimizer", default="adamw_mixed", help="adamw_mixed (16 B/param, default), "
                        "adamw_mixed_fp32_grads (18), adamw_fp32, adamw_8bit_mixed, sgd_momentum_mixed")
    memory.add_argument("--seq-len", type=_count, default=2048)
    memory.add_argument("--micro-batch", type=_count, default=1)
    memory.add_argument("--recompute", choices=("none", "selective", "full"), default="none")
    memory.add_argument("--no-flash-attention", action="store_true", help="store the S×S attention matrices")

    command("gpus", _gpus, "list the GPU catalogue")
    command("presets", _presets, "list the model presets")

    report = sub.add_parser("report", help="the explained scaling report for a run described in words",
                            description="the explained scaling report for a run described in words (zh or en)")
    report.add_argument("text", help='e.g. "145M MoE, 1 shared + 4 routed experts, top-1, 28.9M × 512, 8 × 4090"')
    report.add_argument("--lang", choices=("zh", "en"), help="report language (default: the language of TEXT)")
    report.add_argument("--format", choices=("md", "latex", "json", "bibtex"), default="md")
    mode = report.add_mutually_exclusive_group()
    mode.add_argument("--llm", action="store_true", help="use the configured LLM endpoint (OPENAI_API_KEY …)")
    mode.add_argument("--offline", action="store_true", help="use the built-in offline model (default without a key)")
    report.set_defaults(handler=None, run=_report_command)

    chat = sub.add_parser("chat", help="a conversation in the terminal", description="a conversation in the terminal")
    chat_mode = chat.add_mutually_exclusive_group()
    chat_mode.add_argument("--llm", action="store_true", help="use the configured LLM endpoint")
    chat_mode.add_argument("--offline", action="store_true", help="use the built-in offline model")
    chat.set_defaults(handler=None, run=_chat_command)
    return parser


def main(argv: Sequence[str] | None = None, *, stdout: Any = None, stderr: Any = None) -> int:
    from tools.calc.errors import CalcInputError

    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if getattr(args, "run", None) is not None:
        try:
            return args.run(args, stdout, stderr)
        except UsageError as error:
            stderr.write(f"error: {error}\n")
            return EXIT_USAGE
    try:
        result = args.handler(args)
    except CalcInputError as error:
        stderr.write(f"error: {error}\n")
        return EXIT_USAGE
    except UsageError as error:
        stderr.write(f"error: {error}\n")
        return EXIT_USAGE
    if args.json:
        stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    else:
        _print_table(result, stdout)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
