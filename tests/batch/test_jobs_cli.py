"""Bedrock Batch Inference offline: submit / status / list / wait / fetch / stop through the
CLI on the local backend, with file:// URIs and with moto's S3."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.batch.conftest import read_lines, write_prompts
from tests.helpers import cli

LOCAL = ["--backend", "local"]
ROLE = "arn:aws:iam::123456789012:role/BedrockBatch"


def submit(inp: Path, in_uri: str, out_uri: str, *extra: str) -> object:
    return cli([*LOCAL, "batch", "submit", str(inp), "--input-s3", in_uri, "--output-s3",
                out_uri, "--role-arn", ROLE, *extra])


def test_150_records_through_submit_wait_fetch_with_file_uris(tmp_path: Path) -> None:
    inp = write_prompts(tmp_path / "prompts.jsonl", 150)
    sub = submit(inp, f"file://{tmp_path}/in/", f"file://{tmp_path}/out/", "--name", "t150")
    assert sub.exit_code == 0, sub.stderr
    job = sub.stdout.strip()
    assert len(job) == 12 and job.isalnum() and job.islower()
    uploaded = read_lines(tmp_path / "in" / "prompts.jsonl")
    assert len(uploaded) == 150 and uploaded[0]["recordId"] == "r0"
    assert uploaded[0]["modelInput"]["messages"][0]["content"][0]["text"].startswith("Say")
    assert uploaded[0]["modelInput"]["inferenceConfig"] == {"maxTokens": 8}
    waited = cli([*LOCAL, "batch", "wait", job, "--interval", "0.1", "--max-interval", "0.2"])
    assert waited.exit_code == 0, waited.stderr
    assert waited.stdout == "Completed 150/150 records\n"
    status = cli([*LOCAL, "batch", "status", job, "--json"])
    doc = json.loads(status.stdout)
    assert (doc["status"], doc["successRecordCount"], doc["jobName"]) == ("Completed", 150,
                                                                          "t150")
    folder = tmp_path / "out" / job
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json.out", "prompts.jsonl.out"]
    manifest = json.loads((folder / "manifest.json.out").read_text())
    assert manifest["processedRecordCount"] == 150 and manifest["outputTokenCount"] > 0
    fetched = tmp_path / "results.jsonl"
    got = cli([*LOCAL, "batch", "fetch", job, "-o", str(fetched)])
    assert got.exit_code == 0, got.stderr
    lines = read_lines(fetched)
    assert sorted(line["id"] for line in lines) == sorted(f"r{i}" for i in range(150))
    assert set(lines[0]) == {"id", "text", "usage", "cost_usd", "model", "model_id",
                             "latency_ms", "stop_reason"}
    assert lines[0]["model"] == "amazon.nova-lite-v1:0"
    again = cli([*LOCAL, "batch", "fetch", job, "-o", str(fetched)])
    assert again.exit_code == 2 and "--force" in again.stderr
    listed = cli([*LOCAL, "batch", "list"])
    assert job in listed.stdout and "Completed" in listed.stdout
    stopped = cli([*LOCAL, "batch", "stop", job])
    assert stopped.exit_code == 5 and "Completed and cannot be stopped" in stopped.stderr
    missing = cli([*LOCAL, "batch", "status", "abcdefghijkl"])
    assert missing.exit_code == 5 and "not found" in missing.stderr


def test_the_100_record_minimum_is_checked_before_anything_is_uploaded(tmp_path: Path) -> None:
    inp = write_prompts(tmp_path / "small.jsonl", 99)
    run = submit(inp, f"file://{tmp_path}/in/", f"file://{tmp_path}/out/")
    assert run.exit_code == 2
    assert "99 records" in run.stderr and "at least 100" in run.stderr
    assert "batch run" in run.stderr
    assert not (tmp_path / "in").exists()


def test_submit_refuses_bad_options_before_uploading(tmp_path: Path) -> None:
    inp = write_prompts(tmp_path / "p.jsonl", 100)
    bad_role = cli([*LOCAL, "batch", "submit", str(inp), "--input-s3", "s3://b/in/",
                    "--output-s3", "s3://b/out/", "--role-arn", "admin"])
    assert bad_role.exit_code == 2 and "IAM role ARN" in bad_role.stderr
    bad_uri = submit(inp, "https://bucket/in/", "s3://b/out/")
    assert bad_uri.exit_code == 2 and "s3://" in bad_uri.stderr
    mixed = tmp_path / "mixed.jsonl"
    write_prompts(mixed, 100)
    with mixed.open("a") as handle:
        handle.write(json.dumps({"id": "x", "prompt": "p", "model": "nova-pro"}) + "\n")
    one_model = submit(mixed, f"file://{tmp_path}/in/", f"file://{tmp_path}/out/")
    assert one_model.exit_code == 2 and "runs one model" in one_model.stderr


@pytest.fixture
def s3() -> Iterator[object]:
    from moto import mock_aws

    # moto answers S3; the emulator keeps answering Bedrock (moto would refuse batch jobs).
    config = {"core": {"passthrough": {"services": ["bedrock", "bedrockruntime"]}}}
    with mock_aws(config=config):  # type: ignore[arg-type]
        import boto3

        client = boto3.client("s3", region_name="us-east-1", aws_access_key_id="x",
                              aws_secret_access_key="y")
        client.create_bucket(Bucket="jobs")
        yield client


def test_150_records_through_moto_s3(tmp_path: Path, s3: object) -> None:
    inp = write_prompts(tmp_path / "prompts.jsonl", 150)
    sub = submit(inp, "s3://jobs/in/", "s3://jobs/out/", "--json")
    assert sub.exit_code == 0, sub.stderr
    info = json.loads(sub.stdout)
    assert info["input_s3"] == "s3://jobs/in/prompts.jsonl" and info["records"] == 150
    job = info["job_id"]
    waited = cli([*LOCAL, "batch", "wait", job, "--interval", "0.1", "--max-interval", "0.2"])
    assert waited.exit_code == 0, waited.stderr
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="jobs",  # type: ignore[attr-defined]
                                                         Prefix="out/")["Contents"])
    assert keys == [f"out/{job}/manifest.json.out", f"out/{job}/prompts.jsonl.out"]
    fetched = tmp_path / "results.jsonl"
    got = cli([*LOCAL, "batch", "fetch", job, "-o", str(fetched), "--json"])
    assert got.exit_code == 0, got.stderr
    assert json.loads(got.stdout)["succeeded"] == 150
    assert len({line["id"] for line in read_lines(fetched)}) == 150


def test_small_jobs_below_the_minimum_are_refused_before_upload_to_s3(
        tmp_path: Path, s3: object) -> None:
    inp = write_prompts(tmp_path / "small.jsonl", 20)
    run = submit(inp, "s3://jobs/in/", "s3://jobs/out/")
    assert run.exit_code == 2
    assert "Contents" not in s3.list_objects_v2(Bucket="jobs")  # type: ignore[attr-defined]


def test_invoke_api_uploads_native_bodies_and_fetch_reads_them(tmp_path: Path) -> None:
    inp = write_prompts(tmp_path / "p.jsonl", 100)
    sub = submit(inp, f"file://{tmp_path}/in/", f"file://{tmp_path}/out/", "--api", "invoke",
                 "-m", "haiku", "--json")
    assert sub.exit_code == 0, sub.stderr
    info = json.loads(sub.stdout)
    assert info["api"] == "InvokeModel"
    first = read_lines(tmp_path / "in" / "p.jsonl")[0]["modelInput"]
    assert first["anthropic_version"] == "bedrock-2023-05-31" and first["max_tokens"] == 8
    assert first["messages"][0]["content"][0]["type"] == "text"
    waited = cli([*LOCAL, "batch", "wait", info["job_id"], "--interval", "0.1"])
    assert waited.exit_code == 0, waited.stderr
    out = tmp_path / "r.jsonl"
    assert cli([*LOCAL, "batch", "fetch", info["job_id"], "-o", str(out)]).exit_code == 0
    lines = read_lines(out)
    assert len(lines) == 100 and all(line["text"] for line in lines)
    assert lines[0]["model"].startswith("anthropic.claude-haiku")


def test_embedding_records_go_as_written_and_come_back_as_vectors(tmp_path: Path) -> None:
    inp = tmp_path / "emb.jsonl"
    inp.write_text("".join(json.dumps({"recordId": f"E{i}", "modelInput": {
        "inputText": f"sentence number {i}"}}) + "\n" for i in range(100)))
    sub = submit(inp, f"file://{tmp_path}/in/", f"file://{tmp_path}/out/", "--api", "invoke",
                 "-m", "amazon.titan-embed-text-v2:0")
    assert sub.exit_code == 0, sub.stderr
    job = sub.stdout.strip()
    assert cli([*LOCAL, "batch", "wait", job, "--interval", "0.1"]).exit_code == 0
    out = tmp_path / "r.jsonl"
    assert cli([*LOCAL, "batch", "fetch", job, "-o", str(out)]).exit_code == 0
    line = read_lines(out)[0]
    assert len(line["embedding"]) == 1024 and line["usage"]["input_tokens"] > 0
