"""The drawing vocabulary: subjects drawn where and as the prompt says, checked by measurement."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from bedrock_cli.local.engines.diffusion import render
from bedrock_cli.local.engines.objects import FAMILIES, families, label
from bedrock_cli.local.engines.picture.prompt import parse
from bedrock_cli.local.engines.picture.subjects import SUBJECTS
from bedrock_cli.local.engines.picture.subjects.pen import Pen

S = 256


def silhouette(name: str, size: int = 96) -> np.ndarray:
    subj = SUBJECTS[name]
    pen = Pen(size, size)
    subj.draw(pen, subj.color)
    return np.asarray(pen.finish())[..., 3] > 127


def test_at_least_sixty_subjects_across_kinds() -> None:
    assert len(SUBJECTS) >= 60
    kinds = {s.kind for s in SUBJECTS.values()}
    assert {"animal", "object", "vehicle", "building", "plant", "food", "person"} <= kinds
    for name in ("cat", "dog", "bird", "fish", "horse", "cow", "rabbit", "computer", "piano",
                 "car", "boat", "house", "lighthouse", "castle", "tree", "flower", "apple",
                 "orange", "cup", "book", "person", "face"):
        assert name in SUBJECTS


@pytest.mark.parametrize("a,b", [("cat", "dog"), ("cat", "lighthouse"), ("dog", "lighthouse"),
                                 ("castle", "house"), ("apple", "banana"), ("car", "boat")])
def test_silhouettes_differ(a: str, b: str) -> None:
    sa, sb = silhouette(a), silhouette(b)
    iou = (sa & sb).sum() / (sa | sb).sum()
    assert iou < 0.8


def test_every_subject_draws_something() -> None:
    for name in SUBJECTS:
        cover = silhouette(name, 64).mean()
        assert 0.08 < cover < 0.98, name


def test_parse_reads_counts_colours_sizes_places_and_relations() -> None:
    comp = parse("three small birds and a red car on the left")
    bird, car = comp.things
    assert (bird.name, bird.count, bird.scale) == ("bird", 3, 0.65)
    assert (car.name, car.color, car.place) == ("car", (210, 30, 35), "left")
    cat, table = parse("a cat on a table").things
    assert cat.on == 1 and table.on is None
    assert [t.name for t in parse("A cat with a computer").things] == ["cat", "computer"]
    assert [t.name for t in parse("an apple and an orange").things] == ["apple", "orange"]
    assert parse("an orange car").things[0].color == (250, 130, 20)
    assert parse("cartoon dog").style == "anime"


def _family_mask(img: Image.Image, name: str) -> np.ndarray:
    return families(np.asarray(img.convert("RGB"))) == FAMILIES.index(name)


def test_a_red_car_on_the_left_is_red_and_on_the_left() -> None:
    for seed in (1, 2, 3):
        img = render("a red car on the left", width=S, height=S, seed=seed, steps=8)
        red = _family_mask(img, "red")
        assert red.sum() > S * S * 0.01
        _ys, xs = np.nonzero(red)
        assert xs.mean() < S / 2


def test_three_birds_are_three_components() -> None:
    img = render("three red birds in the sky", width=S, height=S, seed=4, steps=8)
    labels, _n = label(_family_mask(img, "red"))
    sizes = np.bincount(labels.ravel())[1:]
    assert (sizes > S * S * 0.002).sum() == 3


def test_seeds_give_different_layouts() -> None:
    def centre(seed: int) -> tuple[float, float]:
        img = render("a red car", width=S, height=S, seed=seed, steps=8)
        ys, xs = np.nonzero(_family_mask(img, "red"))
        return float(xs.mean()), float(ys.mean())

    points = {tuple(round(v / 8) for v in centre(s)) for s in range(1, 6)}
    assert len(points) >= 3


def test_a_lighthouse_at_dusk_has_a_lighthouse_and_the_sunset() -> None:
    img = np.asarray(render("a lighthouse at dusk", width=S, height=S, seed=1, steps=8))
    plain = np.asarray(render("the sea at dusk", width=S, height=S, seed=1, steps=8))
    red = families(img) == FAMILIES.index("red")
    assert red.sum() > S * S * 0.005  # the tower's red bands
    assert np.abs(img.astype(float) - plain).mean() > 3
    sky = img[: S // 4].reshape(-1, 3).mean(0)
    assert sky[0] > sky[2] or sky.mean() < 120  # a dusk sky, not a blue day


def test_cat_with_a_computer_shows_both_subjects() -> None:
    img = render("A cat with a computer", width=S, height=S, seed=1, steps=8)
    blue = _family_mask(img, "blue")  # the screen
    warm = _family_mask(img, "orange") | _family_mask(img, "brown") | _family_mask(img, "gray")
    assert blue.sum() > S * S * 0.01 and warm.sum() > S * S * 0.01


def test_styles_apply_to_subjects() -> None:
    plain = np.asarray(render("a dog", width=S, height=S, seed=2, steps=8), dtype=float)
    cartoon = np.asarray(render("cartoon dog", width=S, height=S, seed=2, steps=8), dtype=float)
    sketch = np.asarray(render("a sketch of a dog", width=S, height=S, seed=2, steps=8), float)
    assert np.abs(plain - cartoon).mean() > 4
    assert sketch.std(axis=-1).mean() < plain.std(axis=-1).mean()  # pencil: nearly grey


def test_negative_prompt_removes_a_subject() -> None:
    assert [t.name for t in parse("a cat and a dog", "dog").things] == ["cat"]
