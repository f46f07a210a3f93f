"""Where an article's file is: in a column's folder of its year, under a lowercase Markdown
suffix and a name fit for a URL, at no place the build writes itself; and no file it uses is
at such a place."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from generator.core.findings import Code, Finding, Severity
from generator.core.slug import slugify
from generator.gate.rules import Context
from generator.load.article import Article
from generator.load.assets import used_files
from generator.load.contentfiles import is_article_name, is_rendered_name
from generator.load.generated import ART_RESERVED_PATH, reserved

E, W = Severity.ERROR, Severity.WARNING

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_YEAR = re.compile(r"\d{4}")

ART_SUFFIX = Code(
    "ART-SUFFIX",
    E,
    "稿件文件扩展名 {suffix} 不是小写：这样的稿件不会发布",
    "把文件改名为小写扩展名（{fixed}），再送审。",
)
ART_LOCATION = Code(
    "ART-LOCATION",
    E,
    "稿件不在栏目目录中：{src}",
    "稿件应放在 content/<栏目>/<年份>/<文件名>.md，"
    "例如 content/supervision/2026/zhifa-jiancha.md。",
)
ART_SLUG = Code(
    "ART-SLUG",
    W,
    "文件名 {name} 不是小写拼音或英文（网址中会出现转义字符）",
    "改用小写字母、数字和连字符，例如 {suggestion}.md。",
)
ART_COLUMN_UNKNOWN = Code("ART-COLUMN-UNKNOWN", E, "栏目 {column} 不存在", "可用栏目：{known}")
ART_COLUMN_MISMATCH = Code(
    "ART-COLUMN-MISMATCH",
    E,
    "稿件信息中的栏目 {column} 与所在目录 {folder} 不一致",
    "把 column 改为 {folder}，或把文件移到 content/{column}/ 下。",
)
ART_YEAR = Code(
    "ART-YEAR",
    W,
    "发布时间在 {year} 年，但文件放在 {folder} 目录",
    "把文件移到 {year} 年的目录下。",
)
ASSET_RESERVED_PATH = Code(
    "ASSET-RESERVED-PATH",
    E,
    "稿件使用的文件 {file} 位于系统生成的目录中，不会复制到站点，本稿件不发布",
    "把文件移到 content/assets/ 下（例如 content/assets/files/），再改链接并重新送审。",
)


def _column_ids(ctx: Context) -> list[str]:
    return [c.id for c in ctx.site.columns]


def _placed(src: str, column_ids: list[str]) -> list[str] | None:
    """The parts of `src` if it is <column>/<year>/<name>, else None."""
    parts = src.split("/")
    placed = len(parts) == 3 and parts[0] in column_ids and _YEAR.fullmatch(parts[1])
    return parts if placed else None


def file_name(article: Article, ctx: Context) -> Iterable[Finding]:
    """A lowercase suffix; a column's year folder, not a generated page's place; a name fit
    for a URL. Judges the file itself, so also an article whose front matter is unreadable
    (not an entry that stands for a file never read as an article: a link, a failure)."""
    if ctx.peers is not None and article.src in ctx.peers.unread:
        return
    column_ids = _column_ids(ctx)
    name = article.src.rsplit("/", 1)[-1]
    suffix = os.path.splitext(article.src)[1]
    if not is_rendered_name(article.src) and is_article_name(article.src):
        fixed = name[: -len(suffix)] + suffix.lower()
        yield ART_SUFFIX.at(article.path, 1, suffix=suffix, fixed=fixed)
    parts = _placed(article.src, column_ids)
    if reserved(article.src, column_ids):  # a generated page's place: not also ART-LOCATION
        yield ART_RESERVED_PATH.at(article.path, 1, src=article.src)
    elif parts is None:
        yield ART_LOCATION.at(article.path, 1, src=article.src)
    else:
        stem = parts[2].rsplit(".", 1)[0]
        if not _SLUG.match(stem) or stem in ("index", "readme"):
            suggestion = slugify(stem) or "article"
            yield ART_SLUG.at(article.path, 1, name=parts[2], suggestion=suggestion)


def folder(article: Article, ctx: Context) -> Iterable[Finding]:
    """The column exists and is the folder's; the year folder is the date's (a warning)."""
    meta = article.meta
    assert meta is not None
    column_ids = _column_ids(ctx)
    parts = _placed(article.src, column_ids)
    line = article.line_of
    if ctx.site.congress.column(meta.column) is None:
        known = "、".join(column_ids)
        yield ART_COLUMN_UNKNOWN.at(article.path, line("column"), column=meta.column, known=known)
    elif parts is not None and parts[0] != meta.column:
        yield ART_COLUMN_MISMATCH.at(
            article.path, line("column"), column=meta.column, folder=parts[0]
        )
    if parts is not None and str(meta.date.year) != parts[1]:
        yield ART_YEAR.at(article.path, line("date"), year=meta.date.year, folder=parts[1])


def used_files_placed(article: Article, ctx: Context) -> Iterable[Finding]:
    """No file the article uses is one at a place the build writes: it would be copied over
    the generated output (or never copied), so the article is not published."""
    if ctx.peers is None or not ctx.peers.reserved:
        return
    for path in sorted(used_files(article) & ctx.peers.reserved):
        yield ASSET_RESERVED_PATH.at(article.path, _line_using(article, path), file=path)


def _line_using(article: Article, path: str) -> int | None:
    name = path.rsplit("/", 1)[-1]
    for i, text in enumerate(article.body.split("\n")):
        if name in text:
            return article.body_line + i
    return article.line_of("cover", "src")
