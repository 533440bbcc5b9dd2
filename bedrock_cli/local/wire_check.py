"""Hold a response, as bytes on the wire, to botocore's service model.

:func:`check_response` lists every way a response differs from one Bedrock could send for its
operation: the status, a modelled error code with its modelled HTTP status and a ``message``,
headers, JSON members (required, types, enums, lengths, patterns, unions, unknown and null
members) and, for event streams, every event (a member of the stream's union, its payload
valid for that member; exceptions only as the stream's modelled exception members). Native
InvokeModel bodies are blobs to the model: only their shell is judged here.

The test suite runs it on every route (``tests/wire/test_service_model.py``); it can judge a
declared or recorded response the same way.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from botocore.model import OperationModel, Shape

from . import errors, eventstream
from .shapes import EVENT_PADDING, MISSING, SERVICES, Walker, location, operation_model

if TYPE_CHECKING:
    from .router import Response


def check_response(operation: str, status: int, headers: Mapping[str, str], body: bytes
                   ) -> list[str]:
    """Every way this response (as sent on the wire; event streams as their frames joined)
    differs from one Bedrock could send for ``operation``. Empty when it could be Bedrock's."""
    model = operation_model(operation)
    if model is None:
        return [f"{operation} is not an operation of {' or '.join(SERVICES)}"]
    lower = {k.lower(): v for k, v in headers.items()}
    if status >= 300:
        return _check_error(model, status, lower, body)
    problems = []
    expected = model.http.get("responseCode", 200)
    if status != expected:
        problems.append(f"HTTP status {status}, the model says {expected}")
    shape = model.output_shape
    if shape is None:
        return problems + ([f"body {body[:80]!r} where the model has no output"]
                           if body.strip() not in (b"", b"{}") else [])
    walker = Walker(output=True)
    payload = shape.serialization.get("payload")
    body_members = False
    for name, member in shape.members.items():
        where, wire = location(member)
        if where == "header":
            value = lower.get((wire or name).lower())
            if value is None:
                if name in shape.required_members:
                    walker.add(name, MISSING, f"Member must not be null (header {wire})")
            else:
                walker.check(member, _header_value(member, value), name)
        elif name == payload:
            if member.type_name == "blob":
                walker.length(member, len(body), body, name)
            elif member.serialization.get("eventstream"):
                problems += _content_type(lower, eventstream.CONTENT_TYPE)
                problems += check_events(member, body)
            else:
                problems += _content_type(lower, "application/json")
                walker.check(member, _parse(body, problems), name)
        elif where is None:
            body_members = True
    if body_members:
        problems += _content_type(lower, "application/json")
        walker.check(shape, _parse(body, problems), "")
    elif payload is None and body.strip() not in (b"", b"{}"):
        problems.append(f"body {body[:80]!r} where the model has no body members")
    return problems + [str(v) for v in walker.found]


def _header_value(member: Shape, value: str) -> Any:
    if member.type_name in ("integer", "long"):
        return int(value) if re.fullmatch(r"-?\d+", value) else value
    return value


def _content_type(headers: Mapping[str, str], expected: str) -> list[str]:
    got = headers.get("content-type", "")
    return [] if got.split(";")[0].strip() == expected else [
        f"Content-Type {got!r}, expected {expected!r}"]


def _parse(body: bytes, problems: list[str]) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        problems.append(f"body is not JSON: {body[:80]!r}")
        return {}


