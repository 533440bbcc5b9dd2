"""Cassettes: real Bedrock answers recorded once, replayed exactly for ever after.

A cassette is JSON Lines, one interaction per line, diff-friendly: JSON bodies are stored as
JSON objects (a response's only when that gives its bytes back exactly, else as text), other
binary bodies and every event-stream frame (one entry per frame) as base64::

    {"operation": "Converse",
     "request": {"method": "POST", "path": "/model/us.amazon.nova-lite-v1%3A0/converse",
                 "headers": {"Content-Type": "application/json"}, "json": {...}},
     "response": {"status": 200, "headers": {...}, "json": {...}}}
    {"operation": "ConverseStream", "request": {...},
     "response": {"status": 200, "headers": {...}, "events": ["AAAA...", ...]}}

Only ``Content-Type``, ``Accept`` and ``X-Amzn-Bedrock-*`` request headers and ``Content-Type``
and ``X-Amzn-*`` response headers are kept: never a credential, a signature, an
``Authorization``, ``X-Amz-Security-Token`` or date header.

:class:`Replayer` and :class:`Recorder` are emulator interceptors (``recording.py`` has the
upstream side), so ``serve``, the pytest fixture and ``mock_bedrock`` share them.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bedrock_cli.inputs.reading import read_named_text

from . import errors
from .router import Emulator, Request, Response

CRITERIA = ("operation", "model", "body")


class CassetteError(ValueError):
    """A cassette that cannot be read; the message names the file and line."""


def request_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The request headers a cassette keeps (and an upstream gets): nothing that signs."""
    return {k: v for k, v in headers.items()
            if k.lower() in ("content-type", "accept") or k.lower().startswith("x-amzn-bedrock-")}


def response_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items()
            if k.lower() == "content-type" or k.lower().startswith("x-amzn-")}


def encode_body(raw: bytes, exact: bool = True) -> dict[str, Any]:
    """A body for the cassette: ``{"json": obj}`` for JSON (when ``exact``, only if writing it
    back compactly gives the same bytes), else ``{"text": ...}`` for UTF-8, else
    ``{"base64": ...}``; nothing for an empty body. Requests need not be exact: only their
    meaning is matched on replay."""
    if not raw:
        return {}
    try:
        obj = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        obj = None
    if obj is not None and (not exact or _compact(obj) == raw):
        return {"json": obj}
    try:
        return {"text": raw.decode("utf-8")}
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(raw).decode("ascii")}


def decode_body(doc: Mapping[str, Any]) -> bytes:
    if "json" in doc:
        return _compact(doc["json"])
    if "text" in doc:
        return str(doc["text"]).encode("utf-8")
    if "base64" in doc:
        return base64.b64decode(str(doc["base64"]), validate=True)
    return b""


