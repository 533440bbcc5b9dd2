"""The registry of drawable subjects: each a small drawing function plus what layout needs.

`@subject("cat kitten kitty", ...)` registers a function `draw(pen, color)` under its first
word, with the other words (and their plurals) as synonyms. The data says how the subject is
placed: its aspect (width / height), its height as a share of the frame when drawn alone,
where it goes (on the ground, in the sky, on water, under water) and which setting suits it
when the prompt names none (outdoors, indoors, the sea).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..colors import RGB
from .pen import Pen

Draw = Callable[[Pen, RGB], None]


@dataclass(frozen=True)
class Subject:
    name: str
    kind: str  # animal | object | vehicle | building | plant | food | person
    draw: Draw
    aspect: float  # width / height of its box
    size: float  # box height as a share of the frame height, drawn alone
    color: RGB  # its colour when the prompt names none
    where: str = "ground"  # ground | sky | water | underwater
    setting: str = "outdoor"  # outdoor | indoor | sea | underwater
    variants: tuple[RGB, ...] = ()  # other natural colours the seed may pick


SUBJECTS: dict[str, Subject] = {}
NOUNS: dict[str, str] = {}  # word (singular or plural) -> subject name
PLURALS: set[str] = set()
_IRREGULAR = {
    "mouse": "mice", "sheep": "sheep", "fish": "fish", "person": "people", "man": "men",
    "woman": "women", "child": "children", "goose": "geese", "deer": "deer", "knife": "knives",
    "leaf": "leaves", "wolf": "wolves", "shelf": "shelves",
}  # fmt: skip


def plural(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith(("s", "x", "ch", "sh")) or word in {"tomato", "potato", "volcano"}:
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def subject(
    words: str,
    *,
    kind: str,
    aspect: float,
    size: float,
    color: RGB,
    where: str = "ground",
    setting: str = "outdoor",
    variants: tuple[RGB, ...] = (),
) -> Callable[[Draw], Draw]:
    def register(draw: Draw) -> Draw:
        names = words.split()
        entry = Subject(names[0], kind, draw, aspect, size, color, where, setting, variants)
        SUBJECTS[names[0]] = entry
        for word in names:
            NOUNS.setdefault(word, names[0])
            many = plural(word)
            if many != word:
                NOUNS.setdefault(many, names[0])
                PLURALS.add(many)
            elif word in _IRREGULAR:
                PLURALS.add(word)
        return draw

    return register
