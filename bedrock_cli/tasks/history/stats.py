"""`history stats`: tokens and cost per model, day or command, with a total — as JSON for
scripts and as an aligned table for people.

Tokens are summed from the logged calls: input, output, cache read and cache write (the cache
counts are what Bedrock reported; input excludes them, as Bedrock counts it). `total_tokens`
is every token billed: the four added up. Costs are the estimates logged with each call
(catalog prices, see docs/cost.md); calls whose model has no price are counted as `unpriced`
and left out of the cost. Groups are split by backend: a local-backend call costs nothing, so
the total's `cost_usd` is what the other backends spent, `local_cost_usd` what the local
calls would have cost on AWS, and `backends` has a total per backend.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bedrock_cli.history import History

BY = ("model", "day", "command")
LOCAL = "local"
_TOKENS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")
_COUNTS = ("calls", "complete", "partial", "errors", "unpriced")


def _group(row: dict[str, Any], by: str) -> dict[str, Any]:
    out: dict[str, Any] = {by: row["key"], "backend": row.get("backend") or "aws"}
    out.update({name: int(row.get(name) or 0) for name in _COUNTS})
    out.update({name: int(row.get(name) or 0) for name in _TOKENS})
    out["total_tokens"] = sum(out[name] for name in _TOKENS)
    cost = row.get("cost_usd")
    out["cost_usd"] = None if cost is None else round(float(cost), 12)
    out["first"], out["last"] = row.get("first"), row.get("last")
    return out


def _total(groups: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {name: sum(g[name] for g in groups) for name in (*_COUNTS, *_TOKENS)}
    out["total_tokens"] = sum(out[name] for name in _TOKENS)
    costs = [g["cost_usd"] for g in groups if g["cost_usd"] is not None]
    out["cost_usd"] = round(sum(costs), 12) if costs else None
    firsts = [g["first"] for g in groups if g["first"]]
    lasts = [g["last"] for g in groups if g["last"]]
    out["first"] = min(firsts) if firsts else None
    out["last"] = max(lasts) if lasts else None
    return out


def report(store: History | None, *, by: str, since: str | None) -> dict[str, Any]:
    """`{"by", "since", "groups": [...], "total": {...}}` (groups empty without history)."""
    rows = store.totals(by=by, since=since) if store is not None else []
    groups = [_group(row, by) for row in rows]
    backends = {name: _total([g for g in groups if g["backend"] == name])
                for name in sorted({g["backend"] for g in groups})}
    total = _total(groups)
    billed = [g for g in groups if g["backend"] != LOCAL]
    total["cost_usd"] = _total(billed)["cost_usd"] if billed else 0.0
    total["local_cost_usd"] = backends[LOCAL]["cost_usd"] if LOCAL in backends else None
    return {"by": by, "since": since, "groups": groups, "backends": backends, "total": total}


def _money(value: float | None) -> str:
    from bedrock_cli.metering import dollars

    return "-" if value is None else dollars(value)


def table(data: dict[str, Any]) -> str:
    """The report as aligned columns: a line per group and backend, then a total per backend
    when there are several, then the total (its cost: what was spent, local calls left out)."""
    by = data["by"]
    header = [by, "backend", "calls", "errors", "input", "output", "cache read",
              "cache write", "tokens", "cost"]
    backends = data.get("backends") or {}
    totals = [{**t, by: "total", "backend": name} for name, t in backends.items()] \
        if len(backends) > 1 else []
    lines = []
    spent = "all" if LOCAL in backends else next(iter(backends), "")
    for g in [*data["groups"], *totals, {**data["total"], by: "total", "backend": spent}]:
        lines.append([str(g[by]), str(g["backend"]), str(g["calls"]),
                      str(g["errors"] + g["partial"]),
                      f"{g['input_tokens']:,}", f"{g['output_tokens']:,}",
                      f"{g['cache_read_tokens']:,}", f"{g['cache_write_tokens']:,}",
                      f"{g['total_tokens']:,}", _money(g["cost_usd"])])
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]

    def fmt(row: list[str]) -> str:
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])] + [
            c.rjust(w) for c, w in zip(row[2:], widths[2:], strict=True)]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    body = lines[:len(data["groups"])]
    return "\n".join([fmt(header), *map(fmt, body), rule,
                      *map(fmt, lines[len(data["groups"]):])]) + "\n"


def footnote(data: dict[str, Any], prices_as_of: str) -> str:
    unpriced = data["total"]["unpriced"]
    note = (f"Costs are estimates at catalog prices (taken {prices_as_of} or earlier); the AWS "
            "bill is the authority.")
    local = data.get("backends", {}).get(LOCAL)
    if local:
        would = data["total"].get("local_cost_usd")
        note += (f" {local['calls']} call{'s' if local['calls'] != 1 else ''} ran on the "
                 "local backend: no charge" + (f" (at AWS prices, {_money(would)})"
                                               if would else "")
                 + "; the total's cost leaves them out.")
    if unpriced:
        note += (f" {unpriced} call{'s' if unpriced != 1 else ''} had no price and "
                 f"{'are' if unpriced != 1 else 'is'} not in the cost.")
    return note
