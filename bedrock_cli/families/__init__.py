"""Native InvokeModel formats, one module per text family, keyed by the catalog's `family`.

Each `Family` holds both sides of its wire format — the client side the runtime uses and the
emulator side `local/operations/native_text.py` uses — so the two cannot drift (see base.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bedrock_cli.families.anthropic import Anthropic
from bedrock_cli.families.base import Family, NativeCall, Parsed, StreamState
from bedrock_cli.families.body_schema import BodyError, RangeError
from bedrock_cli.families.cohere import Cohere
from bedrock_cli.families.llama import Llama
from bedrock_cli.families.mistral import Mistral
from bedrock_cli.families.nova import Nova
from bedrock_cli.families.titan_text import TitanText

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo

__all__ = ["FAMILIES", "BodyError", "Family", "NativeCall", "Parsed", "RangeError",
           "StreamState", "family_for", "for_model", "get", "guess"]

FAMILIES: dict[str, Family] = {f.name: f for f in (Anthropic(), TitanText(), Nova(), Llama(),
                                                    Mistral(), Cohere())}

# Provider prefixes of ids the catalog does not know, most specific first.
_PREFIXES = (("anthropic.", "anthropic"), ("amazon.nova-", "nova"),
             ("amazon.titan-text", "titan-text"), ("meta.llama", "llama"),
             ("mistral.", "mistral"), ("cohere.command-r", "cohere"))


def get(name: str) -> Family | None:
    return FAMILIES.get(name)


def guess(model_id: str) -> str | None:
    """The family of a model id the catalog does not know (a profile prefix is allowed)."""
    bare = model_id.rsplit("/", 1)[-1]
    head, _, rest = bare.partition(".")
    if rest and "." in rest and head in ("us", "eu", "apac", "jp", "au", "ca", "us-gov",
                                         "global"):
        bare = rest
    return next((family for prefix, family in _PREFIXES if bare.startswith(prefix)), None)


def for_model(model: ModelInfo | None, model_id: str) -> Family | None:
    """The text family of a catalog model, or of an id the catalog does not know."""
    name = model.family if model is not None else guess(model_id)
    return FAMILIES.get(name or "")


def family_for(model: ModelInfo | None) -> Family | None:
    """The text family of a catalog model (None for other families, or no model)."""
    return FAMILIES.get(model.family) if model is not None else None
