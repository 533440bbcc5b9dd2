"""--usage for a batch run: totals that read like one entry per call, in constant memory."""

from __future__ import annotations

from bedrock_cli import metering
from bedrock_cli.batch.metered import Calls
from bedrock_cli.batch.progress import Stats
from bedrock_cli.metering import Metered
from bedrock_cli.types import Usage


def per_call(n: int, unpriced: int) -> list[Metered]:
    """What the per-call meter would hold for the same calls."""
    return [Metered("m", Usage(3, 2, 5), None if i < unpriced else 0.5) for i in range(n)]


def stats(n: int, unpriced: int) -> Stats:
    return Stats(ok=n, input_tokens=3 * n, output_tokens=2 * n, cost_usd=0.5 * (n - unpriced),
                 cost_unknown=unpriced)


def test_the_report_matches_per_call_metering() -> None:
    for n, unpriced in ((1, 0), (5, 0), (5, 2), (4, 4), (1_000_000, 3)):
        calls = Calls(stats(n, unpriced), "m")
        assert len(calls) == n
        if n <= 10:
            expected = per_call(n, unpriced)
            assert metering.line(list(calls)) == metering.line(expected)
            assert metering.as_json(list(calls)) == metering.as_json(expected)
        else:
            assert metering.as_json(calls)["usage_report"]["calls"] == n  # type: ignore[arg-type]


def test_a_run_added_to_the_meter_is_reported_once() -> None:
    meter = metering.Meter()
    meter.add(Metered("before", Usage(1, 1, 2), 0.25))
    meter.add_run(Calls(stats(3, 0), "m"))
    taken = meter.take()
    assert len(taken) == 4
    assert [e.model for e in taken] == ["before", "m", "m", "m"]
    assert metering.line(taken) == metering.line(
        [Metered("before", Usage(1, 1, 2), 0.25), *per_call(3, 0)])
    assert len(meter.take()) == 0
    meter.add(Metered("after", Usage(), 0.0))
    assert [e.model for e in meter.take()] == ["after"]
    assert len(meter.entries()) == 5
