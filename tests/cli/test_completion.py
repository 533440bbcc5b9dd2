"""Shell completion of -m/--model through Typer's own completion machinery."""

from __future__ import annotations

from typer.testing import CliRunner

from bedrock_cli.catalog import get_catalog
from bedrock_cli.cli.app import build_app
from bedrock_cli.cli.completion import model_completions

VAR = "_BEDROCK_CLI_COMPLETE"


def bash(words: str) -> list[str]:
    """What bash would offer for the last word of ``words``."""
    parts = words.split(" ")
    env = {VAR: "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(len(parts) - 1)}
    result = CliRunner().invoke(build_app(), [], env=env, prog_name="bedrock-cli")
    assert result.exit_code == 0, result.output
    return result.stdout.split()


def zsh(words: str) -> str:
    env = {VAR: "complete_zsh", "_TYPER_COMPLETE_ARGS": words}
    result = CliRunner().invoke(build_app(), [], env=env, prog_name="bedrock-cli")
    assert result.exit_code == 0, result.output
    return result.stdout


def test_generate_completes_matching_aliases() -> None:
    offered = bash("bedrock-cli generate -m hai")
    assert offered[:4] == ["haiku", "haiku-3", "haiku-3.5", "haiku-4.5"]
    assert all(value.startswith("hai") for value in offered)


def test_ids_complete_too_and_image_models_are_left_out_of_text_commands() -> None:
    offered = bash("bedrock-cli generate --model amazon.nova")
    assert "amazon.nova-lite-v1:0" in offered
    assert "amazon.nova-canvas-v1:0" not in offered
    assert bash("bedrock-cli generate -m canv") == []


def test_profile_ids_complete_after_a_geography() -> None:
    offered = bash("bedrock-cli sample -m us.anthropic.claude-sonnet-4-5")
    assert offered == ["us.anthropic.claude-sonnet-4-5-20250929-v1:0"]


def test_compare_repeats_the_option_with_completion() -> None:
    assert "sonnet" in bash("bedrock-cli compare hello -m nova-lite -m son")


def test_zsh_gets_help_text() -> None:
    out = zsh("bedrock-cli generate -m nova-l")
    assert '"nova-lite":"amazon.nova-lite-v1\\\\:0"' in out


def test_every_alias_of_every_text_model_is_offered_for_an_empty_word() -> None:
    values = {value for value, _help in model_completions("", "text")}
    text = [m for m in get_catalog() if m.kind == "text"]
    assert {a for m in text for a in m.aliases} | {m.id for m in text} == values


def test_a_named_shells_script_can_be_printed() -> None:
    env = {VAR: "source_fish"}
    result = CliRunner().invoke(build_app(), [], env=env, prog_name="bedrock-cli")
    assert result.stdout.startswith("complete --command bedrock-cli ")


def test_image_completes_image_models_only() -> None:
    offered = bash("bedrock-cli image -m amazon.")
    assert "amazon.nova-canvas-v1:0" in offered
    assert "amazon.nova-lite-v1:0" not in offered
    assert "canvas" in bash("bedrock-cli image --model can")


def test_embed_completes_embedding_models_only() -> None:
    offered = bash("bedrock-cli embed -m amazon.")
    assert offered == ["amazon.titan-embed-text-v2:0"]
    assert "cohere.embed-english-v3" in bash("bedrock-cli embed --model cohere.")


def test_tokens_completes_text_models() -> None:
    assert "haiku" in bash("bedrock-cli tokens -m hai")
