"""Colour words, hex colours, and the colours that common nouns suggest."""

from __future__ import annotations

import colorsys
import hashlib
import re

RGB = tuple[int, int, int]

# Colour words a prompt may use. Multi-word names are matched before single words.
COLOR_WORDS: dict[str, RGB] = {
    "red": (210, 30, 35),
    "crimson": (190, 20, 50),
    "scarlet": (235, 35, 20),
    "maroon": (120, 15, 30),
    "burgundy": (128, 0, 40),
    "ruby": (200, 15, 75),
    "cherry": (210, 20, 60),
    "rose": (235, 90, 120),
    "pink": (245, 140, 185),
    "hot pink": (255, 60, 160),
    "magenta": (230, 30, 160),
    "fuchsia": (240, 50, 200),
    "salmon": (250, 128, 114),
    "coral": (255, 120, 85),
    "peach": (255, 195, 160),
    "orange": (250, 130, 20),
    "tangerine": (250, 140, 30),
    "amber": (255, 185, 15),
    "gold": (240, 190, 40),
    "golden": (240, 185, 45),
    "yellow": (250, 215, 30),
    "lemon": (250, 240, 80),
    "mustard": (215, 170, 40),
    "cream": (250, 240, 215),
    "beige": (225, 210, 180),
    "ivory": (250, 248, 235),
    "tan": (210, 180, 140),
    "khaki": (195, 180, 130),
    "sand": (220, 195, 150),
    "sandy": (220, 195, 150),
    "brown": (130, 80, 40),
    "chocolate": (105, 60, 30),
    "coffee": (110, 75, 50),
    "bronze": (185, 120, 50),
    "copper": (190, 105, 60),
    "rust": (180, 70, 30),
    "lime": (150, 225, 40),
    "green": (45, 160, 60),
    "emerald": (20, 155, 95),
    "jade": (0, 165, 115),
    "mint": (150, 235, 190),
    "olive": (120, 125, 40),
    "forest green": (35, 100, 40),
    "sage": (160, 180, 140),
    "teal": (0, 130, 135),
    "turquoise": (40, 210, 200),
    "aqua": (60, 225, 225),
    "cyan": (30, 200, 230),
    "sky blue": (120, 190, 240),
    "light blue": (150, 200, 245),
    "baby blue": (160, 205, 245),
    "blue": (35, 90, 215),
    "azure": (40, 130, 240),
    "cobalt": (0, 70, 170),
    "sapphire": (20, 60, 170),
    "royal blue": (50, 80, 220),
    "navy": (15, 30, 95),
    "navy blue": (15, 30, 95),
    "midnight blue": (20, 25, 70),
    "indigo": (70, 30, 140),
    "violet": (140, 80, 210),
    "purple": (120, 45, 170),
    "lavender": (190, 170, 235),
    "lilac": (200, 160, 220),
    "plum": (140, 60, 120),
    "mauve": (190, 140, 170),
    "white": (248, 248, 248),
    "snow white": (252, 252, 255),
    "silver": (192, 195, 200),
    "grey": (128, 130, 135),
    "gray": (128, 130, 135),
    "charcoal": (55, 58, 64),
    "black": (15, 15, 18),
    "ebony": (30, 28, 25),
    "rainbow": (200, 120, 200),
}

# Words that sharpen a colour word: "light blue", "deep red", "pale green".
COLOR_MODIFIERS: dict[str, tuple[float, float]] = {
    # name: (mix toward white, mix toward black)
    "light": (0.45, 0.0),
    "pale": (0.6, 0.0),
    "pastel": (0.5, 0.0),
    "soft": (0.25, 0.0),
    "bright": (0.1, 0.0),
    "vivid": (0.0, 0.0),
    "dark": (0.0, 0.45),
    "deep": (0.0, 0.3),
    "dim": (0.0, 0.3),
}

