"""Links that would be broken on the site: a path that leaves content/, and a link to another
article that is not public; and a body whose links cannot be read at all.

`outside` is an ordinary rule (it reads the article alone). `cross_links` cannot be one: it
depends on the verdicts of the articles linked to, so the gate runs it after deciding every
article (`gate.decide`), from those verdicts, and never decides a target's state again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from generator.core.clock import minute
from generator.core.findings import Code, Finding, Severity
from generator.core.model import goes_live
from generator.gate.rules import Context
from generator.load.article import Article
from generator.load.assets import line_of_target
from generator.load.contentfiles import is_article_name

E, W = Severity.ERROR, Severity.WARNING

LINK_OUTSIDE = Code(
    "LINK-OUTSIDE",
    E,
    "{what} {target} 指向 content/ 目录之外",
    "稿件只能引用 content/ 中的文件；把文件放进 content/assets/ 等目录，再改正路径。",
)
LINK_UNREAD = Code(
    "LINK-UNREAD",
    E,
    "正文嵌套过深或括号、标签未配对过多，无法确定其中的链接和图片",
    "减少列表、引用、提示框的嵌套层数，补全未配对的 [ ]、( ) 和 HTML 标签，再重新检查。",
)
LINK_NOT_PUBLIC = Code(
    "LINK-NOT-PUBLIC",
    E,
    "链接的稿件 {target} {problem}",
    "{hint}",
)


def outside(article: Article, ctx: Context) -> Iterable[Finding]:
    """Every body target and the cover whose path leaves docs_dir (never resolved, never
    copied: without this finding it would silently vanish from the page). And a body too
    complex to read its targets (links.py): nothing of them is known, so it stays out."""
    found = article.refs
    if not found.complete:
        yield LINK_UNREAD.at(article.path, article.body_line)
    for written in dict.fromkeys(found.outside):
        line = line_of_target(article, written)
        yield LINK_OUTSIDE.at(article.path, line, what="链接或图片", target=written)
    if found.cover_outside and article.meta is not None and article.meta.cover is not None:
        yield LINK_OUTSIDE.at(
            article.path,
            article.line_of("cover", "src"),
            what="封面图片",
            target=article.meta.cover.src,
        )


@dataclass(frozen=True, slots=True)
class Target:
    """What the gate decided about an article another one links to."""

    path: str
    title: str
    state: str  # State's value
    label: str  # State's Chinese label
    notice: bool  # withdrawn with a public notice at its URL
    live_at: datetime | None
    expires_at: datetime | None


# States whose linker renders its body: a withdrawn or expired linker shows no links.
JUDGED = ("published", "pending", "scheduled", "invalid")


def cross_links(
    article: Article, by_src: Mapping[str, Target], by_url: Mapping[str, Target]
) -> Iterator[Finding]:
    """LINK-NOT-PUBLIC for each link of `article` to an article that is not public now."""
    for named, written in dict.fromkeys(article.refs.pages):
        file = is_article_name(named)
        target = by_src.get(named) if file else by_url.get(named)
        if target is None and not file:
            continue  # a page URL that is no article (a column, a tag): the audit checks it
        finding = _judge(article, target, named)
        if finding is not None:
            severity, problem, hint = finding
            yield LINK_NOT_PUBLIC.at(
                article.path,
                line_of_target(article, written),
                severity=severity,
                target=f"content/{named}" if target is None else _name(target),
                problem=problem,
                hint=hint,
            )


_PUBLISH_FIRST = "先发布被链接的稿件，或删除、改正这个链接（改动正文后须重新终审）。"


def _name(target: Target) -> str:
    return f"{target.path}（{target.title}）" if target.title else target.path


def _judge(article: Article, target: Target | None, named: str) -> tuple[Severity, str, str] | None:
    """(severity, problem, hint) of one link, or None when the link works."""
    meta = article.meta
    assert meta is not None
    # A draft may link to another draft: an error only once the linker is finally signed.
    broken = E if meta.review.final is not None else W
    if target is None:
        return broken, "不存在，构建后是失效链接", "改正链接中的文件名，或删除这个链接。"
    if target.state == "published":
        return None
    if target.state == "withdrawn" and target.notice:
        return W, "已撤回，读者打开的是撤稿说明", "请确认仍需链接到这篇已撤回的稿件。"
    if target.state == "scheduled" and target.live_at is not None:
        if goes_live(meta) >= target.live_at:
            return None  # the linker goes live no earlier than its target
        return (
            W,
            f"定于 {minute(target.live_at)} 发布，在此之前是失效链接",
            "把本稿的发布时间定在被链接稿件之后，或确认短时失效可以接受。",
        )
    if target.state == "expired":
        # A planned end of the target is no fault of the linker: it is not taken down.
        at = minute(target.expires_at) if target.expires_at else ""
        return W, f"已于 {at} 到期下线，链接已失效", "删除或改正这个链接（改动正文后须重新终审）。"
    return broken, f"状态为“{target.label}”，不会公开，构建后是失效链接", _PUBLISH_FIRST
