"""The words the prompt grammar knows (see `prompt.py`)."""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _table(groups: dict[str, str]) -> dict[str, str]:
    """{"meaning": "word word ..."} -> {"word": "meaning"}."""
    return {word: meaning for meaning, words in groups.items() for word in words.split()}


# word -> scene element
ELEMENT_WORDS: dict[str, str] = _table(
    {
        "sky": "sky skies",
        "clouds": "cloud clouds cloudy overcast",
        "sun": "sun sunny sunshine sunlight sunlit",
        "moon": "moon moonlight moonlit",
        "stars": "starry starlit",
        "night": "night midnight nighttime",
        "sunset": "sunset sundown dusk evening twilight",
        "sunrise": "sunrise dawn daybreak",
        "sea": "sea ocean seascape waves wave surf seaside bay",
        "lake": "lake pond river lagoon water",
        "beach": "beach shore coast coastline",
        "hills": "hill hills hillside valley countryside",
        "mountains": "mountain mountains peak peaks alps volcano",
        "field": "field fields meadow meadows grass grassy grassland prairie lawn farm garden",
        "forest": "forest woods trees pines jungle",
        "tree": "tree",
        "desert": "desert dunes dune",
        "city": "city skyline buildings town skyscrapers downtown cityscape",
        "snow": "snow snowy winter snowfall snowflakes snowing",
        "rain": "rain rainy raining storm stormy",
        "rainbow": "rainbow",
        "flowers": "flower flowers floral blossoms tulips daisies wildflowers",
        "space": "space galaxy cosmos nebula universe",
        "landscape": "landscape scenery nature outdoors",
        "background": "background backdrop",
    }
)

# word -> shape
SHAPE_WORDS: dict[str, str] = _table(
    {
        "circle": "circle circles ball balls dot dots disc disk sphere orb bubble bubbles",
        "square": "square squares box boxes cube cubes",
        "rectangle": "rectangle rectangles",
        "triangle": "triangle triangles pyramid",
        "star": "star stars",
        "heart": "heart hearts",
        "diamond": "diamond diamonds",
        "oval": "oval ovals ellipse egg eggs",
        "pentagon": "pentagon",
        "hexagon": "hexagon hexagons",
        "octagon": "octagon",
    }
)

# word -> style (multi-word styles are joined first: "pixel art" -> pixelart)
STYLE_WORDS: dict[str, str] = _table(
    {
        "anime": "anime manga cartoon cel comic ghibli toon illustration",
        "watercolor": "watercolor watercolour aquarelle gouache",
        "sketch": "sketch pencil drawing lineart ink doodle",
        "oil": "oil impasto painting painted canvas",
        "photo": (
            "photo photograph photographic realistic photorealistic hyperrealistic 4k 8k hdr "
            "dslr cinematic"
        ),
        "pixel": "pixel pixelated 8bit pixelart",
        "neon": "neon cyberpunk synthwave vaporwave",
        "vintage": "vintage sepia retro antique faded",
        "mono": "monochrome grayscale greyscale noir",
    }
)

# words that name lettering
TEXT_NOUNS = _words(
    "caption font headline label lettering letters sign text title typography word words writing"
)

# count words
NUMBERS: dict[str, int] = {
    "a": 1,
    "an": 1,
    "one": 1,
    "single": 1,
    "two": 2,
    "pair": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "few": 3,
    "several": 4,
    "some": 3,
    "many": 6,
    "lots": 6,
    "dozen": 9,
}

# size words -> scale
SIZES: dict[str, float] = {
    "big": 1.3,
    "large": 1.3,
    "huge": 1.5,
    "giant": 1.5,
    "massive": 1.5,
    "small": 0.65,
    "little": 0.7,
    "tiny": 0.5,
    "mini": 0.55,
}

# words that say nothing about the subject
STOP_WORDS = _words(
    "a above amazing an and are art as at be beautiful behind below best by create "
    "detailed draw epic featuring for from generate has have hd high image in into is it "
    "its letters like lot lots make masterpiece me my near nice of on over picture please "
    "quality reads render rendering saying says scene show showing some stunning style "
    "text that the this to turn ultra under very view with word written your"
)

NIGHT_HINTS = frozenset({"night", "space", "moon", "stars"})
