"""`compare`: the same request to several models at once, each answer with its latency,
tokens and cost. One model failing does not stop the others; each call is logged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import BedrockCliError, UsageError
from bedrock_cli.tasks import common, fanout, params
from bedrock_cli.tasks.generate import prompt_text
from bedrock_cli.tasks.textcall import CallLog, Outcome

if TYPE_CHECKING:
    from bedrock_cli.catalog import Resolution
    from bedrock_cli.recorder import Recorder
    from bedrock_cli.runtime import Runtime

MAX_MODELS = 16


@dataclass
class CompareInput:
    prompt: str | None
    models: list[str]
    stdin_text: str | None = None
    system: str | None = None
    sampling: params.Sampling = field(default_factory=params.Sampling)


@dataclass
class Column:
    """One model's side: its answer, or the error it failed with."""

    name: str  # as the user wrote it
    model: str  # the catalog id, or the name when the model is not in the catalog
    model_id: str | None  # as called
    outcome: Outcome | None = None
    error: BedrockCliError | None = None

    def to_json(self) -> dict[str, Any]:
        if self.outcome is not None:
            return self.outcome.to_json()
        assert self.error is not None
        return {"model": self.model, "model_id": self.model_id,
                "error": self.error.to_dict()["error"]}


@dataclass
class Plan:
    column: Column
    target: common.Target | None = None


def exit_code(columns: list[Column]) -> int:
    """0 when every model answered, else the highest exit code among the errors."""
    return max((int(c.error.exit_code) for c in columns if c.error is not None), default=0)


def _plan(resolve: Callable[[str], Resolution], name: str, inp: CompareInput) -> Plan:
    """Resolve one model. Unknown names stop the whole command (exit 2, nothing is called);
    a model that cannot take the request gets the error in its column."""
    resolution = resolve(name)  # raises UsageError for an unknown name
    model = resolution.model
    column = Column(name, model.id if model else name, resolution.model_id)
    tgt = common.Target(resolution.model_id, model, column.model)
    try:
        if model is not None and model.kind != "text":
            raise UsageError(f"{model.id} makes {model.kind}s, not text.",
                             "Compare text models: `bedrock-cli models list --modality text`.")
        params.validate(inp.sampling, model, column.model)
    except UsageError as err:
        column.error = err
        return Plan(column)
    return Plan(column, tgt)


def run(runtime: Runtime, recorder: Recorder, resolve: Callable[[str], Resolution],
        inp: CompareInput, on_done: Callable[[int], None] | None = None) -> list[Column]:
    """Every model on the same prompt at once; `resolve` turns a name into what to call."""
    if len(inp.models) < 2:
        raise UsageError("compare needs at least two models.",
                         "Name each with -m, e.g. -m nova-lite -m haiku.")
    if len(inp.models) > MAX_MODELS:
        raise UsageError(f"{len(inp.models)} models is too many to compare at once.",
                         f"Use at most {MAX_MODELS}.")
    text = prompt_text(inp.prompt, inp.stdin_text)
    plans = [_plan(resolve, name, inp) for name in inp.models]
    runnable = [p for p in plans if p.target is not None]
    runtime = fanout.pooled(runtime, len(runnable))

    def call(plan: Plan) -> Outcome:
        tgt = plan.target
        assert tgt is not None
        request = common.request(tgt, [{"text": text}], task="compare", system=inp.system,
                                 max_tokens=inp.sampling.max_tokens,
                                 temperature=inp.sampling.temperature)
        log = CallLog(command="compare", model_name=tgt.name, prompt=text,
                      params=inp.sampling.as_dict())
        return recorder.text(runtime, request, tgt.model, log, stream=False)

    done = fanout.run_all(runnable, call, len(runnable), fail_fast=False, on_done=on_done)
    for plan, result in zip(runnable, done, strict=True):
        plan.column.outcome = result.result
        plan.column.error = result.error
    return [p.column for p in plans]