def _check_error(model: OperationModel, status: int, headers: Mapping[str, str], body: bytes
                 ) -> list[str]:
    code = headers.get("x-amzn-errortype", "").split(":")[0]
    shapes = {s.name: s for s in model.error_shapes}
    shape = shapes.get(code)
    if shape is None:
        return [f"error {code or '(no x-amzn-ErrorType)'} ({status}) is not one of "
                f"{model.name}'s errors: {', '.join(shapes)}"]
    problems = []
    modelled = shape.metadata.get("error", {}).get("httpStatusCode")
    if modelled is not None and modelled != status:
        problems.append(f"{code} answered with HTTP {status}, the model says {modelled}")
    problems += _content_type(headers, "application/json")
    doc = _parse(body, problems)
    if not isinstance(doc, dict) or not isinstance(doc.get("message"), str):
        problems.append(f"{code} body has no message: {body[:80]!r}")
    walker = Walker(output=True)
    walker.check(shape, doc, code)
    return problems + [str(v) for v in walker.found]


def check_events(stream: Shape, data: bytes) -> list[str]:
    """Each frame of an event stream against the stream's union: events are members, their
    payloads validate against the member's shape, exceptions are modelled exception members."""
    problems: list[str] = []
    try:
        messages = eventstream.decode_messages(data)
    except eventstream.DecodeError as exc:
        return [f"event stream does not decode: {exc}"]
    if not messages:
        problems.append("event stream has no events")
    for i, msg in enumerate(messages):
        kind = msg.headers.get(":message-type")
        name = str(msg.headers.get(":exception-type" if kind == "exception" else ":event-type"))
        where = f"event {i} ({name})"
        member = stream.members.get(name)
        if kind not in ("event", "exception"):
            problems.append(f"{where}: :message-type {kind!r} (Bedrock sends event or exception)")
            continue
        if member is None or bool(member.metadata.get("exception")) != (kind == "exception"):
            problems.append(f"{where}: not a{'n exception' if kind == 'exception' else 'n event'}"
                            f" of {stream.name}: {', '.join(stream.members)}")
            continue
        if msg.headers.get(":content-type") != "application/json":
            problems.append(f"{where}: :content-type {msg.headers.get(':content-type')!r}")
        try:
            payload = msg.json()
        except ValueError:
            problems.append(f"{where}: payload is not JSON")
            continue
        walker = Walker(output=True)
        walker.check(member, payload, name, frozenset({EVENT_PADDING}))
        if kind == "exception" and not (isinstance(payload, dict)
                                        and isinstance(payload.get("message"), str)):
            problems.append(f"{where}: exception without a message")
        problems += [f"{where}: {v}" for v in walker.found]
    return problems


# ---------------------------------------------------------------------------- strict mode

log = logging.getLogger(__name__)


def strict(operation: str, response: Response) -> Response:
    """The response, or — when the model would not allow it — an InternalServerException that
    names what is wrong (in a stream: an ``internalServerException`` event in its place).

    On with ``EmulatorOptions.extra["strict"]`` (``False`` turns it off) or
    ``BEDROCK_CLI_LOCAL_STRICT=1``, so a
    test suite (this project's, or a user's declaring responses) fails loudly on an answer
    Bedrock could not give."""
    model = operation_model(operation)
    if model is None:
        return response
    if response.events is None:
        problems = check_response(operation, response.status, response.headers, response.body)
        # the refusal is built by the response's own class: this module sits below router
        return type(response).error(_refused(operation, problems)) if problems else response
    stream = model.get_event_stream_output()
    if stream is not None:
        response.events = _checked_events(operation, stream, response.events)
    return response


def _refused(operation: str, problems: list[str]) -> errors.EmulatorError:
    log.error("emulator: %s answered outside its model: %s", operation, "; ".join(problems))
    return errors.internal_server(
        f"Strict mode: the emulator's {operation} response is not one Bedrock could send: "
        + "; ".join(problems))


def _checked_events(operation: str, stream: Shape, events: Iterator[bytes]) -> Iterator[bytes]:
    for frame in events:
        problems = check_events(stream, frame) if frame else []  # b"": a scripted cut
        if problems:
            _refused(operation, problems)
            yield errors.internal_server("Strict mode: an event is not one Bedrock could "
                                         "send: " + "; ".join(problems)).frame()
            return
        yield frame
