"""Run one text request (streamed or not) for every text task: the `Recorder` prices it,
keeps it in history and keeps a partial answer when the call breaks off.

No printing here: streamed pieces go to the callbacks the command passes in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bedrock_cli.recorder import CallLog, Outcome
from bedrock_cli.types import TextRequest

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo
    from bedrock_cli.context import AppContext

__all__ = ["CallLog", "Outcome", "run"]


def run(
    app: AppContext,
    request: TextRequest,
    model: ModelInfo | None,
    log: CallLog,
    *,
    stream: bool,
    on_text: Callable[[str], None] | None = None,
    on_reasoning: Callable[[str], None] | None = None,
) -> Outcome:
    """`Recorder.text` on the command's runtime."""
    return app.recorder.text(app.runtime, request, model, log, stream=stream, on_text=on_text,
                             on_reasoning=on_reasoning)
