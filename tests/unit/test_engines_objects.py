"""Visual QA by measurement: segmenting, counting and naming simple objects."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw

from bedrock_cli.local.engines.diffusion import render
from bedrock_cli.local.engines.objects import label, segment
from bedrock_cli.local.engines.vision import answer_about

HOW_MANY_APPLES = "How many apples do you see in the picture?"


def png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def hand_drawn_fruit(apples: int = 1, oranges: int = 1) -> bytes:
    """Plain Pillow drawing (not the renderer): red circles with stems, orange circles."""
    img = Image.new("RGB", (400, 300), (245, 245, 240))
    d = ImageDraw.Draw(img)
    x = 20
    for _ in range(apples):
        d.ellipse((x, 120, x + 80, 200), fill=(200, 20, 30))
        d.rectangle((x + 38, 100, x + 43, 124), fill=(100, 60, 30))
        x += 100
    for _ in range(oranges):
        d.ellipse((x, 120, x + 80, 200), fill=(255, 150, 20))
        x += 100
    return png(img)


def test_labels_count_8_connected_components() -> None:
    mask = np.zeros((10, 10), dtype=bool)
    mask[1:3, 1:3] = True
    mask[3, 3] = True  # touches the first diagonally
    mask[6:9, 6:9] = True
    mask[0, 9] = True
    labels, n = label(mask)
    assert n == 3
    assert labels[1, 1] == labels[3, 3] != labels[7, 7]


def test_the_seed_example_on_a_hand_drawn_picture() -> None:
    assert answer_about(hand_drawn_fruit(), HOW_MANY_APPLES) == (
        "The picture shows one apple and the other fruit is an orange."
    )


def test_counts_on_hand_drawn_pictures() -> None:
    assert answer_about(hand_drawn_fruit(2, 1), "how many apples?").startswith(
        "The picture shows two apples"
    )
    assert answer_about(hand_drawn_fruit(1, 2), "How many oranges are there?").startswith(
        "The picture shows two oranges"
    )
    kinds = [o.kind for o in segment(hand_drawn_fruit(3, 0)).objects]
    assert kinds == ["apple", "apple", "apple"]


def test_the_seed_example_on_the_renderers_picture() -> None:
    for seed in (1, 2):
        img = render("an apple and an orange", width=512, height=512, seed=seed, steps=12)
        assert answer_about(png(img), HOW_MANY_APPLES) == (
            "The picture shows one apple and the other fruit is an orange."
        )


def test_a_round_red_thing_without_a_stem_is_not_called_an_apple() -> None:
    img = Image.new("RGB", (300, 300), (240, 240, 240))
    ImageDraw.Draw(img).ellipse((100, 100, 200, 200), fill=(210, 20, 30))
    assert [o.kind for o in segment(png(img)).objects] == ["circle"]


def test_colour_of_the_car() -> None:
    img = render("a blue car", width=512, height=512, seed=3, steps=12)
    assert answer_about(png(img), "What colour is the car?") == "The car is blue."
    drawn = Image.new("RGB", (400, 240), (235, 235, 235))
    d = ImageDraw.Draw(drawn)
    d.rounded_rectangle((40, 90, 360, 170), 20, fill=(30, 160, 60))
    for x in (100, 300):
        d.ellipse((x - 28, 150, x + 28, 206), fill=(20, 20, 20))
    assert answer_about(png(drawn), "what color is the car") == "The car is green."


def test_is_there_text() -> None:
    with_text = render("a blue sky with white clouds and the word 'Hello'", width=512,
                       height=512, seed=1, steps=12)
    assert answer_about(png(with_text), "Is there any text?").startswith("Yes")
    drawn = Image.new("RGB", (400, 200), (250, 250, 250))
    d = ImageDraw.Draw(drawn)
    for k in range(6):  # a row of letter-sized marks
        d.rectangle((40 + k * 30, 80, 58 + k * 30, 110), fill=(20, 20, 20))
    assert answer_about(png(drawn), "is there text in it?").startswith("Yes")
    assert answer_about(hand_drawn_fruit(), "Is there any text?").startswith("No")


def test_says_when_measurement_cannot_tell() -> None:
    reply = answer_about(hand_drawn_fruit(), "How many dogs are in the picture?")
    assert reply.startswith("Measurement cannot tell how many dogs")
    assert "apple" in reply


def test_colour_of_it_is_the_whole_pictures_colour() -> None:
    """"What colour is it?" is about the picture, not an object called "it"."""
    solid = png(Image.new("RGB", (64, 64), (220, 20, 20)))
    for question in ("What colour is it?", "what color is this", "What colour is the image?"):
        assert "red" in answer_about(solid, question).lower()


def test_an_orange_lying_on_a_wooden_table_is_still_round() -> None:
    """A tan table top touching the fruit is wood (brown), not more orange: the orange keeps
    its own outline (it was merged with the table into one "triangle")."""
    drawn = Image.new("RGB", (400, 400), (235, 235, 235))
    d = ImageDraw.Draw(drawn)
    d.rectangle((150, 250, 390, 270), fill=(174, 127, 88))  # the table top
    d.rectangle((160, 270, 175, 390), fill=(131, 86, 50))
    d.ellipse((220, 150, 320, 250), fill=(240, 134, 18))  # resting on it
    d.ellipse((30, 290, 110, 370), fill=(110, 190, 40))  # a green apple with a stem
    d.line((70, 292, 74, 270), fill=(100, 60, 20), width=5)
    reply = answer_about(png(drawn), HOW_MANY_APPLES)
    assert reply == "The picture shows one apple and the other fruit is an orange."
