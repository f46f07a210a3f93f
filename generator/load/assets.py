"""Which files of docs_dir an article uses (images, attachments): what its final sign-off
binds and what is copied with it. What the body and cover point at is worked out when the
article is made (`Article.refs`, refs.py).

Only files used by a public article are copied into the site: mkdocs would copy every
file of docs_dir, including an image that only an unpublished article shows.

One set, by construction: `sealed_files` is both what the final sign-off binds
(`approval_digest`, the formula in digest.py) and, of those that are regular files, what is
copied with the article (`copied_files`). A path the site generates itself
(`is_generated_path`) is neither: the generator writes it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Container, Mapping

from generator.load.article import Article
from generator.load.digest import with_files
from generator.load.links import locate
from generator.load.refs import resolve

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


def used_files(article: Article) -> frozenset[str]:
    """Docs-relative paths of the files the article refers to (body links, images, cover)."""
    return article.refs.files


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


def used_hashes(article: Article, known: Mapping[str, str | None]) -> dict[str, str | None]:
    """The hashes of the files the article uses, from the newsroom's (None: missing)."""
    return {path: known.get(path) for path in sealed_files(article, known)}


def approval_digest(article: Article, known: Mapping[str, str | None] | None) -> str:
    """What the final sign-off must carry now: text and, when known, the used files' bytes
    (`known` is None when judging text alone, as unit tests do in memory)."""
    text = article.digest
    return text if known is None else with_files(text, used_hashes(article, known))


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
        for t in article.refs.targets
        if resolve(article.src, t.url) == path
    ]
    found = [line for line in lines if line is not None]
    return min(found) if found else article.line_of("cover", "src")
