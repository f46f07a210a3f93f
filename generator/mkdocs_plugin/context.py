"""The `congress` variable the theme's templates see on every page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..findings import Finding
from ..gate import State
from ..listing import Listing
from ..present import ArticleView
from ..publication import Publication


@dataclass(frozen=True)
class Banner:
    """Preview only: why an article is not public, and what is still missing."""

    state: str
    label: str
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class PageContext:
    kind: str  # article | withdrawn | listing | other
    site: Any
    columns: list[Any]
    article: ArticleView | None = None
    listing: Listing | None = None
    views: dict[str, ArticleView] = field(default_factory=dict)
    banner: Banner | None = None


def page_context(pub: Publication, src: str) -> PageContext:
    base: dict[str, Any] = {"site": pub.site, "columns": pub.site.columns}
    verdict = pub.shown.get(src)
    if verdict is not None and verdict.article.meta is not None:
        banner = None
        if pub.preview and verdict.state is not State.PUBLISHED:
            banner = Banner(verdict.state.value, verdict.state.label, verdict.findings)
        kind = "withdrawn" if verdict.notice and not pub.preview else "article"
        return PageContext(kind, article=pub.view(verdict), banner=banner, **base)
    item = pub.listings.get(src)
    if item is not None:
        shown = [*item.items, *(a for g in item.groups for a in g.items)]
        if item.lead is not None:
            shown.append(item.lead)
        views = {a.src: pub.view(pub.shown[a.src]) for a in shown}
        return PageContext("listing", listing=item, views=views, **base)
    return PageContext("other", **base)
