"""Bedrock Batch Inference: records to `modelInput` JSONL, upload, CreateModelInvocationJob, then
status / list / wait / fetch / stop. The output of `fetch` has the same lines as `batch run`.

Quotas are checked before anything is uploaded (reference §7): at least 100 and at most 50,000
records per file, and at most 1 GB.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bedrock_cli.batch.build import Defaults, RequestBuilder
from bedrock_cli.batch.modelinput import (
    converse_body,
    native_family,
)
from bedrock_cli.batch.records import Record, RecordError, iter_records, scan_input
from bedrock_cli.errors import ServiceError, UsageError
from bedrock_cli.storage import Location, StorageError, Store, parse_uri

if TYPE_CHECKING:
    from bedrock_cli.context import AppContext

MIN_RECORDS = 100
MAX_RECORDS = 50_000
MAX_FILE_BYTES = 1_000_000_000
TERMINAL = ("Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired")
SMALL_HINT = "Use `bedrock-cli batch run` for small jobs: it calls the model directly."
_ROLE_ARN = re.compile(r"^arn:aws(-[^:]+)?:iam::([0-9]{12})?:role/.+$")


def store_for(app: AppContext) -> Store:
    return Store(lambda: app.clients.client("s3"))


def location(uri: str, option: str) -> Location:
    try:
        return parse_uri(uri)
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}.", "Use s3://bucket/prefix/ (or file:///path/ with "
                                              "the local backend).") from None


def storage_error(exc: StorageError) -> ServiceError:
    return ServiceError(str(exc), "Check the bucket, the prefix and your S3 permissions "
                                  "(offline: point AWS_ENDPOINT_URL_S3 at a moto server, or use "
                                  "file:// URIs).")


@dataclass
class SubmitRequest:
    input: Path
    input_uri: str
    output_uri: str
    role_arn: str
    defaults: Defaults = field(default_factory=Defaults)
    name: str | None = None
    api: str = "converse"  # or "invoke"
    timeout_hours: int = 24


def default_name() -> str:
    return "bedrock-cli-" + datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")


def _convert(app: AppContext, req: SubmitRequest, builder: RequestBuilder,
             target: Path) -> tuple[int, str, Any, str]:
    """Write the job's JSONL; (records, model id, model, invocation type)."""
    resolution = builder.resolve(req.defaults.model)
    model = resolution.model
    kind = "InvokeModel" if req.api == "invoke" else "Converse"
    family = native_family(model) if req.api == "invoke" else None
    count = 0
    with target.open("w", encoding="utf-8") as out:
        for record in iter_records(req.input):
            if "modelInput" in record.data:
                body = record.data["modelInput"]  # already a Bedrock record: sent as written
            else:
                if req.api == "invoke" and family is None:
                    raise UsageError(
                        f"line {record.line}: there is no native InvokeModel body for "
                        f"{resolution.model_id}'s family to build from a prompt.",
                        "Use --api converse, or give each record its own modelInput.")
                built = builder.build(record)
                if built.request.model_id != resolution.model_id:
                    raise UsageError(f"line {record.line}: a batch inference job runs one model "
                                     f"({resolution.model_id}), not {built.request.model_id}.",
                                     "Drop the per-record \"model\" fields, or split the file.")
                body = converse_body(built.request) if family is None else \
                    family.build(built.request, built.model)
            out.write(json.dumps({"recordId": str(record.id), "modelInput": body},
                                 ensure_ascii=False, default=_b64) + "\n")
            count += 1
    return count, resolution.model_id, model, kind


