"""``scaling-assistant``: the command line.

Core subcommands (``params``, ``flops``, ``optimal``, ``gpu-time``, ``memory``, ``gpus``,
``presets``) print a readable table, or JSON with ``--json``. They import only the pure core,
so they start fast. ``report`` and ``chat`` (the assistant) import their heavier modules
lazily, only when called.

Bad input prints one line naming the field and what was expected, and exits with status 2.
"""

from __future__ import annotations

import argparse
import difflib
import json
import logging
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tools.quantities import QuantityError, human, parse_fraction, parse_number, sci, shown

EXIT_USAGE = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE (sysexits.h)


class UsageError(Exception):
    """A problem with the command line itself (a file that cannot be read, a missing flag)."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad flag is one line on the caller's stderr naming the flag (no usage block, no exit)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        found = re.match(r"argument (\S+?)(?:/\S+)?: (.*)", message, re.S)
        command = self.prog.removeprefix("scaling-assistant ")
        raise UsageError(f"{command}: {found[1]}: {found[2]}" if found else f"{command}: {message}")


def _refused(text: str, code: str, values: dict[str, Any]) -> argparse.ArgumentTypeError:
    """A value the reader refused, as argparse shows it after the flag: what was given and what was expected."""
    from tools.error_text import expected_text

    return argparse.ArgumentTypeError(f"got {shown(text)!r}; expected {expected_text(code, values, language='en')}")


def _quantity(text: str) -> float:
    try:
        return parse_number(text)
    except QuantityError as error:
        raise _refused(text, error.code, error.values) from None


def _count(text: str) -> int:
    value = _quantity(text)
    if value != int(value):
        raise _refused(text, "integer", {})
    return int(value)


def _fraction(text: str) -> float:
    """MFU as 0.4 or 40%."""
    try:
        return parse_fraction(text)
    except QuantityError as error:
        raise _refused(text, error.code, error.values) from None


# --- model selection ------------------------------------------------------------------------


def _add_model_arguments(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    group = parser.add_argument_group("model (one of --preset, --hf-config, explicit dimensions, or sizes)")
    group.add_argument("--preset", help="a preset name, e.g. minimind2-moe, deepseek-v3 (see `presets`)")
    group.add_argument("--hf-config", metavar="FILE", help="a HuggingFace config.json")
    group.add_argument("--vocab", type=_count, help="vocabulary size")
    group.add_argument("--hidden", type=_count, help="hidden size (d_model)")
    group.add_argument("--layers", type=_count, help="number of layers")
    group.add_argument("--heads", type=_count, help="attention heads")
    group.add_argument("--kv-heads", type=_count, help="key/value heads (GQA/MQA); default = heads")
    group.add_argument("--head-dim", type=_count, help="head dimension; default = hidden / heads")
    group.add_argument("--intermediate", type=_count, help="dense FFN width (default: 64·⌈8·hidden/3/64⌉, stated)")
    group.add_argument("--plain-mlp", action="store_true", help="2-matrix MLP instead of gated SwiGLU")
    tied = group.add_mutually_exclusive_group()
    tied.add_argument("--tied", action="store_true", default=None, help="tie input embedding and lm_head")
    tied.add_argument("--untied", dest="tied", action="store_false", help="separate input embedding and lm_head")
    group.add_argument("--experts", type=_count, help="routed experts per MoE layer")
    group.add_argument("--expert-intermediate", type=_count, help="width of one routed expert")
    group.add_argument("--granularity", type=_quantity, help="expert granularity G: expert width = FFN width / G")
    group.add_argument("--shared-experts", type=_count, help="shared experts per MoE layer")
    group.add_argument("--shared-intermediate", type=_count, help="width of one shared expert")
    group.add_argument("--first-k-dense", type=_count, help="leading dense layers before MoE")
    group.add_argument("--moe-every", type=_count, help="MoE on every n-th layer")
    group.add_argument("--top-k", type=_count, help="routed experts per token (overrides a preset's)")
    group.add_argument("--total-params", type=_quantity, help="total parameters as stated, e.g. 145M")
    group.add_argument("--active-params", type=_quantity, help="activated parameters as stated, e.g. 2.4B")
    group.add_argument("--expert-fraction", type=_fraction,
                       help="with --total-params: share of parameters in experts (default: closest preset)")
    kind = group.add_mutually_exclusive_group()
    kind.add_argument("--dense", dest="dense", action="store_true", default=None, help="the model is dense")
    kind.add_argument("--moe", dest="dense", action="store_false", help="the model is an MoE")
    parser.set_defaults(model_required=required)


# Core field names -> the flags that set them, so errors name what the user typed.
_FLAGS = {
    "preset": "--preset", "hf_config": "--hf-config", "vocab_size": "--vocab", "hidden_size": "--hidden",
    "num_layers": "--layers", "num_heads": "--heads", "num_kv_heads": "--kv-heads", "head_dim": "--head-dim",
    "intermediate_size": "--intermediate", "num_experts": "--experts", "expert_intermediate_size":
    "--expert-intermediate", "granularity": "--granularity", "num_shared_experts": "--shared-experts",
    "shared_expert_intermediate_size": "--shared-intermediate", "first_k_dense": "--first-k-dense",
    "moe_every": "--moe-every", "top_k": "--top-k", "total_params": "--total-params",
    "active_params": "--active-params", "expert_fraction": "--expert-fraction", "tokens": "--tokens",
    "samples": "--samples", "mean_length": "--mean-length", "epochs": "--epochs", "seq_len": "--seq-len",
    "tokens_per_char": "--tokens-per-char", "gpu": "--gpu", "gpu_count": "--count", "mfu": "--mfu",
    "model": "--preset/--hf-config/--hidden/--total-params", "dense": "--dense/--moe", "every": "--moe-every",
    "micro_batch": "--micro-batch", "data_parallel": "--count", "price_per_gpu_hour": "--price",
    "currency": "--currency", "days": "--days", "gpu_hours": "--gpu-hours", "budget": "--budget",
    "training_flops": "--flops", "compute_flops": "--compute", "params": "--params", "fit": "--fit",
    "optimizer": "--optimizer", "zero_stage": "--zero", "recompute": "--recompute", "attention": "--attention",
    "config_file": "--hf-config", "moe_top_k": "--top-k", "moe_ffn_hidden": "--expert-intermediate",
    "hidden": "--hidden", "num_routed_experts": "--experts",
}


def _model_description(args: argparse.Namespace) -> Any:
    """The flags as a :class:`ModelDescription` (None when no model flag is given)."""
    from tools.calc.model_description import ModelDescription

    config = _read_json(args.hf_config) if args.hf_config is not None else None
    description = ModelDescription(
        preset=args.preset, hf_config=config, config_name=Path(args.hf_config).stem if args.hf_config else None,
        vocab_size=args.vocab, hidden_size=args.hidden, num_layers=args.layers, num_heads=args.heads,
        num_kv_heads=args.kv_heads, head_dim=args.head_dim, intermediate_size=args.intermediate,
        tied_embeddings=args.tied, gated_mlp=False if args.plain_mlp else None, num_experts=args.experts,
        expert_intermediate_size=args.expert_intermediate, granularity=args.granularity,
        num_shared_experts=args.shared_experts, shared_expert_intermediate_size=args.shared_intermediate,
        first_k_dense=args.first_k_dense, moe_every=args.moe_every, top_k=args.top_k,
        total_params=args.total_params, active_params=args.active_params, expert_fraction=args.expert_fraction,
        dense=getattr(args, "dense", None),
    )
    return description if description.stated() else None


def _resolve_model(args: argparse.Namespace) -> Any:
    """The model through the one resolver (tools.calc.resolve_model), as every other door does."""
    from tools.calc.resolve_model import resolve_model

    description = _model_description(args)
    if description is None:
        if args.model_required:
            raise UsageError("name a model: --preset NAME, --hf-config FILE, --vocab/--hidden/--layers/--heads, "
                             "or --total-params")
        return None
    return resolve_model(description=description)


def _assumptions(items: Any) -> list[dict[str, Any]]:
    """Assumptions as codes, values, the headline flag and their English sentence (as the tools give them)."""
    from tools.assumption_text import assumption_text

    seen: dict[str, dict[str, Any]] = {}
    for item in items:
        seen.setdefault(repr((item.code, sorted(item.values.items()))),
                        {**item.as_dict(), "text": assumption_text(item, language="en")})
    return list(seen.values())


def _read_json(path: str) -> Any:
    """The config.json at ``path``, read by the one config reader (any encoding, bounded in size and depth)."""
    from tools.config_file import read_config_file

    return read_config_file(path)


# --- subcommands ------------------------------------------------------------------------------


def _params(args: argparse.Namespace) -> dict[str, Any]:
    model = _resolve_model(args)
    counts = model.counts
    result: dict[str, Any] = {
        "model": model.label, "total_params": model.total_params, "active_params": model.active_params,
        "embedding_params": counts.embedding_params if counts else None,
        "lm_head_params": counts.lm_head if counts else None,
        "non_embedding_params": counts.non_embedding if counts else None,
        "active_params_excl_input_embedding": counts.active_excl_input_embedding if counts else None,
        "active_non_embedding_params": counts.active_non_embedding if counts else None,
        "breakdown": counts.parts if counts else None, "top_k": model.top_k,
        "tied_embeddings": counts.tied_embeddings if counts else None, "approximate": model.approximate,
        "reading": model.reading(), "assumptions": _assumptions(model.assumptions),
    }
    if counts is not None and counts.mtp:
        result["mtp_params"] = counts.mtp
        result["total_params_with_mtp"] = counts.total_with_mtp
        result["active_params_with_mtp"] = counts.active_with_mtp
    return result


def _data_description(args: argparse.Namespace) -> Any:
    from tools.calc.resolve_data import DataDescription

    return DataDescription(
        tokens=args.tokens, samples=args.samples, mean_length=args.mean_length,
        length_unit=("chars" if args.chars else "tokens") if args.mean_length is not None else None,
        tokens_per_char=args.tokens_per_char, epochs=args.epochs, seq_len=args.seq_len,
    )


def _add_token_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("data")
    group.add_argument("--tokens", type=_quantity, help="training tokens, e.g. 14.8B")
    group.add_argument("--samples", type=_quantity, help="number of samples, e.g. 28.9M")
    group.add_argument("--mean-length", type=_quantity, help="mean sample length (tokens, or chars with --chars)")
    group.add_argument("--epochs", type=_quantity, help="passes over the data (default 1)")
    group.add_argument("--chars", action="store_true", help="--mean-length is in characters")
    group.add_argument("--tokens-per-char", type=_quantity, help="with --chars: tokens per character (default 1)")


def _flops(args: argparse.Namespace) -> dict[str, Any]:
    from tools.calc.flops import training_flops
    from tools.calc.resolve_data import resolve_data

    model = _resolve_model(args)
    if args.tokens is None and args.samples is None and args.mean_length is None:
        raise UsageError("give --tokens, or --samples and --mean-length")
    data = resolve_data(description=_data_description(args))
    if model.shape is None:
        raise UsageError("the detailed FLOP count needs the model's dimensions (--preset, --hf-config or flags)")
    if args.mtp and not model.shape.num_mtp_modules:
        raise UsageError(f"--mtp: {model.label} has no multi-token-prediction module")
    result = training_flops(model.shape, tokens=data.tokens, seq_len=data.seq_len, attention=args.attention,
                            recompute=args.recompute, top_k=model.top_k, include_mtp=args.mtp)
    per_token = result.flops_per_token
    return {
        "model": model.label, "tokens": data.tokens, "seq_len": data.seq_len,
        "active_params": result.active_params,
        "six_nd_flops": result.six_nd_flops, "six_nd_non_embedding_flops": result.six_nd_non_embedding_flops,
        "six_nd_convention": result.six_nd_convention,
        "detailed_flops": result.detailed_flops, "flops_per_token": per_token.training_flops,
        "forward_flops_per_token": per_token.forward_flops,
        "forward_flops_per_token_by_component": per_token.forward_by_component,
        "detailed_over_six_nd": result.detailed_over_six_nd,
        "convention": per_token.convention, "reading": model.reading(),
        "assumptions": _assumptions([*model.assumptions, *data.assumptions]),
    }


def _allocation_dict(allocation: Any) -> dict[str, Any]:
    return {
        "fit": allocation.fit, "params": allocation.params, "tokens": allocation.tokens,
        "compute_flops": allocation.compute_flops, "tokens_per_param": allocation.tokens_per_param,
        "approximate": allocation.approximate, "in_fitted_range": allocation.in_fitted_range,
        "compute_rule": allocation.compute_rule, "notes": list(allocation.notes),
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


def _hardware(args: argparse.Namespace, *, is_moe: bool) -> Any:
    from tools.calc.resolve_hardware import HardwareDescription, resolve_hardware

    return resolve_hardware(description=HardwareDescription(
        gpu=args.gpu, gpu_count=args.count, mfu=getattr(args, "mfu", None), price_per_gpu_hour=getattr(
            args, "price", None), currency=getattr(args, "currency", None)), is_moe=is_moe)


def _gpu_time(args: argparse.Namespace) -> dict[str, Any]:
    from tools.calc.gpu_time import compute_budget, project_gpu_time

    hw = _hardware(args, is_moe=args.moe)
    limits = [v for v in (args.days, args.gpu_hours, args.budget) if v is not None]
    if args.flops is not None and limits:
        raise UsageError("give --flops (to project time) or --days/--gpu-hours/--budget (for a budget), not both")
    common = dict(gpu=hw.gpu, gpu_count=hw.gpu_count, mfu=hw.mfu, price_per_gpu_hour=hw.price_per_gpu_hour,
                  currency=hw.currency)
    if args.flops is not None:
        result = project_gpu_time(training_flops=args.flops, **common)
        energy = result.energy_kwh
    elif limits:
        result = compute_budget(days=args.days, gpu_hours=args.gpu_hours, budget=args.budget, **common)
        energy = None
    else:
        raise UsageError("give --flops, or one of --days, --gpu-hours, --budget")
    return {
        "gpu": hw.gpu.display_name, "gpu_key": hw.gpu.key, "count": hw.gpu_count, "mfu": hw.mfu,
        "mfu_basis": "given" if hw.mfu_given else "default_moe" if args.moe else "default_dense",
        "peak_tflops_per_gpu": hw.gpu.bf16_tflops, "training_flops": result.training_flops,
        "gpu_hours": result.gpu_hours, "wall_clock_hours": result.wall_clock_hours,
        "wall_clock_days": result.wall_clock_days, "cost": result.cost, "currency": result.currency,
        "price_per_gpu_hour": result.price_per_gpu_hour, "energy_kwh": energy, "notes": list(result.notes),
        "assumptions": _assumptions(hw.assumptions),
    }


def _memory(args: argparse.Namespace) -> dict[str, Any]:
    from tools.assumption_text import suggestion_text
    from tools.calc.memory import bytes_to_gb, estimate_training_memory

    model = _resolve_model(args)
    if model.shape is None:
        raise UsageError("the memory estimate needs the model's dimensions (--preset, --hf-config or flags)")
    hw = _hardware(args, is_moe=model.is_moe)
    shape = model.shape
    moe = shape.moe
    result = estimate_training_memory(
        total_params=model.counts.total, gpu=hw.gpu, gpu_count=hw.gpu_count,
        zero_stage=args.zero, optimizer=args.optimizer, seq_len=args.seq_len, micro_batch=args.micro_batch,
        hidden=shape.hidden_size, num_layers=shape.num_layers, num_heads=shape.num_heads,
        recompute=args.recompute, flash_attention=not args.no_flash_attention,
        moe_top_k=model.top_k if moe else None, moe_ffn_hidden=moe.expert_intermediate_size if moe else None,
    )
    gb = bytes_to_gb
    return {
        "model": model.label, "gpu": result.gpu.display_name, "count": result.gpu_count,
        "zero_stage": result.zero_stage, "optimizer": result.optimizer.name,
        "weights_gb": gb(result.weights_bytes), "grads_gb": gb(result.grads_bytes),
        "optimizer_gb": gb(result.optimizer_bytes), "activations_gb": gb(result.activations_bytes),
        "overhead_gb": gb(result.overhead_bytes), "total_gb": gb(result.total_bytes),
        "capacity_gb": gb(result.capacity_bytes), "fits": result.fits,
        "headroom_gb": gb(result.headroom_bytes),
        "suggestions": [suggestion_text(s, language="en") for s in result.suggestions],
        "notes": list(result.notes), "assumptions": _assumptions([*model.assumptions, *hw.assumptions]),
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


# --- plan: from a budget to architectures ----------------------------------------------------------

# Core field names -> the plan's flags, so a bad value names what the user typed.
_PLAN_FLAGS = {
    "gpu": "--gpu", "gpu_count": "--count", "mfu": "--mfu", "days": "--days", "gpu_hours": "--gpu-hours",
    "budget": "--budget", "price_per_gpu_hour": "--price", "currency": "--currency", "compute": "--days/--gpu-hours/"
    "--budget/--compute", "compute_flops": "--compute", "fit": "--fit", "unique_tokens": "--unique-tokens",
    "inference_tokens": "--inference-tokens", "vocab_size": "--vocab", "seq_len": "--seq-len", "zero_stage": "--zero",
    "optimizer": "--optimizer", "max_candidates": "--candidates", "architectures": "--arch",
}


def _plan_request(args: argparse.Namespace) -> Any:
    from tools.calc.planner import PlanRequest
    from tools.calc.resolve_hardware import HardwareDescription

    hardware_flags = [flag for flag, value in (("--count", args.count), ("--mfu", args.mfu), ("--price", args.price),
                                               ("--currency", args.currency)) if value is not None]
    if args.gpu is None and hardware_flags:
        raise UsageError(f"plan: {hardware_flags[0]} needs --gpu NAME")
    if args.price is not None and args.budget is None and args.gpu is None:
        raise UsageError("plan: --price needs --gpu NAME")
    hardware = None if args.gpu is None else HardwareDescription(
        gpu=args.gpu, gpu_count=args.count, mfu=args.mfu, price_per_gpu_hour=args.price, currency=args.currency)
    kinds = {"both": ("moe", "dense"), "moe": ("moe",), "dense": ("dense",)}[args.arch]
    return PlanRequest(
        hardware=hardware, days=args.days, gpu_hours=args.gpu_hours, budget=args.budget, compute_flops=args.compute,
        fit=args.fit, unique_tokens=args.unique_tokens, inference_tokens=args.inference_tokens, architectures=kinds,
        vocab_size=args.vocab, tied_embeddings=args.tied, seq_len=args.seq_len, zero_stage=args.zero,
        optimizer=args.optimizer, max_candidates=args.candidates,
    )


def _plan_command(args: argparse.Namespace, stdout: Any, stderr: Any) -> int:
    from tools.calc.planner import make_plan
    from tools.planner import recommendation_result

    given = [flag for flag, value in (("--days", args.days), ("--gpu-hours", args.gpu_hours), ("--budget", args.budget),
                                      ("--compute", args.compute)) if value is not None]
    if len(given) != 1:
        raise UsageError("plan: give exactly one budget: --gpu NAME --count K --days T, --gpu-hours H, "
                         "--budget AMOUNT --price P, or --compute FLOPS" + (f" (got {', '.join(given)})" if given
                                                                           else ""))
    result = recommendation_result(make_plan(request=_plan_request(args)))  # a CalcInputError: main says it
    if args.config is not None:
        chosen = [c for c in result.candidates if c.rank == args.config]
        if not chosen:
            raise UsageError(f"plan: --config: no candidate {args.config} (there are {len(result.candidates)})")
        stdout.write(json.dumps(chosen[0].config, indent=2) + "\n")
    elif args.json:
        stdout.write(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n")
    else:
        _print_plan(result, stdout)
    return 0


def _print_plan(result: Any, stream: Any) -> None:
    """The plan as text: the budget, every fit's target, the candidates, the advice and the assumptions."""
    write = stream.write
    if result.gpu:
        write(f"Budget: {result.gpu_count} × {result.gpu}, limited by {result.limited_by}\n")
    for kind in result.computes:
        mfu = f"MFU {kind.mfu:.0%} ({kind.mfu_basis})" if kind.mfu is not None else "FLOPs as given"
        days = f", {kind.wall_clock_days:,.2f} days, {kind.gpu_hours:,.0f} GPU-hours" if kind.gpu_hours else ""
        write(f"  {kind.architecture:5}  {mfu} → {sci(kind.compute_flops)} FLOPs{days}\n")
    write(f"\nCompute-optimal targets at {sci(result.compute_flops)} FLOPs (activated parameters, tokens):\n")
    for target in result.targets:
        mark = "  ← searched" if target.fit == result.fit else ""
        write(f"  {target.fit:31} {human(target.active_params):>8} {human(target.tokens):>8}  "
              f"{target.tokens_per_param:6.1f} tokens/param{mark}\n")
    write(f"  {result.targets_text}\n")
    for target in result.search_targets:
        write(f"  search target ({target.architecture}): {human(target.active_params)} activated on "
              f"{human(target.tokens)} tokens [{target.basis}]\n")
    for extra in (result.inference_aware, result.data_constrained):
        if extra is not None:
            write(f"\n{extra.text}\n")
    for search in result.searches:
        rows = [c for c in result.candidates if c.architecture == search.architecture]
        write(f"\n{search.architecture.upper()} candidates: {search.evaluated:,} evaluated of {search.considered:,}, "
              f"{search.on_target:,} within ±{search.tolerance:.0%}, {search.fitting:,} fit in memory\n")
        if search.text:
            write(f"  {search.text}\n")
            continue
        write("   # hidden layers heads/kv  hd experts top-k shared     G fk        total       active   tokens"
              "   days  GB/GPU   loss*  failed checks\n")
        for c in rows:
            experts = (f"{c.num_experts:7} {c.top_k:5} {c.num_shared_experts:6} {c.granularity:5.1f} "
                       f"{c.first_k_dense:2}" if c.architecture == "moe"
                       else f"{'—':>7} {'—':>5} {'—':>6} {'—':>5} {'—':>2}")
            memory = f"{c.memory_per_gpu_bytes / 1e9:7.1f}" if c.memory_per_gpu_bytes is not None else f"{'—':>7}"
            days = f"{c.training_days:6.2f}" if c.training_days is not None else f"{'—':>6}"
            failed = ", ".join(n.code for n in c.notes if not n.passed) or "—"
            loss = c.predicted_loss.get(result.fit)
            write(f"  {c.rank:2} {c.hidden_size:6} {c.num_layers:6} {c.num_heads:4}/{c.num_kv_heads:<4} "
                  f"{c.head_dim:3} {experts} {c.total_params:12,} {c.active_params:12,} {human(c.tokens):>8} "
                  f"{days} {memory} {'—' if loss is None else f'{loss:6.3f}':>7}  {failed}\n")
    write(f"\n  * loss: nats per token under {result.fit} (a fit's prediction, not a promise). "
          "`--json` gives each candidate's config.json; `--config N` prints candidate N's alone.\n")
    write("\nHeuristics:\n")
    for heuristic in result.heuristics:
        write(f"  - {heuristic.code}: {heuristic.text} [{heuristic.status}, weight {heuristic.weight:g}]\n")
    write(f"\nHyperparameters: {result.hyperparameters.text}\n\nAdvice:\n")
    for item in result.advice:
        write(f"  - {item.text} [{item.status}]\n")
    write("\nAssumptions:\n")
    for item in result.assumptions:
        write(("  ! " if item.headline else "  - ") + item.text + "\n")


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
    if isinstance(result.get("reading"), dict):
        from assistant.understood import RunReading, check_lines, understood_line

        reading = RunReading(model=result["reading"])
        for line in (understood_line(reading, language="en"), *check_lines(result["reading"], language="en")):
            stream.write(line.replace("**", "") + "\n")
        stream.write("\n")
    for key, value in result.items():
        if key == "reading":
            continue
        if key == "assumptions" and isinstance(value, list):
            lists.append((key, [("! " if item["headline"] else "") + item["text"] for item in value]))
            continue
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
    from assistant.report import markdown_file
    from assistant.session import Conversation

    conversation = Conversation(_settings(args))
    final = None
    for event in conversation.send(args.text):
        if event.kind in ("notice", "flag", "progress"):
            stderr.write(event.text + "\n")
            stderr.flush()
        elif event.kind == "error":
            stderr.write(event.text + "\n")
            return 1
        elif event.kind == "final":
            final = event
    report = conversation.report(args.lang) if args.lang else final.report
    if report is None:  # not a plan: the assistant asked a question or explained a concept
        if args.format == "json" and final.question is not None:
            stdout.write(json.dumps(final.question, ensure_ascii=False, indent=2) + "\n")
        else:
            stdout.write(markdown_file(final.text).rstrip() + "\n")
        return 0
    if args.format == "json":
        stdout.write(export.json_export(report))
    elif args.format == "latex":
        stdout.write(export.latex_export(report) if report.kind == "plan" else markdown_file(report.markdown))
    elif args.format == "bibtex":
        stdout.write(export.bibtex_export(report))
    else:
        text = report.markdown if args.lang or args.full else final.text
        stdout.write(markdown_file(text).rstrip() + "\n")
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
                stdout.write(f"  ← {event.tool}: {'ok' if event.ok else event.text}\n")
            elif event.kind in ("notice", "flag", "error", "progress"):
                stdout.write("\n" + event.text + "\n")
            stdout.flush()
        stdout.write("\n")


