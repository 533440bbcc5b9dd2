"""The `TEXT|FILE|-` argument of embed, tokens and guardrail check."""

from __future__ import annotations

from bedrock_cli.errors import UsageError
from bedrock_cli.inputs import read_stdin, read_text_file, user_path


def read(value: str | None, *, files: bool = False, what: str = "text") -> str:
    """`-` (or nothing, with stdin piped) reads stdin; with `files`, an existing file path is
    read as UTF-8 text; anything else is the text itself."""
    if value is None or value == "-":
        text = read_stdin(required=value == "-")
        if text is None:
            raise UsageError(f"No {what} given.", "Pass it as an argument, or pipe it in (use "
                                                  "`-` to read standard input).")
        return text
    if files and "\n" not in value and len(value) < 4096:
        path = user_path(value)
        if path.is_file():
            return read_text_file(path)
    return value
