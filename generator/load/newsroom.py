"""The newsroom: every article of `content/`, loaded, with the hashes of the files they use.

It only reads: parsing each file (`load/article.py`) and discovering what else `content/`
holds (links and special files, files at the places the build writes). Everything that judges
an article, alone or against the registries and the other articles, is a rule of the gate
(`generator.gate.decide.RULES`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Protocol

from generator.core.config import Site
from generator.core.findings import Finding
from generator.core.progress import phase
from generator.core.staff import Staff, load_staff
from generator.core.wording import Wording, load_wording
from generator.load.article import (
    Article,
    internal_error,
    load_article,
    parse_article,
    source_key,
)
from generator.load.assets import sealed_files
from generator.load.contentfiles import (
    Content,
    hash_files,
    oversize,
    scan,
)
from generator.load.generated import refuse_reserved, reserved_files


class ArticleStore(Protocol):
    """Parses kept from an earlier run, by docs path and `source_key` (the build cache)."""

    def article(self, src: str, key: bytes) -> Article | None: ...

    def keep_article(self, article: Article, key: bytes) -> None: ...


@dataclass
class Newsroom:
    site: Site
    staff: Staff
    wording: Wording
    articles: list[Article] = field(default_factory=list)
    # Docs path → sha256 of every file an article uses (None: missing or not a regular file).
    files: dict[str, str | None] = field(default_factory=dict)
    # Docs path → size of every used file over the size limit (max_file_mb): not hashed.
    oversize: dict[str, int] = field(default_factory=dict)
    # Docs paths of the entries that stand for a file not read as an article (a link or
    # special file, a file at a generated place, an article our code failed to read): each
    # carries its finding, and the gate judges its place no further.
    unread: set[str] = field(default_factory=set)
    # Docs paths of the non-article files at places the build writes (ASSET-RESERVED-PATH
    # for an article that uses one).
    reserved: set[str] = field(default_factory=set)

    @property
    def findings(self) -> list[Finding]:
        return [f for a in self.articles for f in a.findings]

    @cached_property
    def column_ids(self) -> list[str]:
        return [c.id for c in self.site.columns]


def markdown_files(docs_dir: Path) -> list[str]:
    """Every article file under docs_dir (relative, with /), found without following links."""
    return scan(docs_dir).articles


def load_newsroom(
    site: Site,
    files: Iterable[Path] | None = None,
    staff: Staff | None = None,
    cache: ArticleStore | None = None,
) -> Newsroom:
    """Load every article (or the given files) of the site. Most of what this
    makes lives as long as the run: a caller that loads many articles pauses the cyclic
    collector around it (generator/build/heap.py)."""
    room = Newsroom(site, staff or load_staff(site), load_wording(site))
    docs = site.docs_dir.resolve()
    display_path = site.rel(docs)
    content = scan(docs, display_path)
    wanted: set[str] | None = None
    if files is None:
        srcs = content.articles
    else:
        wanted = {p.resolve().relative_to(docs).as_posix() for p in files}
        srcs = sorted(wanted & set(content.articles))
    refused = _refused(content, display_path, wanted)
    room.unread.update(a.src for a in refused)
    room.articles += refused
    loading = phase("读取稿件", len(srcs))
    for src in srcs:
        loading.tick()
        where = f"{display_path}/{src}" if display_path != "." else src
        try:
            article = _load(os.path.join(docs, src), src, where, cache)
        except Exception as exc:  # one article's failure keeps it out, never the others
            article = Article(src=src, path=where, findings=(internal_error(where, "读取", exc),))
            room.unread.add(src)
        room.articles.append(article)
    loading.finish()
    room.reserved = reserved_files(content.files, room.column_ids)
    entries = refuse_reserved(room.reserved, display_path, wanted)
    room.unread.update(a.src for a in entries)
    room.articles += entries
    room.articles.sort(key=lambda a: a.src)
    _hash_used_files(room, docs, content)
    return room


def _refused(content: Content, display_path: str, wanted: set[str] | None = None) -> list[Article]:
    """Links and special files, each an entry with its finding and no front matter: the gate
    keeps it out, `congress check` and the build show it, the column's articles go on."""
    entries = []
    for src, finding in content.refused:
        if wanted is None or src in wanted:
            where = f"{display_path}/{src}" if display_path != "." else src
            entries.append(Article(src=src, path=where, findings=(finding,)))
    return entries


def _hash_used_files(room: Newsroom, docs: Path, content: Content) -> None:
    """The bytes of every file the articles use, hashed once for all of them."""
    regular = set(content.files)
    used = {f for a in room.articles if a.meta is not None for f in sealed_files(a, regular)}
    limit = room.site.congress.max_file_bytes
    room.oversize = oversize(docs, used, regular, limit)
    hashed = hash_files(docs, used - room.oversize.keys(), regular, limit)
    room.files = hashed | dict.fromkeys(room.oversize)


def _load(file: str, src: str, display_path: str, cache: ArticleStore | None) -> Article:
    """Load one article, or take its parse from the cache when its bytes are unchanged."""
    if cache is None:
        return load_article(Path(file), src, display_path)
    try:
        with open(file, "rb") as stream:
            raw = stream.read()
    except OSError:
        return load_article(Path(file), src, display_path)  # reports the problem
    key = source_key(raw, display_path)
    article = cache.article(src, key)
    if article is None:
        article = parse_article(raw, src, display_path, key)
        cache.keep_article(article, key)
    return article
