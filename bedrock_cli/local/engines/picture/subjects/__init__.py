"""The renderer's drawing vocabulary: subjects drawn from shapes, placed as the prompt says.

- `pen`: a supersampled, shaded pen working in each subject's unit box;
- `registry`: `@subject(...)` registers a drawing with its words, aspect, size and setting;
- `animals`, `objects`, `places`, `nature`, `people`: the drawings, grouped by kind;
- `phrases`: a prompt's nouns -> `Thing`s (count, colour, size, position, relation);
- `layout`: `Thing`s -> boxes in the frame, varying with the seed, and drawing them.
"""

from __future__ import annotations

from . import animals, nature, objects, people, places  # noqa: F401  (they register)
from .registry import NOUNS, PLURALS, SUBJECTS, Subject

__all__ = ["NOUNS", "PLURALS", "SUBJECTS", "Subject"]
