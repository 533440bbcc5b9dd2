"""Questions about the objects in a picture, answered from `objects.segment`'s measurements.

"How many apples ...?", "What colour is the car?", "Is there any text?", "How many objects
...?". A question about something measurement cannot name ("how many dogs") says so and
lists what was measured. Questions of other kinds return None (see `vision.answer_about`).
"""

from __future__ import annotations

import re

from .objects import FRUIT, Obj, Scene, segment

NAMED = {"apple", "orange", "banana", "car", "circle", "square", "rectangle", "triangle",
         "cloud", "text"}  # fmt: skip
_NUM = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
_PLURAL = {
    "apple": "apples", "orange": "oranges", "banana": "bananas", "car": "cars",
    "circle": "circles", "square": "squares", "rectangle": "rectangles",
    "triangle": "triangles", "cloud": "clouds", "fruit": "fruits", "object": "objects",
}  # fmt: skip
_SINGULAR = {v: k for k, v in _PLURAL.items()} | {
    "fruit": "fruit", "things": "object", "thing": "object", "shapes": "object",
}  # fmt: skip
_HOW_MANY = re.compile(r"\bhow many ([a-z]+)|\bcount (?:the )?([a-z]+)|\bnumber of ([a-z]+)")
_COLOUR_OF = re.compile(r"\bwhat colou?r (?:is|are) (?:the |that |this )?([a-z]+)")
# "What colour is it?" asks about the whole picture, which vision's colour measurement answers
_WHOLE_PICTURE = {"it", "this", "that", "image", "picture", "photo", "background", "sky"}
_TEXT = re.compile(r"\b(?:text|writing|written|words?|letters?|lettering|says?|caption)\b")


def _n(count: int, noun: str) -> str:
    word = _NUM[count] if count < len(_NUM) else str(count)
    return f"{word} {noun if count == 1 else _PLURAL.get(noun, noun + 's')}"


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def _where(scene: Scene, obj: Obj) -> str:
    from .objects import WORK

    x, y = obj.centre
    w = min(WORK, scene.width) if scene.width >= scene.height else WORK * scene.width / scene.height
    h = w * scene.height / scene.width
    col = "left" if x < w / 3 else "right" if x > 2 * w / 3 else "centre"
    row = "top" if y < h / 3 else "bottom" if y > 2 * h / 3 else ""
    return f"{row} {col}".strip() if row or col != "centre" else "centre"


def _name(obj: Obj) -> str:
    if obj.kind in FRUIT or obj.kind == "car":
        return _a(obj.kind if obj.color == obj.kind else f"{obj.color} {obj.kind}")
    if obj.kind == "text":
        return "a piece of lettering"
    return _a(f"{obj.color} {obj.kind}")


def inventory(scene: Scene) -> str:
    if not scene.objects:
        return "no distinct objects stand out from the background"
    items = [f"{_name(o)} ({_where(scene, o)})" for o in scene.objects[:8]]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def answer_objects(image_bytes: bytes, question: str) -> str | None:
    q = question.lower()
    many = _HOW_MANY.search(q)
    colour = _COLOUR_OF.search(q)
    text = _TEXT.search(q) and re.search(r"\b(?:is|are|any|does|what)\b", q)
    if not (many or colour or text):
        return None
    scene = segment(image_bytes)
    if many:
        word = next(g for g in many.groups() if g)
        return _count(scene, _SINGULAR.get(word, word.rstrip("s") if word.endswith("s") else word))
    if colour:
        word = colour.group(1)
        return _colour(scene, _SINGULAR.get(word, word))
    return _text(scene)


def _count(scene: Scene, noun: str) -> str:
    if noun == "object":
        return f"The picture shows {_n(len(scene.objects), 'object')}: {inventory(scene)}."
    if noun == "fruit":
        fruit = [o for o in scene.objects if o.kind in FRUIT]
        kinds = ", ".join(_name(o) for o in fruit)
        return f"The picture shows {_n(len(fruit), 'fruit')}" + (f": {kinds}." if kinds else ".")
    if noun not in NAMED:
        return (f"Measurement cannot tell how many {_PLURAL.get(noun, noun + 's')} there are: "
                "offline, objects are found by colour and shape, and only simple ones (apples, "
                "oranges, bananas, cars, clouds, lettering, round or square shapes) can be "
                f"named. It finds {inventory(scene)}.")
    hits = [o for o in scene.objects if o.kind == noun]
    reply = f"The picture shows {_n(len(hits), noun)}"
    if noun in FRUIT:
        others = [o for o in scene.objects if o.kind in FRUIT and o.kind != noun]
        if len(others) == 1:
            reply += f" and the other fruit is {_a(others[0].kind)}"
        elif others:
            reply += " and other fruit: " + ", ".join(_a(o.kind) for o in others)
    if not hits:
        reply += f"; it finds {inventory(scene)}"
    return reply + "."


def _colour(scene: Scene, noun: str) -> str | None:
    if noun not in NAMED and noun not in {"object", "fruit"}:
        return None if noun in _WHOLE_PICTURE else (
            f"Measurement cannot find {_a(noun)}: offline, only simple objects can be named. "
            f"It finds {inventory(scene)}.")  # fmt: skip
    hits = [o for o in scene.objects if o.kind == noun or noun in {"object", "fruit"}]
    if not hits:
        return f"No {noun} could be found by measurement; it finds {inventory(scene)}."
    if len(hits) == 1:
        return f"The {noun} is {hits[0].color}."
    listed = ", ".join(f"{o.color} ({_where(scene, o)})" for o in hits)
    return f"There are {_n(len(hits), noun)}: {listed}."


def _text(scene: Scene) -> str:
    blocks = [o for o in scene.objects if o.kind == "text"]
    if blocks or scene.text_rows:
        where = _where(scene, blocks[0]) if blocks else "the picture"
        return (f"Yes — there is text-like lettering ({where}). Reading it is beyond "
                "measurement offline.")
    return ("No text-like lettering was found: no row of letter-sized shapes stands out. "
            "Very small or faint text may not be measurable.")
