"""botocore's service model as the judge of what the emulator accepts and what it answers.

Bedrock validates every request against its model before any model runs, and answers only
what its model describes. botocore checks little of either: on the way out it enforces
``min`` and the union rule but no ``max``, ``pattern`` or enum (and a raw HTTP client over
``serve`` checks nothing); on the way in it drops members it does not know and never looks at
enums, lengths or required members. So the emulator holds itself to the model here:

- :func:`check_request` lists the constraint violations of a routed request (path labels,
  query strings, headers, JSON body). The router answers them with Bedrock's
  ``ValidationException`` (``1 validation error detected: Value '1.5' at
  'inferenceConfig.temperature' failed to satisfy constraint: Member must have value less than
  or equal to 1``) before any handler runs, so handlers only check what the model cannot say.
- :class:`Walker` with ``output=True`` is the judge of responses (``wire_check.py``): there
  unknown and null members, exact JSON types and enums count too.

A type mismatch (``"maxTokens": "ten"``) is worded like the constraints ("Member must be an
integer"); Bedrock's own wording for it is not known.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

SERVICES = ("bedrock-runtime", "bedrock")
MISSING = object()

# Patterns whose nested quantifiers backtrack exponentially in Python's ``re`` (a 30-character
# job name of hyphens takes seconds), mapped to equivalent linear ones. Length limits are
# checked before patterns, so "equivalent" only needs to hold within them.
_SAFE_PATTERNS = {
    # ModelInvocationJobName (max 63): an alphanumeric, then letters, digits, + - .
    r"[a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9\+\-\.]){0,63}": r"[a-zA-Z0-9][a-zA-Z0-9+\-.]{0,62}",
}

# What real Bedrock sends that its model does not describe, so a response may carry it:
# the random-length ``p`` padding on every event payload ([ref] §1.3, §2), and
# ``INFERENCE_PROFILE`` in ``inferenceTypesSupported`` ([ref] §5.2, many captured responses).
EVENT_PADDING = "p"
# Model names and profile names and descriptions are longer than, or carry characters outside,
# what the model states ("Titan Embeddings G1 - Text", "US Anthropic Claude 3.5 Sonnet",
# "Routes requests to ... in us-east-1, us-east-2 and us-west-2."), and ``VIDEO`` is among the
# input modalities of the Nova models ([ref] §5.3; captured listings).
EXTRA_ENUM_VALUES = {"InferenceType": ("INFERENCE_PROFILE",), "ModelModality": ("VIDEO",)}
LOOSE_IN_PRACTICE = {"BrandedName": ("max",), "InferenceProfileName": ("pattern",),
                     "InferenceProfileDescription": ("pattern",)}
# The emulator's own extension: batch jobs may read and write file:// URIs when the endpoint
# allows it (``serve --allow-file-uris``, the in-process backend); the handler gates it.
_LOCAL_URI = re.compile(r"file://\S+")


_KNOWN: dict[str, ServiceModel] = {}


def know(model: ServiceModel) -> None:
    """Use a client's own service model (``transport.attach`` hands it over), so the
    in-process backend does not load and keep a second copy of it."""
    _KNOWN.setdefault(model.service_name, model)


def service_model(name: str) -> ServiceModel:
    if name not in _KNOWN:
        import botocore.session

        _KNOWN[name] = botocore.session.get_session().get_service_model(name)
    return _KNOWN[name]


@cache
def operation_model(name: str) -> OperationModel | None:
    """The model of a route's operation (``Converse``, ``ListFoundationModels``), or None."""
    for service in SERVICES:
        model = service_model(service)
        if name in model.operation_names:
            return model.operation_model(name)
    return None


def error_codes(operation: str) -> tuple[str, ...]:
    """The error codes the operation's model lists (empty for an unknown operation)."""
    model = operation_model(operation)
    return tuple(shape.name for shape in model.error_shapes) if model is not None else ()


def stream_exceptions(operation: str) -> tuple[str, ...]:
    """The in-stream exception members (lowerCamel) of the operation's event stream."""
    model = operation_model(operation)
    stream = model.get_event_stream_output() if model is not None else None
    if stream is None:
        return ()
    return tuple(name for name, member in stream.members.items()
                 if member.metadata.get("exception"))


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(_SAFE_PATTERNS.get(pattern, pattern))


@dataclass(frozen=True)
class Violation:
    """One failed constraint, worded as Bedrock's validator words it."""

    path: str  # 'messages.1.member.content': 1-based list indexes, as Bedrock writes them
    value: Any  # MISSING when absent
    constraint: str  # 'Member must not be null'
    shown: bool = True  # False for sensitive members and containers: "Value at 'x'"

    def __str__(self) -> str:
        if self.value is MISSING:
            return f"Value null at '{self.path}' failed to satisfy constraint: {self.constraint}"
        if not self.shown:
            return f"Value at '{self.path}' failed to satisfy constraint: {self.constraint}"
        return (f"Value '{_java(self.value)}' at '{self.path}' failed to satisfy constraint: "
                f"{self.constraint}")


