"""Declared rules (``declared.py``): what a rule matches (:class:`Call`) and answers
(:class:`Answer`), and reading rules from a TOML or JSON file, or from the keyword
arguments of ``respond(...)``: every mistake is a :class:`ResponsesError` that names the rule,
and in a file its line, so ``serve --responses`` and the local backend can refuse the file with
exit 2 before answering anything."""

from __future__ import annotations

import fnmatch
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bedrock_cli.inputs.reading import read_named_text

from . import errors

STOP_REASONS = ("end_turn", "max_tokens", "stop_sequence", "tool_use", "content_filtered",
                "guardrail_intervened")
MATCH_KEYS = ("model", "user", "user_regex", "system", "system_regex", "tools")
# Every HTTP error Bedrock's text operations can answer (ModelStreamErrorException only ever
# arrives inside a stream, so it cannot be an answer's error).
ERROR_CODES = tuple(c for c in errors.BY_CODE if c != "ModelStreamErrorException")
ANSWER_KEYS = ("text", "chunks", "tool_use", "tool_uses", "stop_reason", "usage", "error",
               "message")


@dataclass(frozen=True)
class Answer:
    text: str = ""
    chunks: tuple[str, ...] | None = None  # the stream's pieces, exactly (text = their join)
    tool_uses: tuple[dict[str, Any], ...] = ()
    stop_reason: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    error: str | None = None  # a Bedrock error code
    message: str | None = None  # the error's message (Bedrock's wording by default)

    def raise_error(self) -> None:
        if self.error is not None:
            from .faults import make_error

            raise make_error(self.error, self.message)


@dataclass(frozen=True)
class Call:
    """What rules look at, read from a Converse or a native request."""

    operation: str
    model_ids: tuple[str, ...]  # as sent, and the catalog id
    user: str
    system: str
    tools: bool


@dataclass
class Rule:
    answers: list[Answer]
    model: str = "*"
    user: str | None = None
    user_regex: re.Pattern[str] | None = None
    system: str | None = None
    system_regex: re.Pattern[str] | None = None
    tools: bool | None = None
    where: str = "rule"
    calls: int = 0  # how many requests it has answered

    def matches(self, call: Call) -> bool:
        if not any(fnmatch.fnmatchcase(m, self.model) for m in call.model_ids if m):
            return False
        if self.tools is not None and self.tools != call.tools:
            return False
        for wanted, regex, text in ((self.user, self.user_regex, call.user),
                                    (self.system, self.system_regex, call.system)):
            if wanted is not None and wanted not in text:
                return False
            if regex is not None and not regex.search(text):
                return False
        return True

    def take(self) -> Answer:
        answer = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        return answer


class ResponsesError(ValueError):
    """A declared rule that cannot be used; the message names the rule (and its line)."""


def _string(doc: Mapping[str, Any], key: str, where: str) -> str | None:
    value = doc.get(key)
    if value is not None and not isinstance(value, str):
        raise ResponsesError(f"{where}: {key} must be a string, got {value!r}")
    return value


def _regex(doc: Mapping[str, Any], key: str, where: str) -> re.Pattern[str] | None:
    text = _string(doc, key, where)
    if text is None:
        return None
    try:
        return re.compile(text)
    except re.error as exc:
        raise ResponsesError(f"{where}: {key} is not a valid regular expression: {exc}") from None


