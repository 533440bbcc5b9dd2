"""A loopback endpoint for the benchmarks: the project's own server and emulator, with a fixed
Converse answer and `--latency-ms` before every response. Prints its URL on stderr."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from bedrock_cli.local.router import Emulator, EmulatorOptions, Request, Response
from bedrock_cli.pytest_plugin import start_local_bedrock


def canned(request: Request, _emulator: Emulator) -> Response | None:
    if request.operation != "Converse":
        return None
    body = json.loads(request.body)
    text = body["messages"][-1]["content"][0].get("text", "")[:40]
    return Response.json({
        "output": {"message": {"role": "assistant", "content": [{"text": f"re: {text}"}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 12, "outputTokens": 4, "totalTokens": 16},
        "metrics": {"latencyMs": 1},
    })


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency-ms", type=float, default=0.0)
    args = parser.parse_args()
    local, thread = start_local_bedrock(EmulatorOptions(latency_ms=args.latency_ms),
                                        record=None)
    local.emulator.interceptors.insert(0, canned)
    print(f"canned endpoint on {local.endpoint_url}", file=sys.stderr, flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    thread.stop(grace=0.5)


if __name__ == "__main__":
    main()
