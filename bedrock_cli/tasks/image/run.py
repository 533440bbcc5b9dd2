"""Run an image plan: call InvokeModel per request, save what comes back, log it in history.

Images are saved as each call returns, so a failure or a content filter later on loses
nothing already made. Filtering is reported by `blocked_error` (exit 6) after the result is
printed; steps GIFs are written when the response carries them (see `families/images/base`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import BedrockCliError, BlockedError, InterruptedByUser, ServiceError
from bedrock_cli.families.images import METADATA_STEPS, METADATA_TASK
from bedrock_cli.paths import atomic_write
from bedrock_cli.tasks.image import files

if TYPE_CHECKING:
    from bedrock_cli.history import CallRecord
    from bedrock_cli.recorder import Recorder
    from bedrock_cli.runtime import Runtime
    from bedrock_cli.tasks.image.plan import Call, ImagePlan


@dataclass
class SavedImage:
    path: Path
    seed: int | None
    width: int
    height: int
    steps: Path | None = None


@dataclass
class ImageOutcome:
    model_name: str
    model_id: str
    backend: str
    task: str
    requested: int
    images: list[SavedImage] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    steps_missing: bool = False
    cost_usd: float | None = None
    latency_ms: int = 0
    history_id: str | None = None
    #: what stopped the run early (an error or Ctrl-C); what was saved before it is kept
    failure: BaseException | None = None

    @property
    def files(self) -> list[Path]:
        out = []
        for image in self.images:
            out.append(image.path)
            if image.steps is not None:
                out.append(image.steps)
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "files": [str(p) for p in self.files],
            "images": [{"path": str(i.path), "seed": i.seed, "width": i.width,
                        "height": i.height, "steps_gif": str(i.steps) if i.steps else None}
                       for i in self.images],
            "seeds": [i.seed for i in self.images],
            "model": self.model_name,
            "model_id": self.model_id,
            "backend": self.backend,
            "task": self.task,
            "requested": self.requested,
            "blocked": self.blocked or None,
            "cost_usd": self.cost_usd,
            "latency_ms": self.latency_ms,
            "history_id": self.history_id,
        }


def run(runtime: Runtime, recorder: Recorder, plan: ImagePlan,
        on_call: Callable[[int], None] | None = None) -> ImageOutcome:
    """Make every call of the plan; `on_call(images_so_far)` after each one. An error or
    Ctrl-C stops the run: it is kept in `outcome.failure`, with what was saved before it.
    The recorder prices, meters and logs the run."""
    outcome = ImageOutcome(plan.model.id, plan.model_id, recorder.backend, plan.task,
                           plan.count)
    metadata = json.dumps(METADATA_STEPS if plan.save_steps else METADATA_TASK)
    started = time.perf_counter()
    try:
        for call in plan.calls:
            _one(runtime, plan, call, metadata, outcome)
            if on_call is not None:
                on_call(len(outcome.images))
    except (BedrockCliError, KeyboardInterrupt) as exc:
        outcome.failure = exc
    outcome.latency_ms = int((time.perf_counter() - started) * 1000)
    first = plan.calls[0].request
    outcome.cost_usd = recorder.image_price(
        plan.model, len(outcome.images), quality=first.quality, width=plan.width,
        height=plan.height, steps=first.steps)
    recorder.images(plan.model, len(outcome.images), outcome.cost_usd, outcome.latency_ms)
    outcome.history_id = recorder.log(_history_record(plan, outcome, outcome.failure))
    return outcome


def _one(runtime: Runtime, plan: ImagePlan, call: Call, metadata: str,
         outcome: ImageOutcome) -> None:
    from bedrock_cli.calls import ImageCall

    result = runtime.image(ImageCall(plan.model_id, plan.family, call.request, metadata))
    outcome.blocked += result.blocked
    outcome.errors += result.errors
    asked = (call.request.width, call.request.height)
    for i, (target, image) in enumerate(zip(call.targets, result.images, strict=False)):
        got = _measure(image)
        if None not in asked and got != asked:
            # not the picture asked for: saving it where the result goes would pass it off as
            # one (scripts take the paths printed as the result); say what came back instead
            outcome.errors.append(f"it came back {got[0]}x{got[1]} instead of the "
                                  f"{asked[0]}x{asked[1]} asked for, and was not saved")
            continue
        width, height = _save(target, image, plan.fmt)
        seed = result.seeds[i] if i < len(result.seeds) and result.seeds[i] is not None \
            else call.request.seed
        saved = SavedImage(target.path, seed, width, height)
        if target.steps is not None:
            if i < len(result.steps):
                atomic_write(target.steps, result.steps[i])
                saved.steps = target.steps
            else:
                outcome.steps_missing = True
        outcome.images.append(saved)


def _save(target: Any, image: bytes, fmt: str) -> tuple[int, int]:
    with _readable():
        return files.save(target.path, image, fmt)


def _measure(image: bytes) -> tuple[int, int]:
    with _readable():
        return files.measure(image)


@contextmanager
def _readable() -> Iterator[None]:
    from PIL import Image, UnidentifiedImageError

    try:
        yield
    except (UnidentifiedImageError, Image.DecompressionBombError, SyntaxError,
            ValueError) as exc:
        raise ServiceError(f"The model sent an image that cannot be read ({exc}).",
                           "Retry the request.") from None


def _history_record(plan: ImagePlan, outcome: ImageOutcome,
                    failure: BaseException | None) -> CallRecord:
    """What history keeps of the run: the files written, not the images."""
    from bedrock_cli.history import CallRecord

    status = "complete" if failure is None and not outcome.blocked and not outcome.errors \
        else ("partial" if outcome.images else "error")
    error = (str(getattr(failure, "message", "Interrupted.")) if failure is not None
             else "; ".join(outcome.blocked + outcome.errors) or None)
    return CallRecord(
        command="image", status=status, model=plan.model.id, model_id=plan.model_id,
        backend=outcome.backend, prompt=plan.prompt or None,
        params={**plan.params, "files": [str(p) for p in outcome.files]},
        response="\n".join(str(p) for p in outcome.files) or None,
        stop_reason="content_filtered" if outcome.blocked else None,
        cost_usd=outcome.cost_usd, latency_ms=outcome.latency_ms, error=error)


def final_error(outcome: ImageOutcome) -> BaseException | None:
    """What to raise once the result is shown: the failure that stopped the run (Ctrl-C:
    exit 130), content filtering (exit 6), or a model error (exit 5); None when all went well."""
    kept = len(outcome.images)
    saved = (f"the {kept} image{'s' if kept != 1 else ''} that came back "
             f"{'were' if kept != 1 else 'was'} saved" if kept else "nothing was saved")
    if isinstance(outcome.failure, KeyboardInterrupt):
        return InterruptedByUser(f"Interrupted; {saved}.", None)
    if outcome.failure is not None:
        if kept and isinstance(outcome.failure, BedrockCliError):
            outcome.failure.message += f" ({saved} before it)"
        return outcome.failure
    if outcome.blocked:
        missing = outcome.requested - kept
        what = "; ".join(dict.fromkeys(outcome.blocked))
        return BlockedError(
            f"Bedrock's content filter blocked {missing} of {outcome.requested} image"
            f"{'s' if outcome.requested != 1 else ''} ({what}); {saved}.",
            "Rephrase the prompt (or use a different input image) and try again.")
    if outcome.errors:
        return ServiceError(f"The model failed to make {outcome.requested - kept} image(s) "
                            f"({'; '.join(dict.fromkeys(outcome.errors))}); {saved}.",
                            "Retry; if it persists, try another seed or model.")
    return None
