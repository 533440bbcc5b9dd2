"""Load on `bedrock-cli serve` over loopback: requests/s and p50/p99 latency for Converse and
ConverseStream at several concurrencies, then the same while hostile clients (idle
connections and slowloris) hold connections open — bounded in time and count.

The server is the real `bedrock-cli serve` in its own process, answering with the text engine
(`maxTokens` small); the load comes from boto3 clients on threads in this process. Both share
the machine's cores, so the figures are what one machine does as client and server at once.

Usage: python -m bench.serve_load [--seconds 5] [--concurrency 1 8 32] [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from bench.common import Section, bench_env, machine, serve

MESSAGES = [{"role": "user", "content": [{"text": "Write one short line about the sea."}]}]
MODEL = "us.amazon.nova-lite-v1:0"


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # seconds, whole answer
    first: list[float] = field(default_factory=list)  # streams: time to the first text
    errors: int = 0
    elapsed: float = 0.0

    def pct(self, values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0

    def row(self, label: str, concurrency: int) -> list[object]:
        n = len(self.latencies)
        rate = n / self.elapsed if self.elapsed else 0.0
        ttft = f"{self.pct(self.first, 0.5) * 1000:.0f} ms" if self.first else "–"
        return [label, concurrency, n, f"{rate:.0f}", f"{self.pct(self.latencies, 0.5) * 1000:.0f}",
                f"{self.pct(self.latencies, 0.99) * 1000:.0f}", ttft, self.errors]


def client(url: str, pool: int) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client("bedrock-runtime", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=Config(retries={"mode": "standard", "total_max_attempts": 1},
                                      max_pool_connections=max(10, pool), read_timeout=30))


def one(runtime: Any, stream: bool, result: Result, lock: threading.Lock,
        max_tokens: int) -> None:
    started = time.perf_counter()
    first = None
    try:
        if stream:
            events = runtime.converse_stream(modelId=MODEL, messages=MESSAGES,
                                             inferenceConfig={"maxTokens": max_tokens})
            for event in events["stream"]:
                if first is None and "contentBlockDelta" in event:
                    first = time.perf_counter() - started
        else:
            runtime.converse(modelId=MODEL, messages=MESSAGES,
                             inferenceConfig={"maxTokens": max_tokens})
    except Exception:
        with lock:
            result.errors += 1
        return
    with lock:
        result.latencies.append(time.perf_counter() - started)
        if first is not None:
            result.first.append(first)


def load(url: str, *, stream: bool, concurrency: int, seconds: float, max_tokens: int,
         max_requests: int) -> Result:
    """`concurrency` threads calling back to back for `seconds` (or `max_requests` calls)."""
    runtime = client(url, concurrency)
    for _ in range(3):  # warm the client and the server's connection
        one(runtime, stream, Result(), threading.Lock(), max_tokens)
    result, lock = Result(), threading.Lock()
    deadline = time.perf_counter() + seconds
    issued = [0]

    def worker() -> None:
        while time.perf_counter() < deadline:
            with lock:
                if issued[0] >= max_requests:
                    return
                issued[0] += 1
            one(runtime, stream, result, lock, max_tokens)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.elapsed = time.perf_counter() - started
    return result


class Hostile:
    """Idle connections and slowloris clients held open against the server while it works."""

    def __init__(self, url: str, idle: int, slow: int) -> None:
        host, port = url.rsplit("/", 1)[1].split(":")
        self.address = (host, int(port))
        self.stop = threading.Event()
        self.socks: list[socket.socket] = []
        self.reconnects = 0
        self.threads = [threading.Thread(target=self._idle, daemon=True) for _ in range(idle)]
        self.threads += [threading.Thread(target=self._slow, daemon=True) for _ in range(slow)]

    def _connect(self) -> socket.socket | None:
        try:
            sock = socket.create_connection(self.address, timeout=5)
        except OSError:
            return None
        self.socks.append(sock)
        return sock

    def _idle(self) -> None:
        while not self.stop.is_set():  # reconnect whenever the server sheds us
            sock = self._connect()
            if sock is None:
                return
            sock.settimeout(0.5)
            while not self.stop.is_set():
                try:
                    if sock.recv(1) == b"":
                        break
                except TimeoutError:
                    continue
                except OSError:
                    break
            self.reconnects += 1
            sock.close()

    def _slow(self) -> None:
        while not self.stop.is_set():
            sock = self._connect()
            if sock is None:
                return
            try:
                for byte in b"POST /model/x/converse HTTP/1.1\r\nHost: t\r\nX-Slow: " + b"a" * 500:
                    if self.stop.is_set():
                        break
                    sock.sendall(bytes([byte]))
                    time.sleep(0.1)
            except OSError:
                pass
            self.reconnects += 1
            sock.close()

    def __enter__(self) -> Hostile:
        for thread in self.threads:
            thread.start()
        time.sleep(0.5)
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for sock in self.socks:
            with contextlib.suppress(OSError):
                sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per measurement")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--max-tokens", type=int, default=16)
    parser.add_argument("--max-requests", type=int, default=5000, help="per measurement")
    parser.add_argument("--idle", type=int, default=300, help="hostile idle connections")
    parser.add_argument("--slow", type=int, default=30, help="hostile slowloris clients")
    parser.add_argument("--quick", action="store_true", help="2 s per measurement")
    args = parser.parse_args()
    seconds = 2.0 if args.quick else args.seconds
    section = Section("(f) `serve` under load")
    section.lines.append(
        f"Machine: {machine()}. `bedrock-cli serve` in its own process answering with the "
        f"text engine (`maxTokens` {args.max_tokens}); boto3 clients on threads in the "
        f"benchmark process, back to back for {seconds:g} s per row (at most "
        f"{args.max_requests} calls). Latency is the whole answer (the last event for "
        "streams); TTFT is the time to the first text delta. Client and server share the "
        "CPUs.")
    section.lines.append("")
    rows: list[list[object]] = []
    data: dict[str, Any] = {}
    with serve(env=bench_env()) as url:
        for stream in (False, True):
            label = "ConverseStream" if stream else "Converse"
            for concurrency in args.concurrency:
                result = load(url, stream=stream, concurrency=concurrency, seconds=seconds,
                              max_tokens=args.max_tokens, max_requests=args.max_requests)
                rows.append(result.row(label, concurrency))
                data[f"{label}/c{concurrency}"] = {
                    "requests": len(result.latencies), "rps": len(result.latencies) /
                    result.elapsed, "p50_ms": result.pct(result.latencies, 0.5) * 1000,
                    "p99_ms": result.pct(result.latencies, 0.99) * 1000,
                    "errors": result.errors}
                print(rows[-1], flush=True)
        top = max(args.concurrency)
        with Hostile(url, args.idle, args.slow) as hostile:
            for stream in (False, True):
                label = ("ConverseStream" if stream else "Converse") + \
                    f", with {args.idle} idle + {args.slow} slowloris connections"
                result = load(url, stream=stream, concurrency=top, seconds=seconds,
                              max_tokens=args.max_tokens, max_requests=args.max_requests)
                rows.append(result.row(label, top))
                data[f"hostile/{'stream' if stream else 'converse'}"] = {
                    "requests": len(result.latencies),
                    "rps": len(result.latencies) / result.elapsed,
                    "p50_ms": result.pct(result.latencies, 0.5) * 1000,
                    "p99_ms": result.pct(result.latencies, 0.99) * 1000,
                    "errors": result.errors, "hostile_reconnects": hostile.reconnects}
                print(rows[-1], flush=True)
    section.table(["operation", "concurrency", "requests", "requests/s", "p50 ms", "p99 ms",
                   "TTFT p50", "errors"], rows)
    section.data = data
    command = "python -m bench.serve_load"
    if args.quick:
        command += " --quick"
    section.commands.append(command)
    section.save("serve_load")


if __name__ == "__main__":
    main()
