"""The `congress` variable the theme's templates see on every page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..feeds import PAGE_SRC, FeedLink, alternates, plan_feeds
from ..findings import Finding
from ..gate import STATE_OF, State
from ..listing import Listing
from ..present import ArticleView, Step, checklist
from ..publication import Publication


@dataclass(frozen=True)
class Banner:
    """Preview only: the review checklist, and every other finding on the article."""

    state: str
    label: str
    findings: tuple[Finding, ...]
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class PageContext:
    kind: str  # article | withdrawn | listing | feeds | other
    site: Any
    columns: list[Any]
    alternates: list[FeedLink]
    article: ArticleView | None = None
    listing: Listing | None = None
    views: dict[str, ArticleView] = field(default_factory=dict)
    banner: Banner | None = None
    feeds: list[tuple[Any, list[FeedLink]]] = field(default_factory=list)


def page_context(pub: Publication, src: str) -> PageContext:
    site = pub.site
    verdict = pub.shown.get(src)
    if verdict is not None and verdict.article.meta is not None:
        meta = verdict.article.meta
        base: dict[str, Any] = {
            "site": site,
            "columns": site.columns,
            "alternates": alternates(site, meta.column),
        }
        banner = None
        if pub.preview and verdict.state is not State.PUBLISHED:
            steps = checklist(verdict.article, site, pub.staff)
            problems = tuple(
                f for f in verdict.findings if STATE_OF.get(f.code) is not State.PENDING
            )
            banner = Banner(verdict.state.value, verdict.state.label, problems, steps)
        kind = "withdrawn" if verdict.notice and not pub.preview else "article"
        return PageContext(kind, article=pub.view(verdict), banner=banner, **base)
    item = pub.listings.get(src)
    column = item.column.id if item is not None and item.column is not None else None
    base = {"site": site, "columns": site.columns, "alternates": alternates(site, column)}
    if item is not None:
        shown = [*item.items, *(a for g in item.groups for a in g.items)]
        if item.lead is not None:
            shown.append(item.lead)
        views = {a.src: pub.view(pub.shown[a.src]) for a in shown}
        return PageContext("listing", listing=item, views=views, **base)
    if src == PAGE_SRC:
        feeds = [(scope, scope.links(site)) for scope in plan_feeds(site)]
        return PageContext("feeds", feeds=feeds, **base)
    return PageContext("other", **base)
