"""Prompt text -> `Composition`: what the renderer should draw.

A small keyword grammar, not a language model: colour words attach to the element they
precede ("a blue sky with white clouds") or follow ("the sky is pink"), shapes take a count
and a size ("three small red stars"), quoted text is lettering ("the word 'Hello'"), style
words pick a look. A negative prompt removes what it names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .colors import COLOR_MODIFIERS, COLOR_WORDS, RGB, modified
from .subjects.phrases import Thing, is_noun, read_thing
from .vocab import (
    ELEMENT_WORDS,
    NIGHT_HINTS,
    NUMBERS,
    SHAPE_WORDS,
    SIZES,
    STOP_WORDS,
    STYLE_WORDS,
    TEXT_NOUNS,
)

_QUOTE_PAIRS = [("'", "'"), ('"', '"'), ("“", "”"), ("‘", "’"), ("«", "»")]
_UNQUOTED = re.compile(
    r"\b(?:word|text|title|caption|sign|letters)\s+(?:saying\s+|reading\s+)?"
    r"([A-Z0-9][\w!?&-]*)|\b(?:says|saying|reads|reading)\s+([A-Z0-9][\w!?&-]*)"
)
_TOKEN = re.compile(r"[a-z0-9#]+")
TEXT_TOKEN = "qqtextqq"


@dataclass
class Shape:
    kind: str
    color: RGB | None
    count: int = 1
    scale: float = 1.0


@dataclass
class Text:
    text: str
    color: RGB | None = None


@dataclass
class Composition:
    """Everything the renderer draws, as parsed from a prompt."""

    prompt: str
    tokens: list[str] = field(default_factory=list)
    style: str | None = None
    time: str = "day"  # day | night | sunset | sunrise
    elements: set[str] = field(default_factory=set)
    colors: dict[str, RGB] = field(default_factory=dict)  # element -> colour named for it
    free_colors: list[RGB] = field(default_factory=list)  # colours not attached to anything
    avoid_colors: list[RGB] = field(default_factory=list)  # from the negative prompt
    shapes: list[Shape] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    subject_words: list[str] = field(default_factory=list)
    things: list[Thing] = field(default_factory=list)  # subjects to draw (see `subjects`)

    @property
    def is_scene(self) -> bool:
        scenic = self.elements - {"background"}
        return bool(scenic) or (self.time != "day")

    @property
    def background(self) -> RGB | None:
        return self.colors.get("background")


def extract_texts(prompt: str) -> tuple[list[str], str]:
    """Quoted (or clearly introduced) lettering, and the prompt with it replaced by a marker."""
    found: list[tuple[int, str]] = []
    rest = prompt
    for open_q, close_q in _QUOTE_PAIRS:
        pattern = re.compile(
            r"(?:^|(?<=[\s(\[{:,=]))"
            + re.escape(open_q)
            + r"([^"
            + re.escape(close_q)
            + r"\n]{1,80}?)"
            + re.escape(close_q)
            + r"(?=$|[\s.,;:!?)\]}])"
        )
        for m in pattern.finditer(rest):
            if m.group(1).strip():
                found.append((m.start(), m.group(1).strip()))
        rest = pattern.sub(f" {TEXT_TOKEN} ", rest)
    if not found:
        for m in _UNQUOTED.finditer(rest):
            found.append((m.start(), m.group(1) or m.group(2)))
        rest = _UNQUOTED.sub(lambda m: m.group(0).split()[0] + f" {TEXT_TOKEN} ", rest)
    found.sort()
    return [text for _, text in found], rest


def _tokens(text: str) -> list[str]:
    text = text.lower().replace("8-bit", "8bit").replace("pixel art", "pixelart")
    text = text.replace("black and white", "monochrome").replace("line art", "lineart")
    return _TOKEN.findall(text)


def _color_at(tokens: list[str], i: int) -> tuple[RGB, int] | None:
    """The colour phrase ending at token i (e.g. "light blue", "navy blue"), and its length."""
    for n in (2, 1):
        if i - n + 1 < 0:
            continue
        name = " ".join(tokens[i - n + 1 : i + 1])
        if name in COLOR_WORDS:
            color, length = COLOR_WORDS[name], n
            before = i - n
            if before >= 0 and tokens[before] in COLOR_MODIFIERS:
                return modified(color, tokens[before]), length + 1
            return color, length
    return None


def _color_before(tokens: list[str], i: int, used: set[int]) -> RGB | None:
    """A colour word shortly before token i (skipping sizes and numbers), marking it used."""
    j = i - 1
    while j >= 0 and i - j <= 4:
        hit = _color_at(tokens, j)
        if hit and j not in used:
            color, length = hit
            used.update(range(j - length + 1, j + 1))
            return color
        if tokens[j] in SIZES or tokens[j] in NUMBERS or tokens[j] in COLOR_MODIFIERS:
            j -= 1
            continue
        if tokens[j] in {"and", "or"} and j - 1 >= 0 and _color_at(tokens, j - 1):
            j -= 1  # "red and white stripes": take the nearest colour only
            continue
        break
    return None


def _color_after(tokens: list[str], i: int, used: set[int]) -> RGB | None:
    """ "sky is pink", "'Hello' in red", "text written in gold" -> the colour, marking it used."""
    j = i + 1
    while (
        j < len(tokens)
        and j - i <= 3
        and tokens[j]
        in {
            "is",
            "are",
            "was",
            "in",
            "written",
            "painted",
            "colored",
            "coloured",
            "turning",
            "glowing",
            "bright",
            "light",
            "dark",
            "deep",
            "pale",
        }
    ):
        j += 1
    for n in (2, 1):
        end = j + n - 1
        if end < len(tokens) and end not in used:
            hit = _color_at(tokens, end)
            if hit and hit[1] >= n and j > i + 1:
                used.update(range(end - hit[1] + 1, end + 1))
                return hit[0]
    return None


def parse(prompt: str, negative: str = "") -> Composition:
    """Parse a prompt (and negative prompt) into a `Composition`."""
    texts, rest = extract_texts(prompt)
    tokens = _tokens(rest)
    comp = Composition(prompt=prompt, tokens=tokens)
    used: set[int] = set()
    text_iter = iter(texts)
    styles: list[tuple[str, bool]] = []
    def is_color(j: int) -> bool:
        return 0 <= j < len(tokens) and _color_at(tokens, j) is not None

    night_context = any(t in NIGHT_HINTS or ELEMENT_WORDS.get(t) in NIGHT_HINTS for t in tokens)

    for i, tok in enumerate(tokens):
        if tok == TEXT_TOKEN:
            text = next(text_iter, None)
            if text is not None:
                color = _color_after(tokens, i, used)
                comp.texts.append(Text(text, color))
            continue
        if tok in TEXT_NOUNS:
            color = _color_before(tokens, i, used)
            if color is not None and comp.texts and comp.texts[-1].color is None:
                comp.texts[-1].color = color
            elif color is not None:
                comp.colors["__text__"] = color
            continue
        if tok in STYLE_WORDS:
            styles.append((STYLE_WORDS[tok], i + 1 < len(tokens) and tokens[i + 1] == "style"))
        if is_noun(tokens, i, is_color):
            used.add(i)
            thing = read_thing(tokens, i, used, _color_before, is_color, comp.things)
            if thing is not None:
                comp.things.append(thing)
            continue
        if tok == "stars" and night_context and not _is_counted(tokens, i):
            comp.elements.add("stars")
            _color_before(tokens, i, used)
            continue
        if tok in SHAPE_WORDS:
            comp.shapes.append(_shape(tokens, i, used))
            continue
        element = ELEMENT_WORDS.get(tok)
        if element is not None:
            if (
                element == "rainbow"
                and i + 1 < len(tokens)
                and tokens[i + 1]
                in {
                    "colored",
                    "coloured",
                    "colors",
                    "colours",
                }
            ):
                continue
            comp.elements.add(element)
            color = _color_before(tokens, i, used) or _color_after(tokens, i, used)
            if color is not None and element not in comp.colors:
                comp.colors[element] = color
            continue
        if (
            tok not in STOP_WORDS
            and tok not in STYLE_WORDS
            and tok not in SIZES
            and tok not in NUMBERS
            and not _color_at(tokens, i)
            and len(tok) > 2
        ):
            comp.subject_words.append(tok)

    for leftover in texts[len(comp.texts) :]:
        comp.texts.append(Text(leftover))
    if "__text__" in comp.colors:
        color = comp.colors.pop("__text__")
        for t in comp.texts:
            t.color = t.color or color
    for i in range(len(tokens)):
        hit = _color_at(tokens, i)
        if hit and not used.intersection(range(i - hit[1] + 1, i + 1)):
            if i + 1 < len(tokens) and _color_at(tokens, i + 1):
                continue  # part of a longer colour phrase
            comp.free_colors.append(hit[0])
            used.update(range(i - hit[1] + 1, i + 1))

    comp.style = _pick_style(styles)
    _settle_time(comp)
    if negative.strip():
        _apply_negative(comp, parse(negative))
    return comp


def _pick_style(styles: list[tuple[str, bool]]) -> str | None:
    """ "photo of a player into anime style" -> anime: "X style" wins, then any non-photo."""
    for name, before_style in styles:
        if before_style:
            return name
    for name, _ in styles:
        if name != "photo":
            return name
    return styles[0][0] if styles else None


def _is_counted(tokens: list[str], i: int) -> bool:
    j = i - 1
    while j >= 0 and (tokens[j] in SIZES or _color_at(tokens, j) or tokens[j] in COLOR_MODIFIERS):
        j -= 1
    return j >= 0 and (
        (tokens[j] in NUMBERS and tokens[j] not in {"some", "many", "lots"}) or tokens[j].isdigit()
    )


def _shape(tokens: list[str], i: int, used: set[int]) -> Shape:
    tok = tokens[i]
    kind = SHAPE_WORDS[tok]
    color = _color_before(tokens, i, used)
    count = 3 if tok.endswith("s") and tok not in {"sphere", "box"} else 1
    scale = 1.0
    for j in range(max(0, i - 4), i):
        word = tokens[j]
        if word in NUMBERS:
            count = NUMBERS[word] if not tok.endswith("s") or NUMBERS[word] > 1 else count
        elif word.isdigit():
            count = max(1, min(12, int(word)))
        elif word in SIZES:
            scale = SIZES[word]
    if color is None:
        color = _color_after(tokens, i, used)
    return Shape(kind, color, max(1, min(12, count)), scale)


def _settle_time(comp: Composition) -> None:
    els = comp.elements
    if "sunset" in els:
        comp.time = "sunset"
    elif "sunrise" in els:
        comp.time = "sunrise"
    elif els & {"night", "moon", "stars", "space"}:
        comp.time = "night"
    if (
        comp.time == "night"
        and "moon" not in els
        and "space" not in els
        and "night" in els
        and "stars" not in els
    ):
        els.add("stars")


def _apply_negative(comp: Composition, neg: Composition) -> None:
    comp.elements -= neg.elements - {"background"}
    for element in neg.elements:
        comp.colors.pop(element, None)
    if neg.time != "day" and comp.time == neg.time:
        comp.time = "day"
    names = {t.name for t in neg.things}
    comp.things = [t for t in comp.things if t.name not in names]
    kinds = {s.kind for s in neg.shapes}
    comp.shapes = [s for s in comp.shapes if s.kind not in kinds]
    if {"text", "words", "letters", "lettering", "watermark", "writing"} & set(neg.tokens):
        comp.texts = []
    comp.avoid_colors = neg.free_colors + list(neg.colors.values())
    if neg.style is not None and comp.style == neg.style:
        comp.style = None
