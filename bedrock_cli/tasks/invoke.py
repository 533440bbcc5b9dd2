"""Raw InvokeModel (`bedrock-cli invoke`), and choosing the API for text tasks (`--api`).

No printing here: the command renders what these return.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import UsageError
from bedrock_cli.inputs import read_bytes, read_stdin, user_path
from bedrock_cli.types import TextRequest, Usage

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo, Resolution
    from bedrock_cli.history import CallRecord
    from bedrock_cli.runtime import Runtime

APIS = ("converse", "invoke")
MAX_BODY_BYTES = 25 * 1024 * 1024  # InvokeModel's request limit is about 25 MB (UNVERIFIED)
HISTORY_BODY_CHARS = 100_000


def choose_api(request: TextRequest, model: ModelInfo | None, api: str) -> None:
    """Set `request.api`; for `invoke`, build the native body once so that anything the
    family cannot carry is a usage error before any call."""
    api = api.lower()
    if api not in APIS:
        raise UsageError(f"--api {api!r} is not converse or invoke.", "Use --api converse "
                                                                      "(default) or invoke.")
    request.api = api
    if api == "invoke":
        from bedrock_cli.families.client import family_for

        family, catalog_model = family_for(request.model_id)
        family.build(request, catalog_model or model)


# ---------------------------------------------------------------------------- the body


def load_body(spec: str | None) -> bytes:
    """`JSON`, `@FILE` or `-` (stdin; also when nothing is given and stdin is piped).
    Invalid JSON is a usage error, before any call."""
    if spec is None or spec == "-":
        text = read_stdin(required=spec == "-")
        if text is None:
            raise UsageError("No request body given.",
                             "Pass --body '{...}', --body @request.json, or pipe it in.")
        raw, where = text.encode("utf-8"), "standard input"
    elif spec.startswith("@"):
        path = user_path(spec[1:])
        raw = read_bytes(path, limit=MAX_BODY_BYTES, hint="Check the path after @.")
        where = str(path)
    else:
        raw, where = spec.encode("utf-8"), "--body"
    try:
        json.loads(raw)
    except UnicodeDecodeError:
        raise UsageError(f"The body in {where} is not UTF-8 text.", "Pass a JSON body.") \
            from None
    except ValueError as exc:
        raise UsageError(f"The body in {where} is not valid JSON: {exc}.",
                         "Fix the JSON (e.g. check it with `python -m json.tool`).") from None
    return raw.strip()


# ---------------------------------------------------------------------------- the call


@dataclass
class Invocation:
    model: ModelInfo | None
    model_name: str
    model_id: str
    started: float = field(default_factory=time.perf_counter)
    usage: Usage = field(default_factory=Usage)
    latency_ms: int = 0
    status: str = "complete"


def prepare(resolution: Resolution, model: str) -> Invocation:
    """The call to make for `model` (the name asked for), as resolved."""
    found = resolution.model
    return Invocation(found, found.id if found else model, resolution.model_id)


def invoke(runtime: Runtime, call: Invocation, body: bytes) -> bytes:
    """InvokeModel; the raw response body. Token counts come from the headers."""
    answer = runtime.invoke_raw(call.model_id, body)
    call.usage = answer.usage or Usage()
    call.latency_ms = answer.latency_ms
    return answer.body


def invoke_stream(runtime: Runtime, call: Invocation, body: bytes) -> Iterator[bytes]:
    """InvokeModelWithResponseStream; each decoded chunk, as it arrives. The last chunk's
    `amazon-bedrock-invocationMetrics` give the usage."""
    call.status = "partial"
    stream = runtime.invoke_raw_stream(call.model_id, body)
    yield from stream
    call.status = "complete"
    call.usage = stream.usage or Usage()
    call.latency_ms = stream.latency_ms


def history_record(call: Invocation, body: bytes, response: str, *, backend: str,
                   cost: float | None, error: str | None = None) -> CallRecord:
    """What history keeps of the call (bodies are cut at 100,000 characters)."""
    from bedrock_cli.history import CallRecord

    def cut(text: str) -> str:
        return text if len(text) <= HISTORY_BODY_CHARS else \
            text[:HISTORY_BODY_CHARS] + f"… [{len(text)} characters]"

    return CallRecord(
        command="invoke", status=("partial" if response else "error") if error
        else call.status,
        model=call.model_name, model_id=call.model_id, backend=backend,
        prompt=cut(body.decode("utf-8", errors="replace")), response=cut(response),
        usage=call.usage.to_dict(), cost_usd=cost, latency_ms=call.latency_ms, error=error)


# ---------------------------------------------------------------------------- -o FILE


class AtomicOutput:
    """A file written beside its destination and moved into place only when complete;
    an existing file is refused unless `force`."""

    def __init__(self, path: Path, *, force: bool) -> None:
        self.path = user_path(path)
        if self.path.is_dir():
            raise UsageError(f"{self.path} is a directory.", "Pass a file name to -o.")
        if self.path.exists() and not force:
            raise UsageError(f"{self.path} already exists.", "Pass --force to overwrite it, "
                                                             "or choose another name.")
        if not self.path.parent.is_dir():
            raise UsageError(f"The directory {self.path.parent} does not exist.",
                             "Create it first.")
        from bedrock_cli.paths import temporary_beside

        self.tmp = temporary_beside(self.path)
        self._file: Any = None

    def __enter__(self) -> AtomicOutput:
        from bedrock_cli.paths import create_exclusive

        try:
            self._file = os.fdopen(create_exclusive(self.tmp, 0o644), "wb")
        except OSError as exc:  # name the file asked for, not the temporary
            raise OSError(exc.errno, exc.strerror, str(self.path)) from exc
        return self

    def write(self, data: bytes) -> None:
        self._file.write(data)
        self._file.flush()

    def __exit__(self, exc_type: object, *_: object) -> None:
        self._file.close()
        if exc_type is None:
            os.replace(self.tmp, self.path)
        else:
            self.tmp.unlink(missing_ok=True)