# --- entry point ------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
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
    flops.add_argument("--seq-len", type=_count, help="sequence length (default: the mean sample length in tokens, "
                       "else 2048; stated in the output)")
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
    gpu_time.add_argument("--days", type=_quantity, help="inverse: wall-clock days available")
    gpu_time.add_argument("--gpu-hours", type=_quantity, help="inverse: GPU-hours available")
    gpu_time.add_argument("--budget", type=_quantity, help="inverse: money available (needs --price)")
    gpu_time.add_argument("--gpu", required=True, help="GPU name, e.g. 4090, H100, A100-80GB")
    gpu_time.add_argument("--count", type=_count, help="number of GPUs (default 1, stated in the output)")
    gpu_time.add_argument("--mfu", type=_fraction, help="model FLOPs utilisation, 0.4 or 40%% (default: named)")
    gpu_time.add_argument("--moe", action="store_true", help="use the MoE default MFU")
    gpu_time.add_argument("--price", type=_quantity, help="price per GPU-hour")
    gpu_time.add_argument("--currency", help="currency of --price (default USD, stated in the output)")

    memory = command("memory", _memory, "training memory per GPU and what would make it fit")
    _add_model_arguments(memory)
    memory.add_argument("--gpu", required=True, help="GPU name, e.g. 4090")
    memory.add_argument("--count", type=_count, help="number of GPUs, data parallel (default 1, stated)")
    memory.add_argument("--zero", type=int, choices=(0, 1, 2, 3), default=0, help="ZeRO stage (default 0)")
    memory.add_argument("--optimizer", default="adamw_mixed", help="adamw_mixed (16 B/param, default), "
                        "adamw_mixed_fp32_grads (18), adamw_fp32, adamw_8bit_mixed, sgd_momentum_mixed")
    memory.add_argument("--seq-len", type=_count, default=2048)
    memory.add_argument("--micro-batch", type=_count, default=1)
    memory.add_argument("--recompute", choices=("none", "selective", "full"), default="none")
    memory.add_argument("--no-flash-attention", action="store_true", help="store the S×S attention matrices")

    plan = sub.add_parser("plan", help="from a budget to recommended MoE and dense architectures",
                          description="from a GPU, money or FLOP budget to recommended MoE (and dense) architectures, "
                                      "each with exact counts and a config.json")
    plan.add_argument("--gpu", help="GPU name, e.g. 4090, H100, A100-80GB")
    plan.add_argument("--count", type=_count, help="number of GPUs (default 1, stated in the output)")
    plan.add_argument("--days", type=_quantity, help="wall-clock days available")
    plan.add_argument("--gpu-hours", type=_quantity, help="GPU-hours available")
    plan.add_argument("--budget", type=_quantity, help="money available (needs --price and --gpu)")
    plan.add_argument("--price", type=_quantity, help="price per GPU-hour")
    plan.add_argument("--currency", help="currency of --price (default USD, stated)")
    plan.add_argument("--compute", type=_quantity, help="the budget as training FLOPs, e.g. 3e20")
    plan.add_argument("--mfu", type=_fraction, help="model FLOPs utilisation, 0.35 or 35%% (default: named, MoE/dense)")
    plan.add_argument("--fit", help="the fit to search around (default epoch-2024; see `optimal --fit all`)")
    plan.add_argument("--unique-tokens", type=_quantity, help="unique training data available, e.g. 2T")
    plan.add_argument("--inference-tokens", type=_quantity, help="tokens the model will serve over its life")
    plan.add_argument("--arch", choices=("both", "moe", "dense"), default="both",
                      help="architectures to search (default both: MoE ranked, dense to compare)")
    plan.add_argument("--vocab", type=_count, help="vocabulary size (default 32000, stated)")
    plan_tied = plan.add_mutually_exclusive_group()
    plan_tied.add_argument("--tied", action="store_true", default=None, help="tie input embedding and lm_head")
    plan_tied.add_argument("--untied", dest="tied", action="store_false", help="separate embedding and lm_head")
    plan.add_argument("--seq-len", type=_count, help="training sequence length (default 2048, stated)")
    plan.add_argument("--zero", type=int, choices=(0, 1, 2, 3), help="ZeRO stage for the memory check (default 2)")
    plan.add_argument("--optimizer", help="adamw_mixed (default), adamw_mixed_fp32_grads, adamw_fp32, "
                      "adamw_8bit_mixed, sgd_momentum_mixed, muon_mixed")
    plan.add_argument("--candidates", type=_count, default=5, help="MoE candidates to show (default 5)")
    plan.add_argument("--config", type=_count, metavar="RANK", help="print candidate RANK's config.json only")
    plan.add_argument("--json", action="store_true", help="print JSON instead of a table")
    plan.set_defaults(handler=None, run=_plan_command)

    command("gpus", _gpus, "list the GPU catalogue")
    command("presets", _presets, "list the model presets")

    report = sub.add_parser("report", help="the explained scaling report for a run described in words",
                            description="the explained scaling report for a run described in words (zh or en)")
    report.add_argument("text", help='e.g. "145M MoE, 1 shared + 4 routed experts, top-1, 28.9M × 512, 8 × 4090"')
    report.add_argument("--lang", choices=("zh", "en"), help="report language (default: the language of TEXT)")
    report.add_argument("--format", choices=("md", "latex", "json", "bibtex"), default="md")
    report.add_argument("--full", action="store_true", help="print the full report, not just the answer")
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


