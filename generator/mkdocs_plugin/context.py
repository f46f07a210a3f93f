"""The `congress` variable the theme's templates see on every page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.core.config import Column, Site
from generator.core.findings import Finding
from generator.core.footer import Footer
from generator.derive.address import PrintLink, print_link
from generator.derive.feeds import PAGE_SRC as FEEDS_SRC
from generator.derive.feeds import FeedLink, plan_feeds
from generator.derive.listing import Listing
from generator.derive.meta import article_image, notice_meta, open_graph, page_meta
from generator.derive.present import ArticleView, Step, checklist
from generator.derive.publication import PrintedEdition, Publication
from generator.gate.decide import STATE_OF, State
from generator.load.refs import url_of

SEARCH_SRC = "search/index.md"
NOT_FOUND_TITLE = "页面不存在"


@dataclass(frozen=True)
class Banner:
    """Preview only: the review checklist, and every other finding on the article."""

    state: str
    label: str
    findings: tuple[Finding, ...]
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class PageContext:
    kind: str  # article | withdrawn | listing | feeds | search | notfound | other
    site: Site
    footer: Footer
    columns: list[Column]
    alternates: list[FeedLink]
    meta: list[tuple[str, str]]
    og: list[tuple[str, str]]
    article: ArticleView | None = None
    listing: Listing | None = None
    views: dict[str, ArticleView] = field(default_factory=dict)
    banner: Banner | None = None
    feeds: list[tuple[Any, list[FeedLink]]] = field(default_factory=list)
    bundles: tuple[str, ...] = ()  # search page: the Pagefind bundles under pagefind/
    printed: PrintLink | None = None  # article page: the address and QR code printed at its end
    edition_pdf: PrintedEdition | None = None  # the print edition, on its column article


def _banner(pub: Publication, src: str) -> Banner | None:
    verdict = pub.rendered[src]
    if not pub.preview or verdict.state is State.PUBLISHED:
        return None
    steps = checklist(verdict.article, pub.site, pub.staff)
    problems = tuple(f for f in verdict.findings if STATE_OF.get(f.code) is not State.PENDING)
    return Banner(verdict.state.value, verdict.state.label, problems, steps)


def _base(
    pub: Publication,
    url: str,
    title: str,
    *,
    column: Column | None = None,
    article: ArticleView | None = None,
    image: str = "",
) -> dict[str, Any]:
    site = pub.site
    return {
        "site": site,
        "footer": site.footer,
        "columns": site.columns,
        "alternates": pub.alternates(column.id if column else None),
        "meta": page_meta(site, url, column=column, article=article, image=image),
        "og": open_graph(site, url, title, article=article, image=image),
    }


def page_context(pub: Publication, src: str, title: str, html: str = "") -> PageContext:
    """`html`: the page's rendered body (an article's first image is its picture)."""
    site = pub.site
    url = url_of(src)

    def base(column: Column | None) -> dict[str, Any]:
        return _base(pub, url, title, column=column)

    verdict = pub.rendered.get(src)
    if verdict is not None and verdict.article.meta is not None:
        view = pub.view(verdict)
        if pub.notice_only(verdict):  # a withdrawal notice says nothing more
            notice = base(view.column)
            notice["meta"] += notice_meta(view)
            return PageContext("withdrawn", article=view, **notice)
        image = article_image(site, view, url, html)
        return PageContext(
            "article",
            article=view,
            banner=_banner(pub, src),
            printed=print_link(site, view.url),
            edition_pdf=None if pub.preview else pub.printed.get(view.uid),
            **_base(pub, url, title, column=view.column, article=view, image=image),
        )
    item = pub.listings.get(src)
    if item is not None:
        views = {a.src: pub.view(pub.rendered[a.src]) for a in item.articles}
        return PageContext("listing", listing=item, views=views, **base(item.column))
    if src == FEEDS_SRC:
        feeds = [(scope, scope.links(site)) for scope in plan_feeds(site)]
        return PageContext("feeds", feeds=feeds, **base(None))
    if src == SEARCH_SRC:
        return PageContext("search", bundles=tuple(s.name for s in pub.shards), **base(None))
    return PageContext("other", **base(None))


def not_found_context(pub: Publication) -> PageContext:
    """The 404 page (a static template of the theme, rendered without a page): the site's
    meta tags and footer like every page, but no Open Graph: it has no URL of its own."""
    context = _base(pub, "", NOT_FOUND_TITLE)
    return PageContext("notfound", **(context | {"og": []}))
