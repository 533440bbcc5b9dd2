"""`sample`: run one prompt N times and tally how the answers spread (the non-determinism
explorer), or ask for the model's exact next-token table (`--exact`).

Sampling makes N ordinary Converse calls concurrently over one boto3 client; the answers are
normalised (stripped, whitespace collapsed) and counted. With ``max_tokens=1`` that is the
empirical next-word distribution. The exact table travels through the wire: a Converse call
tagged ``requestMetadata={"task": "next-token-distribution"}`` asking for the response field
``/next_token_distribution``, which the local backend returns and Bedrock never does.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import BedrockCliError, ServiceError, UsageError
from bedrock_cli.tasks import common, fanout, params
from bedrock_cli.tasks.generate import prompt_text
from bedrock_cli.types import TextRequest, Usage

if TYPE_CHECKING:
    from bedrock_cli.recorder import Recorder
    from bedrock_cli.runtime import Runtime

DEFAULT_N = 10
DEFAULT_MAX_TOKENS = 20
MAX_N = 1000
DEFAULT_CONCURRENCY = 8
MAX_CONCURRENCY = 64
EXACT_TASK = "next-token-distribution"
EXACT_FIELD = "next_token_distribution"
EXACT_ROWS = 20
NOT_EXACT = ("Exact token probabilities are only available from the local backend: "
             "{model} did not return them{why}.")


@dataclass
class SampleInput:
    prompt: str | None
    stdin_text: str | None = None
    model: str | None = None
    n: int = DEFAULT_N
    sampling: params.Sampling = field(default_factory=params.Sampling)
    concurrency: int | None = None
    exact: bool = False
    rows: int = EXACT_ROWS


@dataclass
class Row:
    text: str
    count: int | None  # None for the exact table
    probability: float


@dataclass
class SampleResult:
    prompt: str
    model: str
    model_id: str
    backend: str
    n: int | None
    temperature: float | None
    rows: list[Row]
    usage: Usage
    cost_usd: float | None
    latency_ms: int
    exact: bool = False
    other_probability: float = 0.0
    history_id: str | None = None

    @property
    def entropy(self) -> float:
        """Shannon entropy in bits of the table (the exact table's remainder counts as one
        outcome, so there it is a lower bound)."""
        probs = [row.probability for row in self.rows] + [self.other_probability]
        return max(0.0, -sum(p * math.log2(p) for p in probs if p > 0))

    @property
    def distinct(self) -> int:
        return len(self.rows)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "prompt": self.prompt,
            "model": self.model,
            "model_id": self.model_id,
            "backend": self.backend,
            "n": self.n,
            "temperature": self.temperature,
            "exact": self.exact,
            "distribution": [{"text": r.text, "count": r.count, "probability": r.probability}
                             for r in self.rows],
            "entropy": self.entropy,
            "distinct": self.distinct,
            "usage": self.usage.to_dict(),
            "cost_usd": self.cost_usd,
            "latency_ms": self.latency_ms,
            "history_id": self.history_id,
        }
        if self.exact:
            data["other_probability"] = self.other_probability
        return data


def normalise(text: str) -> str:
    return " ".join(text.split())


def tally(texts: list[str]) -> list[Row]:
    """Distinct normalised texts with counts and probabilities, likeliest first (ties keep
    the order they were first seen in)."""
    counts = Counter(normalise(t) for t in texts)
    total = sum(counts.values())
    ordered = sorted(counts.items(), key=lambda kv: -kv[1])
    return [Row(text, count, count / total) for text, count in ordered]


def check(inp: SampleInput) -> None:
    if not 1 <= inp.n <= MAX_N:
        raise UsageError(f"-n {inp.n} is out of range.", f"Use 1 to {MAX_N} samples.")
    if inp.concurrency is not None and not 1 <= inp.concurrency <= MAX_CONCURRENCY:
        raise UsageError(f"--concurrency {inp.concurrency} is out of range.",
                         f"Use 1 to {MAX_CONCURRENCY}.")
    if not 1 <= inp.rows <= 200:
        raise UsageError(f"--rows {inp.rows} is out of range.", "Use 1 to 200.")


def _request(tgt: common.Target, inp: SampleInput) -> tuple[TextRequest, str]:
    check(inp)
    sampling = inp.sampling
    if inp.exact:
        sampling.max_tokens = 1
    elif sampling.max_tokens is None:
        sampling.max_tokens = DEFAULT_MAX_TOKENS
    params.validate(sampling, tgt.model, tgt.name)
    text = prompt_text(inp.prompt, inp.stdin_text)
    metadata = {"task": EXACT_TASK, "rows": str(inp.rows)} if inp.exact else {"task": "sample"}
    request = TextRequest(
        model_id=tgt.model_id,
        messages=[{"role": "user", "content": [{"text": text}]}],
        max_tokens=sampling.max_tokens,
        temperature=sampling.temperature,
        top_p=sampling.top_p,
        additional_fields=params.additional_fields(sampling, tgt.model),
        metadata=metadata,
    )
    return request, text


def run(runtime: Runtime, recorder: Recorder, tgt: common.Target, inp: SampleInput,
        on_progress: Callable[[int], None] | None = None) -> SampleResult:
    """Sample (or, with ``inp.exact``, ask for the exact table); the recorder logs one
    history row."""
    from bedrock_cli import fits

    request, text = _request(tgt, inp)
    fits.check(runtime.clients, request, tgt.model, tgt.name)
    if inp.exact:
        return _exact(runtime, recorder, inp, request, tgt, text)
    concurrency = min(inp.concurrency or DEFAULT_CONCURRENCY, inp.n)
    runtime = fanout.pooled(runtime, concurrency)
    started = time.perf_counter()
    try:
        done = fanout.run_all([request] * inp.n, runtime.converse, concurrency,
                              fail_fast=True, on_done=on_progress,
                              interrupted="Interrupted; nothing was tallied.")
    except BedrockCliError as err:
        _record(recorder, inp, tgt, text, None, status="error", error=err.message,
                latency_ms=_since(started))
        raise
    results = [d.result for d in done if d.result is not None]
    usage = Usage()
    for r in results:
        _add(usage, r.usage)
    costs = [_price(tgt, r.usage) for r in results]
    result = SampleResult(
        prompt=text, model=tgt.name, model_id=tgt.model_id, backend=recorder.backend,
        n=inp.n, temperature=inp.sampling.temperature, rows=tally([r.text for r in results]),
        usage=usage, cost_usd=None if any(c is None for c in costs) else sum(
            c or 0.0 for c in costs),
        latency_ms=_since(started))
    result.history_id = _record(recorder, inp, tgt, text, result, status="complete")
    return result


def _exact(runtime: Runtime, recorder: Recorder, inp: SampleInput, request: TextRequest,
           tgt: common.Target, text: str) -> SampleResult:
    started = time.perf_counter()
    request.response_paths = [f"/{EXACT_FIELD}"]
    try:
        answer = runtime.converse(request)
    except ServiceError as err:
        _record(recorder, inp, tgt, text, None, status="error", error=err.message,
                latency_ms=_since(started))
        if err.code in ("ValidationException", "validationException"):
            raise _not_exact(inp, tgt, f" (Bedrock said: {err.message})") from None
        raise
    usage = answer.usage
    table = answer.response_fields.get(EXACT_FIELD)
    if not isinstance(table, dict) or not isinstance(table.get("tokens"), list):
        _record(recorder, inp, tgt, text, None, status="error", latency_ms=_since(started),
                error="no next-token table in the response", usage=usage)
        raise _not_exact(inp, tgt, "")
    end = str(table.get("end_token") or "")
    rows = [Row("(end of answer)" if str(t.get("token")) == end else str(t.get("token")),
                None, float(t.get("probability") or 0.0)) for t in table["tokens"]]
    other = float(table.get("other_probability") or 0.0)
    temperature = table.get("temperature", inp.sampling.temperature)
    result = SampleResult(
        prompt=text, model=tgt.name, model_id=tgt.model_id, backend=recorder.backend,
        n=None, temperature=temperature, rows=rows, usage=usage, cost_usd=_price(tgt, usage),
        latency_ms=_since(started), exact=True, other_probability=other)
    result.history_id = _record(recorder, inp, tgt, text, result, status="complete")
    return result


def _not_exact(inp: SampleInput, tgt: common.Target, why: str) -> UsageError:
    n = inp.n if inp.n > 1 else 100
    return UsageError(NOT_EXACT.format(model=tgt.name, why=why),
                      f"Estimate the table by sampling instead: bedrock-cli sample PROMPT "
                      f"-n {n} --max-tokens 1 (or use --backend local).")


def _since(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def _add(total: Usage, u: Usage) -> None:
    total.input_tokens += u.input_tokens
    total.output_tokens += u.output_tokens
    total.total_tokens += u.total_tokens
    total.cache_read_tokens += u.cache_read_tokens
    total.cache_write_tokens += u.cache_write_tokens


def _price(tgt: common.Target, usage: Usage) -> float | None:
    from bedrock_cli.recorder import Recorder

    return Recorder.price(tgt.model, usage)


def summary_text(result: SampleResult) -> str:
    """The table as plain lines (history keeps this as the response)."""
    lines = [f"{row.probability:.4f}\t{'' if row.count is None else row.count}\t{row.text}"
             for row in result.rows]
    if result.exact and result.other_probability > 0:
        lines.append(f"{result.other_probability:.4f}\t\t(other)")
    return "\n".join(lines)


def _record(recorder: Recorder, inp: SampleInput, tgt: common.Target, text: str,
            result: SampleResult | None, *, status: str, latency_ms: int | None = None,
            error: str | None = None, usage: Usage | None = None) -> str | None:
    from bedrock_cli.history import CallRecord

    logged = {"n": None if inp.exact else inp.n, "exact": inp.exact,
              **inp.sampling.as_dict()}
    return recorder.log(CallRecord(
        command="sample", status=status, model=tgt.name, model_id=tgt.model_id,
        backend=recorder.backend, prompt=text, params=logged,
        response=summary_text(result) if result else None,
        usage=(result.usage if result else usage or Usage()).to_dict(),
        cost_usd=result.cost_usd if result else None,
        latency_ms=result.latency_ms if result else latency_ms, error=error,
    ))
