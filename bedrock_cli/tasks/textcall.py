"""The text tasks' view of a call: `CallLog` (what history needs besides the request and the
result) and `Outcome` (the result, its price and history id). The call itself is
`Recorder.text(runtime, request, model, log, ...)`: it prices the call, keeps it in history and
keeps a partial answer when the call breaks off."""

from __future__ import annotations

from bedrock_cli.recorder import CallLog, Outcome

__all__ = ["CallLog", "Outcome"]
