"""Which files of docs_dir an article uses (images, attachments), resolved to docs paths.

Only files used by a public article are copied into the site: mkdocs would copy every
file of docs_dir, including an image that only an unpublished article shows.

One set, by construction: `sealed_files` is both what the final sign-off binds (digest.py)
and, of those that are regular files, what is copied with the article (`copied_files`).
A path the site generates itself (`is_generated_path`) is neither: the generator writes it.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Container, Mapping
from urllib.parse import unquote, urlsplit

from .article import Article
from .contentfiles import is_article_name

# Paths the site generates itself: a link to them is not a file of docs_dir, and a file of
# docs_dir there is never copied (folders end with /: `feeds/…`; files are whole paths).
GENERATED_DIRS = ("feeds/", "pagefind/", "search/")
GENERATED_FILES = frozenset({"sitemap.xml", "robots.txt", "feeds", "pagefind", "search"})


def is_generated_path(path: str) -> bool:
    """Whether a docs path is an output the site generates (`feeds/all.xml`, `sitemap.xml`),
    compared at `/` boundaries: `sitemap.xml.pdf` and `feedsx/a.pdf` are ordinary files."""
    return path in GENERATED_FILES or path.startswith(GENERATED_DIRS)


# Markdown inline links and images, reference definitions, and HTML attributes.
_INLINE = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'(][^)]*)?\)")
_REFDEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
_HTML = re.compile(r"""\b(?:src|href|poster|data)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def targets(markdown: str) -> list[str]:
    """Every link or image target written in a Markdown body, in order."""
    found = [m.group(1) for m in _INLINE.finditer(markdown)]
    found += [m.group(1) for m in _REFDEF.finditer(markdown)]
    found += [m.group(1) for m in _HTML.finditer(markdown)]
    return found


def resolve(src: str, target: str) -> str | None:
    """A link target of the file `src`, as a path relative to docs_dir; None if external."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = unquote(parts.path)
    joined = (
        path.lstrip("/") if path.startswith("/") else posixpath.join(posixpath.dirname(src), path)
    )
    normal = posixpath.normpath(joined)
    return None if normal.startswith("../") or normal == ".." else normal


def used_files(article: Article) -> frozenset[str]:
    """Docs-relative paths of the files the article refers to (body links, images, cover),
    worked out once (and kept in the build cache: 0.2 s of a 10,000-article rebuild)."""
    known: frozenset[str] | None = article.derived.get("assets")
    if known is None:
        found = {resolve(article.src, t) for t in targets(article.body)}
        if article.meta is not None and article.meta.cover is not None:
            found.add(resolve(article.src, article.meta.cover.src))
        # A link to another article is a page link: an article file is never an attachment
        # (mkdocs would copy `x.MD` raw, as a static file).
        known = frozenset(p for p in found if p and not is_article_name(p))
        article.derived["assets"] = known
    return known


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