# Colours suggested by common nouns, used when a prompt names no colour for its subject.
NOUN_COLORS: dict[str, RGB] = {
    "fire": (240, 90, 20),
    "flame": (250, 120, 20),
    "lava": (220, 60, 10),
    "ice": (190, 230, 250),
    "frost": (210, 235, 250),
    "water": (40, 120, 200),
    "rose": (215, 30, 60),
    "roses": (215, 30, 60),
    "tulip": (230, 50, 90),
    "sunflower": (250, 200, 20),
    "banana": (250, 225, 60),
    "lemon": (250, 235, 70),
    "apple": (200, 30, 35),
    "cherry": (190, 20, 45),
    "strawberry": (220, 40, 60),
    "orange": (250, 140, 20),
    "grape": (110, 40, 130),
    "plum": (110, 40, 100),
    "lime": (140, 210, 40),
    "avocado": (110, 140, 50),
    "leaf": (70, 150, 50),
    "leaves": (70, 150, 50),
    "tree": (50, 120, 50),
    "jungle": (30, 110, 40),
    "chocolate": (100, 55, 30),
    "coffee": (110, 70, 45),
    "wood": (150, 100, 60),
    "gold": (235, 185, 50),
    "treasure": (230, 180, 50),
    "coin": (220, 175, 60),
    "robot": (150, 160, 175),
    "steel": (150, 160, 170),
    "metal": (160, 165, 175),
    "cat": (200, 140, 80),
    "fox": (225, 110, 40),
    "tiger": (235, 130, 30),
    "lion": (215, 160, 80),
    "dog": (170, 120, 75),
    "bear": (110, 75, 45),
    "frog": (80, 170, 60),
    "penguin": (40, 45, 60),
    "whale": (60, 90, 140),
    "fish": (250, 140, 50),
    "bird": (70, 130, 210),
    "butterfly": (240, 150, 40),
    "dragon": (60, 150, 80),
    "unicorn": (235, 170, 230),
    "ghost": (235, 235, 245),
    "piano": (30, 30, 35),
    "guitar": (170, 100, 45),
    "music": (120, 70, 190),
    "love": (225, 50, 90),
    "heart": (220, 40, 70),
    "space": (20, 20, 60),
    "galaxy": (80, 40, 140),
    "planet": (200, 130, 80),
    "alien": (110, 220, 90),
    "candy": (245, 120, 190),
    "cake": (245, 200, 210),
    "ocean": (20, 100, 170),
    "storm": (80, 90, 105),
    "rain": (110, 130, 150),
    "coral": (255, 120, 90),
    "autumn": (215, 110, 30),
    "fall": (210, 105, 35),
    "spring": (140, 210, 110),
    "summer": (250, 200, 60),
    "winter": (200, 220, 240),
    "halloween": (240, 120, 20),
    "christmas": (190, 30, 40),
    "emerald": (20, 155, 95),
    "ruby": (200, 15, 75),
    "wine": (120, 20, 40),
    "blood": (140, 10, 15),
    "neon": (255, 40, 200),
    "city": (90, 100, 120),
    "castle": (150, 145, 140),
    "car": (200, 40, 40),
    "portrait": (210, 160, 130),
    "face": (220, 170, 140),
    "person": (210, 160, 130),
    "woman": (215, 160, 135),
    "man": (200, 150, 120),
    "player": (190, 140, 110),
}

_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")


def parse_hex(value: str) -> RGB:
    """Parse "#RRGGBB" (or "RRGGBB") into an (r, g, b) tuple; ValueError otherwise."""
    match = _HEX.match(value.strip())
    if not match:
        raise ValueError(f"not a #RRGGBB colour: {value!r}")
    digits = match.group(1)
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """Linear mix of two colours, t=0 gives a, t=1 gives b."""
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def modified(color: RGB, modifier: str | None) -> RGB:
    """Apply a modifier word ("light", "dark", ...) to a colour."""
    if not modifier or modifier not in COLOR_MODIFIERS:
        return color
    to_white, to_black = COLOR_MODIFIERS[modifier]
    out = mix(color, (255, 255, 255), to_white) if to_white else color
    return mix(out, (0, 0, 0), to_black) if to_black else out


def luminance(color: RGB) -> float:
    """Relative luminance in 0..1 (Rec. 709 weights on gamma-encoded values; good enough)."""
    return (0.2126 * color[0] + 0.7152 * color[1] + 0.0722 * color[2]) / 255.0


def word_hash(text: str) -> int:
    """A stable 64-bit hash of a string (Python's hash() is salted per process)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def color_for_word(word: str) -> RGB:
    """A pleasant colour derived from a word: its known colour, else one picked by its hash."""
    if word in COLOR_WORDS:
        return COLOR_WORDS[word]
    if word in NOUN_COLORS:
        return NOUN_COLORS[word]
    h = word_hash(word)
    hue = (h % 360) / 360.0
    sat = 0.45 + ((h >> 9) % 40) / 100.0
    val = 0.65 + ((h >> 17) % 30) / 100.0
    r, g, b = colorsys.hsv_to_rgb(hue, sat, val)
    return (round(r * 255), round(g * 255), round(b * 255))


def contrasting(color: RGB) -> RGB:
    """Near-black or near-white, whichever reads better on `color`."""
    return (20, 20, 28) if luminance(color) > 0.5 else (250, 250, 250)
