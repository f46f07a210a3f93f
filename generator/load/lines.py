"""The file line of each front-matter key path of an article: `Article.lines`.

An immutable mapping. Most articles are never asked for a line (only findings name one), and
an article has some 35 key paths: pickled (the build cache), the map is one JSON string, read
back only when a line is first asked for. Unpickling a tuple per key path of every article
was the largest part of taking 10,000 articles from the cache after their front matter.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping

from generator.core.yamlsource import Loc


class Lines(Mapping[Loc, int]):
    __slots__ = ("_lines", "_packed")

    def __init__(self, lines: Mapping[Loc, int] | None = None) -> None:
        self._lines: dict[Loc, int] | None = dict(lines) if lines else {}
        self._packed: str | None = None

    @classmethod
    def unpack(cls, packed: str) -> Lines:
        kept = cls()
        kept._lines, kept._packed = None, packed
        return kept

    def _read(self) -> dict[Loc, int]:
        if self._lines is None:  # unpacked once, when first asked: the same lines every time
            assert self._packed is not None
            self._lines = {tuple(loc): line for loc, line in json.loads(self._packed)}
        return self._lines

    def line_of(self, loc: Loc) -> int:
        """The line of `loc`, or of its nearest parent that has one (else the first line)."""
        lines = self._read()
        for end in range(len(loc), 0, -1):
            line = lines.get(loc[:end])
            if line is not None:
                return line
        return 1

    def __getitem__(self, loc: Loc) -> int:
        return self._read()[loc]

    def get(self, loc: Loc, default: int | None = None) -> int | None:  # type: ignore[override]
        return self._read().get(loc, default)

    def __iter__(self) -> Iterator[Loc]:
        return iter(self._read())

    def __len__(self) -> int:
        return len(self._read())

    def __repr__(self) -> str:
        return f"Lines({self._read()!r})"

    def __reduce__(self) -> tuple[object, tuple[str]]:
        packed = self._packed
        if packed is None:
            items = list(self._read().items())
            packed = json.dumps(items, ensure_ascii=False, separators=(",", ":"))
        return Lines.unpack, (packed,)
