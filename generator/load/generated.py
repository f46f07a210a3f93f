"""Paths the build writes itself: listing pages, feeds, search, the theme's files.

A file of `content/` at one of them would be a second writer for that output (mkdocs refuses
the build, or the theme's file silently loses), so the core refuses it up front with a finding
on the file (the gate adds one to any article that uses it: rules/placement.py), and the
adapter never hands it to mkdocs: the generated page or file wins, and every other article
is published.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from generator.core.findings import Code, Severity
from generator.load.article import Article
from generator.load.assets import is_generated_path
from generator.load.contentfiles import is_article_name

E = Severity.ERROR

ART_RESERVED_PATH = Code(
    "ART-RESERVED-PATH",
    E,
    "{src} 所在的位置由系统生成（栏目页、首页、订阅、搜索、标签、归档），不能放稿件或文件",
    "稿件放在 content/<栏目>/<年份>/ 下，图片和附件放在 content/assets/ 下；"
    "栏目介绍写在 mkdocs.yml 栏目的 description 中。",
)
# The theme's own files (material's bundles and favicon, themes/congress/assets/*): a
# content file there would silently replace the site's scripts and styles.
# tests/redteam/test_crash.py checks this list against both themes' files.
THEME_FOLDERS = ("assets/javascripts/", "assets/stylesheets/")
THEME_FILES = frozenset(
    {
        "assets/images/favicon.png",
        "assets/congress.css",
        "assets/congress.js",
        "assets/congress-base.js",
        "assets/congress-early.js",
        "assets/search.js",
    }
)


def reserved(src: str, column_ids: Iterable[str]) -> bool:
    """Whether the docs path `src` (an article or any file) is a place the build writes:
    the home page, a column's first page or its `page/<n>` pages, anything under the
    generated folders, the theme's files."""
    src = posixpath.normpath(src.lstrip("/"))
    parts = src.split("/")
    if is_generated_path(src) or src in THEME_FILES:
        return True
    if src.startswith(THEME_FOLDERS):
        return True
    stem = posixpath.splitext(parts[-1])[0].lower()
    if len(parts) == 1:
        return stem in ("index", "readme")  # the home page
    if parts[0] in column_ids:
        if len(parts) == 2 and stem in ("index", "readme"):
            return True  # the column's first page
        return parts[1] == "page"  # the column's later pages
    return False


def reserved_files(files: Iterable[str], column_ids: list[str]) -> set[str]:
    """The non-article files of `content/` (docs paths) at places the build writes."""
    return {f for f in files if not is_article_name(f) and reserved(f, column_ids)}


def refuse_reserved(
    found: Iterable[str], display_path: str, wanted: set[str] | None = None
) -> list[Article]:
    """An entry for each non-article file at a generated place (`reserved_files`), with its
    finding (an article there, and one that uses such a file, are the gate's:
    rules/placement.py)."""
    prefix = "" if display_path in ("", ".") else display_path.rstrip("/") + "/"
    return [
        Article(src=f, path=prefix + f, findings=(ART_RESERVED_PATH.at(prefix + f, None, src=f),))
        for f in sorted(found)
        if wanted is None or f in wanted
    ]
