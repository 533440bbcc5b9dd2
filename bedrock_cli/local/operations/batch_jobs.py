"""Batch inference on the control plane: Create/Get/List/Stop ModelInvocationJob, in Bedrock's
shapes (reference §7). The jobs themselves run in `local/batch_exec.py`."""

from __future__ import annotations

from typing import Any

from .. import errors, modelref, paging
from ..batch_exec import (
    JOB_ARN,
    TERMINAL,
    JobStore,
    new_job_id,
    now_iso,
    public,
    state_dir,
)
from ..batch_runner import ensure_running
from ..errors import EmulatorError
from ..router import Emulator, Request, Response, route


def _store(emulator: Emulator) -> JobStore:
    return JobStore(state_dir(emulator))


def _conflict(message: str) -> EmulatorError:
    return EmulatorError("ConflictException", message, 400)


def _uri(config: Any, outer: str, inner: str, emulator: Emulator) -> str:
    uri = ((config or {}).get(inner) or {}).get("s3Uri") if isinstance(config, dict) else None
    if not isinstance(uri, str) or not uri:
        raise errors.validation(f"{outer}.{inner}.s3Uri is required.")
    if uri.startswith("file://") and not emulator.options.extra.get("file_uris"):
        # over a socket, a file:// job would let any client read and write this machine's files
        raise errors.validation(f"The S3 URI {uri} is not valid: file:// URIs are turned off "
                                "on this endpoint (start `bedrock-cli serve --allow-file-uris`).")
    if not uri.startswith(("s3://", "file://")):
        raise errors.validation(f"The S3 URI {uri} is not valid: it must start with s3://.")
    return uri


def _job_id(ident: str, store: JobStore) -> dict[str, Any]:
    match = JOB_ARN.match(ident)
    job_id = match.group(2) if match else ident
    job = store.load(job_id) if len(job_id) == 12 and job_id.isalnum() else None
    if job is None:
        raise errors.resource_not_found(f"The specified job {ident} was not found.")
    return job


def _view(job: dict[str, Any], store: JobStore) -> dict[str, Any]:
    if job.get("status") not in TERMINAL and store.stopping(job["jobId"]):
        job = {**job, "status": "Stopping"}
    return public(job)


@route("POST", "/model-invocation-job", name="CreateModelInvocationJob")
def create_job(request: Request, emulator: Emulator) -> Response:
    # jobName, roleArn, the enums, the timeout's range and the URIs' pattern are the model's
    # constraints: the router has checked them (shapes.check_request)
    body = request.json()
    region, account = emulator.region(request), emulator.account_id
    name, role = body["jobName"], body["roleArn"]
    model_id = str(body.get("modelId") or "")
    found = modelref.lookup(model_id, region)
    if found is None:
        raise errors.invalid_model_id()
    kind = body.get("modelInvocationType") or "InvokeModel"
    if kind == "Converse" and not modelref.is_text_model(found[0]):
        raise errors.validation("This model doesn't support the Converse API.")
    hours = body.get("timeoutDurationInHours", 24)
    in_uri = _uri(body.get("inputDataConfig"), "inputDataConfig", "s3InputDataConfig", emulator)
    out_uri = _uri(body.get("outputDataConfig"), "outputDataConfig", "s3OutputDataConfig",
                   emulator)
    store = _store(emulator)
    token = body.get("clientRequestToken")
    for other in store.all():
        if token and other.get("clientRequestToken") == token:
            return Response.json({"jobArn": other["jobArn"]})  # an idempotent retry
        if other.get("jobName") == name and other.get("region") == region:
            raise _conflict(f"A job with the name {name} already exists.")
    job_id = new_job_id()
    submitted = now_iso()
    job: dict[str, Any] = {
        "jobArn": f"arn:aws:bedrock:{region}:{account}:model-invocation-job/{job_id}",
        "jobId": job_id, "jobName": name, "modelId": model_id, "clientRequestToken": token,
        "roleArn": role, "status": "Submitted", "submitTime": submitted,
        "inputDataConfig": {"s3InputDataConfig": {
            **body["inputDataConfig"]["s3InputDataConfig"], "s3Uri": in_uri}},
        "outputDataConfig": {"s3OutputDataConfig": {
            **body["outputDataConfig"]["s3OutputDataConfig"], "s3Uri": out_uri}},
        "vpcConfig": body.get("vpcConfig"), "timeoutDurationInHours": hours,
        "jobExpirationTime": now_iso(hours), "modelInvocationType": kind,
        "region": region, "account": account, "tags": body.get("tags") or [],
    }
    store.save(job)
    ensure_running(emulator, store, job)
    return Response.json({"jobArn": job["jobArn"]})


@route("GET", "/model-invocation-job/{jobIdentifier}", name="GetModelInvocationJob")
def get_job(request: Request, emulator: Emulator) -> Response:
    store = _store(emulator)
    job = _job_id(request.params["jobIdentifier"], store)
    ensure_running(emulator, store, job)
    return Response.json(_view(job, store))


@route("GET", "/model-invocation-jobs", name="ListModelInvocationJobs")
def list_jobs(request: Request, emulator: Emulator) -> Response:
    region = emulator.region(request)
    store = _store(emulator)
    status = request.first("statusEquals")  # one of the model's statuses (shapes.py)
    limit = paging.max_results(request)
    name = request.first("nameContains") or ""
    after, before = request.first("submitTimeAfter"), request.first("submitTimeBefore")
    jobs = []
    for job in store.all():
        if job.get("region") != region:
            continue
        ensure_running(emulator, store, job)
        view = _view(job, store)
        if status and view["status"] != status:
            continue
        if name and name not in view["jobName"]:
            continue
        if after and view["submitTime"] <= _iso(after):
            continue
        if before and view["submitTime"] >= _iso(before):
            continue
        jobs.append(view)
    jobs.sort(key=lambda j: j["submitTime"], reverse=request.first("sortOrder") != "Ascending")
    return Response.json(paging.page(request, jobs, "invocationJobSummaries", limit))


def _iso(value: str) -> str:
    """A timestamp query value in the same ISO form as submitTime, so strings compare."""
    from datetime import datetime, timezone

    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise errors.validation(f"The timestamp {value} is not valid.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds") \
        .replace("+00:00", "Z")


@route("POST", "/model-invocation-job/{jobIdentifier}/stop", name="StopModelInvocationJob")
def stop_job(request: Request, emulator: Emulator) -> Response:
    store = _store(emulator)
    job = _job_id(request.params["jobIdentifier"], store)
    if job.get("status") in TERMINAL:
        raise errors.validation(f"The job is {job['status']} and cannot be stopped.")
    store.stop_marker(job["jobId"]).touch()
    ensure_running(emulator, store, job)  # whoever runs it publishes what is done and stops
    return Response.json({})
