"""(c) Peak memory (ru_maxrss of the child) of `batch run` as the input grows.

Full runs for 1k, 10k and 100k lines against the fixed-answer endpoint (no latency), and a
100k resume — the output already holds 99,000 results, so the process reads and checks all
100,000 input lines and 99,000 output lines and makes the last 1,000 calls. `--quick` skips the
full 100k run (about two minutes on 2 cores).
Usage: python -m bench.memory [--quick]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from bench.common import CLI, Section, bench_env, canned, machine, peak_rss_mb, write_prompts


def prefill(out: Path, n: int) -> None:
    line = {"text": "re: earlier", "usage": {"input_tokens": 12, "output_tokens": 4,
                                              "total_tokens": 16}, "cost_usd": 1e-06,
            "model": "amazon.nova-lite-v1:0", "model_id": "amazon.nova-lite-v1:0",
            "latency_ms": 1, "stop_reason": "end_turn"}
    with out.open("w", encoding="utf-8") as handle:
        for i in range(n):
            handle.write(json.dumps({"id": i, **line}) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    env = bench_env()
    folder = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    section = Section("(c) Peak memory of `batch run`")
    section.lines.append(f"Machine: {machine()}. ru_maxrss of the `bedrock-cli` process, "
                         f"concurrency {args.concurrency}, fixed-answer endpoint without "
                         "latency. Target (SPEC §8): memory flat in N (inputs streamed).")
    section.lines.append("")
    rows: list[tuple[str, ...]] = []
    data: dict[str, object] = {}
    plans = [(1_000, 0), (10_000, 0), *([] if args.quick else [(100_000, 0)]),
             (100_000, 99_000)]
    with canned(0, env) as url:
        version_mb, _, _ = peak_rss_mb([CLI, "--version"], env)
        for n, done in plans:
            inp = write_prompts(folder / f"in-{n}.jsonl", n)
            out = folder / f"out-{n}.jsonl"
            if done:
                prefill(out, done)
            mb, seconds, stdout = peak_rss_mb(
                [CLI, "--endpoint-url", url, "--json", "batch", "run", str(inp), "-o", str(out),
                 "-c", str(args.concurrency)], env)
            summary = json.loads(stdout)
            assert summary["succeeded"] + summary["skipped"] == n, summary
            how = f"resume: {done:,} done, {n - done:,} calls" if done else f"{n:,} calls"
            rows.append((f"{n:,}", how, f"{inp.stat().st_size / 1e6:.1f} MB", f"{mb:.1f} MB",
                         f"{seconds:.1f} s"))
            data[f"{n}{'-resume' if done else ''}"] = {"peak_mb": mb, "seconds": seconds,
                                                     "resumed": done}
    section.table(("input lines", "run", "input size", "peak RSS", "wall"), rows)
    peaks = {key: float(value["peak_mb"]) for key, value in data.items()
             if isinstance(value, dict)}
    growth = peaks.get("100000", peaks["100000-resume"]) - peaks["1000"]
    section.lines.append(f"`bedrock-cli --version` alone peaks at {version_mb:.1f} MB. From "
                         f"1k to 100k lines the peak grows by {growth:+.1f} MB "
                         "(ids are kept as 8-byte hashes: 0.8 MB per 100k records for the "
                         "input set, the same for the resume set).")
    section.lines.append("")
    data["version_mb"] = version_mb
    data["growth_1k_100k_mb"] = growth
    section.data = data
    section.commands = [
        "python -m bench.memory" + (" --quick" if args.quick else ""),
        "bedrock-cli --endpoint-url URL --json batch run in-N.jsonl -o out-N.jsonl -c "
        f"{args.concurrency}",
    ]
    section.save("memory")


if __name__ == "__main__":
    main()
