"""`batch fetch`: a finished Batch Inference job's output as `batch run` output lines."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bedrock_cli.batch.jobs import (
    TERMINAL,
    get_job,
    output_folder,
    progress_text,
    storage_error,
    store_for,
)
from bedrock_cli.batch.modelinput import InputShapeError, from_converse, from_native
from bedrock_cli.batch.records import THROTTLE_CODES
from bedrock_cli.errors import ServiceError, ThrottledError, UsageError
from bedrock_cli.metering import token_cost
from bedrock_cli.storage import Location, StorageError, Store
from bedrock_cli.types import Usage

if TYPE_CHECKING:
    from bedrock_cli.context import AppContext

@dataclass
class Fetched:
    ok: int = 0
    failed: int = 0
    throttled: int = 0
    files: int = 0
    manifest: dict[str, Any] = field(default_factory=dict)


def convert_line(raw: dict[str, Any], job: dict[str, Any], model: Any) -> dict[str, Any]:
    """One Batch Inference output record as a `batch run` output line."""
    record_id = raw.get("recordId")
    if "error" in raw or "modelOutput" not in raw:
        error = raw.get("error") or {}
        return {"id": record_id, "error": {"code": str(error.get("errorCode", "Unknown")),
                                           "message": str(error.get("errorMessage", ""))}}
    output = raw["modelOutput"]
    if isinstance(output, dict) and isinstance(output.get("embedding"), list):
        return _embedding_line(record_id, output, job, model)
    try:
        parsed = from_converse(output) if job.get("modelInvocationType") == \
            "Converse" else from_native(output, model)
    except (InputShapeError, AttributeError, TypeError, ValueError) as exc:
        return {"id": record_id, "error": {"code": "UnreadableOutput", "message": str(exc)}}
    usage = parsed.usage
    cost = token_cost(model, usage, batch=True)
    line: dict[str, Any] = {
        "id": record_id, "text": parsed.text, "usage": usage.to_dict(), "cost_usd": cost,
        "model": model.id if model is not None else job.get("modelId"),
        "model_id": job.get("modelId"), "latency_ms": parsed.latency_ms,
        "stop_reason": parsed.stop_reason,
    }
    if parsed.data is not None:
        line["data"] = parsed.data
    return line


def _embedding_line(record_id: Any, output: dict[str, Any], job: dict[str, Any],
                    model: Any) -> dict[str, Any]:
    """An embeddings record (Titan `embedding`): the vector instead of text."""
    tokens = int(output.get("inputTextTokenCount") or 0)
    return {"id": record_id, "embedding": output["embedding"],
            "usage": {"input_tokens": tokens, "output_tokens": 0, "total_tokens": tokens},
            "cost_usd": token_cost(model, Usage(tokens, 0, tokens), batch=True),
            "model": model.id if model is not None else job.get("modelId"),
            "model_id": job.get("modelId")}


def _lines(store: Store, loc: Location) -> Iterator[dict[str, Any]]:
    for number, raw in enumerate(store.lines(loc), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except ValueError:
            record = {"recordId": None, "error": {"errorCode": "UnreadableOutput",
                                                  "errorMessage": f"{loc.uri} line {number}"}}
        yield record


def fetch(app: AppContext, job_ident: str, output: Path, *, force: bool = False) -> Fetched:
    if output.exists() and not force:
        raise UsageError(f"{output} exists.", "Pass --force to overwrite it, or another -o.")
    job = get_job(app, job_ident)
    if job.get("status") not in TERMINAL:
        raise UsageError(f"Job {job_ident} is {progress_text(job)}; its output is not written "
                         "yet.", f"Wait for it: `bedrock-cli batch wait {job_ident}`.")
    model = app.catalog.find(str(job.get("modelId")))
    store = store_for(app)
    folder = output_folder(job)
    result = Fetched()
    try:
        objects = [loc for loc, _ in store.objects(folder, ".out")]
        manifest = [loc for loc in objects if loc.name == "manifest.json.out"]
        if manifest:
            result.manifest = json.loads(store.read(manifest[0]))
        parts = [loc for loc in objects if loc.name != "manifest.json.out"]
        if not parts:
            raise UsageError(f"No output files under {folder.uri} (job {progress_text(job)}).",
                             "Check the job's message with `bedrock-cli batch status`.")
        output.parent.mkdir(parents=True, exist_ok=True)
        from bedrock_cli.paths import create_exclusive, temporary_beside

        tmp = temporary_beside(output)  # a fresh name, never through a planted symlink
        try:
            with open(create_exclusive(tmp, 0o666), "w", encoding="utf-8") as out:
                for loc in parts:
                    result.files += 1
                    for raw in _lines(store, loc):
                        _write(out, convert_line(raw, job, model), result)
            os.replace(tmp, output)
        finally:
            tmp.unlink(missing_ok=True)
    except StorageError as exc:
        raise storage_error(exc) from None
    return result


def _write(out: Any, line: dict[str, Any], result: Fetched) -> None:
    out.write(json.dumps(line, ensure_ascii=False) + "\n")
    if "error" in line:
        result.failed += 1
        result.throttled += line["error"]["code"] in THROTTLE_CODES
    else:
        result.ok += 1


def fetch_outcome(fetched: Fetched, output: Path) -> None:
    """Exit like `batch run`: 0 when every record succeeded, 4 or 5 when some failed."""
    if not fetched.failed:
        return
    message = (f"{fetched.failed} of {fetched.ok + fetched.failed} records failed (their lines "
               f"in {output} say why).")
    if fetched.throttled == fetched.failed:
        raise ThrottledError(message, "Run them again with `bedrock-cli batch run`.",
                             code="ThrottlingException")
    raise ServiceError(message, "Run the failed ones again with `bedrock-cli batch run`.")