_LISTINGS = {"preset": "presets", "gpu": "gpus"}  # the subcommand that lists a field's choices


def _one_line(text: str) -> str:
    """An error as one line: line breaks become spaces, a long unbroken value is cut to what identifies it, and
    characters no terminal can print (a lone surrogate from undecodable bytes in argv) are escaped."""
    text = " ".join(str(text).split())
    text = re.sub(r"\S{60,}", lambda found: shown(found.group(0)), text)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _error_line(command: str | None, text: object) -> str:
    """``error: <command>: <what>`` on one line (the command once, whoever wrote the message)."""
    line = _one_line(text)
    if command and not line.startswith(f"{command}:"):
        line = f"{command}: {line}"
    return f"error: {line}\n"


def _given_flags(argv: Sequence[str]) -> dict[str, str | None]:
    """Each flag on the command line with the text given after it (the last one, as argparse keeps it)."""
    given: dict[str, str | None] = {}
    for index, item in enumerate(argv):
        if item.startswith("--"):
            flag, equals, value = item.partition("=")
            following = argv[index + 1] if index + 1 < len(argv) else None
            given[flag] = value if equals else following if following is not None and not following.startswith(
                "--") else None
    return given


def _calc_error_line(error: Any, args: argparse.Namespace, given: dict[str, str | None]) -> str:
    """A refused value as one line naming what the user typed: the flag, or the config.json field and its file.

    "--layers: got 30M; expected an integer from 1 to 10,000"; for a field read from ``--hf-config`` the file is
    named with the field ("--hf-config config.json: num_hidden_layers: …").
    """
    from tools.error_text import expected_text, given_text

    flag = (_PLAN_FLAGS if args.command == "plan" else {}).get(error.field) or _FLAGS.get(error.field)
    config = getattr(args, "hf_config", None)
    if error.field != "config_file" and config is not None and (flag is None or flag not in given):
        where = f"--hf-config {Path(config).name}: {error.field}"
    else:
        where = flag or error.field
    values = dict(error.values)
    choices = values.get("choices")
    listing = _LISTINGS.get(error.field)
    if isinstance(choices, tuple | list) and len(choices) > 8 and listing:  # the closest few, and where the rest are
        close = difflib.get_close_matches(str(error.value), [str(c) for c in choices], n=4, cutoff=0.3)
        values["choices"] = (*(close or choices[:4]), f"… ({len(choices)} in all: `scaling-assistant {listing}`)")
    expected = expected_text(error.code, values, language="en", field=error.field).replace("`…", "…").replace(
        "`)`", "`)")
    why = f" ({error.why})" if error.why else ""
    got = error.value
    if error.code == "one_model_source":
        got = ("preset", "hf_config")
    if isinstance(got, tuple | list) and got and all(isinstance(item, str) and item in _FLAGS for item in got):
        value = "got " + " and ".join(_FLAGS[item] for item in got)  # fields named in the value: their flags
    elif error.field == "dense" and isinstance(got, bool):
        value = "got " + ("--dense" if got else "--moe")
    elif got is None:
        value = "not given"
    elif where == flag and given.get(flag) is not None:
        value = f"got {shown(given[flag])!r}"  # as typed: '1e30', not the integer it was read as
    else:
        value = f"got {shown(given_text(got, language='en', field=error.field), limit=60)}"
    return _one_line(f"{where}: {value}; expected {expected}{why}")


def main(argv: Sequence[str] | None = None, *, stdout: Any = None, stderr: Any = None) -> int:
    """Run one command. Bad input is one line on stderr naming the flag and what was expected (exit status 2);
    nothing a user types ends in a traceback."""
    from tools.calc.errors import CalcInputError

    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help
        return int(exit_.code or 0)
    except UsageError as error:
        stderr.write(_error_line(None, error))
        return EXIT_USAGE
    try:
        if getattr(args, "run", None) is not None:
            return args.run(args, stdout, stderr)
        result = args.handler(args)
    except CalcInputError as error:
        stderr.write(_error_line(args.command, _calc_error_line(error, args, _given_flags(argv))))
        return EXIT_USAGE
    except UsageError as error:
        stderr.write(_error_line(args.command, error))
        return EXIT_USAGE
    except Exception:  # noqa: BLE001 - a bug: one line for the user, the trace for whoever debugs (logging)
        logging.getLogger(__name__).debug("command failed", exc_info=True)
        stderr.write(f"error: {args.command}: an internal error stopped this command (please report it)\n")
        return EXIT_INTERNAL
    if args.json:
        stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    else:
        _print_table(result, stdout)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
