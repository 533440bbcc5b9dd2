"""`image`: turn the command's options into checked requests for the model's family.

No printing and no calls here: `build` refuses (exit 2) everything Bedrock would refuse —
sizes, seeds, cfg, steps, strengths, prompt lengths, counts, input images — names the nearest
valid value, and plans where every image will be written. `run.run` makes the calls.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import UsageError
from bedrock_cli.families.images import ImageFamily, ImageRequest, family_for
from bedrock_cli.tasks.image import checks, files
from bedrock_cli.tasks.image.inputs import InputImage, extend_canvas, load, same_size

if TYPE_CHECKING:
    from bedrock_cli.catalog import ImageLimits, ModelInfo, Resolution


@dataclass
class ImageInput:
    prompt: str | None = None
    model: str | None = None
    out: str | None = None  # as typed: a trailing slash means a directory
    count: int = 1
    width: int | None = None
    height: int | None = None
    size: str | None = None
    aspect: str | None = None
    negative: str | None = None
    cfg_scale: float | None = None
    seed: int | None = None
    quality: str | None = None
    steps: int | None = None
    force: bool = False
    source: Path | None = None  # --from
    strength: float | None = None
    mask: Path | None = None
    mask_prompt: str | None = None
    outpaint: bool = False
    remove_background: bool = False
    colors: str | None = None
    condition: Path | None = None
    control: str | None = None
    control_strength: float | None = None
    save_steps: bool = False


@dataclass
class Call:
    request: ImageRequest
    targets: list[files.Target]


@dataclass
class ImagePlan:
    model: ModelInfo
    model_id: str
    family: ImageFamily
    task: str
    calls: list[Call]
    fmt: str
    prompt: str
    save_steps: bool
    width: int | None = None
    height: int | None = None
    params: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(call.request.count for call in self.calls)


def build(resolution: Resolution, wanted: str, image_models: list[ModelInfo],
          inp: ImageInput) -> ImagePlan:
    """The calls to make: `resolution` is the model `wanted` resolved, `image_models` the
    catalog's image models (for a hint naming one that can do the task)."""
    model = resolution.model
    if model is None or model.image is None:
        raise UsageError(f"{wanted} is not an image model bedrock-cli knows.",
                         "See `bedrock-cli models list --modality image`.")
    family, limits = family_for(model.family), model.image
    task = task_for(inp, family)
    checks.check_task(task, model, limits, image_models)
    _check_combinations(inp, task, family, model)
    base = ImageRequest(task=task)
    notes: list[str] = []
    _texts(inp, base, task, family, limits, model)
    _numbers(inp, base, task, limits, model)
    source = _inputs(inp, base, task, family, model)
    _sizes(inp, base, task, family, limits, model, source, notes)
    fmt = _format(inp, base, task, limits)
    plan = ImagePlan(model, resolution.model_id, family, task, [], fmt, base.prompt,
                     inp.save_steps, base.width, base.height, notes=notes)
    _split(inp, base, limits, plan)
    plan.params = _params(inp, base, plan)
    return plan


def task_for(inp: ImageInput, family: ImageFamily) -> str:
    if inp.remove_background:
        return "background-removal"
    if inp.outpaint:
        return "outpainting"
    if inp.mask is not None or inp.mask_prompt:
        return "inpainting"
    if inp.colors:
        return "color-guided"
    if inp.condition is not None:
        return "conditioning"
    if inp.source is not None:
        return family.variation_task
    return "text-to-image"


