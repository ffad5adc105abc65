"""The tool registry: name -> (function, input model, description), and a safe runner.

A tool is a plain function taking a pydantic input model and returning a pydantic result. The
schema the model sees is derived from the input model, never written by hand. The three objects
most tools share (the model, the data, the hardware: :data:`SHARED`) are defined once, in the
system prompt's argument list (:func:`shared_definitions`), and each tool's schema names them, so
a request carries them once instead of six times. :func:`run_tool` never raises: bad arguments
come back as ``{"error": ..., "hint": ...}`` so a model can correct itself, every invalid field of
a call at once, and anything unexpected is logged and becomes a generic error. The English
``error`` and ``hint`` are for the model; every failure also carries codes with values
(``errors[].code`` for an invalid field, ``code`` for the call) that :mod:`tools.error_text` turns
into the user's language.
"""

from __future__ import annotations

import json
import logging
import typing
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ValidationError

from tools.analysis import (
    ChinchillaInput,
    CountParametersInput,
    GpuTimeInput,
    MemoryInput,
    TrainingFlopsInput,
    chinchilla_analysis,
    count_parameters,
    estimate_training_flops,
    estimate_training_memory_tool,
    project_gpu_time_tool,
)
from tools.calc.errors import CalcInputError
from tools.catalog import DescribeGpuInput, ListPresetsInput, describe_gpu, list_presets_tool
from tools.error_text import power_of_ten, pydantic_problem
from tools.loss_curve import LossCurveInput, predict_loss_curve
from tools.planner import RecommendInput, recommend_configurations
from tools.specs import CalcInputErrors, DataSpec, HardwareSpec, ModelSpec, resolve_specs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ToolSpec:
    name: str
    function: Callable[[Any], BaseModel]
    input_model: type[BaseModel]

    @property
    def description(self) -> str:
        return (self.function.__doc__ or "").strip().splitlines()[0]

    @cached_property
    def result_model(self) -> type[BaseModel]:
        """The pydantic model the tool returns (its return annotation), for reading results back typed."""
        return typing.get_type_hints(self.function)["return"]

    def json_schema(self) -> dict[str, Any]:
        """The input model's JSON schema, compacted (see :func:`compact_schema`), the shared objects named (see
        :func:`shared_refs`), for the model to read."""
        return shared_refs(compact_schema(self.input_model.model_json_schema()))


SHARED: dict[str, type[BaseModel]] = {"model": ModelSpec, "data": DataSpec, "hardware": HardwareSpec}
"""The argument objects most tools share, by the argument name they go under; defined once for the model."""
_SHARED_BY_TITLE = {model.__name__: name for name, model in SHARED.items()}


