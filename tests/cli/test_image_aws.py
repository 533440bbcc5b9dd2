"""`image` on the AWS path: the real boto3 client against a scripted endpoint. Each family gets
its exact native body; responses (filtering included) are parsed and saved."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests import helpers
from tests.fake_endpoint import FakeEndpoint
from tests.helpers import Run


def aws(endpoint: FakeEndpoint, *args: str) -> Run:
    return helpers.aws(endpoint, "image", *args)


def png(width: int = 64, height: int = 64, color: tuple[int, ...] = (20, 80, 200),
        mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def only_body(endpoint: FakeEndpoint, model: str) -> dict[str, Any]:
    [request] = endpoint.requests
    assert request.path == f"/model/{model.replace(':', '%3A')}/invoke"
    assert request.headers["Content-Type"] == "application/json"
    return request.json()


def test_canvas_text_to_image_exact_body_and_result(endpoint: FakeEndpoint) -> None:
    endpoint.add_json({"images": [b64(png(1280, 720))], "error": None})
    run = aws(endpoint, "a red fox", "--seed", "7", "--size", "1280x720", "--negative",
              "blurry", "--cfg-scale", "6.5", "--quality", "premium", "--json")
    assert run.exit_code == 0, run.stderr
    assert only_body(endpoint, "amazon.nova-canvas-v1:0") == {
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {"text": "a red fox", "negativeText": "blurry"},
        "imageGenerationConfig": {"numberOfImages": 1, "seed": 7, "width": 1280,
                                  "height": 720, "cfgScale": 6.5, "quality": "premium"}}
    headers = endpoint.requests[0].headers
    assert json.loads(headers["X-Amzn-Bedrock-Request-Metadata"]) == {"task": "image"}
    result = run.json()
    assert result["files"] == [str(Path.cwd() / "a-red-fox-7.png")]
    assert result["seeds"] == [7] and result["backend"] == "aws"
    assert result["model_id"] == "amazon.nova-canvas-v1:0"
    assert result["cost_usd"] == pytest.approx(0.06)  # premium, up to 1024x1024... 1280x720
    assert isinstance(result["history_id"], str)
    assert Image.open("a-red-fox-7.png").size == (1280, 720)


def test_canvas_several_images_one_request(endpoint: FakeEndpoint, tmp_path: Path) -> None:
    picture = b64(png(1024, 1024))  # the default size, as asked
    endpoint.add_json({"images": [picture, picture, picture]})
    run = aws(endpoint, "three cats", "-n", "3", "--seed", "100", "-o", str(tmp_path) + "/")
    assert run.exit_code == 0, run.stderr
    body = only_body(endpoint, "amazon.nova-canvas-v1:0")
    assert body["imageGenerationConfig"] == {"numberOfImages": 3, "seed": 100, "width": 1024,
                                             "height": 1024}
    assert run.stdout.splitlines() == [str(tmp_path / f"three-cats-100-{i}.png")
                                       for i in (1, 2, 3)]


@pytest.mark.parametrize(("args", "body"), [
    (["--from", "{img}", "--strength", "0.4", "anime style"],
     {"taskType": "IMAGE_VARIATION",
      "imageVariationParams": {"images": ["{img64}"], "text": "anime style",
                               "similarityStrength": 0.6},
      "imageGenerationConfig": {"numberOfImages": 1, "seed": 5, "width": 400,
                                "height": 320}}),
    (["--from", "{img}", "--mask-prompt", "the sky", "a yellow sun"],
     {"taskType": "INPAINTING",
      "inPaintingParams": {"image": "{img64}", "text": "a yellow sun", "maskPrompt": "the sky"},
      "imageGenerationConfig": {"numberOfImages": 1, "seed": 5}}),
    (["--from", "{img}", "--mask", "{mask}", "a yellow sun"],
     {"taskType": "INPAINTING",
      "inPaintingParams": {"image": "{img64}", "text": "a yellow sun", "maskImage": "{mask64}"},
      "imageGenerationConfig": {"numberOfImages": 1, "seed": 5}}),
    (["--from", "{img}", "--outpaint", "--mask", "{mask}", "a beach"],
     {"taskType": "OUTPAINTING",
      "outPaintingParams": {"image": "{img64}", "text": "a beach", "maskImage": "{mask64}"},
      "imageGenerationConfig": {"numberOfImages": 1, "seed": 5}}),
    (["--colors", "#ff9800, 1e88e5", "a city"],
     {"taskType": "COLOR_GUIDED_GENERATION",
      "colorGuidedGenerationParams": {"text": "a city", "colors": ["#FF9800", "#1E88E5"]},
      "imageGenerationConfig": {"numberOfImages": 1, "seed": 5, "width": 1024,
                                "height": 1024}}),
    (["--condition", "{img}", "--control", "segmentation", "--control-strength", "0.4",
      "a castle"],
     {"taskType": "TEXT_IMAGE",
      "textToImageParams": {"text": "a castle", "conditionImage": "{img64}",
                            "controlMode": "SEGMENTATION", "controlStrength": 0.4},
      "imageGenerationConfig": {"numberOfImages": 1, "seed": 5, "width": 1024,
                                "height": 1024}}),
    (["--from", "{img}", "--remove-background"],
     {"taskType": "BACKGROUND_REMOVAL", "backgroundRemovalParams": {"image": "{img64}"}}),
], ids=["variation", "inpaint-prompt", "inpaint-mask", "outpaint-mask", "colors", "condition",
        "background"])
def test_canvas_edit_tasks_exact_bodies(endpoint: FakeEndpoint, tmp_path: Path,
                                        args: list[str], body: dict[str, Any]) -> None:
    image = write(tmp_path / "photo.png", png(400, 320))
    mask = write(tmp_path / "mask.png", png(400, 320, (0,), mode="L"))
    values = {"{img}": str(image), "{mask}": str(mask), "{img64}": b64(image.read_bytes()),
              "{mask64}": b64(mask.read_bytes())}
    config = body.get("imageGenerationConfig") or {}  # the size asked for, else the input's
    endpoint.add_json({"images": [b64(png(config.get("width", 400), config.get("height", 320)))],
                       "error": None})
    run = aws(endpoint, *[values.get(a, a) for a in args], "--seed", "5", "-o",
              str(tmp_path / "out.png"))
    assert run.exit_code == 0, run.stderr
    expected = json.loads(json.dumps(body).replace('"{img64}"', json.dumps(values["{img64}"]))
                          .replace('"{mask64}"', json.dumps(values["{mask64}"])))
    assert only_body(endpoint, "amazon.nova-canvas-v1:0") == expected


def test_canvas_outpaint_to_a_larger_canvas_sends_padded_image_and_mask(
        endpoint: FakeEndpoint, tmp_path: Path) -> None:
    image = write(tmp_path / "photo.png", png(400, 320, (200, 30, 30)))
    endpoint.add_json({"images": [b64(png(640, 480))]})
    run = aws(endpoint, "a beach", "--from", str(image), "--outpaint", "--size", "640x480",
              "--seed", "1", "-o", str(tmp_path / "wide.png"))
    assert run.exit_code == 0, run.stderr
    params = only_body(endpoint, "amazon.nova-canvas-v1:0")["outPaintingParams"]
    canvas = Image.open(io.BytesIO(base64.b64decode(params["image"])))
    mask = Image.open(io.BytesIO(base64.b64decode(params["maskImage"])))
    assert canvas.size == mask.size == (640, 480)
    assert canvas.convert("RGB").getpixel((320, 240)) == (200, 30, 30)
    assert mask.getpixel((320, 240)) == 0 and mask.getpixel((5, 5)) == 255  # black = keep


def test_titan_body(endpoint: FakeEndpoint) -> None:
    endpoint.add_json({"images": [b64(png(768, 1152))], "error": None})
    run = aws(endpoint, "a lighthouse", "-m", "titan-image", "--size", "768x1152", "--seed",
              "3")
    assert run.exit_code == 0, run.stderr
    assert only_body(endpoint, "amazon.titan-image-generator-v2:0") == {
        "taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a lighthouse"},
        "imageGenerationConfig": {"numberOfImages": 1, "seed": 3, "width": 768,
                                  "height": 1152}}


def test_stability_bodies_and_one_request_per_image(endpoint: FakeEndpoint,
                                                    tmp_path: Path) -> None:
    for seed in (41, 42):
        endpoint.add_json({"seeds": [seed], "finish_reasons": [None],
                           "images": [b64(png(96, 54))]})
    run = aws(endpoint, "green hills", "-m", "sd3", "--region", "us-west-2", "--aspect",
              "16:9", "-n", "2", "--seed", "41", "--negative", "people", "-o",
              str(tmp_path / "hills.jpg"), "--json")
    assert run.exit_code == 0, run.stderr
    bodies = [r.json() for r in endpoint.requests]
    assert bodies == [{"prompt": "green hills", "mode": "text-to-image",
                       "negative_prompt": "people", "aspect_ratio": "16:9", "seed": seed,
                       "output_format": "jpeg"} for seed in (41, 42)]
    assert run.json()["seeds"] == [41, 42]
    assert [Image.open(tmp_path / f"hills-{i}.jpg").format for i in (1, 2)] == ["JPEG"] * 2


def test_stability_image_to_image_body(endpoint: FakeEndpoint, tmp_path: Path) -> None:
    image = write(tmp_path / "photo.png", png(640, 480))
    endpoint.add_json({"seeds": [9], "finish_reasons": [None], "images": [b64(png())]})
    run = aws(endpoint, "a watercolor", "-m", "ultra", "--region", "us-west-2", "--from",
              str(image), "--strength", "0.6", "--seed", "9", "-o", str(tmp_path / "w.png"))
    assert run.exit_code == 0, run.stderr
    assert only_body(endpoint, "stability.stable-image-ultra-v1:1") == {
        "prompt": "a watercolor", "mode": "image-to-image", "image": b64(image.read_bytes()),
        "strength": 0.6, "seed": 9, "output_format": "png"}


def test_sdxl_bodies(endpoint: FakeEndpoint, tmp_path: Path) -> None:
    image = write(tmp_path / "photo.png", png(512, 512))
    for size in ((1152, 896), (512, 512)):
        endpoint.add_json({"result": "success", "artifacts": [
            {"seed": 4, "base64": b64(png(*size)), "finishReason": "SUCCESS"}]})
    run = aws(endpoint, "a boat", "-m", "sdxl", "--size", "1152x896", "--steps", "40",
              "--cfg-scale", "9", "--negative", "fog", "--seed", "4", "-o",
              str(tmp_path / "a.png"))
    assert run.exit_code == 0, run.stderr
    run = aws(endpoint, "a boat", "-m", "sdxl", "--from", str(image), "--strength", "0.7",
              "--seed", "4", "-o", str(tmp_path / "b.png"))
    assert run.exit_code == 0, run.stderr
    assert [r.json() for r in endpoint.requests] == [
        {"text_prompts": [{"text": "a boat", "weight": 1.0}, {"text": "fog", "weight": -1.0}],
         "seed": 4, "samples": 1, "cfg_scale": 9.0, "steps": 40, "width": 1152,
         "height": 896},
        {"text_prompts": [{"text": "a boat", "weight": 1.0}], "seed": 4, "samples": 1,
         "init_image": b64(image.read_bytes()), "init_image_mode": "IMAGE_STRENGTH",
         "image_strength": 0.3}]


def test_some_images_filtered_exit_6_and_the_rest_saved(endpoint: FakeEndpoint,
                                                        tmp_path: Path) -> None:
    endpoint.add_json({"images": [b64(png(1024, 1024))], "error": "Some of the generated "
                       "images have been blocked by our content filters."})
    run = aws(endpoint, "two pictures", "-n", "2", "--seed", "3", "-o", str(tmp_path) + "/")
    assert run.exit_code == 6
    assert run.stdout.splitlines() == [str(tmp_path / "two-pictures-3-1.png")]
    assert (tmp_path / "two-pictures-3-1.png").exists()
    assert not (tmp_path / "two-pictures-3-2.png").exists()
    assert "content filter blocked 1 of 2 images" in run.stderr
    assert "Some of the generated images have been blocked" in run.stderr


def test_stability_filter_reason_exit_6_json(endpoint: FakeEndpoint, tmp_path: Path) -> None:
    endpoint.add_json({"finish_reasons": ["Filter reason: prompt"]})
    run = aws(endpoint, "something", "-m", "core", "--region", "us-west-2", "--seed", "1",
              "--json", "-o", str(tmp_path / "x.png"))
    assert run.exit_code == 6
    assert run.json()["files"] == [] and run.json()["blocked"] == ["Filter reason: prompt"]
    error = json.loads(run.stderr.strip().splitlines()[-1])["error"]
    assert error["type"] == "blocked" and "Filter reason: prompt" in error["message"]
    assert not (tmp_path / "x.png").exists()


def test_sdxl_content_filtered_artifact_exit_6(endpoint: FakeEndpoint, tmp_path: Path) -> None:
    endpoint.add_json({"result": "success", "artifacts": [
        {"seed": 1, "base64": b64(png()), "finishReason": "CONTENT_FILTERED"}]})
    run = aws(endpoint, "x", "-m", "sdxl", "--seed", "1", "-o", str(tmp_path / "x.png"))
    assert run.exit_code == 6 and "CONTENT_FILTERED" in run.stderr
    assert not (tmp_path / "x.png").exists()


def test_blocked_prompt_input_deflection_exit_6(endpoint: FakeEndpoint, tmp_path: Path) -> None:
    endpoint.add_error("ValidationException", "This request has been blocked by our content "
                       "filters. Please adjust your text prompt to submit a new request.", 400)
    run = aws(endpoint, "bad", "--seed", "1", "-o", str(tmp_path / "x.png"))
    assert run.exit_code == 6
    assert "blocked by our content filters" in run.stderr
    assert run.stdout == ""


def test_inference_error_exit_5(endpoint: FakeEndpoint, tmp_path: Path) -> None:
    endpoint.add_json({"seeds": [1], "finish_reasons": ["Inference error"], "images": []})
    run = aws(endpoint, "x", "-m", "sd3", "--region", "us-west-2", "--seed", "1", "-o",
              str(tmp_path / "x.png"))
    assert run.exit_code == 5 and "Inference error" in run.stderr


def test_save_steps_on_bedrock_says_steps_are_not_available(endpoint: FakeEndpoint,
                                                            tmp_path: Path) -> None:
    endpoint.add_json({"images": [b64(png(1024, 1024))], "error": None})
    run = aws(endpoint, "x", "--seed", "1", "--save-steps", "-o", str(tmp_path / "x.png"))
    assert run.exit_code == 0, run.stderr
    metadata = endpoint.requests[0].headers["X-Amzn-Bedrock-Request-Metadata"]
    assert json.loads(metadata) == {"task": "image", "steps": "gif"}
    assert "no intermediate steps" in run.stderr
    assert run.stdout.splitlines() == [str(tmp_path / "x.png")]
    assert not (tmp_path / "x.steps.gif").exists()


@pytest.mark.parametrize(("args", "needle"), [
    (["--size", "1000x1000", "-m", "titan-image"], "Nearest valid size: --size 1024x1024"),
    (["--size", "1000x1000"], "Nearest valid size: --size 992x992"),
    (["--size", "4096x4096"], "is more than 4,194,304 pixels"),
    (["--size", "2000x400"], "aspect ratio must be between 1:4 and 4:1"),
    (["--seed", "900000000"], "Nearest valid value: --seed 858993459"),
    (["--seed", "-1", "-m", "sd3"], "Nearest valid value: --seed 0"),
    (["--cfg-scale", "0.5"], "Nearest valid value: --cfg-scale 1.1"),
    (["--cfg-scale", "5", "-m", "sd3"], "has no cfg scale"),
    (["--steps", "5", "-m", "sdxl"], "Nearest valid value: --steps 10"),
    (["--steps", "30"], "has no step count"),
    (["--quality", "ultra"], "--quality standard or --quality premium"),
    (["--size", "1024x1024", "-m", "sd3"], "Nearest valid value: --aspect 1:1"),
    (["--aspect", "4:3", "-m", "ultra"], "Nearest valid value: --aspect 5:4"),
    (["--aspect", "8:1"], "Nearest valid value: --aspect 4:1"),
    (["-n", "0"], "Nearest valid value: -n 1"),
    (["--negative", "n" * 1100], "takes at most 1,024"),
    (["--colors", "red"], "#RRGGBB"),
    (["--strength", "0.5"], "--strength applies to image-to-image"),
    (["--control", "canny"], "need --condition"),
    (["--mask-prompt", "sky"], "needs an input image"),
], ids=lambda v: v if isinstance(v, str) else " ".join(v)[:30])
def test_refused_before_any_call(endpoint: FakeEndpoint, args: list[str], needle: str) -> None:
    run = aws(endpoint, "a picture", *args)
    assert run.exit_code == 2, run.stderr
    assert needle in run.stderr
    assert len(run.stderr.strip().splitlines()) <= 2
    assert endpoint.requests == []


@pytest.mark.parametrize(("model", "args", "needle"), [
    ("core", ["--from", "{img}"], "Use canvas, titan-image-v1, titan-image, sd3, ultra or sdxl"),
    ("sd3", ["--from", "{img}", "--outpaint", "--size", "2048x2048"], "Use canvas"),
    ("titan-image-v1", ["--colors", "#FF0000"], "Use canvas or titan-image"),
    ("sdxl", ["--from", "{img}", "--mask-prompt", "sky"], "takes a mask image"),
])
def test_families_that_cannot_do_a_task_name_those_that_can(
        endpoint: FakeEndpoint, tmp_path: Path, model: str, args: list[str],
        needle: str) -> None:
    image = write(tmp_path / "photo.png", png(640, 640))
    run = aws(endpoint, "x", "-m", model, *[str(image) if a == "{img}" else a for a in args])
    assert run.exit_code == 2 and needle in run.stderr
    assert endpoint.requests == []


@pytest.mark.parametrize(("model", "make", "needle"), [
    ("canvas", lambda p: p.write_bytes(b"not an image"), "Convert it to PNG or JPEG"),
    ("canvas", lambda p: p.write_bytes(png(100, 100)), "Nearest valid size: 320x320"),
    ("canvas", lambda p: p.write_bytes(png(4000, 2000)), "Nearest valid size: 2896x1448"),
    ("sdxl", lambda p: p.write_bytes(png(2048, 2048)), "Nearest valid size: 1024x1024"),
], ids=["not-an-image", "too-small", "too-many-pixels", "sdxl-too-big"])
def test_bad_input_images_refused_before_any_call(endpoint: FakeEndpoint, tmp_path: Path,
                                                  model: str, make: Any, needle: str) -> None:
    path = tmp_path / "input.png"
    make(path)
    run = aws(endpoint, "x", "-m", model, "--from", str(path))
    assert run.exit_code == 2 and needle in run.stderr, run.stderr
    assert endpoint.requests == []


def test_mask_must_match_the_image(endpoint: FakeEndpoint, tmp_path: Path) -> None:
    image = write(tmp_path / "photo.png", png(400, 320))
    mask = write(tmp_path / "mask.png", png(320, 320, (0,), mode="L"))
    run = aws(endpoint, "x", "--from", str(image), "--mask", str(mask))
    assert run.exit_code == 2 and "Resize the mask to 400x320" in run.stderr
    assert endpoint.requests == []


def test_a_failure_after_some_images_keeps_and_lists_them(endpoint: FakeEndpoint,
                                                          tmp_path: Path) -> None:
    endpoint.add_json({"seeds": [5], "finish_reasons": [None], "images": [b64(png())]})
    for _ in range(3):
        endpoint.add_error("ThrottlingException", "Too many requests, please wait.", 429)
    run = aws(endpoint, "hills", "-m", "sd3", "--region", "us-west-2", "-n", "2", "--seed",
              "5", "--max-attempts", "3", "-o", str(tmp_path / "h.png"))
    assert run.exit_code == 4
    assert run.stdout.splitlines() == [str(tmp_path / "h-1.png")]
    assert (tmp_path / "h-1.png").exists() and not (tmp_path / "h-2.png").exists()
    assert "the 1 image that came back was saved before it" in run.stderr


def test_ctrl_c_keeps_what_was_saved() -> None:
    from bedrock_cli.errors import ExitCode
    from bedrock_cli.tasks.image.run import ImageOutcome, SavedImage, final_error

    outcome = ImageOutcome("m", "m", "aws", "text-to-image", 2,
                           images=[SavedImage(Path("a.png"), 1, 8, 8)],
                           failure=KeyboardInterrupt())
    error = final_error(outcome)
    assert error is not None and getattr(error, "exit_code", None) == ExitCode.INTERRUPTED
    assert "the 1 image that came back was saved" in str(error)


def test_more_images_than_one_request_makes_are_split(endpoint: FakeEndpoint,
                                                      tmp_path: Path) -> None:
    endpoint.add_json({"images": [b64(png(512, 512))] * 5})
    endpoint.add_json({"images": [b64(png(512, 512))] * 2})
    run = aws(endpoint, "stars", "-n", "7", "--seed", "10", "--size", "512x512", "-o",
              str(tmp_path) + "/", "--json")
    assert run.exit_code == 0, run.stderr
    configs = [r.json()["imageGenerationConfig"] for r in endpoint.requests]
    assert [(c["numberOfImages"], c["seed"]) for c in configs] == [(5, 10), (2, 15)]
    names = [Path(f).name for f in run.json()["files"]]
    assert names == [f"stars-10-{i}.png" for i in range(1, 6)] + ["stars-15-1.png",
                                                                  "stars-15-2.png"]
    assert run.json()["cost_usd"] == pytest.approx(7 * 0.04)


def test_an_image_of_another_size_than_asked_is_not_saved_exit_5(endpoint: FakeEndpoint,
                                                                  tmp_path: Path) -> None:
    """Issue 13.15: an endpoint answering 1x1 for 1024x1024 is not a success. Saving it where
    the result goes would pass it off as the picture asked for."""
    endpoint.add_json({"images": [b64(png(1, 1))], "error": None})
    run = aws(endpoint, "a red fox", "--seed", "7", "--size", "1024x1024", "-o",
              str(tmp_path / "fox.png"), "--json")
    assert run.exit_code == 5
    assert run.json()["files"] == []
    error = json.loads(run.stderr.strip().splitlines()[-1])["error"]
    assert "came back 1x1 instead of the 1024x1024 asked for" in error["message"]
    assert "nothing was saved" in error["message"]
    assert not (tmp_path / "fox.png").exists()


def test_of_several_images_only_the_wrong_sized_one_is_refused(endpoint: FakeEndpoint,
                                                               tmp_path: Path) -> None:
    endpoint.add_json({"images": [b64(png(512, 512)), b64(png(640, 512))]})
    run = aws(endpoint, "stars", "-n", "2", "--seed", "10", "--size", "512x512", "-o",
              str(tmp_path) + "/")
    assert run.exit_code == 5
    assert run.stdout.splitlines() == [str(tmp_path / "stars-10-1.png")]
    assert not (tmp_path / "stars-10-2.png").exists()
    assert "1 image(s) (it came back 640x512 instead of the 512x512 asked for" in run.stderr
    assert "the 1 image that came back was saved" in run.stderr


def test_models_that_take_an_aspect_ratio_are_not_held_to_a_pixel_size(
        endpoint: FakeEndpoint, tmp_path: Path) -> None:
    endpoint.add_json({"seeds": [1], "finish_reasons": [None],
                       "images": [b64(png(1344, 768))]})
    run = aws(endpoint, "dunes", "-m", "sd3", "--region", "us-west-2", "--aspect", "16:9",
              "--seed", "1", "-o", str(tmp_path / "d.png"))
    assert run.exit_code == 0, run.stderr
    assert Image.open(tmp_path / "d.png").size == (1344, 768)