def _check_combinations(inp: ImageInput, task: str, family: ImageFamily,
                        model: ModelInfo) -> None:
    needs_source = task in ("background-removal", "outpainting", "inpainting")
    if needs_source and inp.source is None:
        raise UsageError(f"{checks.TASK_LABELS[task]} needs an input image.",
                         "Pass it with --from IMG.")
    if task == "conditioning" and inp.source is not None:
        raise UsageError("--condition and --from cannot be combined.",
                         "Use --condition IMG to keep a layout, or --from IMG to vary an image.")
    if inp.mask is not None and inp.mask_prompt:
        raise UsageError("--mask and --mask-prompt cannot be combined.", "Use one of them.")
    if task == "background-removal" and (inp.mask or inp.mask_prompt or inp.outpaint):
        raise UsageError("--remove-background takes no mask and no --outpaint.",
                         "Run the edits one after the other.")
    if inp.strength is not None and task not in ("image-variation", "image-to-image"):
        raise UsageError("--strength applies to image-to-image (--from IMG) only.",
                         "Drop --strength.")
    if (inp.control or inp.control_strength is not None) and inp.condition is None:
        raise UsageError("--control and --control-strength need --condition IMG.",
                         "Add --condition IMG, or drop them.")
    if inp.control and inp.control not in ("canny", "segmentation"):
        raise UsageError(f"--control {inp.control!r} is not canny or segmentation.",
                         "Use --control canny (edges) or --control segmentation (regions).")
    if inp.mask_prompt and family.name == "sdxl":
        raise UsageError(f"{model.name} takes a mask image, not a mask prompt.",
                         "Use --mask IMG, or -m canvas / -m titan-image for --mask-prompt.")
    if task == "outpainting" and inp.mask is None and not inp.mask_prompt and not (
            inp.size or inp.width or inp.height or inp.aspect):
        raise UsageError("--outpaint needs to know what to keep or how far to extend.",
                         "Add --mask IMG or --mask-prompt TEXT (what to keep), or a larger "
                         "--size to extend the canvas.")


def _texts(inp: ImageInput, r: ImageRequest, task: str, family: ImageFamily,
           limits: ImageLimits, model: ModelInfo) -> None:
    prompt = (inp.prompt or "").strip()
    if task == "background-removal":
        if prompt or inp.negative:
            raise UsageError("--remove-background takes no prompt.", "Drop the prompt.")
        return
    # Nova Canvas and Titan make the text optional for variations and inpainting; Titan
    # requires it for outpainting ([ref] §3.1); Stability and SDXL always require a prompt
    optional = task in ("image-variation", "inpainting") or (
        task == "outpainting" and model.family == "nova-canvas")
    if not prompt and not optional:
        raise UsageError("No prompt given.", 'Pass one: bedrock-cli image "a blue sky".')
    checks.check_text("prompt", prompt, limits.prompt_max_chars, model.name)
    checks.check_text("negative prompt", inp.negative or "", limits.negative_prompt_max_chars,
                      model.name)
    r.prompt, r.negative = prompt, (inp.negative or "").strip()
    if inp.mask_prompt is not None:
        if not inp.mask_prompt.strip():
            raise UsageError("--mask-prompt is empty.", "Describe the region, e.g. 'the sky'.")
        checks.check_text("mask prompt", inp.mask_prompt, limits.prompt_max_chars, model.name)
        r.mask_prompt = inp.mask_prompt.strip()


def _numbers(inp: ImageInput, r: ImageRequest, task: str, limits: ImageLimits,
             model: ModelInfo) -> None:
    name = model.name
    checks.in_range("-n", inp.count, 1, checks.MAX_COUNT, "bedrock-cli")
    if inp.seed is not None:
        checks.in_range("--seed", inp.seed, limits.seed_min, limits.seed_max, name)
    if inp.cfg_scale is not None:
        if limits.cfg_min is None or limits.cfg_max is None:
            raise UsageError(f"{name} has no cfg scale.",
                             "Drop --cfg-scale (Nova Canvas, Titan Image and SDXL take one).")
        checks.in_range("--cfg-scale", inp.cfg_scale, limits.cfg_min, limits.cfg_max, name)
        r.cfg_scale = inp.cfg_scale
    if inp.steps is not None:
        if limits.steps_min is None or limits.steps_max is None:
            raise UsageError(f"{name} has no step count.",
                             "Drop --steps (of the image models only SDXL takes one).")
        checks.in_range("--steps", inp.steps, limits.steps_min, limits.steps_max, name)
        r.steps = inp.steps
    if inp.quality is not None:
        if not limits.qualities:
            raise UsageError(f"{name} has no quality setting.", "Drop --quality.")
        if inp.quality not in limits.qualities:
            raise UsageError(f"--quality {inp.quality!r} is not one of {name}'s.",
                             f"Use --quality {' or --quality '.join(limits.qualities)}.")
        r.quality = inp.quality
    if inp.strength is not None:  # similarityStrength is 1 - strength and at least 0.2
        top = 0.8 if task == "image-variation" else 1.0
        checks.in_range("--strength", inp.strength, 0.0, top, name)
        r.strength = inp.strength
    if inp.control_strength is not None:
        checks.in_range("--control-strength", inp.control_strength, 0.0, 1.0, name)
        r.control_strength = inp.control_strength
    if inp.colors:
        r.colors = checks.parse_colors(inp.colors)


