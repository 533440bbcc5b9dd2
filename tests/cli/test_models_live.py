"""`models refresh`, `models list --available` and `models show` with the account listing:
against the emulator and against a scripted endpoint (new models, pagination, TTL, cache
files, and routing a new model without slowing `generate`)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from bedrock_cli.catalog import live
from tests.fake_endpoint import FakeEndpoint, converse_frames
from tests.helpers import aws, cli

NEW_ID = "acme.rocket-v1:0"
NOVA = "amazon.nova-lite-v1:0"


def cache_files(home: Path) -> list[Path]:
    folder = home / "data" / "catalog"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_refresh_against_the_emulator(isolated_env: Path) -> None:
    run = cli(["models", "refresh", "--backend", "local", "--json"])
    assert run.exit_code == 0, run.stderr
    summary = run.json()
    assert summary["region"] == "us-east-1" and summary["source"] == "local"
    assert summary["fetched_now"] is True
    assert summary["foundation_models"] > 20 and summary["inference_profiles"] > 5
    assert summary["new_models"] == []  # the emulator answers from the shipped catalog
    [path] = cache_files(isolated_env)
    assert summary["path"] == str(path)
    cached = json.loads(path.read_text())
    assert cached["version"] == 1 and len(cached["foundation_models"]) == \
        summary["foundation_models"]
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temp files


def test_list_available_on_the_emulator_shows_how_each_is_called() -> None:
    run = cli(["models", "list", "--available", "--backend", "local", "--region", "eu-west-1",
               "--provider", "anthropic", "--json"])
    assert run.exit_code == 0, run.stderr
    rows = {r["id"]: r for r in run.json()}
    sonnet = rows["anthropic.claude-sonnet-4-5-20250929-v1:0"]
    assert sonnet["needs_profile"] is True
    assert sonnet["called_as"] == "eu.anthropic.claude-sonnet-4-5-20250929-v1:0"
    assert "sonnet" in sonnet["aliases"] and sonnet["prices"]["input"] > 0
    assert "Fetched the model list for eu-west-1" in run.stderr
    again = cli(["models", "list", "--available", "--backend", "local", "--region",
                 "eu-west-1", "--json"])
    assert "from 0 s ago" in again.stderr or "from 1 s ago" in again.stderr


def summary(model_id: str, name: str, types: list[str], provider: str = "Acme") -> dict[str,
                                                                                         Any]:
    return {"modelArn": f"arn:aws:bedrock:us-east-1::foundation-model/{model_id}",
            "modelId": model_id, "modelName": name, "providerName": provider,
            "inputModalities": ["TEXT"], "outputModalities": ["TEXT"],
            "responseStreamingSupported": True, "customizationsSupported": [],
            "inferenceTypesSupported": types, "modelLifecycle": {"status": "ACTIVE"}}


def profile(model_id: str, geo: str = "us") -> dict[str, Any]:
    return {"inferenceProfileName": f"{geo} {model_id}", "description": "",
            "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z",
            "inferenceProfileArn": "arn:aws:bedrock:us-east-1:123456789012:"
                                   f"inference-profile/{geo}.{model_id}",
            "models": [{"modelArn": f"arn:aws:bedrock:us-east-1::foundation-model/{model_id}"}],
            "inferenceProfileId": f"{geo}.{model_id}", "status": "ACTIVE",
            "type": "SYSTEM_DEFINED"}


def script_listing(endpoint: FakeEndpoint) -> None:
    endpoint.add_json({"modelSummaries": [
        summary(NOVA, "Nova Lite", ["ON_DEMAND"], "Amazon"),
        summary(NEW_ID, "Rocket", ["INFERENCE_PROFILE"]),
    ]})
    endpoint.add_json({"inferenceProfileSummaries": [profile(NOVA)], "nextToken": "page2"})
    endpoint.add_json({"inferenceProfileSummaries": [profile(NEW_ID), profile(NEW_ID, "eu")]})
    endpoint.add_json({"inferenceProfileSummaries": []})  # APPLICATION


def test_refresh_merges_a_model_the_shipped_catalog_does_not_know(
        endpoint: FakeEndpoint, isolated_env: Path) -> None:
    script_listing(endpoint)
    run = aws(endpoint, "models", "refresh", "--json")
    assert run.exit_code == 0, run.stderr
    result = run.json()
    assert result["new_models"] == [NEW_ID]
    assert (result["foundation_models"], result["inference_profiles"], result["callable"]) == \
        (2, 3, 2)
    assert "anthropic.claude-3-haiku-20240307-v1:0" in result["not_listed"]
    paths = [r.path for r in endpoint.requests]
    assert paths == [
        "/foundation-models",
        "/inference-profiles?type=SYSTEM_DEFINED&maxResults=1000",
        "/inference-profiles?type=SYSTEM_DEFINED&maxResults=1000&nextToken=page2",
        "/inference-profiles?type=APPLICATION&maxResults=1000",
    ]
    listed = aws(endpoint, "models", "list", "--available", "--json")
    assert listed.exit_code == 0, listed.stderr
    assert len(endpoint.requests) == 4  # a fresh cache: nothing fetched again
    rows = {r["id"]: r for r in listed.json()}
    rocket = rows[NEW_ID]
    assert rocket["in_shipped_catalog"] is False and rocket["prices"] is None
    assert rocket["called_as"] == f"us.{NEW_ID}" and rocket["needs_profile"] is True
    assert rocket["inference_profiles"] == [f"us.{NEW_ID}", f"eu.{NEW_ID}"]
    assert rows[NOVA]["called_as"] == NOVA and rows[NOVA]["prices"]["input"] > 0


def test_human_refresh_names_the_new_models(endpoint: FakeEndpoint) -> None:
    script_listing(endpoint)
    run = aws(endpoint, "models", "refresh")
    assert run.exit_code == 0, run.stderr
    assert run.stdout.startswith("Fetched the model list for us-east-1 (aws/")
    assert f"Not in the shipped catalog (no prices or limits known): {NEW_ID}" in run.stdout


def test_the_cache_ttl_is_honoured(endpoint: FakeEndpoint, isolated_env: Path) -> None:
    script_listing(endpoint)
    assert aws(endpoint, "models", "refresh").exit_code == 0
    [path] = cache_files(isolated_env)
    data = json.loads(path.read_text())
    data["fetched_at"] = time.time() - 2 * 3600  # two hours old
    path.write_text(json.dumps(data))
    assert aws(endpoint, "models", "list", "--available", "--max-age", "3h").exit_code == 0
    assert len(endpoint.requests) == 4  # still fresh enough
    script_listing(endpoint)
    run = aws(endpoint, "models", "list", "--available", "--max-age", "1h")
    assert run.exit_code == 0, run.stderr
    assert len(endpoint.requests) == 8  # stale: fetched again
    assert json.loads(path.read_text())["fetched_at"] > time.time() - 60
    script_listing(endpoint)
    assert aws(endpoint, "models", "refresh", "--max-age", "1h").exit_code == 0
    assert len(endpoint.requests) == 8  # refresh --max-age reuses a young cache
    assert aws(endpoint, "models", "list", "--available", "--max-age", "soon").exit_code == 2


def test_the_cache_is_written_atomically(isolated_env: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path = isolated_env / "data" / "catalog" / "models.json"
    first = live.Snapshot("us-east-1", "aws", 1.0, [summary(NOVA, "Nova Lite", ["ON_DEMAND"])],
                          [])
    live.save(first, path)
    assert live.load(path) == first

    def broken_fsync(_fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    second = live.Snapshot("us-east-1", "aws", 2.0, [], [])
    with pytest.raises(OSError):
        live.save(second, path)
    assert live.load(path) == first  # the old file is untouched
    assert [p.name for p in path.parent.iterdir()] == ["models.json"]  # no temp file left
    path.write_text("{torn")
    assert live.load(path) is None  # unreadable caches are ignored, not fatal


def test_a_listed_new_model_is_routed_without_slowing_generate(
        endpoint: FakeEndpoint) -> None:
    script_listing(endpoint)
    assert aws(endpoint, "models", "refresh").exit_code == 0
    endpoint.requests.clear()
    endpoint.add_stream(converse_frames(["Hi"]))
    run = aws(endpoint, "generate", "hello", "-m", NEW_ID)
    assert run.exit_code == 0, run.stderr
    [request] = endpoint.requests  # exactly one runtime request, no control-plane call
    assert request.path == "/model/us.acme.rocket-v1%3A0/converse-stream"
    endpoint.requests.clear()
    endpoint.add_stream(converse_frames(["Hi"]))
    assert aws(endpoint, "generate", "hello", "-m", "nova-pro").exit_code == 0
    assert [r.path for r in endpoint.requests] == ["/model/amazon.nova-pro-v1%3A0/converse-stream"]


def test_without_a_cache_generate_calls_an_unknown_id_as_given(endpoint: FakeEndpoint,
                                                               isolated_env: Path) -> None:
    endpoint.add_stream(converse_frames(["Hi"]))
    assert aws(endpoint, "generate", "hello", "-m", NEW_ID).exit_code == 0
    assert [r.path for r in endpoint.requests] == ["/model/acme.rocket-v1%3A0/converse-stream"]
    assert cache_files(isolated_env) == []


def test_show_says_whether_a_profile_is_needed() -> None:
    run = cli(["models", "show", "sonnet", "--backend", "local", "--region", "eu-west-1"])
    assert run.exit_code == 0, run.stderr
    assert ("  in eu-west-1: needs an inference profile — called as "
            "eu.anthropic.claude-sonnet-4-5-20250929-v1:0 (chosen automatically)") in run.stdout
    run = cli(["models", "show", "nova-lite", "--backend", "local"])
    assert "  in us-east-1: on demand — called by its id amazon.nova-lite-v1:0" in run.stdout
    assert "account listing" not in run.stdout  # no cached listing yet
    assert cli(["models", "refresh", "--backend", "local"]).exit_code == 0
    run = cli(["models", "show", "nova-lite", "--backend", "local"])
    assert "  account listing (0 s old): callable in us-east-1" in run.stdout or \
        "  account listing (1 s old): callable in us-east-1" in run.stdout


def test_show_a_model_only_the_listing_knows(endpoint: FakeEndpoint) -> None:
    script_listing(endpoint)
    assert aws(endpoint, "models", "refresh").exit_code == 0
    run = aws(endpoint, "models", "show", NEW_ID)
    assert run.exit_code == 0, run.stderr
    assert run.stdout.startswith(f"Rocket (Acme)\n  id: {NEW_ID}\n")
    assert f"needs an inference profile — called as us.{NEW_ID}" in run.stdout
    assert "not in the shipped catalog" in run.stdout
    data = aws(endpoint, "models", "show", NEW_ID, "--json").json()
    assert data["inference_types"] == ["INFERENCE_PROFILE"]
    assert data["in_shipped_catalog"] is False and data["called_as"] == f"us.{NEW_ID}"
    assert aws(endpoint, "models", "show", "acme.unknown-v1:0").exit_code == 2
