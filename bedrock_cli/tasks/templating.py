"""`--template NAME -p KEY VALUE` for generate, chat and batch run: the saved template filled
in, with the command line winning over the template (an explicit -m, --system, --temperature,
--top-p or --max-tokens replaces the template's)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bedrock_cli.errors import UsageError
from bedrock_cli.tasks import params as params_module

if TYPE_CHECKING:
    from pathlib import Path

    from bedrock_cli.templates import Store, Template


def store(config_path: Path) -> Store:
    """The templates beside the config file at `config_path`."""
    from bedrock_cli.templates import Store, directory

    return Store(directory(config_path))


def variables(pairs: list[tuple[str, str]] | None) -> dict[str, str]:
    return {key: value for key, value in pairs or []}


def load(config_path: Path, name: str | None, pairs: list[tuple[str, str]] | None,
         notice: Callable[[str], None]) -> Template | None:
    """The template asked for (None without --template); -p without one is a usage error.
    ``notice`` hears of variables the template does not use."""
    if name is None:
        if pairs:
            raise UsageError("-p/--param sets template variables, but no --template was given.",
                             "Add --template NAME (see `bedrock-cli templates list`).")
        return None
    template = store(config_path).load(name)
    unused = template.unused(variables(pairs))
    if unused:
        notice(f"Template {name!r} does not use {', '.join(map(repr, unused))}.")
    return template


def sampling(template: Template, given: params_module.Sampling) -> params_module.Sampling:
    """The command line's sampling, with the template's values where none was given."""
    return params_module.Sampling(
        max_tokens=given.max_tokens if given.max_tokens is not None else template.max_tokens,
        temperature=given.temperature if given.temperature is not None
        else template.temperature,
        top_p=given.top_p if given.top_p is not None else template.top_p,
        top_k=given.top_k, stop=list(given.stop), seed=given.seed)


@dataclass
class Filled:
    """A template applied to one input: what the command sends."""

    system: str | None
    prompt: str
    model: str | None


def fill(template: Template, pairs: list[tuple[str, str]] | None, input_text: str | None, *,
         system: str | None = None, model: str | None = None) -> Filled:
    template_system, prompt = template.render(variables(pairs), input_text)
    return Filled(system if system is not None else template_system, prompt,
                  model or template.model)
