"""Paths the build writes itself: listing pages, feeds, search, the theme's files.

A file of `content/` at one of them would be a second writer for that output (mkdocs refuses
the build, or the theme's file silently loses), so the core refuses it up front with a finding
on the file and on any article that uses it, and the adapter never hands it to mkdocs: the
generated page or file wins, and every other article is published.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from generator.core.findings import Code, Severity
from generator.load.article import Article
from generator.load.assets import is_generated_path, used_files
from generator.load.contentfiles import is_article_name

E = Severity.ERROR

ART_RESERVED_PATH = Code(
    "ART-RESERVED-PATH",
    E,
    "{src} 所在的位置由系统生成（栏目页、首页、订阅、搜索、标签、归档），不能放稿件或文件",
    "稿件放在 content/<栏目>/<年份>/ 下，图片和附件放在 content/assets/ 下；"
    "栏目介绍写在 mkdocs.yml 栏目的 description 中。",
)
ASSET_RESERVED_PATH = Code(
    "ASSET-RESERVED-PATH",
    E,
    "稿件使用的文件 {file} 位于系统生成的目录中，不会复制到站点，本稿件不发布",
    "把文件移到 content/assets/ 下（例如 content/assets/files/），再改链接并重新送审。",
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


def refuse_reserved(
    articles: list[Article],
    files: Iterable[str],
    column_ids: list[str],
    shown: str,
    wanted: set[str] | None = None,
) -> tuple[list[Article], list[Article]]:
    """Findings for content at generated places: an entry for each such non-article file
    (articles there get ART-RESERVED-PATH when checked against the site), and the articles
    again, with ASSET-RESERVED-PATH on each that uses one (it would be copied over the output)."""
    prefix = "" if shown in ("", ".") else shown.rstrip("/") + "/"
    found = {f for f in files if not is_article_name(f) and reserved(f, column_ids)}
    entries = [
        Article(src=f, path=prefix + f, findings=(ART_RESERVED_PATH.at(prefix + f, None, src=f),))
        for f in sorted(found)
        if wanted is None or f in wanted
    ]
    checked = [
        article.with_findings(
            ASSET_RESERVED_PATH.at(article.path, _line_using(article, path), file=path)
            for path in sorted(used_files(article) & found)
        )
        if article.meta is not None
        else article
        for article in articles
    ]
    return entries, checked


def _line_using(article: Article, path: str) -> int | None:
    name = path.rsplit("/", 1)[-1]
    for i, text in enumerate(article.body.split("\n")):
        if name in text:
            return article.body_line + i
    return article.line_of("cover", "src")
