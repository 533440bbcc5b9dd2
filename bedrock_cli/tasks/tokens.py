"""Token counting: Bedrock's CountTokens where the model supports it, else a labelled local
estimate with the project's tokenizer (the one the local backend uses)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import UsageError

if TYPE_CHECKING:
    from bedrock_cli.catalog import Resolution
    from bedrock_cli.runtime import Runtime

ESTIMATE_NOTE = "local estimate; Bedrock's CountTokens does not support this model"


@dataclass
class TokenCount:
    input_tokens: int
    model: str
    model_id: str
    exact: bool
    backend: str | None

    def to_json(self) -> dict[str, Any]:
        return {"input_tokens": self.input_tokens, "model": self.model,
                "model_id": self.model_id, "exact": self.exact, "backend": self.backend}

    def describe(self) -> str:
        if self.exact:
            return f"{self.input_tokens} tokens"
        return f"≈ {self.input_tokens} tokens ({ESTIMATE_NOTE})"


def count(runtime: Runtime, resolution: Resolution, wanted: str, text: str,
          system: str | None = None) -> TokenCount:
    """CountTokens for the resolved model (`wanted` is the name asked for), or the labelled
    local estimate where Bedrock cannot count."""
    found = resolution.model
    name = found.id if found is not None else wanted
    if found is not None and found.kind != "text":
        raise UsageError(f"{name} is an {found.kind} model; tokens counts a text model's input.",
                         "Pass a text model with -m (e.g. -m haiku).")
    if found is not None and not found.count_tokens:
        from bedrock_cli.text.tokenizer import count_tokens

        joined = "\n\n".join(part for part in (system, text) if part)
        return TokenCount(count_tokens(joined), name, resolution.model_id, False, None)
    # CountTokens is called with the foundation-model id (whether it takes inference-profile
    # ids is UNVERIFIED).
    model_id = found.id if found is not None else resolution.model_id
    from bedrock_cli.calls import TokenCountRequest

    counted = runtime.count_tokens(TokenCountRequest(
        model_id, [{"role": "user", "content": [{"text": text}]}], [system] if system else []))
    return TokenCount(counted, name, model_id, True, runtime.clients.backend)