def shared_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with every shared object (:data:`SHARED`) replaced by an object naming its definition, and the
    ``$defs`` they needed dropped. Validation is unchanged: :func:`run_tool` validates against the pydantic model."""
    properties = {}
    for name, definition in (schema.get("properties") or {}).items():
        ref = str(definition.get("$ref") or "").rsplit("/", 1)[-1]
        if ref in _SHARED_BY_TITLE:
            definition = {"type": "object", "description": f"`{_SHARED_BY_TITLE[ref]}` object (see Arguments)"}
        properties[name] = definition
    defs = {name: value for name, value in (schema.get("$defs") or {}).items() if name not in _SHARED_BY_TITLE}
    rest = {key: value for key, value in schema.items() if key not in ("properties", "$defs")}
    return {**rest, "properties": properties, **({"$defs": defs} if defs else {})}


@dataclass(frozen=True)
class FieldDefinition:
    """One field of a shared object as the model reads it: its name, JSON type, whether required, description."""

    name: str
    type: str
    required: bool
    description: str


def shared_definitions() -> dict[str, list[FieldDefinition]]:
    """Every field of every shared object (:data:`SHARED`), from the pydantic models (never written by hand)."""
    found = {}
    for name, model in SHARED.items():
        schema = compact_schema(model.model_json_schema())
        required = set(schema.get("required") or [])
        found[name] = [FieldDefinition(field, _type_name(definition), field in required,
                                       str(definition.get("description") or ""))
                       for field, definition in schema["properties"].items()]
    return found


def _type_name(definition: dict[str, Any]) -> str:
    if "enum" in definition:
        return "|".join(str(value) for value in definition["enum"])
    options = definition.get("anyOf")
    if isinstance(options, list):
        return "|".join(_type_name(option) for option in options if option != {"type": "null"})
    return str(definition.get("type") or "any")


def compact_schema(schema: Any, *, is_properties: bool = False) -> Any:
    """``schema`` without what the model does not need to read, saying the same thing.

    Optional ``anyOf: [T, null]`` fields with ``default: null`` become plain ``T`` (they are not
    ``required``, so leaving them out means null), and the generated ``title`` of every schema is
    dropped (the field name and description say it), and so is an upper bound of 1e9 or more (a
    sanity cap such as 1e12 GPU-hours, not guidance). Every request carries every tool's schema,
    so this halves its cost. Validation is unchanged: :func:`run_tool` validates against the
    pydantic model itself.
    """
    if isinstance(schema, list):
        return [compact_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if is_properties:  # a mapping of field names: keep every name
        return {name: compact_schema(value) for name, value in schema.items()}
    options = schema.get("anyOf")
    if isinstance(options, list) and len(options) == 2 and {"type": "null"} in options and schema.get(
            "default", ...) is None:
        kept = next(option for option in options if option != {"type": "null"})
        rest = {key: value for key, value in schema.items() if key not in ("anyOf", "default")}
        return compact_schema({**kept, **rest})
    return {key: compact_schema(value, is_properties=key in ("properties", "$defs"))
            for key, value in schema.items() if not (key == "title" and isinstance(value, str))
            and not (key in ("maximum", "le") and isinstance(value, int | float) and value >= _SANITY_CAP)}


_SANITY_CAP = 1e9


TOOLS: dict[str, ToolSpec] = {
    spec.name: spec
    for spec in (
        ToolSpec("count_parameters", count_parameters, CountParametersInput),
        ToolSpec("estimate_training_flops", estimate_training_flops, TrainingFlopsInput),
        ToolSpec("chinchilla_analysis", chinchilla_analysis, ChinchillaInput),
        ToolSpec("project_gpu_time", project_gpu_time_tool, GpuTimeInput),
        ToolSpec("estimate_training_memory", estimate_training_memory_tool, MemoryInput),
        ToolSpec("recommend_configurations", recommend_configurations, RecommendInput),
        ToolSpec("predict_loss_curve", predict_loss_curve, LossCurveInput),
        ToolSpec("list_presets", list_presets_tool, ListPresetsInput),
        ToolSpec("describe_gpu", describe_gpu, DescribeGpuInput),
    )
}


@dataclass(frozen=True)
class ToolOutcome:
    """What a tool call produced: a result (as a JSON-ready dict) or an error with a hint."""

    name: str
    ok: bool
    result: dict[str, Any]

    @property
    def content(self) -> str:
        return json.dumps(self.result, ensure_ascii=False)


def _validation_errors(error: ValidationError) -> list[dict[str, Any]]:
    """Every invalid field of a call, each with where it is, what it got and what was expected."""
    found = []
    for item in error.errors():
        where = ".".join(str(part) for part in item.get("loc", ()) if not str(part).startswith("function-")) \
            or "arguments"
        message = str(item.get("msg", "invalid value")).removeprefix("Value error, ")
        code, values = pydantic_problem(item)
        found.append({"field": where, "got": _got(item.get("input")),
                      "expected": message, "code": code, "values": _json_ready(values)})
    return found


def _json_ready(values: Any) -> Any:
    """Values of a failure code as JSON: mappings and lists kept, numbers and text as they are, the rest as text."""
    if isinstance(values, dict) or hasattr(values, "items"):
        return {str(k): _json_ready(v) for k, v in values.items()}
    if isinstance(values, list | tuple):
        return [_json_ready(v) for v in values]
    if values is None or isinstance(values, bool | int | float | str):
        return values
    return str(values)


def _small(value: Any) -> bool:
    return value is None or isinstance(value, bool | float) or (isinstance(value, int) and abs(value) < 10**18) or (
        isinstance(value, str) and len(value) <= 80)


def _got(value: Any) -> Any:
    """A value as a failure echoes it: itself when short, an integer of 400 digits as 1e400, anything long as …"""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**18:
        return power_of_ten(value)
    return value if _small(value) else "…"


def _calc_errors(errors: list[tuple[str, CalcInputError]]) -> list[dict[str, Any]]:
    return [{"field": f"{where}.{error.field}" if where else error.field,
             "got": _got(error.value),
             "expected": error.expected + (f" ({error.why})" if error.why else ""),
             "code": error.code, "values": _json_ready(error.values)} for where, error in errors]


def _error_outcome(name: str, errors: list[dict[str, Any]]) -> ToolOutcome:
    """One error result listing every invalid field, so one correction round fixes them all."""
    text = "; ".join(f"{e['field']}: got {e['got']!r}, expected {e['expected']}" for e in errors)
    result: dict[str, Any] = {"error": text, "errors": errors,
                              "hint": "fix every field listed and call again" if len(errors) > 1
                              else f"fix '{errors[0]['field']}' and call again"}
    if len(errors) == 1:
        result["field"] = errors[0]["field"]
    return ToolOutcome(name, False, result)


def _shared_errors(arguments: Any, error: ValidationError) -> list[tuple[str, CalcInputError]]:
    """What the resolvers say about the shared objects of a call that failed validation elsewhere: an MFU of 150%
    should not hide a missing length unit until the next round. Objects that failed validation themselves are left
    out (their own errors are already listed)."""
    if not isinstance(arguments, dict):
        return []
    invalid = {str(item.get("loc", ("",))[0]) for item in error.errors()}
    specs: dict[str, BaseModel] = {}
    for name, model in SHARED.items():
        if name in invalid or not isinstance(arguments.get(name), dict):
            continue
        try:
            specs[name] = model.model_validate(arguments[name])
        except ValidationError:
            continue
    if not specs:
        return []
    try:
        resolve_specs(**specs)
    except CalcInputErrors as errors:
        return list(errors.errors)
    except (CalcInputError, ValueError):
        return []
    return []


def run_tool(name: str, arguments: dict[str, Any] | str | None) -> ToolOutcome:
    """Validate ``arguments`` against the tool's input model and run it; never raises."""
    spec = TOOLS.get(name)
    if spec is None:
        return ToolOutcome(name, False, {"error": f"unknown tool '{name}'", "code": "unknown_tool",
                                         "values": {"tool": name}, "hint": "available tools: " + ", ".join(TOOLS)})
    try:
        if isinstance(arguments, str):
            arguments = json.loads(arguments or "{}")
        parsed = spec.input_model.model_validate(arguments or {})
        result = spec.function(parsed)
    except json.JSONDecodeError as error:
        return ToolOutcome(name, False, {"error": f"arguments are not valid JSON ({error.msg})",
                                         "code": "arguments_not_json", "hint": "send the arguments as one JSON object"})
    except ValidationError as error:
        return _error_outcome(name, _validation_errors(error) + _calc_errors(_shared_errors(arguments, error)))
    except CalcInputErrors as error:
        return _error_outcome(name, _calc_errors(error.errors))
    except CalcInputError as error:
        return _error_outcome(name, _calc_errors([("", error)]))
    except ValueError as error:
        return ToolOutcome(name, False, {"error": str(error), "code": "invalid_arguments",
                                         "hint": "check the combination of arguments"})
    except Exception:  # noqa: BLE001 - anything unexpected is logged and reported generically
        log.exception("tool %s failed", name)
        return ToolOutcome(name, False, {"error": f"internal error in {name}", "code": "internal_error",
                                         "hint": "try different arguments; the problem was logged"})
    return ToolOutcome(name, True, result.model_dump(mode="json"))
