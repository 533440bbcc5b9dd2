"""`bedrock-cli templates save|list|show|edit|delete|path`: saved prompts with {variables}."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bedrock_cli.cli.options import ModelOption, common_command
from bedrock_cli.cli.params import MaxTokens, System, Temperature, TopP
from bedrock_cli.context import AppContext
from bedrock_cli.errors import UsageError

app = typer.Typer(help="Saved prompts with {variables}: use them with --template NAME -p KEY "
                       "VALUE on generate, chat and batch run.", no_args_is_help=True)

NameArg = Annotated[str, typer.Argument(help="The template's name.", show_default=False)]


@app.command("save")
@common_command
def save(
    app_ctx: AppContext,
    name: NameArg,
    system: System = None,
    prompt: Annotated[str | None, typer.Option(
        "--prompt", help="The prompt, with {variables}; {input} is the command's input "
        "(appended when the prompt does not use it).", show_default=False)] = None,
    model: ModelOption = None,
    temperature: Temperature = None,
    top_p: TopP = None,
    max_tokens: MaxTokens = None,
    force: Annotated[bool, typer.Option("--force", help="Replace a template of that "
                                                        "name.")] = False,
) -> None:
    """Save a template: a system prompt and a prompt with {variables}, and optionally a model
    and sampling parameters."""
    from bedrock_cli.tasks import params, templating
    from bedrock_cli.templates import Template, check_name

    check_name(name)
    if prompt is None and system is None:
        raise UsageError("A template needs --prompt or --system (or both).",
                         "E.g. templates save fr --prompt 'Translate into French: {input}'")
    if model is not None:  # an unknown name is a usage error now, not at every use
        from bedrock_cli.catalog import UnknownModelError

        try:
            app_ctx.catalog.resolve(model, None)
        except UnknownModelError as exc:
            close = ", ".join(exc.suggestions) or "none close"
            raise UsageError(f"Unknown model {model!r} (closest: {close}).",
                             "See `bedrock-cli models list` for ids and aliases.") from None
    params.validate(params.Sampling(max_tokens=max_tokens, temperature=temperature,
                                    top_p=top_p), None, name)
    template = Template(name, system=system, prompt=prompt, model=model,
                       temperature=temperature, top_p=top_p, max_tokens=max_tokens)
    path = templating.store(app_ctx.settings.config_path).save(template, force=force)
    out = app_ctx.output
    if out.json_mode:
        out.json({**template.to_json(), "path": str(path)})
        return
    names = template.variables()
    out.notice(f"Saved template {name!r} to {path}"
               + (f"; variables: {', '.join(names)}." if names else "."))


@app.command("list")
@common_command
def list_templates(app_ctx: AppContext) -> None:
    """List saved templates with their model and variables."""
    from bedrock_cli.tasks import templating

    store = templating.store(app_ctx.settings.config_path)
    found = []
    for name in store.names():
        try:
            found.append(store.load(name).to_json())
        except UsageError as exc:  # one broken file must not hide the others
            found.append({"name": name, "error": exc.message})
    out = app_ctx.output
    if out.json_mode:
        out.json(found)
        return
    if not found:
        out.notice(f"No templates yet (they live in {store.folder}). Save one with "
                   "`bedrock-cli templates save NAME --prompt '...'`.")
        return
    width = max(len(t["name"]) for t in found)
    for t in found:
        if "error" in t:
            detail = f"(unreadable: {t['error']})"
        else:
            first = (t.get("prompt") or t.get("system") or "").strip().splitlines()
            detail = " ".join(filter(None, [
                f"[{t['model']}]" if t.get("model") else "",
                f"({', '.join(t['variables'])})" if t["variables"] else "",
                first[0][:60] if first else ""]))
        out.write(f"{t['name']:<{width}}  {detail}\n")


@app.command("show")
@common_command
def show(app_ctx: AppContext, name: NameArg) -> None:
    """Print a template (its TOML file; --json for fields and variables)."""
    from bedrock_cli.tasks import templating

    template = templating.store(app_ctx.settings.config_path).load(name)
    if app_ctx.output.json_mode:
        app_ctx.output.json(template.to_json())
    else:
        app_ctx.output.write(templating.store(app_ctx.settings.config_path).path(name).read_text(encoding="utf-8"))


@app.command("edit")
@common_command
def edit(app_ctx: AppContext, name: NameArg) -> None:
    """Open a template in $VISUAL or $EDITOR (a new one starts from a skeleton). The edit is
    made on a draft beside it and saved only when it is a valid template; an invalid one is
    re-opened on request at a terminal, else kept as the draft for the next edit (exit 2)."""
    import sys

    from bedrock_cli.paths import atomic_write
    from bedrock_cli.tasks import templating
    from bedrock_cli.templates import parse

    store = templating.store(app_ctx.settings.config_path)
    path = store.path(name)
    draft = path.with_name(path.name + ".draft")
    out = app_ctx.output
    if draft.exists():
        out.notice(f"Continuing your unsaved edit ({draft}).")
    else:
        start = path.read_bytes() if path.exists() else (
            f"# bedrock-cli template {name!r}\n"
            "system = \"You are a helpful assistant.\"\n"
            "prompt = \"{input}\"\n").encode()
        atomic_write(draft, start, mode=0o600)
    while True:
        _run_editor(draft, name)
        text = draft.read_text(encoding="utf-8", errors="replace")
        try:
            parse(name, text)
        except UsageError as err:
            if sys.stdin.isatty() and typer.confirm(
                    f"{err.message} Open the editor again?", default=True, err=True):
                continue
            raise UsageError(f"{err.message} {path} is unchanged; your edit is kept in "
                             f"{draft}.", f"Run `bedrock-cli templates edit {name}` again to "
                             "fix it (it opens the draft).") from None
        break
    created = not path.exists()
    atomic_write(path, text.encode("utf-8"), mode=0o600)
    draft.unlink()
    out.notice(f"Template {name!r} {'created' if created else 'saved'} ({path}).")


def _run_editor(path: Path, name: str) -> None:
    import os
    import shlex
    import subprocess
    import sys

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or (
        "notepad" if sys.platform == "win32" else "vi")
    try:
        code = subprocess.call([*shlex.split(editor), str(path)])
    except OSError as exc:
        raise UsageError(f"Cannot start the editor {editor!r}: {exc.strerror}.",
                         "Set $EDITOR (e.g. export EDITOR=nano).") from None
    if code != 0:
        raise UsageError(f"The editor exited with status {code}; nothing was saved (the edit "
                         f"is in {path}).", f"Run `bedrock-cli templates edit {name}` again.")


@app.command("delete")
@common_command
def delete(app_ctx: AppContext, name: NameArg) -> None:
    """Delete a template."""
    from bedrock_cli.tasks import templating

    path = templating.store(app_ctx.settings.config_path).delete(name)
    if app_ctx.output.json_mode:
        app_ctx.output.json({"deleted": name, "path": str(path)})
    else:
        app_ctx.output.notice(f"Deleted template {name!r}.")


@app.command("path")
@common_command
def path(app_ctx: AppContext) -> None:
    """Print the folder templates are kept in (beside the config file)."""
    from bedrock_cli.tasks import templating

    app_ctx.output.write(f"{templating.store(app_ctx.settings.config_path).folder}\n")
