"""(e) The emulator's own speed: text tokens per second (Converse, in-process, no HTTP) and the
time to render an image with the diffusion engine (Nova Canvas InvokeModel).

Usage: python -m bench.emulator [--n 5]
"""

from __future__ import annotations

import argparse
import json
import time

from bench.common import Section, machine, median


def text_rate(n: int, max_tokens: int = 256) -> tuple[float, int, float]:
    """(tokens per second, tokens per call, seconds per call), median of n seeds."""
    from bedrock_cli.local import Emulator, EmulatorOptions, Request

    emulator = Emulator(EmulatorOptions(region="us-east-1"))
    path = "/model/amazon.nova-lite-v1%3A0/converse"
    rates, tokens, seconds = [], [], []
    for seed in range(n + 1):
        body = json.dumps({
            "messages": [{"role": "user", "content": [{"text": "Tell me about the sea, the "
                                                                "ships and the weather."}]}],
            "inferenceConfig": {"maxTokens": max_tokens, "temperature": 0.8},
            "requestMetadata": {"task": "generate", "seed": str(seed)},
        }).encode()
        started = time.perf_counter()
        response = emulator.handle(Request("POST", path, {}, {"Content-Type":
                                                               "application/json"}, body))
        elapsed = time.perf_counter() - started
        out = json.loads(response.body)["usage"]["outputTokens"]
        if seed == 0:
            continue  # warm-up: loads the model
        rates.append(out / elapsed)
        tokens.append(out)
        seconds.append(elapsed)
    return median(rates), int(median(tokens)), median(seconds)


def image_time(size: int, n: int) -> float | None:
    from bedrock_cli.local import Emulator, EmulatorOptions, Request

    emulator = Emulator(EmulatorOptions(region="us-east-1"))
    path = "/model/amazon.nova-canvas-v1%3A0/invoke"
    times = []
    for seed in range(n + 1):
        body = json.dumps({
            "taskType": "TEXT_IMAGE",
            "textToImageParams": {"text": "a red sun setting over a calm blue sea, clouds"},
            "imageGenerationConfig": {"width": size, "height": size, "numberOfImages": 1,
                                      "seed": seed + 1},
        }).encode()
        started = time.perf_counter()
        response = emulator.handle(Request("POST", path, {}, {"Content-Type":
                                                               "application/json"}, body))
        elapsed = time.perf_counter() - started
        if response.status != 200:
            return None
        if seed:
            times.append(elapsed)
    return median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=5)
    args = parser.parse_args()
    section = Section("(e) Emulator speed")
    section.lines.append(f"Machine: {machine()}. In-process `Emulator.handle`, no HTTP, median "
                         f"of {args.n} after a warm-up. Targets (SPEC §8): thousands of tokens "
                         "per second; a 1024×1024 image in about a second.")
    section.lines.append("")
    rate, per_call, seconds = text_rate(args.n)
    rows = [("Converse text, 256 max tokens, temperature 0.8",
             f"{rate:,.0f} tokens/s", f"{per_call} tokens in {seconds * 1000:.0f} ms")]
    data: dict[str, object] = {"tokens_per_s": rate, "tokens_per_call": per_call}
    for size in (512, 1024):
        took = image_time(size, max(2, args.n // 2))
        rows.append((f"Nova Canvas TEXT_IMAGE {size}×{size}",
                     f"{took:.2f} s" if took is not None else "not available", ""))
        data[f"image_{size}_s"] = took
    section.table(("what", "speed", "detail"), rows)
    section.data = data
    section.commands = [f"python -m bench.emulator --n {args.n}"]
    section.save("emulator")


if __name__ == "__main__":
    main()
