"""History for people and scripts: time filters, rows as JSON records, text and markdown."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

from bedrock_cli.errors import UsageError

_RELATIVE = re.compile(r"^(\d+)\s*(m|min|h|d|w)$")
_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_when(value: str, option: str) -> str:
    """`2026-05-01`, `2026-05-01T14:00`, `today`, `yesterday`, `30m`, `12h`, `7d`, `2w` → the
    UTC timestamp form history stores. Dates without a zone are local time."""
    from bedrock_cli.history import utc_stamp

    text = value.strip().lower()
    now = datetime.now().astimezone()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if text == "today":
        return utc_stamp(midnight)
    if text == "yesterday":
        return utc_stamp(midnight - timedelta(days=1))
    match = _RELATIVE.match(text)
    if match:
        return utc_stamp(now - timedelta(**{_UNITS[match.group(2)]: int(match.group(1))}))
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"{option} {value!r} is not a date or time.",
                         "Use e.g. 2026-05-01, 2026-05-01T14:00, today, yesterday, 12h or 7d.") \
            from None
    return utc_stamp(moment)


def _usage(row: dict[str, Any]) -> dict[str, int]:
    usage = {"input_tokens": row.get("input_tokens") or 0,
             "output_tokens": row.get("output_tokens") or 0}
    usage["total_tokens"] = usage["input_tokens"] + usage["output_tokens"]
    if row.get("cache_read_tokens") or row.get("cache_write_tokens"):
        usage["cache_read_tokens"] = row.get("cache_read_tokens") or 0
        usage["cache_write_tokens"] = row.get("cache_write_tokens") or 0
    return usage


def record(row: dict[str, Any], *, messages: bool = False) -> dict[str, Any]:
    """A history row as the JSON record `history list/show/search/export` print."""
    data = {
        "id": row["id"], "conversation_id": row.get("conversation_id"),
        "created_at": row.get("created_at"), "command": row.get("command"),
        "status": row.get("status"), "model": row.get("model"), "model_id": row.get("model_id"),
        "backend": row.get("backend"), "prompt": row.get("prompt"), "system": row.get("system"),
        "response": row.get("response"), "stop_reason": row.get("stop_reason"),
        "usage": _usage(row), "cost_usd": row.get("cost_usd"),
        "latency_ms": row.get("latency_ms"), "error": row.get("error"),
        "params": json.loads(row["params"]) if row.get("params") else {},
    }
    if row.get("reasoning"):
        data["reasoning"] = row["reasoning"]
    if messages:
        data["messages"] = json.loads(row["messages"]) if row.get("messages") else []
    return data


def local_time(stamp: str | None) -> str:
    if not stamp:
        return ""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp


def one_line(text: str | None, limit: int = 60) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def cost(value: float | None) -> str:
    return "" if value is None else f"${value:.6f}"


def tsv(row: dict[str, Any]) -> str:
    """One line per call when piped: id, time, command, model, status, tokens, cost, prompt."""
    fields = [row["id"], row.get("created_at") or "", row.get("command") or "",
              row.get("model") or "", row.get("status") or "",
              str(row.get("input_tokens") or 0), str(row.get("output_tokens") or 0),
              cost(row.get("cost_usd")), one_line(row.get("prompt"), 200)]
    return "\t".join(f.replace("\t", " ") for f in fields)


def show_text(row: dict[str, Any]) -> str:
    """One call in full, for `history show`."""
    usage = _usage(row)
    called = row.get("model_id")
    model = row.get("model") or called or "?"
    lines = [
        f"id:           {row['id']}",
        f"conversation: {row.get('conversation_id')}",
        f"when:         {local_time(row.get('created_at'))}",
        f"command:      {row.get('command')}  ({row.get('status')})",
        f"model:        {model}" + (f" (called as {called})" if called and called != model
                                    else "") + f" on {row.get('backend')}",
        f"tokens:       {usage['input_tokens']} in + {usage['output_tokens']} out"
        + (f", {cost(row.get('cost_usd'))}" if row.get("cost_usd") is not None else "")
        + (f", {row.get('latency_ms')} ms" if row.get("latency_ms") is not None else ""),
    ]
    if row.get("error"):
        lines.append(f"error:        {row['error']}")
    if row.get("system"):
        lines += ["", "## System", "", row["system"]]
    lines += ["", "## Prompt", "", row.get("prompt") or "", "", "## Response", "",
              row.get("response") or ""]
    return "\n".join(lines).rstrip() + "\n"


def markdown(rows: list[dict[str, Any]]) -> str:
    """Calls as one markdown document, oldest first, for `history export --format markdown`."""
    parts = ["# bedrock-cli history", ""]
    for row in rows:
        head = f"## {local_time(row.get('created_at'))} · {row.get('command')} · " \
               f"{row.get('model')}"
        meta = f"`{row['id']}` · {row.get('status')} · {row.get('input_tokens') or 0} in + " \
               f"{row.get('output_tokens') or 0} out" + (
                   f" · {cost(row.get('cost_usd'))}" if row.get("cost_usd") is not None else "")
        parts += [head, "", meta, ""]
        if row.get("system"):
            parts += ["**System**", "", row["system"], ""]
        parts += ["**Prompt**", "", row.get("prompt") or "", "", "**Response**", "",
                  row.get("response") or "", ""]
    return "\n".join(parts)
