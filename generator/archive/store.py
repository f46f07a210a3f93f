"""The archive folder: where it is, who may write it, and what it already holds.

    archive/
      <YYYY>/<timestamp>.warc.gz   one per publication that changed anything (YYYY: the year in
                                   China time, which transfer packages go by)
      index.cdxj                   every capture (response, revisit), for replay and `list`
      metadata.cdxj                every metadata record: manifests, approvals, removals
      state.json                   the last capture of every live URL, for the next revisits
      .lock                        one writer at a time

The WARC files are the record; everything else is derived from them and rebuilt from them
when it is missing or does not list exactly the WARC files there are (an interrupted write, a
file copied in by hand). A WARC file only appears whole: it is written beside its place,
flushed to disk and renamed.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.build.atomic import write_atomic
from generator.core.config import Site
from generator.core.findings import Code, Severity

ARCHIVE_DIR = Code(
    "ARCHIVE-DIR",
    Severity.ERROR,
    "网页归档目录 {path} 不可用：{problem}",
    "archive_dir 须是仓库中的普通文件夹，不能是链接，也不能在网站输出目录（site_dir）、"
    "稿件目录（docs_dir）或构建目录（build，会被清理）之内。",
)

STATE_FORMAT = 1


class ArchiveError(Exception):
    """The archive cannot be used; `finding` says why, in Chinese."""

    def __init__(self, finding: Any) -> None:
        super().__init__(finding.message)
        self.finding = finding


@dataclass(frozen=True)
class Capture:
    """The capture a revisit points back to: the response record that holds the bytes."""

    digest: str
    date: str  # its WARC-Date
    rid: str  # its WARC-Record-ID


@dataclass
class State:
    warcs: list[str] = field(default_factory=list)
    last: str | None = None  # the WARC-Date of the last publication archived
    captures: dict[str, Capture] = field(default_factory=dict)  # every URL live now
    articles: dict[str, str] = field(default_factory=dict)  # public article URL → uid
    damaged: dict[str, str] = field(default_factory=dict)  # WARC files left out, and why

    def dumps(self) -> bytes:
        return json.dumps(
            {
                "format": STATE_FORMAT,
                "warcs": self.warcs,
                "last": self.last,
                "captures": {u: [c.digest, c.date, c.rid] for u, c in self.captures.items()},
                "articles": self.articles,
                "damaged": self.damaged,
            },
            ensure_ascii=False,
            sort_keys=True,
        ).encode("utf-8")

    @classmethod
    def loads(cls, data: bytes) -> State | None:
        try:
            raw = json.loads(data)
            if raw.get("format") != STATE_FORMAT:
                return None
            return cls(
                warcs=[str(w) for w in raw["warcs"]],
                last=raw["last"],
                captures={u: Capture(*map(str, c)) for u, c in raw["captures"].items()},
                articles={str(u): str(i) for u, i in raw["articles"].items()},
                damaged={str(w): str(p) for w, p in raw.get("damaged", {}).items()},
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return None


class Archive:
    """An archive folder, checked: not a link, not inside the public site."""

    def __init__(
        self, root: Path, site_dir: Path | None = None, *, keep_out: dict[str, Path] | None = None
    ) -> None:
        """`keep_out`: other folders (by name) the archive may neither be in nor contain."""
        places = {"网站输出目录": site_dir} if site_dir is not None else {}
        problem = _unusable(root, {**places, **(keep_out or {})})
        if problem:
            raise ArchiveError(ARCHIVE_DIR.at(str(root), None, path=str(root), problem=problem))
        self.root = root

    @classmethod
    def of(cls, site: Site) -> Archive:
        """The site's archive (archive_dir): outside its public site, its content and its
        build folder."""
        keep_out = {"稿件目录": site.docs_dir, "构建目录": site.build_dir}
        return cls(site.archive_dir, site.site_dir, keep_out=keep_out)

    @property
    def index(self) -> Path:
        return self.root / "index.cdxj"

    @property
    def metadata_index(self) -> Path:
        return self.root / "metadata.cdxj"

    @property
    def state_file(self) -> Path:
        return self.root / "state.json"

    def warcs(self) -> list[str]:
        """Every WARC file of the archive, relative to it, oldest first."""
        if not self.root.is_dir():
            return []
        found = []
        for year in sorted(self.root.iterdir()):
            if year.is_dir() and not year.is_symlink() and year.name.isdigit():
                found += [
                    f"{year.name}/{w.name}"
                    for w in year.iterdir()
                    if w.name.endswith(".warc.gz") and w.is_file() and not w.is_symlink()
                ]
        return sorted(found, key=lambda w: (w.rsplit("/", 1)[-1], w))

    @contextmanager
    def writing(self) -> Iterator[None]:
        """One writer at a time (a scheduled publication and one by hand)."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._sweep()
            yield
        finally:
            os.close(fd)

    def _sweep(self) -> None:
        """Remove what a writer killed outright left (a WARC file or an index half written,
        under its temporary name): no other writer runs while the lock is held."""
        years = [y for y in self.root.iterdir() if y.name.isdigit() and y.is_dir()]
        leftovers = [*self.root.glob(".*.tmp"), *self.root.glob("tmp*.cdxj")]
        for year in years:
            if not year.is_symlink():
                leftovers += year.glob(".*.tmp")
        for leftover in leftovers:
            if leftover.is_file() and not leftover.is_symlink():
                leftover.unlink(missing_ok=True)


def _unusable(root: Path, places: dict[str, Path]) -> str:
    for p in [root, *root.parents]:
        if p.is_symlink():
            return f"{p} 是链接"
    if root.exists() and not root.is_dir():
        return "不是文件夹"
    resolved = root.resolve()
    for name, place in places.items():
        other = place.resolve()
        if resolved == other or other in resolved.parents or resolved in other.parents:
            why = WHY.get(name, "")
            return f"在{name}之内（或包含它）{'，' + why if why else ''}"
    return ""


WHY = {
    "网站输出目录": "会被部署到公众服务器",
    "稿件目录": "会被当作稿件和附件读取",
    "构建目录": "清理构建产物时会被删除",
}


def write_durably(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write a file beside its place, flush it to disk, then rename it into place."""
    write_atomic(path, data, durable=True)