def _b64(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        import base64

        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _check(builder: RequestBuilder, record: Record) -> None:
    """A record given as {"recordId", "modelInput"} goes as written (any model Batch Inference
    takes, embeddings included); others must make a valid Converse request."""
    if "modelInput" in record.data:
        if not isinstance(record.data["modelInput"], dict):
            raise RecordError(record.line, "modelInput must be a JSON object")
        return
    builder.check(record)


def submit(app: AppContext, req: SubmitRequest) -> dict[str, Any]:
    if not _ROLE_ARN.match(req.role_arn):
        raise UsageError(f"--role-arn {req.role_arn!r} is not an IAM role ARN.",
                         "Pass arn:aws:iam::ACCOUNT:role/NAME (a role Bedrock can assume to read "
                         "and write the buckets; any well-formed ARN works offline).")
    source, dest = location(req.input_uri, "--input-s3"), location(req.output_uri, "--output-s3")
    if not dest.is_prefix:
        dest = Location(dest.scheme, dest.bucket, dest.key + "/")
    target = source if not source.is_prefix else source.child(
        req.input.stem + ".jsonl")
    builder = RequestBuilder(app, req.defaults)
    scan = scan_input(req.input, lambda record: _check(builder, record))
    if scan.total < MIN_RECORDS:
        raise UsageError(f"{req.input} has {scan.total} records; Bedrock Batch Inference takes "
                         f"at least {MIN_RECORDS} per job. Nothing was uploaded.", SMALL_HINT)
    if scan.total > MAX_RECORDS:
        raise UsageError(f"{req.input} has {scan.total:,} records; a batch inference file takes "
                         f"at most {MAX_RECORDS:,}. Nothing was uploaded.",
                         f"Split it into files of up to {MAX_RECORDS:,} records.")
    fd, tmp_name = tempfile.mkstemp(prefix="bedrock-batch-", suffix=".jsonl")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        try:
            count, model_id, model, kind = _convert(app, req, builder, tmp)
        except RecordError as exc:
            raise UsageError(f"{req.input} {exc}", "Fix the record and submit again.") from None
        size = tmp.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UsageError(f"The job file would be {size / 1e9:.2f} GB; Bedrock takes at most "
                             "1 GB per file. Nothing was uploaded.", "Split the input.")
        if model is not None and model.prices.batch is None:
            app.output.warn(f"{model.id} is not listed for Batch Inference in the catalog; "
                            "Bedrock may refuse the job.")
        try:
            store_for(app).put_file(tmp, target)
        except StorageError as exc:
            raise storage_error(exc) from None
    finally:
        tmp.unlink(missing_ok=True)
    name = req.name or default_name()
    from bedrock_cli.calls import JobSpec

    arn = app.runtime.create_job(JobSpec(
        name=name, role_arn=req.role_arn, model_id=model_id, invocation_type=kind,
        timeout_hours=req.timeout_hours, input_uri=target.uri, output_uri=dest.uri))
    return {"job_id": arn.rsplit("/", 1)[-1], "job_arn": arn, "job_name": name,
            "model_id": model_id, "records": count, "bytes": size, "api": kind,
            "input_s3": target.uri, "output_s3": dest.uri + arn.rsplit("/", 1)[-1] + "/"}


# -- status, list, stop ------------------------------------------------------------------------


def get_job(app: AppContext, job: str) -> dict[str, Any]:
    return app.runtime.get_job(job)


def list_jobs(app: AppContext, *, status: str | None = None, name_contains: str | None = None,
              limit: int = 50) -> list[dict[str, Any]]:
    from bedrock_cli.calls import JobFilter

    return app.runtime.list_jobs(JobFilter(status, name_contains, limit))


def stop_job(app: AppContext, job: str) -> None:
    app.runtime.stop_job(job)


def progress_text(job: dict[str, Any]) -> str:
    total, done = job.get("totalRecordCount"), job.get("processedRecordCount")
    counts = f" {done}/{total} records" if total else ""
    errors = f", {job['errorRecordCount']} errors" if job.get("errorRecordCount") else ""
    return f"{job.get('status')}{counts}{errors}"


def wait(app: AppContext, job: str, *, interval: float = 2.0, max_interval: float = 60.0,
         timeout: float | None = None, on_poll: Callable[[dict[str, Any]], None] | None = None,
         sleep: Callable[[float], None] = time.sleep) -> dict[str, Any]:
    """Poll until the job ends: the interval grows ×1.5 while nothing changes (to
    `max_interval`) and drops back when the processed count moves."""
    started = time.monotonic()
    delay, last = interval, None
    while True:
        current = get_job(app, job)
        if on_poll:
            on_poll(current)
        if current.get("status") in TERMINAL:
            return current
        if timeout is not None and time.monotonic() - started >= timeout:
            raise ServiceError(f"Job {job} is still {progress_text(current)} after "
                               f"{timeout:g} s.",
                               f"Wait again with `bedrock-cli batch wait {job}`.")
        moved = current.get("processedRecordCount") != last
        last = current.get("processedRecordCount")
        delay = interval if moved else min(max_interval, delay * 1.5)
        sleep(delay)


def output_folder(job: dict[str, Any]) -> Location:
    """Where the job writes its output: `<output prefix><job id>/`."""
    out = parse_uri(job["outputDataConfig"]["s3OutputDataConfig"]["s3Uri"])
    job_id = job["jobArn"].rsplit("/", 1)[-1]
    base = out if out.is_prefix else Location(out.scheme, out.bucket, out.key + "/")
    return base.child(job_id + "/")


# -- rendering helpers (no printing here) ------------------------------------------------------


def jsonable(job: dict[str, Any]) -> dict[str, Any]:
    """Timestamps as ISO strings, so the job prints as JSON."""
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in job.items()}


def describe(job: dict[str, Any]) -> str:
    job = jsonable(job)
    rows = [
        ("job", job.get("jobArn", "").rsplit("/", 1)[-1]), ("name", job.get("jobName")),
        ("status", progress_text(job)), ("message", job.get("message")),
        ("model", job.get("modelId")), ("api", job.get("modelInvocationType")),
        ("submitted", job.get("submitTime")), ("ended", job.get("endTime")),
        ("input", job.get("inputDataConfig", {}).get("s3InputDataConfig", {}).get("s3Uri")),
        ("output", output_folder(job).uri if job.get("outputDataConfig") else None),
        ("arn", job.get("jobArn")),
    ]
    return "\n".join(f"{key + ':':11}{value}" for key, value in rows if value not in (None, ""))


def table(jobs: list[dict[str, Any]]) -> str:
    if not jobs:
        return "No batch inference jobs."
    rows = [("JOB", "NAME", "STATUS", "RECORDS", "MODEL", "SUBMITTED")]
    for job in map(jsonable, jobs):
        total = job.get("totalRecordCount")
        records = f"{job.get('processedRecordCount', 0)}/{total}" if total else "-"
        rows.append((job["jobArn"].rsplit("/", 1)[-1], job.get("jobName", ""),
                     job.get("status", ""), records, job.get("modelId", ""),
                     str(job.get("submitTime", ""))[:19]))
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    lines = ("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True))
             for row in rows)
    return "\n".join(line.rstrip() for line in lines)


def wait_outcome(job: dict[str, Any], ident: str) -> None:
    """`batch wait`'s exit status: 0 for Completed, 5 for every other end."""
    status = job.get("status")
    if status == "Completed":
        return
    detail = f": {job['message']}" if job.get("message") else "."
    hint = (f"`bedrock-cli batch fetch {ident} -o FILE` gets the results; the error records say "
            "why." if status in ("PartiallyCompleted", "Stopped") else
            f"See `bedrock-cli batch status {ident}`.")
    raise ServiceError(f"Job {ident} ended {progress_text(job)}{detail}", hint)
