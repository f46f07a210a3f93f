"""One article per uid, one file per URL.

When several articles share a uid and exactly one of them holds a final sign-off that matches
what it is now, that one keeps the uid (a copy of a live article, an editor's template, must
not take the original offline) and every other one is the duplicate; otherwise all of them
are. The newsroom's summary (`Context.peers`) says who holds what.
"""

from __future__ import annotations

from collections.abc import Iterable

from generator.core.findings import Code, Finding, Severity
from generator.gate.rules import Context
from generator.load.article import Article
from generator.load.contentfiles import is_article_name

E = Severity.ERROR

ART_UID_DUPLICATE = Code(
    "ART-UID-DUPLICATE",
    E,
    "稿件编号 {uid} 与 {other} 重复",
    "稿件编号必须唯一：复制稿件后请用 congress new 生成新编号。",
)
ART_URL_CLASH = Code(
    "ART-URL-CLASH", E, "与 {other} 生成同一网址 /{url}", "修改其中一个文件的文件名。"
)


def uid(article: Article, ctx: Context) -> Iterable[Finding]:
    group = ctx.peers.uids.get(article.uid) if ctx.peers is not None else None
    if not group:
        return
    approved = [path for path, ok in group if ok]
    keeper = approved[0] if len(approved) == 1 else None
    if article.path != keeper:
        other = keeper or next(path for path, _ in group if path != article.path)
        line = article.line_of("uid")
        yield ART_UID_DUPLICATE.at(article.path, line, uid=article.uid, other=other)


def url(article: Article, ctx: Context) -> Iterable[Finding]:
    """Judges the file itself: also an entry whose front matter is unreadable, a link."""
    if ctx.peers is None or not is_article_name(article.src):
        return
    page = article.url.lower()
    group = ctx.peers.urls.get(page)
    if group:
        other = next(path for path in group if path != article.path)
        yield ART_URL_CLASH.at(article.path, 1, other=other, url=page)
