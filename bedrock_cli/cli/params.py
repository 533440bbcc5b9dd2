"""The options several commands take, each declared once; commands import them from here,
never from another command. (`-m/--model` and the common options live in `cli/options.py`;
reasoning, caching and template options in `cli/tuning.py`.)

Only Typer is imported, so `--help` stays fast.
"""

from __future__ import annotations

from typing import Annotated

import typer

System = Annotated[str | None, typer.Option(
    "--system", "-s", help="System prompt.", show_default=False)]
Temperature = Annotated[float | None, typer.Option(
    "--temperature", "-t", help="0 to 1; 0 is greedy.", show_default=False)]
TopP = Annotated[float | None, typer.Option("--top-p", help="0 to 1.", show_default=False)]
TopK = Annotated[int | None, typer.Option(
    "--top-k", help="Sample from the k likeliest tokens (models that take it).",
    show_default=False)]
MaxTokens = Annotated[int | None, typer.Option(
    "--max-tokens", help="Most tokens to generate.", show_default=False)]
#: --max-tokens for the commands that give several answers (compare, batch)
MaxTokensPerAnswer = Annotated[int | None, typer.Option(
    "--max-tokens", help="Most tokens per answer.", show_default=False)]
Stop = Annotated[list[str] | None, typer.Option(
    "--stop", help="Stop sequence (repeatable).", metavar="TEXT", show_default=False)]
Seed = Annotated[int | None, typer.Option(
    "--seed", help="Seed (honoured by the local backend and models that take one).",
    show_default=False)]
NoStream = Annotated[bool, typer.Option("--no-stream", help="Wait for the whole answer.")]
ContinueLast = Annotated[bool, typer.Option(
    "--continue", "-c", help="Continue the most recent conversation.")]
Cid = Annotated[str | None, typer.Option(
    "--cid", help="Continue this conversation id.", show_default=False)]
ChunkTokens = Annotated[int | None, typer.Option(
    "--chunk-tokens", help="Input tokens per call for long inputs [default: 24000, at most "
    "half the model's context window].", show_default=False)]
GuardrailOption = Annotated[str | None, typer.Option(
    "--guardrail", metavar="ID[:VERSION]",
    help="Apply a Bedrock guardrail (version defaults to DRAFT); an intervention exits 6.",
    show_default=False)]
