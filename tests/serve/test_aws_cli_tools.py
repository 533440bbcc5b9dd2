"""The AWS CLI's `converse --tool-config` against `serve`, as a user runs it (skipped where the
AWS CLI is not installed)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import Live

AWS = shutil.which("aws")
TOOLS = {"tools": [{"toolSpec": {
    "name": "top_song", "description": "Get the most popular song played on a radio station.",
    "inputSchema": {"json": {"type": "object", "required": ["sign"], "properties": {
        "sign": {"type": "string", "description": "The call sign for the radio station."}}}}}}]}


def aws(live: Live, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_CONFIG_FILE=str(tmp_path / "config"),
               AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "credentials"))
    assert AWS is not None
    return subprocess.run([AWS, "--endpoint-url", live.url, "--region", "us-east-1",
                           "--output", "json", "bedrock-runtime", "converse", *args],
                          capture_output=True, text=True, env=env, timeout=60, check=False)


@pytest.mark.skipif(AWS is None, reason="the AWS CLI is not installed")
def test_aws_cli_converse_tool_config(live: Live, tmp_path: Path) -> None:
    tools = tmp_path / "tools.json"
    tools.write_text(json.dumps(TOOLS))
    messages = json.dumps([{"role": "user", "content": [
        {"text": "What is the most popular song on WZPZ?"}]}])
    run = aws(live, tmp_path, "--model-id", "us.anthropic.claude-3-5-haiku-20241022-v1:0",
              "--messages", messages, "--tool-config", f"file://{tools}")
    assert run.returncode == 0, run.stderr
    answer = json.loads(run.stdout)
    assert answer["stopReason"] == "tool_use"
    [block] = answer["output"]["message"]["content"]
    assert block["toolUse"]["name"] == "top_song"
    assert block["toolUse"]["input"] == {"sign": "WZPZ"}
    bad = json.dumps({**TOOLS, "toolChoice": {"tool": {"name": "nope"}}})
    run = aws(live, tmp_path, "--model-id", "us.anthropic.claude-3-5-haiku-20241022-v1:0",
              "--messages", messages, "--tool-config", bad)
    assert run.returncode in (254, 255)  # AWS CLI v2, v1: a service error
    assert "(ValidationException) when calling the Converse operation: The tool 'nope' named " \
           "in toolConfig.toolChoice.tool isn't in toolConfig.tools." in run.stderr