def _inputs(inp: ImageInput, r: ImageRequest, task: str, family: ImageFamily,
            model: ModelInfo) -> InputImage | None:
    source = None
    if inp.source is not None:
        source = load(inp.source, "--from", family.inputs, model.name)
        r.image = source.data
    if inp.mask is not None and source is not None:
        mask = load(inp.mask, "--mask", family.inputs, model.name)
        same_size(mask, source)
        r.mask_image = mask.data
    if inp.condition is not None:
        r.condition_image = load(inp.condition, "--condition", family.inputs, model.name).data
        r.control = inp.control or "canny"
    return source


def _sizes(inp: ImageInput, r: ImageRequest, task: str, family: ImageFamily,
           limits: ImageLimits, model: ModelInfo, source: InputImage | None,
           notes: list[str]) -> None:
    name = model.name
    if inp.size and (inp.width or inp.height):
        raise UsageError("--size cannot be combined with --width/--height.", "Use one form.")
    if inp.aspect and (inp.size or inp.width or inp.height):
        raise UsageError("--aspect cannot be combined with a size.", "Use one of them.")
    given: tuple[int, int] | None = None
    if inp.size:
        given = checks.parse_size(inp.size)
    elif inp.width or inp.height:
        dw, dh = limits.default_size or (1024, 1024)
        given = (inp.width or (inp.height or dh) * dw // dh,
                 inp.height or (inp.width or dw) * dh // dw)
    fixed = task in ("inpainting", "background-removal") or (
        task == "image-to-image" and family.name in ("stability", "sdxl"))
    if fixed and (given or inp.aspect):
        raise UsageError(f"{checks.TASK_LABELS[task]} on {name} keeps the input image's size.",
                         "Drop --size/--width/--height/--aspect (resize the input instead).")
    if family.takes_aspect_ratio:
        if given:
            checks.check_size(limits, *given, name)  # raises: names the nearest ratio
        if task == "text-to-image":
            r.aspect_ratio = (checks.check_aspect(limits, *checks.parse_aspect(inp.aspect), name)
                              if inp.aspect else limits.default_aspect_ratio)
        return
    if fixed:
        return
    if task == "outpainting":
        _outpaint_size(inp, r, limits, name, source, given)
        return
    if inp.aspect:
        given = checks.size_for_aspect(limits, *checks.parse_aspect(inp.aspect), name)
        notes.append(f"--aspect {inp.aspect}: {given[0]}x{given[1]}")
    elif given is None and source is not None:  # vary an image: keep its shape
        given = limits.nearest_size(source.width, source.height)
        if given != (source.width, source.height):
            notes.append(_resized_note(name, limits, source, given))
    if given is None:
        given = limits.default_size or (1024, 1024)
    checks.check_size(limits, *given, name)
    r.width, r.height = given


def _resized_note(name: str, limits: ImageLimits, source: InputImage,
                  given: tuple[int, int]) -> str:
    """Why image-to-image on this model cannot give back the input's exact size."""
    why = (f"sides in multiples of {limits.multiple_of}" if limits.multiple_of > 1
           else "only its own sizes")
    return (f"{name} makes {why}: the result is {given[0]}x{given[1]}, not the input's "
            f"{source.width}x{source.height} (sd3, ultra and sdxl keep the input's size)")


def _outpaint_size(inp: ImageInput, r: ImageRequest, limits: ImageLimits, name: str,
                   source: InputImage | None, given: tuple[int, int] | None) -> None:
    """Outpainting to a larger canvas: the input centred on it, a mask keeping the input."""
    if source is None or (given is None and not inp.aspect):
        return  # outpaint around --mask / --mask-prompt at the input's size
    if inp.mask is not None or inp.mask_prompt:
        raise UsageError("--outpaint takes either a larger size (to extend the canvas) or "
                         "--mask/--mask-prompt (what to keep), not both.", "Drop one of them.")
    if given is None:  # --aspect: the smallest canvas of that shape around the input
        aw, ah = checks.parse_aspect(str(inp.aspect))
        step = limits.multiple_of or 1
        width = max(source.width, -(-source.height * aw // ah))
        height = max(source.height, -(-source.width * ah // aw))
        given = (-(-width // step) * step, -(-height // step) * step)
    checks.check_size(limits, *given, name)
    if given == (source.width, source.height):
        raise UsageError(f"--outpaint to {given[0]}x{given[1]} adds nothing to the "
                         f"{source.width}x{source.height} input.", "Give a larger --size.")
    r.image, r.mask_image = extend_canvas(source, *given)


def _format(inp: ImageInput, r: ImageRequest, task: str, limits: ImageLimits) -> str:
    fmt = files.wanted_format(inp.out) or "png"
    if task == "background-removal" and fmt == "jpeg":
        raise UsageError("Background removal makes a transparent PNG; JPEG has no transparency.",
                         "Use a .png (or .webp) output name.")
    if limits.output_formats and len(limits.output_formats) > 1:
        r.output_format = fmt if fmt in limits.output_formats else "png"
    return fmt


def _split(inp: ImageInput, base: ImageRequest, limits: ImageLimits, plan: ImagePlan) -> None:
    """Requests of at most the model's images per call; seeds seed, seed+1, ... per call."""
    low, high = max(limits.seed_min, 1), limits.seed_max or 2**31 - 1
    seed = inp.seed if inp.seed is not None else low + secrets.randbelow(high - low + 1)
    per_call = max(1, limits.max_images)
    keys: list[str] = []
    counts = []
    remaining, offset = inp.count, 0
    while remaining:
        n = min(per_call, remaining)
        call_seed = limits.seed_min + (seed - limits.seed_min + offset) % (
            high - limits.seed_min + 1)
        counts.append((call_seed, n))
        keys += [str(call_seed)] if n == 1 else [f"{call_seed}-{i}" for i in range(1, n + 1)]
        remaining, offset = remaining - n, offset + n
    stem = plan.prompt or (inp.source.stem + "-nobg" if inp.source else "image")
    targets = files.plan(inp.out, stem, keys, plan.fmt, force=inp.force, steps=inp.save_steps)
    for call_seed, n in counts:
        request = ImageRequest(**{**base.__dict__, "seed": call_seed, "count": n})
        plan.calls.append(Call(request, targets[:n]))
        targets = targets[n:]


def _params(inp: ImageInput, r: ImageRequest, plan: ImagePlan) -> dict[str, Any]:
    """What history records about the call (no image bytes)."""
    data: dict[str, Any] = {"task": plan.task, "count": plan.count,
                            "seeds": [c.request.seed for c in plan.calls]}
    for key in ("negative", "width", "height", "aspect_ratio", "cfg_scale", "quality", "steps",
                "strength", "mask_prompt", "control", "control_strength", "output_format"):
        value = getattr(r, key)
        if value not in (None, ""):
            data[key] = value
    if r.colors:
        data["colors"] = list(r.colors)
    for key, path in (("from", inp.source), ("mask", inp.mask), ("condition", inp.condition)):
        if path is not None:
            data[key] = str(path)
    return data