def _compact(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@dataclass
class Interaction:
    operation: str
    method: str
    path: str  # the raw target: path and query, percent-encoded as sent
    headers: dict[str, str]
    body: bytes
    status: int
    response_headers: dict[str, str]
    response_body: bytes = b""
    events: list[bytes] | None = None  # event-stream frames, for streaming operations

    def to_line(self) -> str:
        response: dict[str, Any] = {"status": self.status, "headers": self.response_headers}
        if self.events is not None:
            response["events"] = [base64.b64encode(f).decode("ascii") for f in self.events]
        else:
            response.update(encode_body(self.response_body))
        doc = {"operation": self.operation,
               "request": {"method": self.method, "path": self.path, "headers": self.headers,
                           **encode_body(self.body, exact=False)},
               "response": response}
        return json.dumps(doc, ensure_ascii=False, separators=(", ", ": "))

    @classmethod
    def from_line(cls, line: str) -> Interaction:
        doc = json.loads(line)
        req, resp = doc["request"], doc["response"]
        events = resp.get("events")
        return cls(str(doc["operation"]), str(req["method"]), str(req["path"]),
                   dict(req.get("headers") or {}), decode_body(req), int(resp["status"]),
                   dict(resp.get("headers") or {}), decode_body(resp),
                   [base64.b64decode(e, validate=True) for e in events]
                   if events is not None else None)

    def request(self) -> Request:
        return Request.from_target(self.method, self.path, self.headers, self.body)

    def response(self) -> Response:
        if self.events is not None:
            answer = Response.stream(list(self.events), headers=self.response_headers)
        else:
            answer = Response(self.status, dict(self.response_headers), self.response_body)
        answer.recorded = True
        return answer


def load(path: str | Path) -> list[Interaction]:
    file = Path(path)
    text = read_named_text(file, CassetteError)
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(Interaction.from_line(line))
        except (ValueError, KeyError, TypeError) as exc:
            raise CassetteError(f"{file}: line {number} is not a recorded interaction "
                                f"({type(exc).__name__}: {exc})") from None
    return out


@dataclass
class Matcher:
    """What makes a request the same as a recorded one: any of operation, model (the path's
    labels, e.g. the model id) and body (the JSON body and query, minus ``ignore`` keys,
    dotted for nested ones: ``inferenceConfig.temperature``)."""

    criteria: Sequence[str] = CRITERIA
    ignore: Sequence[str] = ()

    def __post_init__(self) -> None:
        unknown = [c for c in self.criteria if c not in CRITERIA]
        if unknown or not self.criteria:
            raise ValueError(f"match on {', '.join(CRITERIA)} (comma-separated), not "
                             f"{', '.join(unknown) or 'nothing'}")

    def key(self, request: Request) -> tuple[Any, ...]:
        parts: list[Any] = []
        if "operation" in self.criteria:
            parts.append(request.operation)
        if "model" in self.criteria:
            parts.append(sorted(request.params.items()))
        if "body" in self.criteria:
            parts.append((self._body(request.body), sorted(request.query.items())))
        return tuple(parts)

    def _body(self, raw: bytes) -> str:
        try:
            obj = json.loads(raw) if raw.strip() else None
        except (ValueError, UnicodeDecodeError):
            return base64.b64encode(raw).decode("ascii")
        for dotted in self.ignore:
            *parents, last = dotted.split(".")
            node = obj
            for part in parents:
                node = node.get(part) if isinstance(node, dict) else None
            if isinstance(node, dict):
                node.pop(last, None)
        return json.dumps(obj, sort_keys=True)


class Replayer:
    """Answers each request with the recording that matches it: several recordings of the same
    request are given in order, and the last repeats. No match: a ValidationException naming
    the cassette and the request."""

    def __init__(self, path: str | Path, matcher: Matcher | None = None) -> None:
        self.path = Path(path)
        self.interactions = load(self.path)
        self.matcher = matcher or Matcher()
        self._keys: list[tuple[Any, ...]] | None = None
        self._used: dict[int, int] = {}
        self._lock = threading.Lock()

    def _recorded_keys(self, emulator: Emulator) -> list[tuple[Any, ...]]:
        if self._keys is None:
            keys = []
            for item in self.interactions:
                request = item.request()
                try:
                    _, request.params = emulator.router.match(request.method, request.path)
                except errors.EmulatorError:
                    request.params = {}
                request.operation = item.operation
                keys.append(self.matcher.key(request))
            self._keys = keys
        return self._keys

    def __call__(self, request: Request, emulator: Emulator) -> Response:
        key = self.matcher.key(request)
        with self._lock:
            found = [i for i, k in enumerate(self._recorded_keys(emulator)) if k == key]
            if not found:
                model = ", ".join(f"{v}" for v in request.params.values()) or "-"
                raise errors.validation(
                    f"No recording in cassette {self.path} matches this {request.operation} "
                    f"request (model {model}). Record it (bedrock-cli serve --record), or match "
                    "on less (--match, --ignore-body-key).")
            fresh = [i for i in found if not self._used.get(i)]
            pick = fresh[0] if fresh else found[-1]
            self._used[pick] = self._used.get(pick, 0) + 1
        return self.interactions[pick].response()


@dataclass
class CassetteWriter:
    """Appends interactions to a cassette, one line each, as they complete (thread-safe)."""

    path: Path
    written: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.touch()

    def append(self, interaction: Interaction) -> None:
        line = interaction.to_line() + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as out:
            out.write(line)
            self.written += 1


def frames(chunks: Iterable[bytes]) -> Iterable[bytes]:
    """Split an event-stream byte stream into whole frames (each starts with its length)."""
    buffer = b""
    for chunk in chunks:
        buffer += chunk
        while len(buffer) >= 4:
            size = int.from_bytes(buffer[:4], "big")
            if size < 16 or len(buffer) < size:
                break
            yield buffer[:size]
            buffer = buffer[size:]
    if buffer:
        yield buffer  # a truncated last frame: passed on as it came