def _count(value: Any, name: str, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ResponsesError(f"{where}: usage.{name} must be a whole number >= 0, got {value!r}")
    return value


def _tool_use(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, Mapping) or not isinstance(value.get("name"), str):
        raise ResponsesError(f"{where}: a tool call needs a name, e.g. "
                             "{ name = \"get_weather\", input = { city = \"Paris\" } }")
    extra = set(value) - {"name", "input", "id"}
    if extra:
        raise ResponsesError(f"{where}: a tool call takes name, input and id, not "
                             f"{', '.join(sorted(extra))}")
    tool_input = value.get("input", {})
    if not isinstance(tool_input, Mapping):
        raise ResponsesError(f"{where}: the input of tool {value['name']!r} must be an object")
    use = {"name": value["name"], "input": dict(tool_input)}
    if value.get("id") is not None:
        use["toolUseId"] = str(value["id"])
    return use


def parse_answer(doc: Mapping[str, Any], where: str) -> Answer:
    unknown = set(doc) - set(ANSWER_KEYS)
    if unknown:
        raise ResponsesError(f"{where}: unknown key {sorted(unknown)[0]!r}; an answer takes "
                             f"{', '.join(ANSWER_KEYS)}")
    text = _string(doc, "text", where)
    chunks = doc.get("chunks")
    if chunks is not None:
        if not isinstance(chunks, list) or not all(isinstance(c, str) for c in chunks):
            raise ResponsesError(f"{where}: chunks must be a list of strings")
        if text is not None and "".join(chunks) != text:
            raise ResponsesError(f"{where}: give text or chunks (chunks join into the text)")
    uses = [_tool_use(doc["tool_use"], where)] if "tool_use" in doc else []
    if "tool_uses" in doc:
        if not isinstance(doc["tool_uses"], list):
            raise ResponsesError(f"{where}: tool_uses must be a list of tool calls")
        uses += [_tool_use(u, where) for u in doc["tool_uses"]]
    reason = _string(doc, "stop_reason", where)
    if reason is not None and reason not in STOP_REASONS:
        raise ResponsesError(f"{where}: stop_reason {reason!r} is not one of "
                             f"{', '.join(STOP_REASONS)}")
    usage = doc.get("usage") or {}
    if not isinstance(usage, Mapping):
        raise ResponsesError(f"{where}: usage must be a table like "
                             "{ input_tokens = 10, output_tokens = 5 }")
    tokens: dict[str, int | None] = {"input_tokens": None, "output_tokens": None}
    for key, value in usage.items():
        name = {"inputTokens": "input_tokens", "outputTokens": "output_tokens"}.get(key, key)
        if name not in tokens:
            raise ResponsesError(f"{where}: usage takes input_tokens and output_tokens, "
                                 f"not {key!r}")
        tokens[name] = _count(value, name, where)
    code = _string(doc, "error", where)
    if code is not None:
        code = next((c for c in ERROR_CODES if c.lower() == code.lower()), None)
        if code is None:
            raise ResponsesError(f"{where}: unknown error {doc['error']!r}; use one of "
                                 f"{', '.join(ERROR_CODES)}")
        if text is not None or chunks is not None or uses:
            raise ResponsesError(f"{where}: an error answer has no text, chunks or tool calls "
                                 "(declare them as another answer)")
    if code is None and text is None and chunks is None and not uses:
        raise ResponsesError(f"{where}: declares no answer; give text, chunks, tool_use or "
                             "error")
    return Answer(text="".join(chunks) if chunks is not None else (text or ""),
                  chunks=tuple(chunks) if chunks is not None else None, tool_uses=tuple(uses),
                  stop_reason=reason, input_tokens=tokens["input_tokens"],
                  output_tokens=tokens["output_tokens"], error=code,
                  message=_string(doc, "message", where))


def parse_rule(doc: Any, where: str = "rule") -> Rule:
    """A rule from a file's table or from ``respond(**keys)``."""
    if not isinstance(doc, Mapping):
        raise ResponsesError(f"{where}: a rule must be a table (an object), got {doc!r}")
    unknown = set(doc) - set(MATCH_KEYS) - set(ANSWER_KEYS) - {"answers"}
    if unknown:
        raise ResponsesError(f"{where}: unknown key {sorted(unknown)[0]!r}; a rule takes "
                             f"{', '.join((*MATCH_KEYS, 'answers', *ANSWER_KEYS))}")
    answer_doc = {k: v for k, v in doc.items() if k in ANSWER_KEYS}
    if "answers" in doc:
        if answer_doc:
            raise ResponsesError(f"{where}: give answers = [...] or one answer's keys "
                                 f"({', '.join(sorted(answer_doc))}), not both")
        listed = doc["answers"]
        if not isinstance(listed, list) or not listed:
            raise ResponsesError(f"{where}: answers must be a non-empty list of answers")
        answers = [parse_answer(a if isinstance(a, Mapping) else {"text": a},
                                f"{where}, answer {i}") for i, a in enumerate(listed, 1)]
    else:
        answers = [parse_answer(answer_doc, where)]
    tools = doc.get("tools")
    if tools is not None and not isinstance(tools, bool):
        raise ResponsesError(f"{where}: tools must be true or false, got {tools!r}")
    return Rule(answers=answers, model=_string(doc, "model", where) or "*",
                user=_string(doc, "user", where), user_regex=_regex(doc, "user_regex", where),
                system=_string(doc, "system", where),
                system_regex=_regex(doc, "system_regex", where), tools=tools, where=where)


def _json_rule_lines(text: str) -> list[int]:
    """The line each rule of a JSON file starts on (a list, or ``{"rules": [...]}``)."""
    start = text.find("[", text.find('"rules"') if text.lstrip().startswith("{") else 0)
    decoder, lines, pos = json.JSONDecoder(), [], start + 1
    while 0 < pos < len(text):
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            break
        lines.append(text.count("\n", 0, pos) + 1)
        try:
            pos = decoder.raw_decode(text, pos)[1]
        except ValueError:
            break
    return lines


def parse_text(text: str, name: str = "responses") -> list[Rule]:
    """Rules from a file's text: JSON when it starts with ``{`` or ``[``, else TOML."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")) and not stripped.startswith("[["):
        try:
            doc: Any = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ResponsesError(f"{name}: line {exc.lineno}: not valid JSON: {exc.msg}") from None
        rules = doc.get("rules") if isinstance(doc, dict) else doc
        if isinstance(doc, dict) and set(doc) - {"rules"}:
            raise ResponsesError(f"{name}: the JSON object takes only \"rules\" (a list)")
        lines = _json_rule_lines(text)
    else:
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - Python 3.10
            import tomli as tomllib
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ResponsesError(f"{name}: not valid TOML: {exc}") from None
        if set(doc) - {"rule"}:
            raise ResponsesError(f"{name}: unknown table {sorted(set(doc) - {'rule'})[0]!r}; "
                                 "declare rules as [[rule]] tables")
        rules = doc.get("rule", [])
        lines = [i for i, line in enumerate(text.splitlines(), 1)
                 if re.match(r"\s*\[\[\s*rule\s*\]\]", line)]
    if not isinstance(rules, list):
        raise ResponsesError(f"{name}: expected a list of rules")
    out = []
    for i, rule in enumerate(rules, 1):
        line = f" (line {lines[i - 1]})" if i <= len(lines) else ""
        out.append(parse_rule(rule, f"{name}: rule {i}{line}"))
    return out


def load_file(path: str | Path) -> list[Rule]:
    file = Path(path)
    text = read_named_text(file, ResponsesError)
    return parse_text(text, str(file))
