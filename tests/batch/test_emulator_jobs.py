"""The emulator's batch jobs on the wire: shapes, statuses, errors, stop, takeover, layout."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from bedrock_cli.local import Emulator, EmulatorOptions, attach
from bedrock_cli.local.batch_exec import JobStore, now_iso

ROLE = "arn:aws:iam::123456789012:role/R"
MODEL = "amazon.nova-lite-v1:0"


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "state"


def make_client(state: Path, **options: Any) -> Any:
    extra = {"state_dir": str(state), "batch_min_records": 2, "file_uris": True}
    emulator = Emulator(EmulatorOptions(region="us-east-1", extra=extra, **options))
    client = boto3.client("bedrock", region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="y",
                          endpoint_url="https://bedrock.us-east-1.amazonaws.com")
    attach(client, emulator)
    return client


@pytest.fixture
def bedrock(state: Path) -> Iterator[Any]:
    yield make_client(state)


def converse_record(i: int, text: str | None = None) -> dict[str, Any]:
    return {"recordId": f"R{i:03d}", "modelInput": {
        "messages": [{"role": "user", "content": [{"text": text or f"Hello {i}"}]}],
        "inferenceConfig": {"maxTokens": 5}}}


def write_input(folder: Path, records: list[dict[str, Any]], name: str = "in.jsonl") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def create(client: Any, tmp_path: Path, name: str = "job1", **overrides: Any) -> str:
    kwargs: dict[str, Any] = {
        "jobName": name, "roleArn": ROLE, "modelId": MODEL, "modelInvocationType": "Converse",
        "inputDataConfig": {"s3InputDataConfig": {"s3Uri": f"file://{tmp_path}/in/"}},
        "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": f"file://{tmp_path}/out/"}},
        **overrides,
    }
    return str(client.create_model_invocation_job(**kwargs)["jobArn"])


def wait_end(client: Any, arn: str, limit: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        job = client.get_model_invocation_job(jobIdentifier=arn)
        if job["status"] in ("Completed", "PartiallyCompleted", "Failed", "Stopped"):
            return dict(job)
        time.sleep(0.05)
    raise AssertionError("job did not end")


def test_job_shapes_and_bedrock_layout(tmp_path: Path, bedrock: Any) -> None:
    records = [converse_record(i) for i in range(5)]
    bad = converse_record(5)
    bad["modelInput"]["messages"][0]["role"] = "assistant"  # Bedrock refuses this one
    records.append(bad)
    write_input(tmp_path / "in", records)
    write_input(tmp_path / "in" / "sub", [{"modelInput": converse_record(9)["modelInput"]}],
                "more.jsonl")
    arn = create(bedrock, tmp_path)
    job_id = arn.rsplit("/", 1)[1]
    assert arn == f"arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/{job_id}"
    assert len(job_id) == 12 and job_id.isalnum() and job_id == job_id.lower()
    job = wait_end(bedrock, job_id)
    assert job["status"] == "PartiallyCompleted"
    assert (job["totalRecordCount"], job["processedRecordCount"], job["successRecordCount"],
            job["errorRecordCount"]) == (7, 7, 6, 1)
    assert job["jobName"] == "job1" and job["modelInvocationType"] == "Converse"
    assert job["submitTime"] <= job["lastModifiedTime"] and "endTime" in job
    folder = tmp_path / "out" / job_id
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert names == ["in.jsonl.out", "manifest.json.out", "sub/more.jsonl.out"]
    lines = [json.loads(x) for x in (folder / "in.jsonl.out").read_text().splitlines()]
    assert [line["recordId"] for line in lines] == [f"R{i:03d}" for i in range(6)]
    assert lines[0]["modelInput"] == records[0]["modelInput"]
    assert lines[0]["modelOutput"]["stopReason"] in ("end_turn", "max_tokens")
    assert lines[5]["error"]["errorCode"] == 400 and lines[5]["error"]["errorMessage"]
    [added] = [json.loads(x) for x in (folder / "sub" / "more.jsonl.out").read_text()
               .splitlines()]
    assert len(added["recordId"]) == 11 and added["recordId"].isalnum()
    manifest = json.loads((folder / "manifest.json.out").read_text())
    assert manifest["errorRecordCount"] == 1 and manifest["inputTokenCount"] > 0


@pytest.mark.parametrize("overrides, message", [
    ({"jobName": "bad name!"}, "Value 'bad name!' at 'jobName' failed to satisfy"),
    ({"roleArn": "nope"}, "Value 'nope' at 'roleArn' failed to satisfy"),
    ({"modelId": "nova-lite"}, "model identifier is invalid"),
    ({"modelId": "amazon.titan-embed-text-v2:0"}, "Converse"),
    ({"modelInvocationType": "Batch"}, "modelInvocationType"),
    ({"inputDataConfig": {"s3InputDataConfig": {"s3Uri": "http://x/"}}},
     "at 'inputDataConfig.s3InputDataConfig.s3Uri' failed to satisfy"),
])
def test_create_refuses_what_bedrock_refuses(tmp_path: Path, bedrock: Any,
                                            overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ClientError) as caught:
        create(bedrock, tmp_path, **overrides)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert message in caught.value.response["Error"]["Message"]


def test_names_conflict_tokens_are_idempotent_and_unknown_jobs_are_404(
        tmp_path: Path, bedrock: Any) -> None:
    write_input(tmp_path / "in", [converse_record(i) for i in range(3)])
    first = create(bedrock, tmp_path, "same", clientRequestToken="tok1")
    assert create(bedrock, tmp_path, "same", clientRequestToken="tok1") == first
    with pytest.raises(ClientError) as caught:
        create(bedrock, tmp_path, "same", clientRequestToken="tok2")
    assert caught.value.response["Error"]["Code"] == "ConflictException"
    with pytest.raises(ClientError) as missing:
        bedrock.get_model_invocation_job(jobIdentifier="abcdefghijkl")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    wait_end(bedrock, first)


def test_invalid_input_and_too_few_records_fail_the_job(tmp_path: Path, bedrock: Any) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "in.jsonl").write_text(json.dumps(converse_record(1)) + "\nnot json\n")
    job = wait_end(bedrock, create(bedrock, tmp_path, "bad"))
    assert job["status"] == "Failed" and "line 2" in job["message"]
    (tmp_path / "in" / "in.jsonl").write_text(json.dumps(converse_record(1)) + "\n")
    job = wait_end(bedrock, create(bedrock, tmp_path, "few"))
    assert job["status"] == "Failed" and "1 records" in job["message"]


def test_stop_publishes_what_is_done_and_ends_stopped(tmp_path: Path, state: Path) -> None:
    client = make_client(state, latency_ms=40)
    write_input(tmp_path / "in", [converse_record(i) for i in range(60)])
    arn = create(client, tmp_path, "slow")
    time.sleep(0.3)
    client.stop_model_invocation_job(jobIdentifier=arn)
    assert client.get_model_invocation_job(jobIdentifier=arn)["status"] in ("Stopping",
                                                                            "Stopped")
    job = wait_end(client, arn)
    assert job["status"] == "Stopped" and 0 < job["processedRecordCount"] < 60
    out = tmp_path / "out" / arn.rsplit("/", 1)[1] / "in.jsonl.out"
    assert len(out.read_text().splitlines()) == job["processedRecordCount"]
    with pytest.raises(ClientError) as caught:
        client.stop_model_invocation_job(jobIdentifier=arn)
    assert caught.value.response["Error"]["Code"] == "ValidationException"


def test_a_job_left_by_a_dead_process_is_taken_over_without_duplicates(
        tmp_path: Path, state: Path) -> None:
    records = [converse_record(i) for i in range(6)]
    write_input(tmp_path / "in", records)
    store = JobStore(state)
    job_id = "deadbeef0000"
    store.save({
        "jobArn": f"arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/{job_id}",
        "jobId": job_id, "jobName": "orphan", "modelId": MODEL, "roleArn": ROLE,
        "status": "InProgress", "submitTime": now_iso(), "modelInvocationType": "Converse",
        "inputDataConfig": {"s3InputDataConfig": {"s3Uri": f"file://{tmp_path}/in/"}},
        "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": f"file://{tmp_path}/out/"}},
        "timeoutDurationInHours": 24, "region": "us-east-1", "account": "123456789012",
        "totalRecordCount": 6, "processedRecordCount": 2,
    })
    spool = store.spool(job_id)
    spool.mkdir(parents=True)
    done = {**records[0], "modelOutput": {"output": {"message": {"role": "assistant", "content": [
        {"text": "from before"}]}}, "stopReason": "end_turn",
        "usage": {"inputTokens": 1, "outputTokens": 2, "totalTokens": 3}}}
    (spool / "in.jsonl.out").write_text(json.dumps(done) + '\n{"recordId": "R001", "mod')
    job = wait_end(make_client(state), job_id)  # a new process polls: it takes the job over
    assert job["status"] == "Completed" and job["processedRecordCount"] == 6
    lines = [json.loads(x) for x in (tmp_path / "out" / job_id / "in.jsonl.out").read_text()
             .splitlines()]
    assert sorted(line["recordId"] for line in lines) == [f"R{i:03d}" for i in range(6)]
    assert lines[0]["modelOutput"]["output"]["message"]["content"][0]["text"] == "from before"


def test_list_filters_sorts_and_pages(tmp_path: Path, bedrock: Any) -> None:
    write_input(tmp_path / "in", [converse_record(i) for i in range(2)])
    arns = [create(bedrock, tmp_path, name) for name in ("alpha-1", "beta-1", "alpha-2")]
    for arn in arns:
        wait_end(bedrock, arn)
    page = bedrock.list_model_invocation_jobs(maxResults=2)
    assert [j["jobName"] for j in page["invocationJobSummaries"]] == ["alpha-2", "beta-1"]
    rest = bedrock.list_model_invocation_jobs(maxResults=2, nextToken=page["nextToken"])
    assert [j["jobName"] for j in rest["invocationJobSummaries"]] == ["alpha-1"]
    named = bedrock.list_model_invocation_jobs(nameContains="alpha", sortOrder="Ascending")
    assert [j["jobName"] for j in named["invocationJobSummaries"]] == ["alpha-1", "alpha-2"]
    done = bedrock.list_model_invocation_jobs(statusEquals="Completed")
    assert len(done["invocationJobSummaries"]) == 3
    assert bedrock.list_model_invocation_jobs(statusEquals="Failed")[
        "invocationJobSummaries"] == []


def test_invoke_model_jobs_run_native_bodies(tmp_path: Path, bedrock: Any) -> None:
    from bedrock_cli.local.operations.invoke import HANDLERS

    if "nova" not in HANDLERS:
        pytest.skip("the native Nova handler is not installed in this tree")
    native = {"schemaVersion": "messages-v1", "inferenceConfig": {"max_new_tokens": 5},
              "messages": [{"role": "user", "content": [{"text": "Hello"}]}]}
    write_input(tmp_path / "in", [{"recordId": f"N{i}", "modelInput": native} for i in range(3)])
    arn = create(bedrock, tmp_path, "native", modelInvocationType="InvokeModel")
    job = wait_end(bedrock, arn)
    assert job["status"] == "Completed", job.get("message")
    out = tmp_path / "out" / arn.rsplit("/", 1)[1]
    [line, *_] = [json.loads(x) for x in (out / "in.jsonl.out").read_text().splitlines()]
    assert "output" in line["modelOutput"] and "_tokens" not in line
    manifest = json.loads((out / "manifest.json.out").read_text())
    assert manifest["outputTokenCount"] > 0


def test_file_uris_are_refused_unless_the_endpoint_allows_them(state: Path, tmp_path: Path) -> None:
    emulator = Emulator(EmulatorOptions(region="us-east-1", extra={"state_dir": str(state)}))
    client = boto3.client("bedrock", region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="y",
                          endpoint_url="https://bedrock.us-east-1.amazonaws.com")
    attach(client, emulator)
    with pytest.raises(client.exceptions.ValidationException, match="--allow-file-uris"):
        client.create_model_invocation_job(
            jobName="nope", roleArn="arn:aws:iam::123456789012:role/R",
            modelId="amazon.nova-lite-v1:0",
            inputDataConfig={"s3InputDataConfig": {"s3Uri": f"file://{tmp_path}/in/"}},
            outputDataConfig={"s3OutputDataConfig": {"s3Uri": f"file://{tmp_path}/out/"}})
