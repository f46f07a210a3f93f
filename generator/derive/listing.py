"""Listing pages planned from the published set: home, columns, tags, yearly archive.

Pure data: which virtual page exists, at which source path, listing which articles. The
renderer turns each `Listing` into a page; nothing here knows about mkdocs. Every listing is
paginated the same way: page 1 at `<base>/index.md`, page n at `<base>/page/<n>.md`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from generator.core.config import Column, Site
from generator.core.slug import unique_slugs
from generator.load.article import Article
from generator.load.refs import url_of


@dataclass(frozen=True)
class Pager:
    number: int
    total: int
    urls: tuple[str, ...]  # URL of every page of this listing, page 1 first

    @property
    def previous(self) -> str | None:
        return self.urls[self.number - 2] if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.urls[self.number] if self.number < self.total else None


@dataclass(frozen=True)
class Group:
    """A titled group of a listing: a column on the home page, a tag or a year in an index."""

    title: str
    url: str
    items: tuple[Article, ...] = ()
    count: int = 0
    column: Column | None = None


@dataclass(frozen=True)
class Listing:
    kind: str  # home | column | tag | tags | year | archive
    src: str
    title: str
    description: str = ""
    items: tuple[Article, ...] = ()
    pager: Pager | None = None
    groups: tuple[Group, ...] = ()
    column: Column | None = None
    lead: Article | None = None

    @property
    def url(self) -> str:
        return url_of(self.src)

    @property
    def articles(self) -> list[Article]:
        """Every article the page shows: its items, its groups' items and its lead."""
        lead = [self.lead] if self.lead is not None else []
        return [*self.items, *(a for g in self.groups for a in g.items), *lead]

    @property
    def in_nav(self) -> bool:
        """The navigation holds the home page and each column's first page, nothing else."""
        first = self.pager is None or self.pager.number == 1
        return self.kind == "home" or (self.kind == "column" and first)


def page_src(base: str, number: int) -> str:
    return f"{base}/index.md" if number == 1 else f"{base}/page/{number}.md"


def paginate(
    kind: str, base: str, title: str, items: list[Article], per_page: int, **extra: object
) -> Iterator[Listing]:
    chunks = [items[i : i + per_page] for i in range(0, len(items), per_page)] or [[]]
    urls = tuple(url_of(page_src(base, n)) for n in range(1, len(chunks) + 1))
    for n, chunk in enumerate(chunks, start=1):
        shown = title if n == 1 else f"{title}（第{n}页）"
        pager = Pager(n, len(chunks), urls)
        yield Listing(kind, page_src(base, n), shown, items=tuple(chunk), pager=pager, **extra)  # type: ignore[arg-type]


@dataclass
class Plan:
    """Every listing page of one build."""

    listings: list[Listing] = field(default_factory=list)
    tag_urls: dict[str, str] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Listing]:
        return iter(self.listings)


def plan(site: Site, published: list[Article]) -> Plan:
    """Plan every listing from the published set (already newest first)."""
    per_page = site.congress.per_page
    by_column: dict[str, list[Article]] = defaultdict(list)
    by_tag: dict[str, list[Article]] = defaultdict(list)
    by_year: dict[int, list[Article]] = defaultdict(list)
    for a in published:
        assert a.meta is not None
        by_column[a.meta.column].append(a)
        by_year[a.meta.date.year].append(a)
        for tag in dict.fromkeys(a.meta.tags):
            by_tag[tag].append(a)

    result = Plan(tag_urls={t: f"tags/{s}/" for t, s in unique_slugs(by_tag).items()})
    result.listings.append(_home(site, published, by_column))
    for column in site.columns:
        result.listings.extend(
            paginate(
                "column",
                column.id,
                column.name,
                by_column[column.id],
                per_page,
                description=column.description,
                column=column,
            )
        )
    tags = sorted(by_tag, key=lambda t: (-len(by_tag[t]), t))
    result.listings.append(
        Listing(
            "tags",
            "tags/index.md",
            "标签",
            groups=tuple(Group(t, result.tag_urls[t], count=len(by_tag[t])) for t in tags),
        )
    )
    for tag in tags:
        base = result.tag_urls[tag].rstrip("/")
        result.listings.extend(paginate("tag", base, f"标签：{tag}", by_tag[tag], per_page))
    years = sorted(by_year, reverse=True)
    result.listings.append(
        Listing(
            "archive",
            "archive/index.md",
            "归档",
            groups=tuple(Group(f"{y}年", f"archive/{y}/", count=len(by_year[y])) for y in years),
        )
    )
    for year in years:
        result.listings.extend(
            paginate("year", f"archive/{year}", f"{year}年稿件", by_year[year], per_page)
        )
    return result


def _home(site: Site, published: list[Article], by_column: dict[str, list[Article]]) -> Listing:
    n = site.congress.home_items
    groups = tuple(
        Group(
            c.name,
            f"{c.id}/",
            items=tuple(by_column[c.id][:n]),
            count=len(by_column[c.id]),
            column=c,
        )
        for c in site.columns
    )
    return Listing(
        "home",
        "index.md",
        site.site_name or "首页",
        groups=groups,
        lead=published[0] if published else None,
    )


def srcs(listings: Iterable[Listing]) -> list[str]:
    return [listing.src for listing in listings]
