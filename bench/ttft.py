"""(d) Streaming: time to the first token and to the last one, through the CLI and through a
bare boto3 script, both as fresh processes, against `serve --stream-delay-ms` (events spaced
like a real model's) and in-process on the local backend.

Usage: python -m bench.ttft [--n 7] [--stream-delay-ms 25]
"""

from __future__ import annotations

import argparse
import subprocess
import time
from collections.abc import Sequence

from bench.common import CLI, PY, Section, bench_env, machine, median, serve

PROMPT = "Tell a short story about a lighthouse."
BARE_HTTP = """
import sys, boto3
client = boto3.client("bedrock-runtime", endpoint_url=sys.argv[1])
response = client.converse_stream(
    modelId="amazon.nova-lite-v1:0",
    messages=[{"role": "user", "content": [{"text": "Tell a short story about a lighthouse."}]}],
    inferenceConfig={"maxTokens": 40, "temperature": 0.0})
for event in response["stream"]:
    delta = event.get("contentBlockDelta", {}).get("delta", {})
    if "text" in delta:
        sys.stdout.write(delta["text"])
        sys.stdout.flush()
"""
BARE_LOCAL = BARE_HTTP.replace(
    'client = boto3.client("bedrock-runtime", endpoint_url=sys.argv[1])',
    'from bedrock_cli.local import Emulator, EmulatorOptions, attach\n'
    'client = boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="y", '
    'region_name="us-east-1").client("bedrock-runtime", endpoint_url='
    '"https://bedrock-runtime.us-east-1.amazonaws.com")\n'
    'attach(client, Emulator(EmulatorOptions(region="us-east-1")))')


def first_and_last(cmd: Sequence[str], env: dict[str, str]) -> tuple[float, float]:
    started = time.perf_counter()
    proc = subprocess.Popen(list(cmd), env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    first = proc.stdout.read(1)
    t_first = time.perf_counter() - started
    rest = proc.stdout.read()
    t_last = time.perf_counter() - started
    proc.wait()
    if proc.returncode != 0 or not (first + rest).strip():
        raise RuntimeError(f"{cmd} failed ({proc.returncode})")
    return t_first, t_last


def measure(cmd: Sequence[str], env: dict[str, str], n: int) -> tuple[float, float]:
    first_and_last(cmd, env)  # warm-up
    runs = [first_and_last(cmd, env) for _ in range(n)]
    return median([r[0] for r in runs]), median([r[1] for r in runs])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=7)
    parser.add_argument("--stream-delay-ms", type=float, default=25.0)
    args = parser.parse_args()
    env = bench_env()
    section = Section("(d) Streaming: time to first and last token")
    section.lines.append(f"Machine: {machine()}. Fresh process each run, median of {args.n}; "
                         "times from process start. 40 tokens at temperature 0. Target "
                         "(SPEC §8): streaming adds no buffering — the CLI's first-to-last "
                         "spread matches bare boto3's.")
    section.lines.append("")
    cli_args = ["--no-log", "generate", PROMPT, "--max-tokens", "40", "--temperature", "0"]
    results = {}
    with serve("--stream-delay-ms", str(args.stream_delay_ms), env=env) as url:
        results["serve: bedrock-cli generate"] = measure([CLI, "--endpoint-url", url,
                                                          *cli_args], env, args.n)
        results["serve: bare boto3 converse_stream"] = measure([PY, "-c", BARE_HTTP, url], env,
                                                               args.n)
    results["local: bedrock-cli generate"] = measure([CLI, "--backend", "local", *cli_args], env,
                                                     args.n)
    results["local: bare boto3 + emulator"] = measure([PY, "-c", BARE_LOCAL], env, args.n)
    rows = [(name, f"{first * 1000:.0f} ms", f"{last * 1000:.0f} ms",
             f"{(last - first) * 1000:.0f} ms") for name, (first, last) in results.items()]
    section.table(("client", "first token", "last token", "first → last"), rows)
    section.lines.append(f"`serve --stream-delay-ms {args.stream_delay_ms:g}` spaces the "
                         "events, so a buffering client would show a first token close to its "
                         "last one.")
    section.lines.append("")
    section.data = {name: {"first": f, "last": last} for name, (f, last) in results.items()}
    section.commands = [
        f"python -m bench.ttft --n {args.n} --stream-delay-ms {args.stream_delay_ms:g}",
        f"bedrock-cli serve --port 0 --stream-delay-ms {args.stream_delay_ms:g}",
        f'bedrock-cli --endpoint-url URL --no-log generate "{PROMPT}" --max-tokens 40 '
        "--temperature 0 | (first byte timed)",
    ]
    section.save("ttft")


if __name__ == "__main__":
    main()