def message(violations: list[Violation]) -> str:
    """Bedrock's ValidationException message for a request's violations."""
    count = len(violations)
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun} detected: " + "; ".join(str(v) for v in violations)


def _java(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


def _bound(number: Any) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


class Walker:
    """Checks one value against one shape, collecting violations.

    ``output`` turns on what only matters for responses: unknown and null members, the exact
    JSON type of every member, and the extra values real Bedrock sends (``EXTRA_ENUM_VALUES``).
    """

    def __init__(self, output: bool) -> None:
        self.output = output
        self.found: list[Violation] = []

    def add(self, path: str, value: Any, constraint: str, shape: Shape | None = None) -> None:
        shown = not (shape is not None and shape.metadata.get("sensitive"))
        shown = shown and not isinstance(value, dict | list)
        self.found.append(Violation(path, value, constraint, shown))

    def check(self, shape: Shape, value: Any, path: str, extras: frozenset[str] = frozenset()
              ) -> None:
        kind = shape.type_name
        if kind == "structure":
            if shape.metadata.get("document"):
                return  # any JSON: a model's own fields
            self.structure(shape, value, path, extras)
        elif kind == "list":
            self.sequence(shape, value, path)
        elif kind == "map":
            self.mapping(shape, value, path)
        elif kind == "string":
            self.string(shape, value, path)
        elif kind in ("integer", "long", "float", "double"):
            self.number(shape, value, path)
        elif kind == "boolean":
            if not isinstance(value, bool):
                self.add(path, value, "Member must be a boolean", shape)
        elif kind == "blob":
            self.blob(shape, value, path)
        elif kind == "timestamp":
            self.timestamp(shape, value, path)

    def structure(self, shape: Shape, value: Any, path: str, extras: frozenset[str]) -> None:
        if not isinstance(value, dict):
            self.add(path, value, "Member must be a structure", shape)
            return
        members = shape.members
        wire = {m.serialization.get("name", name): name for name, m in members.items()
                if not m.serialization.get("location")}
        if shape.metadata.get("union"):
            present = [k for k in wire if value.get(k) is not None]
            # a request may name a member newer than this botocore: only "none" or "several"
            if len(present) != 1 if self.output else (len(present) > 1 or not value):
                names = ", ".join(wire)
                self.add(path, value, f"Member must have exactly one of [{names}] set", shape)
        for key in shape.required_members:
            if members[key].serialization.get("location"):
                continue  # a header or label, checked where the caller reads it
            json_key = members[key].serialization.get("name", key)
            if value.get(json_key) is None:
                self.add(_join(path, key), MISSING, "Member must not be null")
        for key, item in value.items():
            name = wire.get(key)
            if name is None:
                if self.output and key not in extras:
                    self.add(_join(path, key), item,
                             f"Member is not in the model of {shape.name}")
                continue
            if item is None:
                if self.output and name not in shape.required_members:
                    self.add(_join(path, name), item, "Member must be absent rather than null")
                continue
            self.check(members[name], item, _join(path, name))

    def sequence(self, shape: Shape, value: Any, path: str) -> None:
        if not isinstance(value, list):
            self.add(path, value, "Member must be a list", shape)
            return
        if self.length(shape, len(value), value, path):
            for i, item in enumerate(value, 1):
                if item is None:
                    self.add(f"{path}.{i}.member", MISSING, "Member must not be null")
                else:
                    self.check(shape.member, item, f"{path}.{i}.member")

    def mapping(self, shape: Shape, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            self.add(path, value, "Member must be a map", shape)
            return
        if not self.length(shape, len(value), value, path):
            return
        if self.output:  # a response's problems, each at its own key
            for key, item in value.items():
                self.check(shape.key, key, path)
                self.check(shape.value, item, _join(path, str(key)))
            return
        for label, part, items in (("keys", shape.key, list(value)),
                                   ("values", shape.value, list(value.values()))):
            inner = Walker(self.output)
            for item in items:
                inner.check(part, item, path)
            if inner.found:
                constraints = sorted({v.constraint for v in inner.found})
                self.add(path, value, f"Map {label} must satisfy constraint: "
                                      f"[{', '.join(constraints)}]", shape)

    def loose(self, shape: Shape, constraint: str) -> bool:
        """Whether real Bedrock is known to answer outside this output constraint."""
        return self.output and constraint in LOOSE_IN_PRACTICE.get(shape.name, ())

    def length(self, shape: Shape, size: int, value: Any, path: str) -> bool:
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if self.loose(shape, "max"):
            high = None
        if low is not None and size < low:
            self.add(path, value, f"Member must have length greater than or equal to {low}",
                     shape)
            return False
        if high is not None and size > high:
            self.add(path, value, f"Member must have length less than or equal to {high}",
                     shape)
            return False
        return True

    def string(self, shape: Shape, value: Any, path: str) -> None:
        if not isinstance(value, str):
            self.add(path, value, "Member must be a string", shape)
            return
        enum = list(shape.metadata.get("enum") or ())
        if enum:
            allowed = enum + list(EXTRA_ENUM_VALUES.get(shape.name, ())) if self.output else enum
            if value not in allowed:
                self.add(path, value, f"Member must satisfy enum value set: [{', '.join(enum)}]",
                         shape)
            return
        if not self.length(shape, len(value), value, path):
            return
        pattern = shape.metadata.get("pattern")
        if not pattern or self.loose(shape, "pattern") or _regex(pattern).fullmatch(value):
            return
        if not (shape.name == "S3Uri" and _LOCAL_URI.fullmatch(value)):
            self.add(path, value, f"Member must satisfy regular expression pattern: {pattern}",
                     shape)

    def number(self, shape: Shape, value: Any, path: str) -> None:
        integral = shape.type_name in ("integer", "long")
        ok = isinstance(value, int) if integral else isinstance(value, int | float)
        if isinstance(value, bool) or not ok:
            self.add(path, value, f"Member must be {'an integer' if integral else 'a number'}",
                     shape)
            return
        shown = value if integral else float(value)
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if low is not None and value < low:
            self.add(path, shown, f"Member must have value greater than or equal to "
                                  f"{_bound(low)}", shape)
        elif high is not None and value > high:
            self.add(path, shown, f"Member must have value less than or equal to {_bound(high)}",
                     shape)

    def blob(self, shape: Shape, value: Any, path: str) -> None:
        try:
            raw = base64.b64decode(value, validate=True) if isinstance(value, str) else None
        except (binascii.Error, ValueError):
            raw = None
        if raw is None:
            self.add(path, value, "Member must be base64-encoded bytes", shape)
            return
        self.length(shape, len(raw), value, path)

    def timestamp(self, shape: Shape, value: Any, path: str) -> None:
        if shape.serialization.get("timestampFormat", "iso8601") != "iso8601":
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        else:
            ok = isinstance(value, str) and _iso8601(value)
        if not ok:
            self.add(path, value, "Member must be an ISO-8601 timestamp", shape)


def _iso8601(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in text


def location(member: Shape) -> tuple[str | None, str]:
    return member.serialization.get("location"), member.serialization.get("name", "")


# ------------------------------------------------------------------------------ requests


def _query_value(shape: Shape, values: list[str]) -> Any:
    """A query parameter as its shape's type; None when it does not parse (the handler says)."""
    raw = values[0]
    if shape.type_name in ("integer", "long"):
        return int(raw) if re.fullmatch(r"-?\d+", raw) else None
    if shape.type_name == "boolean":
        return {"true": True, "false": False}.get(raw.lower())
    if shape.type_name == "list":
        return list(values)
    return raw


def check_request(operation: str, params: Mapping[str, str], query: Mapping[str, list[str]],
                  headers: Mapping[str, str], body: bytes) -> list[Violation]:
    """The request's violations of the operation's input constraints, in member order.

    Only constraints are judged here (required, enum, length, range, pattern, union) and the
    JSON types they need; a body that is not a JSON object is left to the handler, which
    answers Bedrock's "Malformed input request".
    """
    model = operation_model(operation)
    if model is None or model.input_shape is None:
        return []
    shape = model.input_shape
    walker = Walker(output=False)
    document: Any = None
    payload = shape.serialization.get("payload")
    for name, member in shape.members.items():
        where, wire = location(member)
        if where == "uri":
            value: Any = params.get(wire or name, MISSING)
        elif where == "querystring":
            given = query.get(wire or name)
            value = _query_value(member, given) if given else MISSING
            if value is None:
                continue
        elif where == "header":
            value = headers.get(wire or name, MISSING)
        elif name == payload:
            if member.type_name == "blob":  # a native body: only its size is the model's
                walker.length(member, len(body), body, name)
                continue
            value = _json_body(body)
        else:
            if document is None:
                document = _json_body(body)
            if not isinstance(document, dict):
                continue
            value = document.get(member.serialization.get("name", name), MISSING)
        if value is MISSING or value is None:
            if name in shape.required_members:
                walker.add(name, MISSING, "Member must not be null")
            continue
        walker.check(member, value, name)
    return walker.found


def _json_body(body: bytes) -> Any:
    if not body.strip():
        return {}
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
