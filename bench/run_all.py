"""Run every benchmark in one go and write docs/benchmarks.md: each section with the commands
that produced it, a summary against SPEC §8's targets, and bench/analysis.md (the hand-written
reading of the numbers) appended.

Usage: python -m bench.run_all [--quick]      (--quick: fewer repeats, for a smoke run)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import datetime, timezone

from bench.common import RESULTS, ROOT, machine

DOC = ROOT / "docs" / "benchmarks.md"
ANALYSIS = ROOT / "bench" / "analysis.md"
ORDER = ("startup", "batch_throughput", "memory", "ttft", "emulator", "serve_load",
         "serve_stop")


def plans(quick: bool) -> list[list[str]]:
    if quick:
        return [["startup", "--n", "3"],
                ["batch_throughput", "--repeat", "1", "--concurrency", "40", "--sequential-n",
                 "10"],
                ["memory", "--quick"], ["ttft", "--n", "3"], ["emulator", "--n", "2"],
                ["serve_load", "--quick"], ["serve_stop", "--n", "2", "--burst", "50"]]
    return [["startup"], ["batch_throughput"], ["memory"], ["ttft"], ["emulator"],
            ["serve_load"], ["serve_stop"]]


def load(name: str) -> dict[str, object]:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else {}


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "**missed**")


def summary() -> list[str]:
    rows: list[tuple[str, str, str, str]] = []
    startup = load("startup")
    med = startup.get("median_s", {})
    if isinstance(med, dict) and med:
        for name in ("bedrock-cli --help", "bedrock-cli --version"):
            rows.append((f"`{name.split(' ', 1)[1]}` start-up", "≤ 0.10 s",
                         f"{med[name] * 1000:.0f} ms", verdict(med[name] <= 0.10)))
        local = med["bedrock-cli local generate"]
        rows.append(("local `generate` end to end", "≤ 0.40 s", f"{local * 1000:.0f} ms",
                     verdict(local <= 0.40)))
        peak = startup.get("peak_mib", {})
        if isinstance(peak, dict) and "bedrock-cli local generate" in peak:
            mib = float(peak["bedrock-cli local generate"])
            rows.append(("local `generate` peak memory", "≤ 70 MiB", f"{mib:.1f} MiB",
                         verdict(mib <= 70)))
        if "ratio_stream" in startup:
            ratio = float(startup["ratio_stream"])  # type: ignore[arg-type]
            rows.append(("streamed `generate` via `serve` vs bare boto3 `converse_stream`",
                         "≤ 1.10×", f"{ratio:.2f}×", verdict(ratio <= 1.10)))
    batch = load("batch_throughput")
    for key, value in batch.items():
        if isinstance(value, dict) and "ideal" in value:
            ratio = value["run"] / value["ideal"]
            floor = value["bare_pool"] / value["ideal"]
            rows.append((f"`batch run` {key}", "≤ 1.2 × N·L/C",
                         f"{ratio:.2f}× (bare boto3 pool {floor:.2f}×)", verdict(ratio <= 1.2)))
    memory = load("memory")
    if memory:
        growth = float(memory["growth_1k_100k_mb"])  # type: ignore[arg-type]
        rows.append(("`batch run` memory, 1k → 100k lines", "flat", f"{growth:+.1f} MB",
                     verdict(growth < 10)))
    ttft = load("ttft")
    if ttft:
        cli, bare = ttft["serve: bedrock-cli generate"], ttft["serve: bare boto3 converse_stream"]
        spread_cli = cli["last"] - cli["first"]  # type: ignore[index]
        spread_bare = bare["last"] - bare["first"]  # type: ignore[index]
        rows.append(("streaming adds no buffering (first→last spread, CLI vs boto3)",
                     "same", f"{spread_cli * 1000:.0f} ms vs {spread_bare * 1000:.0f} ms",
                     verdict(spread_cli >= 0.8 * spread_bare)))
    emulator = load("emulator")
    if emulator:
        rate = float(emulator["tokens_per_s"])  # type: ignore[arg-type]
        rows.append(("emulator text", "thousands of tokens/s", f"{rate:,.0f} tokens/s",
                     verdict(rate >= 1000)))
        image = emulator.get("image_1024_s")
        rows.append(("emulator 1024×1024 image", "about 1 s",
                     f"{image:.2f} s" if isinstance(image, float) else "n/a",
                     verdict(image <= 1.5 if isinstance(image, float) else None)))
    stop = load("serve_stop")
    if stop:
        worst = max(max(times) for times in stop.values())  # type: ignore[call-overload]
        rows.append(("`serve` stops on SIGTERM (nothing in flight; docs/serve.md)", "< 0.1 s",
                     f"{worst * 1000:.0f} ms worst", verdict(worst < 0.1)))
    out = ["## Where we stand against SPEC §8", "",
           "| target | goal | measured | |", "|---|---|---|---|"]
    out += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return [*out, ""]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="*", choices=ORDER)
    parser.add_argument("--assemble", action="store_true",
                        help="only rebuild docs/benchmarks.md from bench/results")
    args = parser.parse_args()
    run_file = RESULTS / "run.json"
    if not args.assemble:
        started = time.monotonic()
        for plan in plans(args.quick):
            if args.only and plan[0] not in args.only:
                continue
            print(f"== bench.{plan[0]}", flush=True)
            subprocess.run([sys.executable, "-m", f"bench.{plan[0]}", *plan[1:]], cwd=ROOT,
                           check=True)
        run_file.write_text(json.dumps({
            "when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(), "seconds": round(time.monotonic() - started),
            "command": "python -m bench.run_all" + (" --quick" if args.quick else "")
                       + (f" --only {' '.join(args.only)}" if args.only else ""),
        }))
    run = json.loads(run_file.read_text())
    parts = [
        "# Benchmarks", "",
        f"Generated by `{run['command']}` on {run['when']} ({run['machine']}; "
        f"{run['seconds']} s). Each section's numbers were measured side by side in one run of "
        "its script (its Machine line says when the machine was how busy); the commands are "
        "under each section. How to run them: `bench/README.md`.", "",
        *summary(),
    ]
    for name in ORDER:
        path = RESULTS / f"{name}.md"
        if path.exists():
            parts.append(path.read_text(encoding="utf-8"))
    if ANALYSIS.exists():
        parts.append(ANALYSIS.read_text(encoding="utf-8"))
    DOC.write_text("\n".join(parts), encoding="utf-8")
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
