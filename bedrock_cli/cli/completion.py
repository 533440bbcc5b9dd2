"""Shell completion values: model aliases and ids from the shipped catalog.

Typer runs these when the shell asks (``_BEDROCK_CLI_COMPLETE=complete_bash`` …), so they
must be quick: the catalog is parsed from TOML, nothing else is imported.
"""

from __future__ import annotations

from collections.abc import Iterable


def model_completions(incomplete: str, kind: str | None = None) -> list[tuple[str, str]]:
    """(value, help) pairs whose value starts with ``incomplete`` (case-insensitive): aliases
    first, then catalog ids; ``us.``/``eu.``/… profile ids when the word starts with a
    geography. ``kind`` keeps only "text", "image" or "embedding" models."""
    from bedrock_cli.catalog import GEOGRAPHIES, get_catalog

    catalog = get_catalog()
    word = incomplete.strip().lower()
    models = [m for m in catalog if kind is None or m.kind == kind]
    aliases = sorted((alias, m) for m in models for alias in m.aliases)
    found: list[tuple[str, str]] = [(alias, m.id) for alias, m in aliases
                                    if alias.lower().startswith(word)]
    found += [(m.id, m.name) for m in sorted(models, key=lambda m: m.id)
              if m.id.lower().startswith(word)]
    geo, dot, rest = word.partition(".")
    if dot and geo in GEOGRAPHIES:
        found += [(f"{geo}.{m.id}", f"{m.name} through the {geo} inference profile")
                  for m in sorted(models, key=lambda m: m.id)
                  if geo in m.profile_geographies and m.id.lower().startswith(rest)]
    return _unique(found)


def _unique(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: set[str] = set()
    out = []
    for value, help_text in pairs:
        if value not in seen:
            seen.add(value)
            out.append((value, help_text))
    return out
