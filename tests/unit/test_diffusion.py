"""The emulator's image engine: prompt parsing, the diffusion schedule, rendering and edits."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from bedrock_cli.local.engines import diffusion
from bedrock_cli.local.engines.diffusion import (
    FrameRecorder,
    ddim_timesteps,
    describe_mask_prompt,
    noise_schedule,
    outpaint,
    remove_background,
    render,
    steps_gif,
)
from bedrock_cli.local.engines.picture.colors import COLOR_WORDS, parse_hex
from bedrock_cli.local.engines.picture.prompt import extract_texts, parse

S = 256
SKY_TEXT = "a blue sky with white clouds and the word 'Hello'"


def png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def arr(img: Image.Image) -> np.ndarray:
    return np.asarray(img, dtype=np.float32)


def luma(a: np.ndarray) -> np.ndarray:
    return a[..., 0] * 0.299 + a[..., 1] * 0.587 + a[..., 2] * 0.114


@pytest.fixture(scope="module")
def scene() -> Image.Image:
    return render(
        "a lake with mountains and a forest under a blue sky with clouds",
        width=S,
        height=S,
        seed=11,
        steps=8,
    )


@pytest.fixture(scope="module")
def shapes() -> Image.Image:
    return render(
        "a red circle and a blue square on a white background", width=S, height=S, seed=2, steps=8
    )


# ---------------------------------------------------------------- prompt parsing


def test_colour_words_attach_to_the_element_they_name() -> None:
    comp = parse("a blue sky with white clouds")
    assert {"sky", "clouds"} <= comp.elements
    assert comp.colors["sky"] == COLOR_WORDS["blue"]
    assert comp.colors["clouds"] == COLOR_WORDS["white"]


def test_colour_after_the_element_and_modifiers() -> None:
    comp = parse("the sky is light blue over a crimson sea")
    assert comp.colors["sky"] != COLOR_WORDS["blue"]  # lightened
    assert comp.colors["sky"][2] > comp.colors["sky"][0]
    assert comp.colors["sea"] == COLOR_WORDS["crimson"]


def test_shapes_take_count_size_and_colour() -> None:
    comp = parse("three small red stars and a big navy blue circle")
    star, circle = comp.shapes
    assert (star.kind, star.count, star.color, star.scale) == ("star", 3, COLOR_WORDS["red"], 0.65)
    assert (circle.kind, circle.count, circle.color) == ("circle", 1, COLOR_WORDS["navy blue"])
    assert circle.scale > 1


def test_stars_at_night_are_a_starfield_not_shapes() -> None:
    comp = parse("a starry night with stars over the sea")
    assert comp.time == "night"
    assert "stars" in comp.elements
    assert comp.shapes == []


@pytest.mark.parametrize(
    ("prompt", "texts"),
    [
        ("a blue sky and the word 'Hello'", ["Hello"]),
        ('text "Hi" on a poster', ["Hi"]),
        ("a sign saying “Open late”", ["Open late"]),
        ("the word Welcome on a door", ["Welcome"]),
        ("don't stop the cat's toy", []),
        ("the words 'one' and 'two'", ["one", "two"]),
    ],
)
def test_lettering_is_found_in_quotes_but_not_in_apostrophes(prompt: str, texts: list[str]) -> None:
    found, _ = extract_texts(prompt)
    assert found == texts


def test_text_colour_is_picked_up() -> None:
    assert parse("the word 'Hello' in red").texts[0].color == COLOR_WORDS["red"]
    assert parse("'Sale' in golden letters").texts[0].color == COLOR_WORDS["golden"]


def test_style_prefers_the_target_style_of_a_conversion() -> None:
    assert parse("turn this photo of a piano player into anime style").style == "anime"
    assert parse("a watercolour of a harbour").style == "watercolor"
    assert parse("a photo of a dog").style == "photo"


def test_negative_prompt_removes_what_it_names() -> None:
    comp = parse("a blue sky with clouds and the text 'Hi'", "clouds, text, red")
    assert "clouds" not in comp.elements
    assert comp.texts == []
    assert COLOR_WORDS["red"] in comp.avoid_colors


def test_parse_hex() -> None:
    assert parse_hex("#FF8000") == (255, 128, 0)
    assert parse_hex("00ff00") == (0, 255, 0)
    with pytest.raises(ValueError):
        parse_hex("#12345")


# ---------------------------------------------------------------- schedule


@pytest.mark.parametrize("kind", ["scaled_linear", "linear", "cosine"])
def test_noise_schedule_runs_from_clean_to_noise(kind: str) -> None:
    a = noise_schedule(kind)
    assert a.shape == (1000,)
    assert np.all(np.diff(a) < 0)
    assert 0.99 < a[0] <= 1.0
    assert a[-1] < 0.01


def test_ddim_timesteps_descend_from_the_last_step() -> None:
    ts = ddim_timesteps(30)
    assert len(ts) == 30
    assert ts[0] == 999
    assert np.all(np.diff(ts) < 0)
    assert ts[-1] >= 0
    assert list(ddim_timesteps(1)) == [999]


# ---------------------------------------------------------------- text-to-image


@pytest.mark.parametrize(("w", "h"), [(S, S), (320, 192), (192, 320), (17, 5), (1, 1)])
def test_exact_size_and_mode(w: int, h: int) -> None:
    img = render(SKY_TEXT, width=w, height=h, seed=1, steps=4)
    assert img.size == (w, h)
    assert img.mode == "RGB"


def test_same_inputs_give_identical_bytes() -> None:
    a = render(SKY_TEXT, width=S, height=S, seed=42, steps=10)
    b = render(SKY_TEXT, width=S, height=S, seed=42, steps=10)
    assert png(a) == png(b)


def test_different_seed_gives_a_different_picture_not_just_different_noise() -> None:
    a = render("white clouds in a blue sky", width=S, height=S, seed=1, steps=10)
    b = render("white clouds in a blue sky", width=S, height=S, seed=2, steps=10)
    assert png(a) != png(b)
    # the clouds moved: the images differ after blurring away the grain
    blur_a = arr(a.filter(ImageFilter.GaussianBlur(4)))
    blur_b = arr(b.filter(ImageFilter.GaussianBlur(4)))
    assert np.abs(blur_a - blur_b).mean() > 5


def test_other_inputs_change_the_bytes() -> None:
    base = png(render("a red circle", width=64, height=64, seed=1, steps=6))
    assert png(render("a red circle", width=64, height=64, seed=1, steps=7)) != base
    assert png(render("a red circle", width=64, height=64, seed=1, steps=6, cfg_scale=12)) != base
    assert png(render("a red square", width=64, height=64, seed=1, steps=6)) != base


def test_blue_sky_comes_out_blue() -> None:
    img = arr(render(SKY_TEXT, width=S, height=S, seed=7, steps=10))
    r, g, b = img[: S // 3].reshape(-1, 3).mean(axis=0)
    assert b > r + 40
    assert b > g + 25


@pytest.mark.parametrize("prompt", ["a sunny day", "a green field under the sky", "sea"])
def test_daytime_skies_are_blue_without_being_asked(prompt: str) -> None:
    img = arr(render(prompt, width=S, height=S, seed=3, steps=6))
    r, _, b = img[: S // 5].reshape(-1, 3).mean(axis=0)
    assert b > r + 30


def test_quoted_text_is_drawn_large_and_centred() -> None:
    with_text = arr(render(SKY_TEXT, width=S, height=S, seed=7, steps=10))
    without = arr(render("a blue sky with white clouds", width=S, height=S, seed=7, steps=10))
    c = slice(S // 3, 2 * S // 3)
    centre, plain = with_text[c, S // 8 : -S // 8], without[c, S // 8 : -S // 8]
    changed = np.abs(centre - plain).max(axis=-1) > 60
    assert changed.mean() > 0.15  # the lettering covers a good part of the middle
    lum = luma(centre)
    assert (lum > 225).mean() > 0.05  # light letters ...
    assert (lum < 60).mean() > 0.03  # ... with a dark outline
    assert (luma(plain) < 60).mean() < 0.01


def test_named_shapes_are_drawn_in_their_colours(shapes: Image.Image) -> None:
    a = arr(shapes)
    red = (a[..., 0] > 150) & (a[..., 1] < 90) & (a[..., 2] < 90)
    blue = (a[..., 2] > 150) & (a[..., 0] < 90)
    assert red.mean() > 0.03
    assert blue.mean() > 0.03
    assert a[red].mean(axis=0)[0] > 0  # the red blob sits left of the blue one
    assert np.nonzero(red)[1].mean() < np.nonzero(blue)[1].mean()


def test_unknown_prompts_still_give_a_varied_picture() -> None:
    img = arr(render("a quantum harmonica", width=S, height=S, seed=5, steps=6))
    assert img.std() > 20
    other = arr(render("a quantum harmonica", width=S, height=S, seed=6, steps=6))
    assert np.abs(img - other).mean() > 3


@pytest.mark.parametrize(
    "style",
    [
        "anime",
        "watercolor",
        "sketch",
        "oil painting",
        "photo",
        "pixel art",
        "neon",
        "sepia",
        "black and white",
    ],
)
def test_styles_change_the_look(style: str) -> None:
    plain = arr(render("hills under a blue sky", width=128, height=128, seed=4, steps=4))
    styled = arr(
        render(f"{style} of hills under a blue sky", width=128, height=128, seed=4, steps=4)
    )
    assert np.abs(plain - styled).mean() > 4


def test_colour_guidance_pulls_the_picture_toward_the_palette() -> None:
    palette = ["#FF00AA", "#AA0066"]
    target = np.asarray([parse_hex(c) for c in palette], dtype=np.float32).mean(axis=0)
    plain = arr(render("a landscape", width=S, height=S, seed=3, steps=6))
    guided = arr(render("a landscape", width=S, height=S, seed=3, steps=6, colors=palette))
    dist_plain = np.linalg.norm(plain.reshape(-1, 3).mean(axis=0) - target)
    dist_guided = np.linalg.norm(guided.reshape(-1, 3).mean(axis=0) - target)
    assert dist_guided < dist_plain * 0.6


@pytest.mark.parametrize("control", ["canny", "CANNY_EDGE"])
def test_canny_control_draws_the_condition_edges(shapes: Image.Image, control: str) -> None:
    plain = arr(render("an ocean", width=S, height=S, seed=3, steps=6))
    guided = arr(
        render(
            "an ocean",
            width=S,
            height=S,
            seed=3,
            steps=6,
            condition_image=shapes,
            control=control,
            control_strength=0.9,
        )
    )
    edges = arr(shapes.convert("L").filter(ImageFilter.FIND_EDGES)) > 60
    diff = np.abs(plain - guided).max(axis=-1)
    assert diff[edges].mean() > diff[~edges].mean() + 30


def test_segmentation_control_follows_the_condition_regions(shapes: Image.Image) -> None:
    guided = arr(
        render(
            "an ocean",
            width=S,
            height=S,
            seed=3,
            steps=6,
            condition_image=shapes,
            control="segmentation",
            control_strength=1.0,
        )
    )
    a = arr(shapes)
    red = (a[..., 0] > 150) & (a[..., 1] < 90) & (a[..., 2] < 90)
    backdrop = a.min(axis=-1) > 200
    # the circle becomes its own flat region, apart from the ocean's colours around it
    assert np.abs(guided[red].mean(0) - guided[backdrop].mean(0)).max() > 25
    assert guided[red].std(0).max() < guided.reshape(-1, 3).std(0).max()


def test_final_image_is_crisp_at_1024() -> None:
    img = render(SKY_TEXT, width=1024, height=1024, seed=9, steps=30)
    assert img.size == (1024, 1024)
    lum = luma(arr(img))
    # sharp letter edges: big jumps between neighbouring pixels in the middle band
    band = lum[400:624]
    assert np.abs(np.diff(band, axis=1)).max() > 120


# ---------------------------------------------------------------- steps


def test_on_step_sees_every_step_and_the_noise_clears() -> None:
    calls: list[tuple[int, int, np.ndarray]] = []
    final = render(
        SKY_TEXT,
        width=96,
        height=96,
        seed=3,
        steps=12,
        on_step=lambda i, n, f: calls.append((i, n, arr(f))),
    )
    assert [(i, n) for i, n, _ in calls] == [(i, 12) for i in range(1, 13)]
    assert all(f.shape == (96, 96, 3) for _, _, f in calls)
    errs = [float(((f - arr(final)) ** 2).mean()) for _, _, f in calls]
    assert all(a > b for a, b in itertools.pairwise(errs))
    assert errs[0] > 5000  # starts as noise
    assert errs[-1] == 0.0  # the last frame is the image


def test_steps_gif(tmp_path: Path) -> None:
    rec = FrameRecorder(max_side=48)
    render("sunset over the sea", width=96, height=64, seed=1, steps=5, on_step=rec)
    assert len(rec.frames) == 5 and rec.frames[0].size == (48, 32)
    out = tmp_path / "out.steps.gif"
    data = steps_gif(rec.frames, out)
    assert data[:6] == b"GIF89a" and out.read_bytes() == data
    gif = Image.open(io.BytesIO(data))
    assert getattr(gif, "n_frames", 1) == 5
    assert steps_gif(rec.frames) == data
    with pytest.raises(ValueError):
        steps_gif([])


# ---------------------------------------------------------------- image-to-image


def test_strength_zero_keeps_the_input(scene: Image.Image) -> None:
    calls: list[int] = []
    out = render(
        "anime style",
        width=S,
        height=S,
        seed=1,
        init_image=scene,
        strength=0.0,
        on_step=lambda i, n, f: calls.append(i),
    )
    assert np.array_equal(arr(out), arr(scene))
    assert calls == []


def test_strength_one_ignores_the_input(scene: Image.Image) -> None:
    a = render("a red circle", width=S, height=S, seed=1, steps=6, init_image=scene, strength=1.0)
    b = render("a red circle", width=S, height=S, seed=1, steps=6)
    assert png(a) == png(b)


def test_strength_moves_away_from_the_input_gradually(scene: Image.Image) -> None:
    diffs = []
    for strength in (0.2, 0.5, 0.9):
        out = render(
            "a sunset", width=S, height=S, seed=1, steps=10, init_image=scene, strength=strength
        )
        diffs.append(float(np.abs(arr(out) - arr(scene)).mean()))
    assert diffs[0] < diffs[1] < diffs[2]
    assert diffs[0] < 25


def test_image_to_image_runs_the_strength_share_of_the_steps(scene: Image.Image) -> None:
    calls: list[tuple[int, int]] = []
    render(
        "anime style",
        width=S,
        height=S,
        seed=1,
        steps=20,
        init_image=scene,
        strength=0.5,
        on_step=lambda i, n, f: calls.append((i, n)),
    )
    assert calls == [(i, 10) for i in range(1, 11)]


def test_style_transfer_keeps_the_layout(scene: Image.Image) -> None:
    out = render(
        "turn this photo into anime style",
        width=S,
        height=S,
        seed=1,
        steps=10,
        init_image=scene,
        strength=0.7,
    )
    a, b = luma(arr(out)), luma(arr(scene))
    corr = np.corrcoef(a.ravel(), b.ravel())[0, 1]
    assert corr > 0.6
    assert np.abs(arr(out) - arr(scene)).mean() > 5


def test_init_image_is_resized_to_the_target(scene: Image.Image) -> None:
    out = render("anime", width=128, height=96, seed=1, steps=4, init_image=scene, strength=0.5)
    assert out.size == (128, 96)


# ---------------------------------------------------------------- masks


def circle_mask(size: int = S) -> Image.Image:
    mask = Image.new("L", (size, size), 0)
    ImageDraw.Draw(mask).ellipse((80, 100, 180, 200), fill=255)
    return mask


def test_inpainting_keeps_everything_outside_the_mask(scene: Image.Image) -> None:
    mask = circle_mask()
    out = render("a yellow star", width=S, height=S, seed=3, steps=8, init_image=scene, mask=mask)
    inside = np.asarray(mask) > 0
    a, b = np.asarray(out), np.asarray(scene)
    assert np.array_equal(a[~inside], b[~inside])
    assert np.abs(a[inside].astype(int) - b[inside]).mean() > 10
    yellow = (a[..., 0] > 180) & (a[..., 1] > 150) & (a[..., 2] < 100)
    assert yellow[inside].mean() > 0.2


def test_inverted_masks_mark_the_area_to_keep_in_black(scene: Image.Image) -> None:
    keep_black = Image.eval(circle_mask(), lambda v: 255 - v)
    a = render(
        "a yellow star",
        width=S,
        height=S,
        seed=3,
        steps=4,
        init_image=scene,
        mask=keep_black,
        invert_mask=True,
    )
    b = render(
        "a yellow star", width=S, height=S, seed=3, steps=4, init_image=scene, mask=circle_mask()
    )
    assert png(a) == png(b)


def test_inpainting_without_a_prompt_fills_from_the_surroundings(scene: Image.Image) -> None:
    mask = circle_mask()
    out = arr(render("", width=S, height=S, seed=3, steps=6, init_image=scene, mask=mask))
    inside = np.asarray(mask) > 0
    ring = np.asarray(mask.filter(ImageFilter.MaxFilter(15))) > 0
    ring &= ~inside
    assert np.abs(out[inside].mean(0) - arr(scene)[ring].mean(0)).max() < 30


def test_empty_mask_changes_nothing(scene: Image.Image) -> None:
    out = render(
        "a red circle", width=S, height=S, seed=1, init_image=scene, mask=Image.new("L", (S, S), 0)
    )
    assert np.array_equal(np.asarray(out), np.asarray(scene))


def test_outpaint_keeps_the_original_and_fills_the_rest(scene: Image.Image) -> None:
    small = scene.resize((128, 128))
    out = outpaint(small, width=S, height=192, seed=2, steps=6)
    assert out.size == (S, 192)
    left, top = (S - 128) // 2, (192 - 128) // 2
    kept = np.asarray(out)[top : top + 128, left : left + 128]
    assert np.array_equal(kept, np.asarray(small))
    # the new border continues the picture's colours: sky above, water below
    a = arr(out)
    assert a[:10, :, 2].mean() > a[:10, :, 0].mean() + 20
    assert np.abs(a[:, :8].mean((0, 1)) - arr(small)[:, :8].mean((0, 1))).max() < 40


def test_outpaint_same_size_with_mask(scene: Image.Image) -> None:
    mask = circle_mask()
    out = outpaint(scene, width=S, height=S, seed=2, steps=4, mask=mask, prompt="")
    inside = np.asarray(mask) > 0
    assert np.array_equal(np.asarray(out)[~inside], np.asarray(scene)[~inside])


def test_outpaint_with_a_scene_prompt_uses_it_far_out(scene: Image.Image) -> None:
    out = arr(
        outpaint(
            scene.resize((96, 96)),
            width=S,
            height=S,
            seed=2,
            steps=4,
            prompt="a city skyline at night",
        )
    )
    assert luma(out[:12]).mean() < luma(arr(scene)[:12]).mean() - 30


def test_remove_background_on_a_centred_subject() -> None:
    subject = render("a big red heart on a white background", width=S, height=S, seed=1, steps=6)
    rgba = remove_background(subject)
    assert rgba.mode == "RGBA" and rgba.size == subject.size
    alpha = np.asarray(rgba)[..., 3]
    for y, x in [(0, 0), (0, S - 1), (S - 1, 0), (S - 1, S - 1), (5, S // 2)]:
        assert alpha[y, x] == 0
    assert alpha[S // 2, S // 2] == 255
    assert 0.1 < (alpha > 128).mean() < 0.6
    assert ((alpha > 0) & (alpha < 255)).any()  # a soft edge
    assert np.array_equal(np.asarray(rgba)[..., :3], np.asarray(subject))


def test_remove_background_on_a_uniform_image_does_not_crash() -> None:
    rgba = remove_background(Image.new("RGB", (40, 30), (10, 200, 30)))
    assert rgba.size == (40, 30) and rgba.mode == "RGBA"


def test_mask_prompt_finds_a_coloured_shape(shapes: Image.Image) -> None:
    mask = np.asarray(describe_mask_prompt(shapes, "the red circle")) > 127
    a = arr(shapes)
    red = (a[..., 0] > 150) & (a[..., 1] < 90) & (a[..., 2] < 90)
    assert mask[red].mean() > 0.95
    assert mask[~red].mean() < 0.05


def test_mask_prompt_background_is_everything_but_the_shapes(shapes: Image.Image) -> None:
    mask = np.asarray(describe_mask_prompt(shapes, "the background")) > 127
    assert mask[0, 0] and mask[-1, -1]
    subject = np.asarray(describe_mask_prompt(shapes, "the main object")) > 127
    # complementary, apart from the few pixels both grow over at the shapes' edges
    assert (mask | subject).mean() > 0.99
    assert (mask & subject).mean() < 0.06
    assert subject[S // 2].mean() > 0.3  # both shapes sit on the middle row


def test_mask_prompt_sky_and_sea() -> None:
    img = render("the sea under a cloudy sky at sunset", width=S, height=S, seed=4, steps=6)
    sky = np.asarray(describe_mask_prompt(img, "the sky")) > 127
    sea = np.asarray(describe_mask_prompt(img, "the water")) > 127
    assert sky[: S // 3].mean() > 0.9 and sky[-S // 4 :].mean() < 0.05
    assert sea[-S // 4 :].mean() > 0.9 and sea[: S // 3].mean() < 0.05


def test_mask_prompt_places() -> None:
    img = Image.new("RGB", (100, 80), (128, 128, 128))
    left = np.asarray(describe_mask_prompt(img, "the left half")) > 127
    assert left[:, :45].all() and not left[:, 55:].any()


# ---------------------------------------------------------------- input checks


@pytest.mark.parametrize(
    "kwargs",
    [
        {"width": 0, "height": 10},
        {"width": 10, "height": 9000},
        {"steps": 0},
        {"steps": 1001},
        {"seed": -1},
        {"strength": 1.5},
        {"colors": ["red"]},
        {"condition_image": Image.new("RGB", (8, 8)), "control": "depth"},
        {"mask": Image.new("L", (16, 16), 255)},
    ],
)
def test_bad_inputs_raise_value_error(kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {"width": 16, "height": 16, "seed": 1, "steps": 2}
    args.update(kwargs)
    with pytest.raises(ValueError):
        render("x", **args)  # type: ignore[arg-type]


def test_module_exports() -> None:
    assert set(diffusion.__all__) >= {
        "render",
        "outpaint",
        "remove_background",
        "describe_mask_prompt",
        "steps_gif",
    }


# ---------------------------------------------------------------- image-to-image restyles


def _distinct(img: Image.Image) -> int:
    return len(np.unique((np.asarray(img.convert("RGB")) // 8).reshape(-1, 3), axis=0))


@pytest.fixture(scope="module")
def photo() -> Image.Image:
    return render(
        "a photo of a lake with mountains and a red house under a blue sky with clouds",
        width=320,
        height=240,
        seed=5,
        steps=10,
    )


def test_anime_restyle_flattens_colours_and_inks_edges(photo: Image.Image) -> None:
    out = render("Transform this into Japanese anime style", width=320, height=240, seed=1,
                 steps=10, init_image=photo, strength=0.3)
    assert out.size == photo.size
    assert _distinct(out) < _distinct(photo) * 0.5
    a, b = luma(arr(out)), luma(arr(photo))
    assert np.corrcoef(a.ravel(), b.ravel())[0, 1] > 0.5  # the layout is kept
    smooth = luma(arr(photo.filter(ImageFilter.GaussianBlur(2))))
    gy, gx = np.gradient(smooth)
    strong = np.hypot(gx, gy) > np.percentile(np.hypot(gx, gy), 95)
    assert (a[strong] < 50).mean() > 0.15  # dark outlines along the input's edges
    assert (a[strong] < 50).mean() > 3 * (b[strong] < 50).mean()


def test_restyle_strength_controls_how_far(photo: Image.Image) -> None:
    def diff(strength: float) -> float:
        out = render("anime style", width=320, height=240, seed=1, steps=10,
                     init_image=photo, strength=strength)
        return float(np.abs(arr(out) - arr(photo)).mean())

    assert diff(0.05) < diff(0.3) <= diff(0.7) + 1.0


@pytest.mark.parametrize("style", ["watercolor", "sketch", "pixel art", "oil painting",
                                   "black and white"])
def test_other_restyles_change_the_picture(photo: Image.Image, style: str) -> None:
    out = render(f"make it {style}", width=320, height=240, seed=1, steps=10,
                 init_image=photo, strength=0.3)
    assert out.size == photo.size
    assert np.abs(arr(out) - arr(photo)).mean() > 6
    if style == "black and white":
        assert np.asarray(out).std(axis=-1).mean() < 3
