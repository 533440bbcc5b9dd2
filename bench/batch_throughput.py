"""(b) `batch run` throughput at several concurrencies against an endpoint with latency L,
next to the ideal N·L/C and a sequential boto3 loop; and what fsync-per-line would cost.

Two endpoints, both the project's HTTP server on loopback in their own process:
`bedrock-cli serve --latency-ms L` (the real text engine answers), and the same server with a
fixed Converse answer (bench/endpoint.py), which isolates the client from the engine's CPU.
Usage: python -m bench.batch_throughput [--n 400] [--latency-ms 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from bench.common import (
    CLI,
    PY,
    Section,
    bench_env,
    canned,
    machine,
    median,
    serve,
    write_prompts,
)

SEQUENTIAL = """
import sys, time, boto3
url, n = sys.argv[1], int(sys.argv[2])
client = boto3.client("bedrock-runtime", endpoint_url=url)
started = time.perf_counter()
for i in range(n):
    client.converse(modelId="amazon.nova-lite-v1:0", messages=[{"role": "user", "content": [
        {"text": f"Write one line about item {i}."}]}], inferenceConfig={"maxTokens": 8})
print(time.perf_counter() - started)
"""

POOL = """
import sys, time, boto3
from concurrent.futures import ThreadPoolExecutor
from botocore.config import Config
url, n, c = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
client = boto3.client("bedrock-runtime", endpoint_url=url,
                      config=Config(max_pool_connections=max(10, c)))
def one(i):
    client.converse(modelId="amazon.nova-lite-v1:0", messages=[{"role": "user", "content": [
        {"text": f"Write one line about item {i}."}]}], inferenceConfig={"maxTokens": 8})
one(-1)
started = time.perf_counter()
with ThreadPoolExecutor(c) as pool:
    list(pool.map(one, range(n)))
print(time.perf_counter() - started)
"""


def bare_pool(url: str, n: int, concurrency: int, env: dict[str, str]) -> float:
    """The floor: a bare boto3 ThreadPoolExecutor making the same calls (no files, no retries,
    client warm), measured like the batch's own elapsed time."""
    proc = subprocess.run([PY, "-c", POOL, url, str(n), str(concurrency)], env=env,
                          capture_output=True, text=True, check=True)
    return float(proc.stdout.strip())


def run_batch(url: str, inp: Path, concurrency: int, env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds including start-up, the run's own elapsed seconds)."""
    out = Path(tempfile.mkdtemp()) / "out.jsonl"
    cmd = [CLI, "--endpoint-url", url, "--json", "batch", "run", str(inp), "-o", str(out),
           "-c", str(concurrency)]
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    summary = json.loads(proc.stdout)
    assert summary["succeeded"] == summary["total"], summary
    return wall, float(summary["elapsed_s"])


def sequential(url: str, n: int, env: dict[str, str]) -> float:
    proc = subprocess.run([PY, "-c", SEQUENTIAL, url, str(n)], env=env, capture_output=True,
                          text=True, check=True)
    return float(proc.stdout.strip())


def fsync_cost(lines: int = 2000) -> dict[str, float]:
    """Microseconds per output line: write only, fsync every line, fsync at most once a second
    (what `batch run` does)."""
    line = (json.dumps({"id": 1, "text": "x" * 300, "usage": {}}) + "\n").encode()
    folder = Path(tempfile.mkdtemp(dir=Path.cwd()))
    costs = {}
    for mode in ("write", "fsync-each", "fsync-1s"):
        path = folder / f"{mode}.jsonl"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        started = last = time.perf_counter()
        for _ in range(lines):
            os.write(fd, line)
            if mode == "fsync-each":
                os.fsync(fd)
            elif mode == "fsync-1s" and time.perf_counter() - last >= 1.0:
                os.fsync(fd)
                last = time.perf_counter()
        os.fsync(fd)
        os.close(fd)
        costs[mode] = (time.perf_counter() - started) / lines * 1e6
        path.unlink()
    folder.rmdir()
    return costs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[10, 40, 100])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sequential-n", type=int, default=50)
    args = parser.parse_args()
    n, latency = args.n, args.latency_ms / 1000
    env = bench_env()
    inp = write_prompts(Path(tempfile.mkdtemp()) / "prompts.jsonl", n)
    section = Section(f"(b) `batch run` throughput: N={n}, L={args.latency_ms:g} ms")
    section.lines.append(f"Machine: {machine()}. Median of {args.repeat} runs each; "
                         "\"run\" is the batch's own elapsed time (from its `--json` summary), "
                         "\"wall\" adds process start-up. Target (SPEC §8): run ≤ 1.2 × N·L/C.")
    section.lines.append("")
    rows, data = [], {}
    for label, endpoint in (("fixed answer", canned(args.latency_ms, env)),
                            ("serve (text engine)", serve("--latency-ms", str(args.latency_ms),
                                                          env=env))):
        with endpoint as url:
            seq = sequential(url, args.sequential_n, env) / args.sequential_n
            rows.append((label, "sequential boto3 loop", f"{n * seq:.1f} s (measured "
                         f"{args.sequential_n} calls × {seq * 1000:.0f} ms)", "-",
                         f"{n * latency:.1f} s", "-"))
            for c in args.concurrency:
                ideal = n * latency / c
                runs, floors = [], []
                for _ in range(args.repeat):  # interleaved, so load changes hit both alike
                    runs.append(run_batch(url, inp, c, env))
                    floors.append(bare_pool(url, n, c, env))
                wall, run = median([r[0] for r in runs]), median([r[1] for r in runs])
                floor = median(floors)
                rows.append((label, f"bare boto3 thread pool, {c} threads", f"{floor:.2f} s",
                             "-", f"{ideal:.2f} s", f"{floor / ideal:.2f}×"))
                rows.append((label, f"batch run -c {c}", f"{run:.2f} s", f"{wall:.2f} s",
                             f"{ideal:.2f} s", f"{run / ideal:.2f}×"))
                data[f"{label}/c{c}"] = {"run": run, "wall": wall, "ideal": ideal,
                                         "bare_pool": floor}
            data[f"{label}/sequential_per_call"] = seq
    section.table(("endpoint", "client", "run", "wall", "ideal N·L/C", "run / ideal"), rows)
    costs = fsync_cost()
    section.lines.append("Output durability, per result line on this disk (2,000 lines): "
                         + ", ".join(f"{k} {v:,.1f} µs" for k, v in costs.items())
                         + ". fsync per line would cap a single writer near "
                         f"{1e6 / costs['fsync-each']:,.0f} lines/s, so `batch run` writes each "
                         "line with one `write()` (safe from kill -9) and fsyncs at most once "
                         "a second (bounds a power loss to the last second).")
    section.lines.append("")
    data["fsync_us_per_line"] = costs
    section.commands = [
        f"python -m bench.batch_throughput --n {n} --latency-ms {args.latency_ms:g} "
        f"--concurrency {' '.join(map(str, args.concurrency))} --repeat {args.repeat}",
        f"bedrock-cli serve --port 0 --latency-ms {args.latency_ms:g}   # and bench/endpoint.py",
        "bedrock-cli --endpoint-url URL --json batch run prompts.jsonl -o out.jsonl -c C",
    ]
    section.data = data
    section.save("batch_throughput")


if __name__ == "__main__":
    main()
