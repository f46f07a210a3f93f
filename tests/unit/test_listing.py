"""Listing pages planned from the published set (generator/derive/listing.py `plan`): which
pages exist, at which source path, listing which articles in which order."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from generator.core.config import Site
from generator.derive.listing import Listing, Plan, plan
from generator.gate.decide import newest_first
from generator.load.article import Article, parse_article
from tests.sitekit import context, draft


def site(**plugin: Any) -> Site:
    return context(**plugin).site


START = datetime(2026, 1, 1, 10, tzinfo=timezone(timedelta(hours=8)))


def piece(n: int, *, column: str = "news", day: int = 1, **over: Any) -> Article:
    """An article of `column` dated `day` days after 2026-01-01 10:00 (China time)."""
    date = over.pop("date", (START + timedelta(days=day)).isoformat())
    text = draft(uid=f"2026-0101-l{n:05d}", title=f"稿件{n}", column=column, date=date, **over)
    src = f"{column}/{date[:4]}/a{n}.md"
    a = parse_article(text.encode("utf-8"), src, f"content/{src}")
    assert a.meta is not None, a.findings
    return a


def pieces(count: int, **over: Any) -> list[Article]:
    """`count` articles, newest first (as the gate gives them): a0 is the newest."""
    return newest_first(piece(n, day=count - n, **over) for n in range(count))


def of(p: Plan, kind: str) -> list[Listing]:
    return [item for item in p if item.kind == kind]


def uids(items: tuple[Article, ...] | list[Article]) -> list[str]:
    return [a.uid[-6:] for a in items]


# --- pagination ---------------------------------------------------------------------------


def test_a_column_is_cut_into_pages_of_per_page_items_in_the_given_order() -> None:
    published = pieces(5)
    pages = [item for item in of(plan(site(per_page=2), published), "column") if item.column]
    news = [item for item in pages if item.column and item.column.id == "news"]
    assert [item.src for item in news] == ["news/index.md", "news/page/2.md", "news/page/3.md"]
    assert [item.url for item in news] == ["news/", "news/page/2/", "news/page/3/"]
    assert [uids(item.items) for item in news] == [
        ["l00000", "l00001"],
        ["l00002", "l00003"],
        ["l00004"],
    ]
    assert [item.title for item in news] == ["要闻", "要闻（第2页）", "要闻（第3页）"]
    assert all(item.description == "测试要闻栏目" for item in news)


def test_the_pager_links_each_page_to_its_neighbours() -> None:
    news = [i for i in of(plan(site(per_page=2), pieces(5)), "column") if i.src.startswith("news")]
    pagers = [item.pager for item in news]
    assert all(
        p is not None and p.urls == ("news/", "news/page/2/", "news/page/3/") for p in pagers
    )
    assert [(p.number, p.total) for p in pagers if p] == [(1, 3), (2, 3), (3, 3)]
    assert [(p.previous, p.next) for p in pagers if p] == [
        (None, "news/page/2/"),
        ("news/", "news/page/3/"),
        ("news/page/2/", None),
    ]


@pytest.mark.parametrize(
    ("count", "per_page", "sizes"),
    [
        (4, 2, [2, 2]),  # an exact multiple: no empty last page
        (3, 1, [1, 1, 1]),  # the smallest page
        (3, 3, [3]),  # exactly one page full
        (3, 500, [3]),  # the largest page the configuration allows
        (1, 1, [1]),
    ],
)
def test_page_size_edges(count: int, per_page: int, sizes: list[int]) -> None:
    published = pieces(count)
    news = [i for i in of(plan(site(per_page=per_page), published), "column") if i.column]
    news = [i for i in news if i.column is not None and i.column.id == "news"]
    assert [len(item.items) for item in news] == sizes
    assert [a for item in news for a in item.items] == published  # every one, once, in order


def test_an_empty_column_still_has_its_one_empty_page() -> None:
    p = plan(site(), pieces(2))
    notices = [i for i in of(p, "column") if i.column is not None and i.column.id == "notices"]
    assert [(i.src, i.items) for i in notices] == [("notices/index.md", ())]
    pager = notices[0].pager
    assert pager is not None and (pager.number, pager.total, pager.previous, pager.next) == (
        1,
        1,
        None,
        None,
    )


def test_nothing_published_still_plans_home_columns_and_the_two_indexes() -> None:
    p = plan(site(), [])
    assert [(i.kind, i.src) for i in p] == [
        ("home", "index.md"),
        ("column", "news/index.md"),
        ("column", "sessions/index.md"),
        ("column", "notices/index.md"),
        ("tags", "tags/index.md"),
        ("archive", "archive/index.md"),
    ]
    home = p.listings[0]
    assert home.lead is None and [g.count for g in home.groups] == [0, 0, 0]
    assert all(i.articles == [] for i in p)
    assert p.tag_urls == {}


# --- per column, home ---------------------------------------------------------------------


def test_each_article_is_listed_in_its_own_column_only() -> None:
    published = newest_first(
        [piece(0, day=3), piece(1, column="sessions", day=2), piece(2, column="notices", day=1)]
    )
    columns = {
        i.column.id: uids(i.items) for i in of(plan(site(), published), "column") if i.column
    }
    assert columns == {"news": ["l00000"], "sessions": ["l00001"], "notices": ["l00002"]}


def test_home_shows_the_newest_as_lead_and_home_items_per_column_in_column_order() -> None:
    published = newest_first(
        [*pieces(4), piece(9, column="notices", day=99)]  # the newest of all, in notices
    )
    home = plan(site(home_items=3), published).listings[0]
    assert home.kind == "home" and home.src == "index.md" and home.in_nav
    assert home.title == "测试市人大常委会"
    assert home.lead is not None and home.lead.uid.endswith("l00009")
    assert [(g.title, g.url, g.count, uids(g.items)) for g in home.groups] == [
        ("要闻", "news/", 4, ["l00000", "l00001", "l00002"]),
        ("会议报道", "sessions/", 0, []),
        ("通知公告", "notices/", 1, ["l00009"]),
    ]
    assert [g.column.id for g in home.groups if g.column] == ["news", "sessions", "notices"]
    assert uids(home.articles) == ["l00000", "l00001", "l00002", "l00009", "l00009"]


def test_only_home_and_each_columns_first_page_are_in_the_navigation() -> None:
    p = plan(site(per_page=1), pieces(3, tags=["甲"]))
    assert [i.src for i in p if i.in_nav] == [
        "index.md",
        "news/index.md",
        "sessions/index.md",
        "notices/index.md",
    ]


# --- tags ---------------------------------------------------------------------------------


def test_tags_get_pages_ordered_by_count_then_name_and_an_index() -> None:
    published = newest_first(
        [
            piece(0, day=3, tags=["预算", "监督"]),
            piece(1, day=2, tags=["监督", "预算", "监督"]),  # a repeated tag counts once
            piece(2, day=1, tags=["立法", "监督"]),
        ]
    )
    p = plan(site(), published)
    (index,) = of(p, "tags")
    assert (index.src, index.title) == ("tags/index.md", "标签")
    assert [(g.title, g.count, g.url) for g in index.groups] == [
        ("监督", 3, p.tag_urls["监督"]),
        ("预算", 2, p.tag_urls["预算"]),
        ("立法", 1, p.tag_urls["立法"]),
    ]
    tags = of(p, "tag")
    assert [i.title for i in tags] == ["标签：监督", "标签：预算", "标签：立法"]
    assert [uids(i.items) for i in tags] == [
        ["l00000", "l00001", "l00002"],
        ["l00000", "l00001"],
        ["l00002"],
    ]
    assert [i.src for i in tags] == [f"{p.tag_urls[t]}index.md" for t in ("监督", "预算", "立法")]


def test_tag_pages_are_paginated_like_columns() -> None:
    p = plan(site(per_page=2), pieces(3, tags=["监督"]))
    base = p.tag_urls["监督"]
    tags = of(p, "tag")
    assert [i.src for i in tags] == [f"{base}index.md", f"{base}page/2.md"]
    assert [i.title for i in tags] == ["标签：监督", "标签：监督（第2页）"]


def test_every_tag_gets_its_own_safe_url_whatever_its_text() -> None:
    awkward = ["NPC", "npc", "!!!", "???", "../../etc/passwd", "a/b", "人大", "人大 ", "<script>"]
    published = [piece(n, day=20 - n, tags=[t]) for n, t in enumerate(awkward)]
    p = plan(site(), newest_first(published))
    urls = p.tag_urls
    assert set(urls) == {t.strip() for t in awkward}  # front matter strips the spaces
    assert len(set(urls.values())) == len(urls)  # never one page for two tags
    assert all(re.fullmatch(r"tags/[a-z0-9-]+/", u) for u in urls.values()), urls
    assert urls["npc"] == "tags/npc/"  # a tag that is its own slug keeps it
    # Each tag page lists the article of its own tag, however alike the tags are.
    for item in of(p, "tag"):
        tag = item.title.removeprefix("标签：")
        assert [a.meta.tags for a in item.items if a.meta] == [[tag]] * (2 if tag == "人大" else 1)


# --- yearly archive -----------------------------------------------------------------------


def test_archive_lists_years_newest_first_with_a_paginated_page_each() -> None:
    published = newest_first(
        [
            piece(0, date="2026-03-01T10:00:00+08:00"),
            piece(1, date="2024-05-01T10:00:00+08:00"),
            piece(2, date="2026-01-01T10:00:00+08:00"),
            piece(3, date="2025-12-31T23:59:00+08:00"),
            piece(4, date="2024-01-01T00:00:00+08:00"),
        ]
    )
    p = plan(site(per_page=1), published)
    (archive,) = of(p, "archive")
    assert (archive.src, archive.title) == ("archive/index.md", "归档")
    assert [(g.title, g.url, g.count) for g in archive.groups] == [
        ("2026年", "archive/2026/", 2),
        ("2025年", "archive/2025/", 1),
        ("2024年", "archive/2024/", 2),
    ]
    years = of(p, "year")
    assert [(i.src, i.title, uids(i.items)) for i in years] == [
        ("archive/2026/index.md", "2026年稿件", ["l00000"]),
        ("archive/2026/page/2.md", "2026年稿件（第2页）", ["l00002"]),
        ("archive/2025/index.md", "2025年稿件", ["l00003"]),
        ("archive/2024/index.md", "2024年稿件", ["l00001"]),
        ("archive/2024/page/2.md", "2024年稿件（第2页）", ["l00004"]),
    ]


# --- the plan as a whole ------------------------------------------------------------------


def test_the_order_of_the_plan_and_every_source_path_is_unique() -> None:
    p = plan(site(per_page=1), pieces(2, tags=["甲"]))
    kinds = [i.kind for i in p]
    assert kinds == [
        *("home", "column", "column", "column", "column"),
        *("tags", "tag", "tag", "archive", "year", "year"),
    ]
    srcs = [i.src for i in p]
    assert len(srcs) == len(set(srcs))


def test_the_same_published_set_gives_the_same_plan() -> None:
    published = pieces(7, tags=["监督", "预算"])
    first, second = plan(site(per_page=3), published), plan(site(per_page=3), list(published))
    assert first.listings == second.listings and first.tag_urls == second.tag_urls
