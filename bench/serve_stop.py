"""(g) How long `serve` takes to stop on SIGTERM with nothing in flight: fresh, after requests
(the engine loaded, a keep-alive connection open), and after a burst of load with idle
connections held open. Measured from the signal to the process's exit.

Usage: python -m bench.serve_stop [--n 5] [--burst 300]
"""

from __future__ import annotations

import argparse
import re
import signal
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench.common import CLI, Section, bench_env, machine, median

MESSAGES = [{"role": "user", "content": [{"text": "Tell me about the sea."}]}]


def _start() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([CLI, "serve", "--port", "0", "--quiet"], env=bench_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    for line in proc.stderr:
        found = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        if found:
            threading.Thread(target=proc.stderr.read, daemon=True).start()
            return proc, found.group(1)
    raise RuntimeError("serve did not start")


def _client(url: str) -> Any:
    import boto3

    return boto3.client("bedrock-runtime", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def stop_time(scenario: str, burst: int) -> float:
    proc, url = _start()
    held: list[Any] = []
    if scenario != "fresh":
        client = _client(url)
        held.append(client)  # its keep-alive connection stays open
        calls = 1 if scenario == "after requests" else burst
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda _: client.converse(
                modelId="amazon.nova-lite-v1:0", messages=MESSAGES,
                inferenceConfig={"maxTokens": 16}), range(calls)))
        if scenario != "after requests":
            port = int(url.rsplit(":", 1)[1])
            held += [socket.create_connection(("127.0.0.1", port)) for _ in range(50)]
    time.sleep(0.5)
    watchdog = threading.Timer(30, proc.kill)
    watchdog.start()
    started = time.perf_counter()
    proc.send_signal(signal.SIGTERM)
    proc.wait()  # blocking waitpid: wait(timeout) polls with sleeps of up to 50 ms
    took = time.perf_counter() - started
    watchdog.cancel()
    for item in held:
        if isinstance(item, socket.socket):
            item.close()
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=5)
    parser.add_argument("--burst", type=int, default=300)
    args = parser.parse_args()
    section = Section("(g) `serve` stopping on SIGTERM")
    section.lines.append(f"Machine: {machine()}. From SIGTERM to the process's exit, nothing "
                         f"in flight; median and worst of {args.n}. Target (docs/serve.md): "
                         "under 0.1 s.")
    section.lines.append("")
    rows, data = [], {}
    scenarios = ("fresh", "after requests",
                 f"after {args.burst} requests, 50 idle connections open")
    for scenario in scenarios:
        times = [stop_time(scenario, args.burst) for _ in range(args.n)]
        rows.append((scenario, f"{median(times) * 1000:.0f} ms", f"{max(times) * 1000:.0f} ms"))
        data[scenario] = times
    section.table(("scenario", "median", "worst"), rows)
    section.data = data
    section.commands = [f"python -m bench.serve_stop --n {args.n} --burst {args.burst}"]
    section.save("serve_stop")


if __name__ == "__main__":
    main()
