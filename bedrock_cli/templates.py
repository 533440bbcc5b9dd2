"""Prompt templates: TOML files in the `templates` folder beside the config file.

A template holds a system prompt and a prompt with `{variables}`, and optionally a model,
sampling parameters and `[defaults]` for variables::

    system = "You translate precisely."
    prompt = '''Translate into {lang}:

    {input}'''
    model = "sonnet"
    temperature = 0.2

    [defaults]
    lang = "French"

Variables are `{name}` (letters, digits, `_`); `{{` and `}}` are literal braces, and braces
around anything else (JSON, code) are left alone. `{input}` is the command's input — the
prompt argument and/or piped stdin, like llm's `$input`; a prompt that does not use `{input}`
gets the input appended after a blank line. A variable without a value is a usage error
(exit 2) that names it. Names are checked so a template can never be read or written outside
its folder.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bedrock_cli.errors import UsageError

SUFFIX = ".toml"
INPUT = "input"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_TOKEN = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")
_KEYS = {"system": str, "prompt": str, "model": str, "temperature": float, "top_p": float,
         "max_tokens": int}


def check_name(name: str) -> str:
    """A template name: letters, digits, `_`, `-`, `.`; no path, no `..`."""
    if not _NAME.match(name) or ".." in name or name.lower().endswith(SUFFIX):
        raise UsageError(f"{name!r} is not a valid template name.",
                         "Use letters, digits, '_', '-' and '.' (up to 64), e.g. "
                         "summarize-fr; no slashes and no '..'.")
    return name


def directory(config_path: Path) -> Path:
    """Templates live in `templates/` beside the config file in effect."""
    return config_path.parent / "templates"


def variables(text: str | None) -> list[str]:
    """The variables a text uses, in order, each once."""
    found = (m.group(1) for m in _TOKEN.finditer(text or "") if m.group(1))
    return list(dict.fromkeys(found))


def substitute(text: str, values: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        return values[match.group(1)]

    return _TOKEN.sub(one, text)


@dataclass
class Template:
    name: str
    system: str | None = None
    prompt: str | None = None
    model: str | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    defaults: dict[str, str] = field(default_factory=dict)

    def variables(self) -> list[str]:
        return list(dict.fromkeys([*variables(self.system), *variables(self.prompt)]))

    def render(self, params: dict[str, str], input_text: str | None) -> tuple[str | None, str]:
        """(system, prompt) with every variable filled. UsageError names what is missing."""
        values = {**self.defaults, **params}
        if input_text is not None:
            values[INPUT] = input_text
        missing = [v for v in self.variables() if v not in values]
        if missing:
            listed = ", ".join(repr(v) for v in missing)
            how = " ".join(f"-p {v} VALUE" for v in missing if v != INPUT)
            hint = "Pass " + (how if how else "") + (" and " if how and INPUT in missing
                                                     else "")
            if INPUT in missing:
                hint += "the input (the prompt argument or stdin; in a batch, a \"prompt\" " \
                    "field)"
            raise UsageError(f"Template {self.name!r} needs a value for {listed}.", hint + ".")
        system = substitute(self.system, values) if self.system else None
        prompt = substitute(self.prompt, values) if self.prompt else ""
        if input_text is not None and INPUT not in variables(self.prompt):
            prompt = f"{prompt}\n\n{input_text}" if prompt else input_text
        return system, prompt

    def unused(self, params: dict[str, str]) -> list[str]:
        used = set(self.variables())
        return [k for k in params if k not in used]

    # -- the file ------------------------------------------------------------------------
    def to_toml(self) -> str:
        lines = [f"# bedrock-cli template {self.name!r}: "
                 f"`bedrock-cli generate --template {self.name} -p NAME VALUE`"]
        for key in _KEYS:
            value = getattr(self, key)
            if value is not None:
                lines.append(f"{key} = {_toml_value(value)}")
        if self.defaults:
            lines += ["", "[defaults]"]
            lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in self.defaults.items()]
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name}
        data.update({k: getattr(self, k) for k in _KEYS if getattr(self, k) is not None})
        if self.defaults:
            data["defaults"] = dict(self.defaults)
        data["variables"] = self.variables()
        return data


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    plain = not re.search(r"[\x00-\x08\x0b-\x1f\x7f]|'''|\r", text)
    if "\n" in text and plain:
        return f"'''\n{text}'''"
    escaped = json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")
    return escaped


def parse(name: str, text: str) -> Template:
    """A template from its TOML text; UsageError says what is wrong."""
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"Template {name!r} is not valid TOML: {exc}.",
                         f"Fix it with `bedrock-cli templates edit {name}`.") from None
    unknown = sorted(set(data) - set(_KEYS) - {"defaults"})
    if unknown:
        raise UsageError(f"Template {name!r} has unknown keys: {', '.join(unknown)}.",
                         f"Keys: {', '.join(_KEYS)} and a [defaults] table.")
    kwargs: dict[str, Any] = {}
    for key, kind in _KEYS.items():
        if key not in data:
            continue
        value = data[key]
        ok = isinstance(value, str) if kind is str else (
            isinstance(value, int | float) and not isinstance(value, bool) and
            (kind is float or isinstance(value, int)))
        if not ok:
            raise UsageError(f"Template {name!r}: {key} must be a {kind.__name__}.",
                             f"Fix it with `bedrock-cli templates edit {name}`.")
        kwargs[key] = kind(value)
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict) or not all(
            isinstance(v, str | int | float) for v in defaults.values()):
        raise UsageError(f"Template {name!r}: [defaults] must map names to text.",
                         f"Fix it with `bedrock-cli templates edit {name}`.")
    kwargs["defaults"] = {str(k): str(v) for k, v in defaults.items()}
    if not kwargs.get("prompt") and not kwargs.get("system"):
        raise UsageError(f"Template {name!r} has neither a prompt nor a system prompt.",
                         f"Add one with `bedrock-cli templates edit {name}`.")
    return Template(name, **kwargs)


class Store:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, name: str) -> Path:
        return self.folder / f"{check_name(name)}{SUFFIX}"

    def names(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(p.name[: -len(SUFFIX)] for p in self.folder.glob(f"*{SUFFIX}")
                      if _NAME.match(p.name[: -len(SUFFIX)]))

    def exists(self, name: str) -> bool:
        return self.path(name).is_file()

    def load(self, name: str) -> Template:
        path = self.path(name)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            known = self.names()
            raise UsageError(f"No template named {name!r}.",
                             f"Templates: {', '.join(known)}." if known else
                             "Save one with `bedrock-cli templates save NAME --prompt ...`.") \
                from None
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"Cannot read template {name!r} ({path}): {exc}.",
                             "Check the file.") from None
        return parse(name, text)

    def save(self, template: Template, *, force: bool = False) -> Path:
        from bedrock_cli.paths import atomic_write

        path = self.path(template.name)
        if path.exists() and not force:
            raise UsageError(f"Template {template.name!r} exists.",
                             "Pass --force to replace it, or edit it with "
                             f"`bedrock-cli templates edit {template.name}`.")
        text = template.to_toml()
        parse(template.name, text)  # what is written must read back
        atomic_write(path, text.encode("utf-8"), mode=0o600)
        return path

    def delete(self, name: str) -> Path:
        path = self.path(name)
        if not path.is_file():
            raise UsageError(f"No template named {name!r}.", "See `bedrock-cli templates "
                                                             "list`.")
        path.unlink()
        return path
