"""Shapes of archive the bench writes (`make bench SHAPE=…`): the bench must not measure only
the corpus it was tuned on.

A shape fixes what varies between newsrooms' archives: how long articles are (short notices
to 10,000-character reports), how many tags an article has and from how large a vocabulary
(each tag has its own listing pages), how many images and tables an article carries (and
whether images are shared or each article's own file, hashed and bound by its sign-off), and
the share of articles that are corrected, pending, scheduled or withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shape:
    name: str
    about: str  # one line for the README table
    chars: tuple[int, int, int]  # body length in characters: median, lowest, highest
    tags: tuple[int, int]  # tags per article: fewest, most
    vocabulary: int  # distinct tags in the archive (the most used first, Zipf-like)
    images: tuple[float, int]  # share of articles with images, most images in one
    own_images: bool  # each image its own file (else one shared file)
    tables: tuple[float, int]  # share of articles with tables, most tables in one
    corrected: float = 0.0  # share with public 更正 notices
    pending: float = 0.1  # share not yet through the gate
    scheduled: float = 0.0  # share with an embargo after the bench's `now`
    withdrawn: float = 0.0  # share withdrawn (a public notice page remains)


SHAPES = {
    s.name: s
    for s in (
        Shape(
            "newsroom",
            "the bench's original corpus: ~900 characters, 2 tags of 18, a shared image",
            chars=(900, 400, 1600),
            tags=(2, 2),
            vocabulary=18,
            images=(0.3, 1),
            own_images=False,
            tables=(0.4, 1),
        ),
        Shape(
            "notices",
            "short notices: ~300 characters, 0–1 tag of 12, no images, few tables",
            chars=(300, 120, 800),
            tags=(0, 1),
            vocabulary=12,
            images=(0.0, 0),
            own_images=False,
            tables=(0.05, 1),
            corrected=0.02,
            pending=0.05,
            scheduled=0.03,
            withdrawn=0.01,
        ),
        Shape(
            "archive",
            "a mixed archive: ~2,000 characters, 2–5 tags of 300, a third with its own image",
            chars=(2000, 600, 6000),
            tags=(2, 5),
            vocabulary=300,
            images=(0.33, 1),
            own_images=True,
            tables=(0.3, 2),
            corrected=0.1,
            pending=0.08,
            scheduled=0.02,
            withdrawn=0.02,
        ),
        Shape(
            "reports",
            "long reports: ~6,000 characters (to 10,000), 3–6 tags of 600, images and tables",
            chars=(6000, 3000, 10000),
            tags=(3, 6),
            vocabulary=600,
            images=(0.6, 3),
            own_images=True,
            tables=(0.8, 3),
            corrected=0.2,
            pending=0.1,
            scheduled=0.03,
            withdrawn=0.03,
        ),
    )
}
DEFAULT = "newsroom"
