"""Feeds for media outlets: site-wide and per column, in RSS 2.0, Atom and JSON Feed, plus OPML.

`plan_feeds` says which feeds exist (for discovery links and the 订阅 page) from the site
alone; `render_feeds` writes them from the published set and the HTML the renderer already
made, scopes × formats in one loop.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from generator.core.config import Column, Site
from generator.derive.feeds.entries import Entry, Media, entry
from generator.derive.feeds.writers import FORMATS, Feed, opml
from generator.load.article import Article

__all__ = [
    "FORMATS",
    "FeedLink",
    "Scope",
    "alternates",
    "feed_articles",
    "plan_feeds",
    "render_feeds",
]

OPML_PATH = "feeds/index.opml"
PAGE_SRC = "feeds/index.md"


@dataclass(frozen=True)
class FeedLink:
    title: str
    url: str  # absolute
    path: str  # in the site
    type: str  # MIME type
    format: str  # human name


@dataclass(frozen=True)
class Scope:
    key: str  # "all" or a column id
    title: str
    description: str
    column: Column | None

    def path(self, fmt: str) -> str:
        return f"feeds/{self.key}{FORMATS[fmt][0]}"

    def links(self, site: Site) -> list[FeedLink]:
        return [
            FeedLink(self.title, site.absolute(self.path(fmt)), self.path(fmt), mime, name)
            for fmt, (_, mime, name, _) in FORMATS.items()
        ]


def plan_feeds(site: Site) -> list[Scope]:
    """The site-wide scope, then every column with feeds on, in column order."""
    name = site.congress.feeds.title or site.site_name
    scopes = [
        Scope("all", f"{name}·全部稿件", site.congress.feeds.description or site.site_name, None)
    ]
    scopes += [Scope(c.id, f"{name}·{c.name}", c.description, c) for c in site.columns if c.feeds]
    return scopes


def alternates(site: Site, column_id: str | None = None) -> list[FeedLink]:
    """`<link rel="alternate">` targets: the site feeds, and the column's on its pages."""
    scopes = plan_feeds(site)
    chosen = [s for s in scopes if s.key == "all" or (column_id is not None and s.key == column_id)]
    return [link for s in chosen for link in s.links(site)]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _chosen(site: Site, published: list[Article]) -> dict[str, list[Article]]:
    """The newest `limit` public articles of every scope (published is newest first)."""
    limit = site.congress.feeds.limit
    chosen: dict[str, list[Article]] = {"all": published[:limit]}
    for a in published:
        if a.meta is not None:
            column = chosen.setdefault(a.meta.column, [])
            if len(column) < limit:
                column.append(a)
    return chosen


def feed_articles(site: Site, published: list[Article]) -> set[str]:
    """The articles (by source path) that some feed carries in full."""
    chosen = _chosen(site, published)
    return {a.src for scope in plan_feeds(site) for a in chosen.get(scope.key, [])}


def render_feeds(
    site: Site,
    published: list[Article],
    rendered: Callable[[Article], str],
    attachments: Mapping[str, Media] | None = None,
) -> dict[str, bytes]:
    """Every feed file and the OPML list, keyed by path in the site (`attachments`: a print
    edition's PDF by the uid of the article that carries it)."""
    attached = attachments or {}
    cache: dict[str, Entry] = {}

    def entries_of(articles: list[Article]) -> tuple[Entry, ...]:
        out = []
        for a in articles:
            if a.src not in cache:
                cache[a.src] = entry(a, site, rendered(a), attached.get(a.uid))
            out.append(cache[a.src])
        return tuple(out)

    files: dict[str, bytes] = {}
    feeds: list[Feed] = []
    newest_overall = max((a.meta.date for a in published[:1] if a.meta), default=_EPOCH)
    chosen = _chosen(site, published)
    for scope in plan_feeds(site):
        items = entries_of(chosen.get(scope.key, []))
        updated = max((e.updated for e in items), default=newest_overall)
        home = site.absolute(f"{scope.key}/" if scope.column else "")
        urls = {fmt: site.absolute(scope.path(fmt)) for fmt in FORMATS}
        feed = Feed(
            scope.key,
            scope.title,
            scope.description,
            home,
            urls,
            items,
            updated,
            publisher=site.site_name,
        )
        feeds.append(feed)
        for fmt, (_, _, _, write) in FORMATS.items():
            files[scope.path(fmt)] = write(feed)
    files[OPML_PATH] = opml(f"{site.site_name}订阅源", feeds)
    return files
