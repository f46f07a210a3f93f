"""What an article's body and cover point at inside the site, resolved to docs paths: worked
out once, when the article is made (`Article.refs`), from its path, body and cover alone, and
from the body's targets as Python-Markdown reads them (links.py).

A target that leaves docs_dir (`../../../../etc/passwd`, `/../x`, `%2e%2e/`) is never a file
of the site: it is kept apart (`Refs.outside`) for the rule that refuses it (rules/links.py).
Which of the used paths are files of the site, and are sealed and copied, is assets.py's.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath
from urllib.parse import SplitResult, unquote, urlsplit

from generator.load.contentfiles import is_article_name
from generator.load.links import Target, targets


@lru_cache(maxsize=65536)
def url_of(src: str) -> str:
    """The page URL mkdocs gives a Markdown file with `use_directory_urls` (no leading slash)."""
    p = PurePosixPath(src)
    if p.stem in ("index", "README"):
        return f"{p.parent.as_posix()}/" if str(p.parent) != "." else ""
    return f"{p.with_suffix('').as_posix()}/"


@dataclass(frozen=True, slots=True)
class Refs:
    """What an article's body and cover point at inside the site."""

    files: frozenset[str] = frozenset()  # docs paths of used files (and of page URLs: never copied)
    # Links to another article, as (what they name, the target as written): a docs path
    # ending in an article suffix, or a page URL ("supervision/2026/x/") resolved as the
    # browser resolves it, against the linking page's URL.
    pages: tuple[tuple[str, str], ...] = ()
    outside: tuple[str, ...] = ()  # targets as written that leave docs_dir
    cover_outside: bool = False
    # Every target of the body as Python-Markdown reads it (links.py), and whether the body
    # could be read at all (LINK-UNREAD when not).
    targets: tuple[Target, ...] = ()
    complete: bool = True


def split_url(url: str) -> SplitResult | None:
    """`urlsplit`, or None for what it refuses (`http://[::1/`, an unclosed IPv6 bracket): a
    written target that is no URL at all, outside the site (one article's typo, never the
    failure of its loading)."""
    try:
        return urlsplit(url)
    except ValueError:
        return None


def _local_path(target: str) -> str | None:
    """The unquoted path of a target inside the site; None if external or only an anchor."""
    parts = split_url(target)
    if parts is None or parts.scheme or parts.netloc or not parts.path:
        return None
    return unquote(parts.path)


def _join(base: str, path: str) -> str:
    """`path` against the folder `base` (docs-relative), normalised; `/x` is docs-relative."""
    joined = path.lstrip("/") if path.startswith("/") else posixpath.join(base, path)
    return posixpath.normpath(joined)


def _leaves(normal: str) -> bool:
    return normal == ".." or normal.startswith("../")


def resolve(src: str, target: str) -> str | None:
    """A link target of the file `src`, as a path relative to docs_dir; None if external
    or outside docs_dir."""
    path = _local_path(target)
    if path is None:
        return None
    normal = _join(posixpath.dirname(src), path)
    return None if _leaves(normal) else normal


def _is_page_url(path: str) -> bool:
    """A link to a page (`../x/`, `/col/2026/x`) rather than to a file: no suffix."""
    return "." not in path.rstrip("/").rsplit("/", 1)[-1]


def _where(src: str, target: str, raw: bool = False) -> tuple[str, str] | None:
    """(kind, resolved) of a local target: a Markdown link to a file resolved against the
    article's folder (mkdocs rewrites it), a page URL or a raw HTML attribute against the
    page's own URL (as the browser does); kind "outside" if it leaves docs_dir."""
    path = _local_path(target)
    if path is None:
        return None
    page = _is_page_url(path)
    normal = _join(url_of(src) if page or raw else posixpath.dirname(src), path)
    if _leaves(normal):
        return "outside", normal
    return ("page" if page else "file"), normal


def scan(src: str, body: str, cover: str | None) -> Refs:
    """The `Refs` of the article at `src` with this body and cover image."""
    files: set[str] = set()
    pages: list[tuple[str, str]] = []
    outside: list[str] = []
    read = targets(body)
    for target in read.found:
        written = target.url
        where = _where(src, written, raw=target.raw)
        if where is None:
            continue
        kind, normal = where
        if kind == "outside":
            outside.append(written)
            continue
        if kind == "page":
            pages.append((normal.rstrip("/") + "/" if normal != "." else "", written))
        # A link to another article is a page link: an article file is never an attachment
        # (mkdocs would copy `x.MD` raw, as a static file).
        file = resolve(src, written)
        if file is not None and is_article_name(file):
            pages.append((file, written))
        elif file is not None:
            files.add(file)
    cover_outside = False
    if cover is not None:
        where = _where(src, cover)
        cover_outside = where is not None and where[0] == "outside"
        file = resolve(src, cover)
        if file is not None and not is_article_name(file):
            files.add(file)
    return Refs(
        frozenset(files), tuple(pages), tuple(outside), cover_outside, read.found, read.complete
    )
