"""One batch record → one Converse request, checked before any call.

A record is `{"id", "prompt", optional "system", "model", parameters}` (parameters at the top
level or under "params": max_tokens, temperature, top_p, top_k, stop, seed), or a Bedrock batch
record `{"recordId", "modelInput"}`. `--task` applies that task's prompt to each record's text
(`task_prompt` is the single seam to the task modules).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bedrock_cli.batch.modelinput import InputShapeError, to_conversation
from bedrock_cli.batch.records import Record, RecordError
from bedrock_cli.errors import UsageError
from bedrock_cli.tasks import params
from bedrock_cli.types import TextRequest

if TYPE_CHECKING:
    from bedrock_cli.catalog import ModelInfo, Resolution
    from bedrock_cli.context import AppContext
    from bedrock_cli.templates import Template

TASKS = ("generate", "summarize", "extract", "translate")
_PARAM_KEYS = ("max_tokens", "temperature", "top_p", "top_k", "stop", "seed")


@dataclass
class Defaults:
    """What the command line sets for every record (a record's own fields win)."""

    model: str | None = None
    system: str | None = None
    sampling: params.Sampling = field(default_factory=params.Sampling)
    task: str = "generate"
    schema: dict[str, Any] | None = None  # extract
    target_language: str | None = None  # translate
    template: Template | None = None  # --template: fills each record's prompt
    variables: dict[str, str] = field(default_factory=dict)  # -p values (a record's win)


@dataclass
class Built:
    request: TextRequest
    model: ModelInfo | None
    model_name: str
    schema: dict[str, Any] | None = None  # extract: what the tool's input must satisfy


@dataclass
class TaskPrompt:
    system: list[str]
    text: str
    tool_config: dict[str, Any] | None = None
    hints: dict[str, str] = field(default_factory=dict)  # requestMetadata, for the engines
    temperature: float | None = None  # the task's default when the user sets none
    schema: dict[str, Any] | None = None  # extract: the answer is checked against it


def task_prompt(task: str, text: str, system: list[str], record: dict[str, Any],
                defaults: Defaults) -> TaskPrompt:
    """The prompt a task gives one record's text, from the task modules' own instructions,
    system prompts and tool (tasks/summarize.py, translate.py, extract.py): one document per
    record, no map-reduce, no parts and no extract retry — a record is one call."""
    from bedrock_cli.tasks import common

    document = common.quote_block("document", text)
    if task == "summarize":
        from bedrock_cli.tasks import summarize

        length = str(record.get("length") or "medium")
        style = str(record.get("style") or "paragraph")
        if length not in summarize.LENGTHS or style not in summarize.STYLES:
            raise ValueError(f"length must be one of {', '.join(summarize.LENGTHS)} and style "
                             f"one of {', '.join(summarize.STYLES)}")
        inp = summarize.SummarizeInput(paths=[], length=length, style=style,
                                       focus=record.get("focus"))
        return TaskPrompt(system or [summarize.SYSTEM],
                          summarize.instruction_for(inp) + "\n\n" + document,
                          hints=summarize.hints_for(inp, length=length, style=style))
    if task == "translate":
        from bedrock_cli.tasks import translate

        language = record.get("to") or record.get("target_language") or defaults.target_language
        if not isinstance(language, str) or not language.strip():
            raise ValueError('translate needs a target language: --to LANG or a "to" field')
        inp_t = translate.TranslateInput(to=language.strip(),
                                         source_language=record.get("from"))
        return TaskPrompt(system or [translate.SYSTEM],
                          translate.instruction_for(inp_t) + "\n\n" + document,
                          hints={"to": inp_t.to, "from": inp_t.source_language or ""})
    if task == "extract":
        from bedrock_cli.tasks import extract

        schema = record.get("schema") or defaults.schema
        if not isinstance(schema, dict):
            raise ValueError('extract needs a JSON schema: --schema FILE or a "schema" field')
        instruction = (f"Extract the fields from the document below and call the {extract.TOOL} "
                       "tool with them. Use null where the document does not give a value.")
        tool_schema = {"type": "object", **schema}
        return TaskPrompt(system or [extract.SYSTEM], instruction + "\n\n" + document,
                          extract.tool_config(tool_schema), temperature=0.0, schema=tool_schema)
    return TaskPrompt(system, text)


def _sampling(record: dict[str, Any], base: params.Sampling) -> params.Sampling:
    given = dict(record.get("params") or {}) if isinstance(record.get("params"), dict) else {}
    given.update({k: record[k] for k in _PARAM_KEYS if k in record})
    stop = given.get("stop", base.stop)
    try:
        return params.Sampling(
            max_tokens=int(given["max_tokens"]) if "max_tokens" in given else base.max_tokens,
            temperature=float(given["temperature"]) if "temperature" in given
            else base.temperature,
            top_p=float(given["top_p"]) if "top_p" in given else base.top_p,
            top_k=int(given["top_k"]) if "top_k" in given else base.top_k,
            stop=[stop] if isinstance(stop, str) else [str(s) for s in stop or []],
            seed=int(given["seed"]) if "seed" in given else base.seed,
        )
    except (TypeError, ValueError) as exc:
        raise ValueError(f"a parameter has the wrong type ({exc})") from None


class RequestBuilder:
    def __init__(self, app: AppContext, defaults: Defaults) -> None:
        self.app = app
        self.defaults = defaults
        self._models: dict[str, Resolution] = {}
        if defaults.model:  # a bad -m is exit 2 before any call, even if records name theirs
            self.resolve(defaults.model)

    def resolve(self, name: str | None) -> Resolution:
        key = name or ""
        if key not in self._models:
            self._models[key] = self.app.resolve_model(name)
        return self._models[key]

    def check(self, record: Record) -> None:
        self.build(record)

    def build(self, record: Record) -> Built:
        try:
            return self._build(record)
        except UsageError as exc:
            raise RecordError(record.line, exc.message) from None
        except (InputShapeError, ValueError) as exc:
            raise RecordError(record.line, str(exc)) from None

    def _build(self, record: Record) -> Built:
        data = record.data
        name = data.get("model") or self.defaults.model
        if name is not None and not isinstance(name, str):
            raise ValueError("model must be a string")
        resolution = self.resolve(name)
        model = resolution.model
        model_name = model.id if model else (name or self.app.settings.model)
        if model is not None and not model.converse:
            raise ValueError(f"{model_name} is not a text model (batch run uses Converse)")
        if "modelInput" in data:
            if self.defaults.template is not None:
                raise ValueError('--template fills "prompt" records, not "modelInput" ones')
            conv = to_conversation(data["modelInput"])
            sampling = params.Sampling(conv.max_tokens, conv.temperature, conv.top_p, conv.top_k,
                                       conv.stop, None)
            messages, system, tool_config, hints = conv.messages, conv.system, None, {}
            answer_schema = None
            if not messages:
                raise ValueError("modelInput has no messages")
        else:
            text = data.get("prompt", data.get("text"))
            template_system = None
            if self.defaults.template is not None:
                template_system, text = _templated(self.defaults, data, text)
            if not isinstance(text, str) or not text.strip():
                raise ValueError('no "prompt" (a non-empty string)')
            system_text = data.get("system", self.defaults.system or template_system)
            if system_text is not None and not isinstance(system_text, str):
                raise ValueError("system must be a string")
            prompt = task_prompt(self.defaults.task, text, [system_text] if system_text else [],
                                 data, self.defaults)
            messages = [{"role": "user", "content": [{"text": prompt.text}]}]
            system, tool_config, hints = prompt.system, prompt.tool_config, prompt.hints
            answer_schema = prompt.schema
            sampling = _sampling(data, self.defaults.sampling)
            if sampling.temperature is None:
                sampling.temperature = prompt.temperature
        params.validate(sampling, model, model_name)
        if system and model is not None and not model.system_prompt:
            if "modelInput" in data or data.get("system") or self.defaults.system:
                raise ValueError(f"{model_name} does not take a system prompt")
            messages[-1]["content"].insert(0, {"text": "\n".join(system)})  # a task's own
            system = []
        if tool_config and model is not None and not model.tools:
            raise ValueError(f"{model_name} does not take tools, which extract needs")
        from bedrock_cli.tasks.common import meta_value

        metadata = {"task": self.defaults.task}
        metadata.update({k: meta_value(v) for k, v in hints.items() if v})
        if sampling.seed is not None:
            metadata["seed"] = str(sampling.seed)
        request = TextRequest(
            model_id=resolution.model_id, messages=messages, system=system,
            max_tokens=sampling.max_tokens, temperature=sampling.temperature,
            top_p=sampling.top_p, stop=list(sampling.stop),
            additional_fields=params.additional_fields(sampling, model),
            metadata=metadata, tool_config=tool_config,
        )
        return Built(request, model, model_name, answer_schema)


def _templated(defaults: Defaults, data: dict[str, Any], text: Any) -> tuple[str | None, str]:
    """(system, prompt) of a record through `--template`: the record's scalar fields are
    the variables (over -p values); its "prompt"/"text" is {input}."""
    assert defaults.template is not None
    values = dict(defaults.variables)
    values.update({str(k): str(v) for k, v in data.items()
                   if isinstance(v, str | int | float | bool) and k not in ("prompt", "text")})
    return defaults.template.render(values, text if isinstance(text, str) else None)


def load_schema(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        schema = json.loads(text)
    except ValueError as exc:
        raise UsageError(f"The schema is not valid JSON: {exc}.", "Pass a JSON Schema object.") \
            from None
    if not isinstance(schema, dict):
        raise UsageError("The schema must be a JSON object.", "Pass a JSON Schema object.")
    return schema
