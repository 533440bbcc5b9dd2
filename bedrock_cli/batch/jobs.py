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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bedrock_cli.batch.build import Defaults, RequestBuilder
from bedrock_cli.batch.modelinput import (
    InputShapeError,
    converse_body,
    from_converse,
    from_native,
    native_family,
)
from bedrock_cli.batch.records import (
    THROTTLE_CODES,
    Record,
    RecordError,
    iter_records,
    scan_input,
)
from bedrock_cli.errors import ServiceError, ThrottledError, UsageError
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


def _storage(exc: StorageError) -> ServiceError:
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
            raise _storage(exc) from None
    finally:
        tmp.unlink(missing_ok=True)
    name = req.name or default_name()
    response = app.runtime.call(
        "bedrock", "create_model_invocation_job", jobName=name, roleArn=req.role_arn,
        modelId=model_id, modelInvocationType=kind,
        timeoutDurationInHours=req.timeout_hours,
        inputDataConfig={"s3InputDataConfig": {"s3Uri": target.uri, "s3InputFormat": "JSONL"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": dest.uri}},
    )
    arn = response["jobArn"]
    return {"job_id": arn.rsplit("/", 1)[-1], "job_arn": arn, "job_name": name,
            "model_id": model_id, "records": count, "bytes": size, "api": kind,
            "input_s3": target.uri, "output_s3": dest.uri + arn.rsplit("/", 1)[-1] + "/"}


# -- status, list, stop ------------------------------------------------------------------------


def get_job(app: AppContext, job: str) -> dict[str, Any]:
    response = dict(app.runtime.call("bedrock", "get_model_invocation_job", jobIdentifier=job))
    response.pop("ResponseMetadata", None)
    return response


def list_jobs(app: AppContext, *, status: str | None = None, name_contains: str | None = None,
              limit: int = 50) -> list[dict[str, Any]]:
    jobs: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"maxResults": min(limit, 1000), "sortOrder": "Descending"}
    if status:
        kwargs["statusEquals"] = status
    if name_contains:
        kwargs["nameContains"] = name_contains
    while len(jobs) < limit:
        page = app.runtime.call("bedrock", "list_model_invocation_jobs", **kwargs)
        jobs.extend(page.get("invocationJobSummaries", []))
        if not page.get("nextToken"):
            break
        kwargs["nextToken"] = page["nextToken"]
    return jobs[:limit]


def stop_job(app: AppContext, job: str) -> None:
    app.runtime.call("bedrock", "stop_model_invocation_job", jobIdentifier=job)


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


# -- fetch -------------------------------------------------------------------------------------


@dataclass
class Fetched:
    ok: int = 0
    failed: int = 0
    throttled: int = 0
    files: int = 0
    manifest: dict[str, Any] = field(default_factory=dict)


def output_folder(job: dict[str, Any]) -> Location:
    out = parse_uri(job["outputDataConfig"]["s3OutputDataConfig"]["s3Uri"])
    job_id = job["jobArn"].rsplit("/", 1)[-1]
    base = out if out.is_prefix else Location(out.scheme, out.bucket, out.key + "/")
    return base.child(job_id + "/")


def convert_line(raw: dict[str, Any], job: dict[str, Any], model: Any) -> dict[str, Any]:
    """One Batch Inference output record as a `batch run` output line."""
    from bedrock_cli.catalog import estimate_cost

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
    cost = estimate_cost(model, {"input_tokens": usage.input_tokens,
                                 "output_tokens": usage.output_tokens}, batch=True)
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
    from bedrock_cli.catalog import estimate_cost

    tokens = int(output.get("inputTextTokenCount") or 0)
    return {"id": record_id, "embedding": output["embedding"],
            "usage": {"input_tokens": tokens, "output_tokens": 0, "total_tokens": tokens},
            "cost_usd": estimate_cost(model, {"input_tokens": tokens}, batch=True),
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
        raise _storage(exc) from None
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
