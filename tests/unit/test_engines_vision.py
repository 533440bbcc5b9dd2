"""Image description from measured properties."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from bedrock_cli.local.engines.vision import ImageError, answer_about, describe


def encode(img: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, fmt, **options)
    return buffer.getvalue()


def landscape() -> bytes:
    """Light blue above, green below: a crude photo of a field under the sky."""
    pixels = np.zeros((300, 400, 3), np.uint8)
    pixels[:150] = (135, 190, 235)
    pixels[150:] = (40, 140, 50)
    return encode(Image.fromarray(pixels), "JPEG", quality=95)


BLUE = encode(Image.new("RGB", (1024, 768), (30, 80, 200)))


def test_a_blue_image_is_named_blue_with_size_and_format() -> None:
    d = describe(BLUE)
    assert (d.width, d.height, d.format, d.mode) == (1024, 768, "PNG", "RGB")
    assert d.dominant_colors == [("blue", "#1e50c8", 1.0)]
    assert d.contrast == 0.0
    assert d.transparent_share == 0.0
    assert "1024×768 PNG" in d.text
    assert "blue (100%)" in d.text
    assert d.text.startswith("These are measured properties")


@pytest.mark.parametrize(
    ("rgb", "name"),
    [
        ((255, 255, 255), "white"),
        ((0, 0, 0), "black"),
        ((220, 30, 30), "red"),
        ((40, 150, 60), "green"),
        ((250, 220, 20), "yellow"),
        ((255, 140, 0), "orange"),
        ((128, 128, 128), "gray"),
        ((120, 20, 130), "purple"),
        ((0, 0, 128), "navy blue"),
    ],
)
def test_colour_names(rgb: tuple[int, int, int], name: str) -> None:
    assert describe(encode(Image.new("RGB", (20, 20), rgb))).dominant_colors[0][0] == name


def test_brightness_orders_dark_and_light() -> None:
    dark = describe(encode(Image.new("RGB", (10, 10), (20, 20, 20))))
    light = describe(encode(Image.new("RGB", (10, 10), (240, 240, 240))))
    assert 0.0 <= dark.brightness < 0.15
    assert 0.9 < light.brightness <= 1.0
    assert "very dark" in dark.text
    assert "very bright" in light.text
    assert describe(encode(Image.new("RGB", (4, 4), "white"))).brightness == pytest.approx(1.0)


def test_shares_and_layout_of_a_two_part_image() -> None:
    d = describe(landscape())
    assert d.format == "JPEG"
    names = {name: share for name, _, share in d.dominant_colors}
    assert set(names) == {"sky blue", "green"}
    assert names["sky blue"] == pytest.approx(0.5, abs=0.03)
    assert d.layout == [
        "the top is almost entirely sky blue — possibly sky",
        "the bottom is almost entirely green — possibly grass or foliage",
    ]
    assert "possibly sky" in d.text
    assert d.contrast > 0.1


def test_rgba_mostly_transparent() -> None:
    img = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    img.paste((255, 0, 0, 255), (0, 0, 16, 16))
    d = describe(encode(img))
    assert d.mode == "RGBA"
    assert d.transparent_share == pytest.approx(15 / 16, abs=0.01)
    assert d.dominant_colors[0][0] == "red"  # colours count visible pixels only
    assert "mostly transparent" in d.text


def test_fully_transparent() -> None:
    d = describe(encode(Image.new("RGBA", (8, 8), (0, 0, 255, 0))))
    assert d.dominant_colors == []
    assert "fully transparent" in d.text


def test_paletted_grayscale_and_sixteen_bit_images() -> None:
    paletted = Image.new("RGB", (40, 40), (255, 200, 0)).convert(
        "P", palette=Image.Palette.ADAPTIVE
    )
    d = describe(encode(paletted))
    assert d.mode == "P"
    assert d.dominant_colors[0][0] in ("yellow", "gold", "orange")
    gray = describe(encode(Image.new("L", (50, 80), 20)))
    assert (gray.mode, gray.width, gray.height) == ("L", 50, 80)
    assert gray.colorfulness == 0.0
    assert "grayscale" in gray.text
    wide = describe(encode(Image.fromarray(np.full((30, 30), 65535, np.uint16))))
    assert wide.dominant_colors[0][0] == "white"


def test_gif_frames_and_other_formats() -> None:
    frames = [Image.new("RGB", (20, 10), c) for c in ("red", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])
    d = describe(buffer.getvalue())
    assert (d.format, d.frames) == ("GIF", 2)
    assert "2 frames" in d.text
    assert describe(encode(Image.new("RGB", (5, 5)), "WEBP")).format == "WEBP"
    assert describe(encode(Image.new("RGB", (5, 5)), "BMP")).format == "BMP"


def test_big_photo_is_measured_at_full_size() -> None:
    rng = np.random.default_rng(0)
    photo = encode(Image.fromarray(rng.integers(0, 255, (1200, 1600, 3), np.uint8)), "JPEG")
    d = describe(photo)
    assert (d.width, d.height) == (1600, 1200)
    assert "1.9 megapixels" in d.text


def test_not_an_image() -> None:
    with pytest.raises(ImageError, match="not a readable image"):
        describe(b"%PDF-1.7 not an image")
    with pytest.raises(ValueError):
        describe(b"")


# -------------------------------------------------------------------- questions


def test_answers_about_colour() -> None:
    image = landscape()
    assert answer_about(image, "Is it blue?") == "Yes — blue covers about 50% of the image."
    assert answer_about(image, "Is there any red?").startswith("No red stands out")
    assert answer_about(image, "What colours are in it?") == (
        "The main colours are green (50%), sky blue (50%)."
    )


def test_answers_about_size_brightness_format_and_layout() -> None:
    assert answer_about(BLUE, "How big is it?") == "It is 1024×768 pixels (0.8 MP)."
    assert answer_about(BLUE, "Is it dark?").startswith("It is dark (mean brightness 0.38")
    assert answer_about(BLUE, "What file format?") == "It is a PNG image (mode RGB)."
    assert "possibly grass" in answer_about(landscape(), "Is there grass?")


def test_questions_it_cannot_answer_say_so() -> None:
    reply = answer_about(landscape(), "Who is the person on the left?")
    assert reply.startswith("That cannot be told from measurements alone")
    assert "cannot be recognised" in reply
    assert "400×300 JPEG" in reply
