"""`bedrock-cli image`: text-to-image, image-to-image and edits (InvokeModel)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from bedrock_cli.cli.options import common_command, complete_image_model
from bedrock_cli.context import AppContext
from bedrock_cli.inputs import read_stdin

EDITS = "Image-to-image and edits"


def _opt(*names: str, help: str, panel: str | None = None, **extra: Any) -> Any:
    return typer.Option(*names, help=help, show_default=False, rich_help_panel=panel, **extra)


@common_command
def image(
    app: AppContext,
    prompt: Annotated[str | None, typer.Argument(
        help="What to draw (optional for --remove-background). Piped stdin is used when no "
             "argument is given.", show_default=False)] = None,
    model: Annotated[str | None, _opt("--model", "-m", help=(
        "Image model: canvas (default), titan-image, sd3, ultra, core, sdxl, or an id."),
        autocompletion=complete_image_model)] = None,
    out: Annotated[str | None, _opt("--out", "-o", help=(
        "File or directory to write (default: the current directory, names from the prompt "
        "and seed)."))] = None,
    count: Annotated[int, typer.Option("--count", "-n", help="How many images (1 to 10).")] = 1,
    width: Annotated[int | None, _opt("--width", help="Width in pixels.")] = None,
    height: Annotated[int | None, _opt("--height", help="Height in pixels.")] = None,
    size: Annotated[str | None, _opt("--size", help="WIDTHxHEIGHT, e.g. 1024x1024.")] = None,
    aspect: Annotated[str | None, _opt("--aspect", help=(
        "Aspect ratio W:H (Stability models take ratios, not sizes)."))] = None,
    negative: Annotated[str | None, _opt("--negative", help="What the image must not show.")]
    = None,
    cfg_scale: Annotated[float | None, _opt("--cfg-scale", help=(
        "How strictly to follow the prompt (Canvas/Titan 1.1-10, SDXL 0-35)."))] = None,
    seed: Annotated[int | None, _opt("--seed", help=(
        "Seed (random when omitted; the seed used is in the file name and --json)."))] = None,
    quality: Annotated[str | None, _opt("--quality", help="standard or premium (Canvas/Titan).")]
    = None,
    steps: Annotated[int | None, _opt("--steps", help="Diffusion steps (SDXL: 10-150).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files.")] = False,
    source: Annotated[Path | None, _opt("--from", help=(
        "Input image: image-to-image, or the image to edit."), panel=EDITS)] = None,
    strength: Annotated[float | None, _opt("--strength", help=(
        "How far to move from --from: 0 keeps it, 1 ignores it."), panel=EDITS)] = None,
    mask: Annotated[Path | None, _opt("--mask", help=(
        "Mask image, same size as --from: black marks the region (repainted by inpainting, "
        "kept by --outpaint)."), panel=EDITS)] = None,
    mask_prompt: Annotated[str | None, _opt("--mask-prompt", help=(
        "Describe the region instead of a mask, e.g. 'the sky' (Canvas/Titan)."), panel=EDITS)]
    = None,
    outpaint: Annotated[bool, typer.Option("--outpaint", help=(
        "Extend --from to a larger --size/--aspect, or regenerate around the masked region."),
        rich_help_panel=EDITS)] = False,
    remove_background: Annotated[bool, typer.Option("--remove-background", help=(
        "Make the background of --from transparent (PNG)."), rich_help_panel=EDITS)] = False,
    colors: Annotated[str | None, _opt("--colors", help=(
        "Colour palette '#RRGGBB,...' (1 to 10; --from becomes the reference image)."),
        panel=EDITS)] = None,
    condition: Annotated[Path | None, _opt("--condition", help=(
        "Image whose layout to follow (Canvas, Titan v2)."), panel=EDITS)] = None,
    control: Annotated[str | None, _opt("--control", help=(
        "How --condition guides: canny (edges, default) or segmentation."), panel=EDITS)] = None,
    control_strength: Annotated[float | None, _opt("--control-strength", help=(
        "How strongly --condition guides, 0 to 1 (default 0.7)."), panel=EDITS)] = None,
    save_steps: Annotated[bool, typer.Option("--save-steps", help=(
        "Also write OUT.steps.gif showing the noise clearing (when the backend returns "
        "the steps: the local backend does, Bedrock does not)."))] = False,
    preview: Annotated[bool, typer.Option("--preview", help=(
        "Show a small preview on the terminal."))] = False,
) -> None:
    """Generate or edit images (Nova Canvas, Titan Image, Stability, SDXL)."""
    from bedrock_cli.output import images as show
    from bedrock_cli.tasks.image import plan as task
    from bedrock_cli.tasks.image import run as image_run

    text = prompt if prompt is not None else read_stdin()
    inp = task.ImageInput(
        prompt=text, model=model, out=out, count=count, width=width, height=height, size=size,
        aspect=aspect, negative=negative, cfg_scale=cfg_scale, seed=seed, quality=quality,
        steps=steps, force=force, source=source, strength=strength, mask=mask,
        mask_prompt=mask_prompt, outpaint=outpaint, remove_background=remove_background,
        colors=colors, condition=condition, control=control, control_strength=control_strength,
        save_steps=save_steps)
    plan = task.build(app.resolve_model(inp.model, kind="image_model"),
                      inp.model or app.settings.image_model,
                      app.catalog.models(modality="image"), inp)
    output = app.output
    for note in plan.notes:
        output.notice(note)
    label = f"{plan.model.name}: {plan.count} image{'s' if plan.count != 1 else ''}"
    with show.progress(output, plan.count, label) as advance:
        outcome = image_run.run(app.runtime, app.recorder, plan, advance)
    if outcome.failure is not None and not outcome.images:
        raise image_run.final_error(outcome) or outcome.failure
    if output.json_mode:
        output.json(outcome.to_json())
    else:
        for path in outcome.files:
            output.write(f"{path}\n")
    if outcome.steps_missing:
        output.warn("the response carried no intermediate steps (Bedrock returns only final "
                    "images; the local backend returns them), so no .steps.gif was written.")
    if preview:
        for saved in outcome.images:
            if not show.preview(output, saved.path.read_bytes()):
                output.notice("--preview needs a colour terminal on stderr; skipped.")
                break
    cost = "cost unknown" if outcome.cost_usd is None else f"${outcome.cost_usd:.3f}"
    output.notice(f"{plan.model.name}: {len(outcome.images)} of {plan.count} image"
                  f"{'s' if plan.count != 1 else ''}, {cost}, {outcome.latency_ms} ms")
    problem = image_run.final_error(outcome)
    if problem is not None:
        raise problem
