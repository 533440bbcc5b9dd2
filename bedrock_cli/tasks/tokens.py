"""Token counting: Bedrock's CountTokens where the model supports it, else a labelled local
estimate with the project's tokenizer (the one the local backend uses)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import UsageError

if TYPE_CHECKING:
    from bedrock_cli.context import AppContext

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


def count(app: AppContext, text: str, model: str | None = None,
          system: str | None = None) -> TokenCount:
    resolution = app.resolve_model(model)
    found = resolution.model
    name = found.id if found is not None else (model or app.settings.model)
    if found is not None and found.kind != "text":
        raise UsageError(f"{name} is an {found.kind} model; tokens counts a text model's input.",
                         "Pass a text model with -m (e.g. -m haiku).")
    if found is not None and not found.count_tokens:
        from bedrock_cli.text.tokenizer import count_tokens

        joined = "\n\n".join(part for part in (system, text) if part)
        return TokenCount(count_tokens(joined), name, resolution.model_id, False, None)
    converse: dict[str, Any] = {"messages": [{"role": "user", "content": [{"text": text}]}]}
    if system:
        converse["system"] = [{"text": system}]
    # CountTokens is called with the foundation-model id (whether it takes inference-profile
    # ids is UNVERIFIED).
    model_id = found.id if found is not None else resolution.model_id
    response = app.runtime.call("bedrock-runtime", "count_tokens", modelId=model_id,
                                input={"converse": converse})
    return TokenCount(int(response["inputTokens"]), name, model_id, True,
                      app.clients.backend)
