"""A prompt's nouns -> `Thing`s: which subject, how many, what colour, how big, where.

"three small red birds on the left" is Thing("bird", red, count 3, scale 0.65, "left");
"a cat on a table" makes the cat sit on the table; "a cat with a computer" and "a cat next
to a dog" put them side by side (the default). A word that is both a colour and a noun
("orange", "rose", "cherry") is the noun unless another noun follows it ("an orange car").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..colors import COLOR_MODIFIERS, RGB
from ..vocab import ELEMENT_WORDS, NUMBERS, SHAPE_WORDS, SIZES
from .registry import NOUNS, PLURALS

ColorReader = Callable[[list[str], int, set[int]], RGB | None]
PLACES = {
    "left": "left", "right": "right", "top": "top", "bottom": "bottom", "center": "center",
    "centre": "center", "middle": "center", "foreground": "bottom", "corner": None,
}  # fmt: skip
ON_WORDS = {"on", "atop", "upon", "riding", "onto"}
_SAME_AS_SINGULAR = {"fish", "sheep", "deer"}


@dataclass
class Thing:
    name: str  # a key of SUBJECTS
    color: RGB | None = None
    count: int = 1
    scale: float = 1.0
    place: str | None = None  # left | right | top | bottom | center
    on: int | None = None  # index (in the list of things) of the thing it sits on
    at: int = 0  # token index of its noun


def is_noun(tokens: list[str], i: int, is_color: Callable[[int], bool]) -> bool:
    """Whether tokens[i] names a subject here (and is not a colour before another noun)."""
    tok = tokens[i]
    if tok not in NOUNS:
        return False
    if tok in ELEMENT_WORDS and tok in PLURALS and not _counted(tokens, i, is_color):
        return False  # "trees", "flowers": the scene's forest and meadow flowers
    if is_color(i):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if nxt in NOUNS or nxt in ELEMENT_WORDS or nxt in SHAPE_WORDS or is_color(i + 1):
            return False
    return True


def _counted(tokens: list[str], i: int, is_color: Callable[[int], bool]) -> bool:
    return _count_before(tokens, i, is_color) is not None


def _count_before(tokens: list[str], i: int, is_color: Callable[[int], bool]) -> int | None:
    j = i - 1
    while j >= 0 and i - j <= 4:
        word = tokens[j]
        if word in NUMBERS:
            return NUMBERS[word]
        if word.isdigit():
            return max(1, min(12, int(word)))
        if word in SIZES or word in COLOR_MODIFIERS or is_color(j):
            j -= 1
            continue
        break
    return None


def read_thing(
    tokens: list[str],
    i: int,
    used: set[int],
    color_before: ColorReader,
    is_color: Callable[[int], bool],
    previous: list[Thing],
) -> Thing | None:
    """The Thing named at token i, or None when it repeats the previous noun ("teddy bear")."""
    name = NOUNS[tokens[i]]
    if previous and previous[-1].at == i - 1 and previous[-1].name == name:
        previous[-1].at = i
        return None
    color = color_before(tokens, i, used)
    counted = _count_before(tokens, i, is_color)
    plural = tokens[i] in PLURALS and tokens[i] not in _SAME_AS_SINGULAR
    count = counted if counted is not None else (3 if plural else 1)
    if plural and counted == 1:
        count = 3  # "some birds" ... parsed as "a"-less plural
    scale = 1.0
    for j in range(max(0, i - 4), i):
        if tokens[j] in SIZES:
            scale = SIZES[tokens[j]]
    thing = Thing(name, color, max(1, min(12, count)), scale, _place_after(tokens, i), at=i)
    if previous:
        gap = tokens[previous[-1].at + 1 : i]
        places = {w for k, w in enumerate(gap) if w in PLACES and gap[k + 1 : k + 2] != ["of"]}
        if ON_WORDS & set(gap) and not places and previous[-1].on is None:
            previous[-1].on = len(previous)
    return thing


def _place_after(tokens: list[str], i: int) -> str | None:
    """ "on the left", "at the top", "in the middle", "left side" within a few words."""
    for j in range(i + 1, min(len(tokens), i + 6)):
        word = tokens[j]
        if word in NOUNS and j > i + 1:
            return None
        if word in PLACES and PLACES[word] is not None:
            if word == "top" and j + 1 < len(tokens) and tokens[j + 1] == "of":
                return None  # "on top of": a relation
            return PLACES[word]
    return None
