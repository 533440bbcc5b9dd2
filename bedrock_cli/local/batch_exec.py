"""The emulator's batch-inference jobs: state kept on disk, records run through the emulator's
own Converse / InvokeModel routes, input and output through S3 or `file://`.

Why on disk: with the local backend the emulator lives inside one CLI process, and
`batch submit` and `batch wait` are two processes. Each job is a JSON file under
`<data dir>/local-batch-jobs/` (the same directory for in-process use and `serve`), and a job
runs in whichever process holds the job's lock file (an OS lock, so it is released when that
process dies), carrying on from the job's spool files, which hold the finished records line by
line. Who runs a job — a thread of a long-lived host, or a detached runner for the command
line's short-lived processes — is `local/batch_runner.py`.

S3: the emulator never uses real AWS credentials. Its S3 client has dummy keys and boto3's own
endpoint resolution, so `AWS_ENDPOINT_URL_S3` (a moto server, MinIO with any keys) or moto's
`mock_aws` in tests is where it reads and writes; pointed at real S3 it fails with the S3 error
in the job's `message`. `file://` URIs need nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import string
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bedrock_cli.jsonl import repair_tail
from bedrock_cli.paths import private_dir
from bedrock_cli.storage import Location, StorageError, Store, parse_uri

from .router import Emulator, Request

MIN_RECORDS = 100
MAX_RECORDS = 50_000
TERMINAL = ("Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired")
_INTERNAL = ("jobId", "region", "account", "inputTokenCount", "outputTokenCount", "tags")
_ID_CHARS = string.ascii_lowercase + string.digits
_RECORD_CHARS = string.ascii_uppercase + string.digits
_RETRYABLE = (429, 500, 503)
_DUMMY_KEY, _DUMMY_SECRET = "AKIALOCALEMULATOR000", "local-emulator-secret-not-a-real-key"
_save_lock = threading.Lock()


def now_iso(offset_hours: float = 0) -> str:
    moment = datetime.now(timezone.utc) + timedelta(hours=offset_hours)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_job_id() -> str:
    return "".join(secrets.choice(_ID_CHARS) for _ in range(12))


def public(job: dict[str, Any]) -> dict[str, Any]:
    """The job as GetModelInvocationJob returns it."""
    return {k: v for k, v in job.items() if k not in _INTERNAL and v is not None}


def state_dir(emulator: Emulator) -> Path:
    given = emulator.options.extra.get("state_dir")
    if given:
        return Path(given)
    from bedrock_cli.paths import user_data_dir

    home = os.environ.get("BEDROCK_CLI_HOME")
    return (Path(home) if home else user_data_dir()) / "local-batch-jobs"


class JobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def file(self, job_id: str) -> Path:
        return self.root / f"{job_id}.json"

    def spool(self, job_id: str) -> Path:
        return self.root / job_id

    def stop_marker(self, job_id: str) -> Path:
        return self.root / f"{job_id}.stop"

    def load(self, job_id: str) -> dict[str, Any] | None:
        try:
            data = json.loads(self.file(job_id).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def save(self, job: dict[str, Any]) -> None:
        from bedrock_cli.paths import atomic_write

        job["lastModifiedTime"] = now_iso()
        with _save_lock:
            atomic_write(self.file(job["jobId"]), json.dumps(job, indent=1).encode("utf-8"),
                         mode=0o600)

    def all(self) -> list[dict[str, Any]]:
        if not self.root.is_dir():
            return []
        jobs = (self.load(p.stem) for p in self.root.glob("*.json"))
        return [job for job in jobs if job is not None]

    def stopping(self, job_id: str) -> bool:
        return self.stop_marker(job_id).exists()


def s3_client(region: str) -> Any:
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(aws_access_key_id=_DUMMY_KEY,
                                    aws_secret_access_key=_DUMMY_SECRET, region_name=region)
    return session.client("s3", config=Config(retries={"mode": "standard"}))


def record_id(relative: str, line: int) -> str:
    digest = int.from_bytes(hashlib.blake2b(f"{relative}:{line}".encode(), digest_size=8)
                            .digest(), "big")
    chars = []
    for _ in range(11):
        digest, rem = divmod(digest, len(_RECORD_CHARS))
        chars.append(_RECORD_CHARS[rem])
    return "".join(chars)


class JobRun:
    """One pass of a job: validate, run what is not in the spool yet, publish the output."""

    def __init__(self, emulator: Emulator, store: JobStore, job_id: str) -> None:
        self.emulator = emulator
        self.store = store
        self.job_id = job_id
        job = store.load(job_id)
        assert job is not None
        self.job = job
        self.files = Store(lambda: s3_client(job.get("region") or "us-east-1"))
        self._saved = 0.0

    def run(self) -> None:
        job = self.job
        if job.get("status") in TERMINAL:
            return
        try:
            if self.store.stopping(self.job_id):
                self._finish("Stopped")
                return
            inputs = self._validate()
            if inputs is None:
                return
            self._set(status="InProgress")
            for loc, relative in inputs:
                if not self._process(loc, relative):
                    self._finish("Stopped")
                    return
            errors, total = job["errorRecordCount"], job["totalRecordCount"]
            status = "Completed" if not errors else (
                "Failed" if errors == total else "PartiallyCompleted")
            message = (f"All {total} records failed; the error records are in the output."
                       if status == "Failed" else None)
            self._finish(status, message)
        except StorageError as exc:
            self._set(status="Failed", message=str(exc), endTime=now_iso())

    def _set(self, **fields: Any) -> None:
        self.job.update(fields)
        self.store.save(self.job)
        self._saved = time.monotonic()

    def _inputs(self) -> list[tuple[Location, str]]:
        loc = parse_uri(self.job["inputDataConfig"]["s3InputDataConfig"]["s3Uri"])
        found = self.files.objects(loc, ".jsonl" if loc.is_prefix else "")
        base = loc.key if loc.is_prefix else loc.parent().key
        return [(item, item.key[len(base):]) for item, _size in found]

    def _validate(self) -> list[tuple[Location, str]] | None:
        if self.job.get("status") == "Submitted":
            self._set(status="Validating")
        inputs = self._inputs()
        if not inputs:
            self._set(status="Failed", endTime=now_iso(), message="No .jsonl input files found "
                      f"at {self.job['inputDataConfig']['s3InputDataConfig']['s3Uri']}.")
            return None
        total = 0
        for loc, relative in inputs:
            for number, raw in enumerate(self.files.lines(loc), start=1):
                if not raw.strip():
                    continue
                try:
                    record = json.loads(raw)
                    ok = isinstance(record, dict) and isinstance(record.get("modelInput"), dict)
                except ValueError:
                    ok = False
                if not ok:
                    self._set(status="Failed", endTime=now_iso(), message=(
                        f"Invalid record in {relative} line {number}: each line must be a JSON "
                        'object with a "modelInput" object.'))
                    return None
                total += 1
        minimum = int(self.emulator.options.extra.get("batch_min_records", MIN_RECORDS))
        if not minimum <= total <= MAX_RECORDS:
            self._set(status="Failed", endTime=now_iso(), totalRecordCount=total, message=(
                f"The job has {total} records; a batch inference job takes from {minimum} "
                f"to {MAX_RECORDS}."))
            return None
        self.job.setdefault("processedRecordCount", 0)
        self._set(totalRecordCount=total)
        return inputs

    def _process(self, loc: Location, relative: str) -> bool:
        """Run one input file's records not yet in its spool; False when stopped."""
        spool = self.store.spool(self.job_id) / (relative + ".out")
        private_dir(spool.parent)
        spool.touch()
        repair_tail(spool)
        done = self._tally()
        with open(spool, "ab") as out, ThreadPoolExecutor(4) as pool:
            pending = self._pending(loc, relative, done)
            while True:
                if self.store.stopping(self.job_id):
                    return False
                chunk = [item for _, item in zip(range(8), pending, strict=False)]
                if not chunk:
                    return True
                for line, usage in pool.map(self._call, chunk):
                    out.write(json.dumps(line, ensure_ascii=False).encode("utf-8") + b"\n")
                    out.flush()
                    self._count(line, usage)
                if time.monotonic() - self._saved > 0.5:
                    self._set()

    def _pending(self, loc: Location, relative: str,
                 done: set[str]) -> Iterator[dict[str, Any]]:
        for number, raw in enumerate(self.files.lines(loc), start=1):
            if not raw.strip():
                continue
            record = json.loads(raw)
            record.setdefault("recordId", record_id(relative, number))
            if str(record["recordId"]) not in done:
                yield record

    def _tally(self) -> set[str]:
        """Recount the job from every spool (a resumed job carries on from there)."""
        job, done = self.job, set()
        counts = dict(processedRecordCount=0, successRecordCount=0, errorRecordCount=0,
                      inputTokenCount=0, outputTokenCount=0)
        for path in self.store.spool(self.job_id).rglob("*.out"):
            with open(path, "rb") as handle:
                for raw in handle:
                    line = json.loads(raw)
                    done.add(str(line.get("recordId")))
                    counts["processedRecordCount"] += 1
                    key = "errorRecordCount" if "error" in line else "successRecordCount"
                    counts[key] += 1
                    usage = tuple(line["_tokens"]) if "_tokens" in line else \
                        _usage(line.get("modelOutput"))
                    counts["inputTokenCount"] += usage[0]
                    counts["outputTokenCount"] += usage[1]
        job.update(counts)
        return done

    def _count(self, line: dict[str, Any], usage: tuple[int, int]) -> None:
        job = self.job
        job["processedRecordCount"] += 1
        job["errorRecordCount" if "error" in line else "successRecordCount"] += 1
        job["inputTokenCount"] += usage[0]
        job["outputTokenCount"] += usage[1]

    def _call(self, record: dict[str, Any]) -> tuple[dict[str, Any], tuple[int, int]]:
        """One record through the emulator's own runtime route, retried like Bedrock's
        batch service retries throttling and server errors."""
        job = self.job
        operation = "converse" if job.get("modelInvocationType") == "Converse" else "invoke"
        path = f"/model/{quote(job['modelId'], safe='')}/{operation}"
        region = job.get("region") or "us-east-1"
        headers = {"Content-Type": "application/json", "Accept": "application/json",
                   "Authorization": f"AWS4-HMAC-SHA256 Credential=BATCH/20260101/{region}/"
                                    "bedrock/aws4_request"}
        body = json.dumps(record["modelInput"]).encode("utf-8")
        for attempt in range(1, 5):
            headers["amz-sdk-request"] = f"attempt={attempt}; max=4"
            response = self.emulator.handle(Request("POST", path, {}, headers, body))
            if response.status not in _RETRYABLE or attempt == 4:
                break
            time.sleep(0.05 * 2 ** attempt)
        base = {"recordId": record["recordId"], "modelInput": record["modelInput"]}
        try:
            payload = json.loads(response.body or b"{}")
        except ValueError:
            payload = {}
        if response.status != 200:
            message = str(payload.get("message") or payload.get("Message") or "error")
            return {**base, "error": {"errorCode": response.status,
                                      "errorMessage": message}}, (0, 0)
        line = {**base, "modelOutput": payload}
        usage = _usage(payload)
        if usage == (0, 0):
            usage = (int(response.header("X-Amzn-Bedrock-Input-Token-Count") or 0),
                     int(response.header("X-Amzn-Bedrock-Output-Token-Count") or 0))
            line["_tokens"] = list(usage)
        return line, usage

    def _finish(self, status: str, message: str | None = None) -> None:
        """Publish every spool as `<output>/<jobId>/<input>.out`, and the manifest."""
        job = self.job
        self._tally()
        out = parse_uri(job["outputDataConfig"]["s3OutputDataConfig"]["s3Uri"])
        folder = out.child(self.job_id + "/") if out.is_prefix else \
            Location(out.scheme, out.bucket, out.key + "/" + self.job_id + "/")
        spools = self.store.spool(self.job_id)
        if spools.is_dir():
            for path in sorted(spools.rglob("*.out")):
                relative = path.relative_to(spools).as_posix()
                self.files.put_file(_strip_private(path), folder.child(relative))
        manifest = {k: job.get(k, 0) for k in (
            "totalRecordCount", "processedRecordCount", "successRecordCount",
            "errorRecordCount", "inputTokenCount", "outputTokenCount")}
        self.files.put_bytes(json.dumps(manifest).encode(), folder.child("manifest.json.out"))
        self._set(status=status, message=message, endTime=now_iso())


def _usage(output: Any) -> tuple[int, int]:
    if not isinstance(output, dict):
        return 0, 0
    usage = output.get("usage") or {}
    inp = usage.get("inputTokens", usage.get("input_tokens", 0)) or 0
    out = usage.get("outputTokens", usage.get("output_tokens", 0)) or 0
    return int(inp), int(out)


def _strip_private(path: Path) -> Path:
    """The spool without the emulator's private `_tokens` field (a copy when needed)."""
    data = path.read_bytes()
    if b'"_tokens"' not in data:
        return path
    cleaned = path.with_suffix(".publish")
    with open(cleaned, "wb") as out:
        for raw in data.splitlines():
            line = json.loads(raw)
            line.pop("_tokens", None)
            out.write(json.dumps(line, ensure_ascii=False).encode("utf-8") + b"\n")
    return cleaned


JOB_ARN = re.compile(r"^arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:"
                     r"model-invocation-job/([a-z0-9]{12})$")
