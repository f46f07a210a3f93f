"""Which files of docs_dir an article uses (images, attachments), resolved to docs paths,
and which other articles it links to: from the body's targets as Python-Markdown reads them
(links.py), and the cover.

Only files used by a public article are copied into the site: mkdocs would copy every
file of docs_dir, including an image that only an unpublished article shows. A target that
leaves docs_dir (`../../../../etc/passwd`, `/../x`, `%2e%2e/`) is never a file of the site:
it is kept apart (`Refs.outside`) for the rule that refuses it (rules/links.py).

One set, by construction: `sealed_files` is both what the final sign-off binds (digest.py)
and, of those that are regular files, what is copied with the article (`copied_files`).
A path the site generates itself (`is_generated_path`) is neither: the generator writes it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Container, Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from generator.load.article import Article, url_of
from generator.load.contentfiles import is_article_name
from generator.load.links import Target, locate, targets

# The output paths only the build writes (feeds, search, listings, sitemap, robots, the error
# page): a link to one is not a file of docs_dir, and a file of docs_dir there is never sealed
# nor copied. generated.py adds the column pages and the theme's files for its findings.
GENERATED_FOLDERS = ("feeds", "pagefind", "search", "tags", "archive")
GENERATED_FILES = frozenset(
    {"index.html", "404.html", "404.md", "sitemap.xml", "sitemap.xml.gz", "robots.txt"}
)


def is_generated_path(path: str) -> bool:
    """Whether a docs path is an output the site generates (`feeds/all.xml`, `sitemap.xml`),
    compared at `/` boundaries: `sitemap.xml.pdf` and `feedsx/a.pdf` are ordinary files."""
    path = posixpath.normpath(path.lstrip("/"))
    return path.split("/", 1)[0] in GENERATED_FOLDERS or path in GENERATED_FILES


@dataclass(frozen=True, slots=True)
class Refs:
    """What an article's body and cover point at inside the site, worked out once."""

    files: frozenset[str]  # docs paths of used files (and of page URLs: never copied)
    # Links to another article, as (what they name, the target as written): a docs path
    # ending in an article suffix, or a page URL ("supervision/2026/x/") resolved as the
    # browser resolves it, against the linking page's URL.
    pages: tuple[tuple[str, str], ...] = ()
    outside: tuple[str, ...] = ()  # targets (as read) that leave docs_dir
    cover_outside: bool = False
    # Every target of the body (links.targets), and whether the body could be read at all.
    targets: tuple[Target, ...] = ()
    complete: bool = True


def _local_path(target: str) -> str | None:
    """The unquoted path of a target inside the site; None if external or only an anchor."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path:
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


def refs(article: Article) -> Refs:
    """The article's `Refs`, worked out once (and kept in the build cache: 0.2 s of a
    10,000-article rebuild)."""
    known: Refs | None = article.derived.get("assets")
    if known is None:
        known = article.derived["assets"] = _scan(article)
    return known


def _scan(article: Article) -> Refs:
    files: set[str] = set()
    pages: list[tuple[str, str]] = []
    outside: list[str] = []
    read = targets(article.body)
    for target in read.found:
        written = target.url
        where = _where(article.src, written, raw=target.raw)
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
        file = resolve(article.src, written)
        if file is not None and is_article_name(file):
            pages.append((file, written))
        elif file is not None:
            files.add(file)
    cover_outside = False
    if article.meta is not None and article.meta.cover is not None:
        cover = article.meta.cover.src
        where = _where(article.src, cover)
        cover_outside = where is not None and where[0] == "outside"
        file = resolve(article.src, cover)
        if file is not None and not is_article_name(file):
            files.add(file)
    return Refs(
        frozenset(files), tuple(pages), tuple(outside), cover_outside, read.found, read.complete
    )


def used_files(article: Article) -> frozenset[str]:
    """Docs-relative paths of the files the article refers to (body links, images, cover)."""
    return refs(article).files


def sealed_files(article: Article, present: Container[str]) -> list[str]:
    """The files of an article: what its final sign-off binds and, when they are regular
    files, what is copied with it. A used path counts if it names a file (its last segment
    has a suffix: a missing one is GATE-FILE-MISSING) or if it is a file of docs_dir
    (`present`: the regular files found, or the newsroom's hashes of them), whatever its
    name; a page URL (`../x/`) is neither. A generated output never counts."""
    return sorted(
        p
        for p in used_files(article)
        if not is_generated_path(p) and (_names_file(p) or p in present)
    )


def copied_files(article: Article, hashes: Mapping[str, str | None]) -> set[str]:
    """The files copied into the site with the article: its sealed files that are regular
    files of docs_dir (hashed; a missing one keeps a signed article out: GATE-FILE-MISSING)."""
    return {p for p in sealed_files(article, hashes) if hashes.get(p)}


def _names_file(path: str) -> bool:
    """A last segment with a suffix (`x.pdf`), not a folder (`.`, the root) or a page URL."""
    return bool(posixpath.splitext(posixpath.basename(path))[1])


def line_of_target(article: Article, written: str) -> int | None:
    """The file line of a target as written in the body."""
    index = locate(article.body, written)
    return None if index is None else article.body_line + index


def line_using(article: Article, path: str) -> int | None:
    """The file line of the first body target that resolves to the docs path `path`, else
    the cover's line (the line an editor must change)."""
    lines = [
        line_of_target(article, t.url)
        for t in refs(article).targets
        if resolve(article.src, t.url) == path
    ]
    found = [line for line in lines if line is not None]
    return min(found) if found else article.line_of("cover", "src")
