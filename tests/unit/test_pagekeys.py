"""Page keys (generator/build/pagekeys.py): a page's key changes when what the page shows
changes, and only then, so that a rebuild re-renders exactly the pages it must.

Each case publishes a small site twice (the real loader, gate and listing plan, no mkdocs),
once as it was and once changed, and compares the keys page by page."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator.build.pagekeys import page_keys
from generator.core.clock import aware
from generator.core.config import load_site
from generator.core.slug import tag_slug
from generator.core.staff import load_staff
from generator.derive.publication import Publication, prepare
from tests.sitekit import NOW, STAFF, article, make_site

RENDER = b"config and theme"

A = "news/2026/a.md"
B = "news/2026/b.md"
C = "news/2026/c.md"
D = "news/2026/d.md"


FIELDS: dict[str, dict[str, Any]] = {
    A: {"uid": "2026-1120-aaaaaa", "title": "稿件甲", "date": "2026-11-20T10:00:00+08:00"},
    B: {"uid": "2026-1120-bbbbbb", "title": "稿件乙", "date": "2026-11-19T10:00:00+08:00"},
    C: {"uid": "2026-1120-cccccc", "title": "稿件丙", "date": "2026-11-18T10:00:00+08:00"},
    D: {"uid": "2026-1120-dddddd", "title": "稿件丁", "date": "2026-11-21T10:00:00+08:00"},
}
TAGS = {A: ["监督"], B: ["预算"], C: ["监督"], D: ["测试"]}


def piece(src: str, body: str | None = None, **over: Any) -> str:
    """The approved article at `src`, with `over` changed (signed anew, as after a real
    edit and its review)."""
    fields = {**FIELDS[src], "tags": TAGS[src], **over}
    return article(body, **fields) if body is not None else article(**fields)


BASE: dict[str, str | bytes] = {src: piece(src) for src in (A, B, C)}


def published(
    root: Path,
    articles: dict[str, str | bytes],
    *,
    now: str = NOW,
    staff: dict[str, dict[str, Any]] | None = None,
    preview: bool = False,
    **plugin: Any,
) -> Publication:
    make_site(root, articles, staff=staff, per_page=plugin.pop("per_page", 1), **plugin)
    site = load_site(root / "mkdocs.yml")
    return prepare(site, aware(now), staff=load_staff(site), preview=preview)


def keys(
    root: Path,
    articles: dict[str, str | bytes],
    present: Callable[[str], bool] = lambda _: False,
    **kw: Any,
) -> dict[str, bytes]:
    return page_keys(published(root, articles, **kw), RENDER, present)


def changed(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    """Pages whose key differs, or that exist on one side only."""
    return {src for src in before.keys() | after.keys() if before.get(src) != after.get(src)}


def listing_of(pub: Publication, kind: str, member: str) -> set[str]:
    """The listing pages (outside the navigation) of `kind` that show the article `member`."""
    return {
        item.src
        for item in pub.plan
        if item.kind == kind and not item.in_nav and any(a.src == member for a in item.articles)
    }


def test_every_article_page_and_every_listing_outside_the_navigation_has_a_key(
    tmp_path: Path,
) -> None:
    pub = published(tmp_path, BASE)
    got = page_keys(pub, RENDER, lambda _: False)
    listings = {item.src for item in pub.plan if not item.in_nav}
    assert set(got) == {A, B, C} | listings
    assert "news/page/2.md" in got and "index.md" not in got and "news/index.md" not in got
    assert len(set(got.values())) == len(got)  # no two pages share a key


def test_the_same_site_gives_the_same_keys_wherever_and_whenever_it_is_built(
    tmp_path: Path,
) -> None:
    first = keys(tmp_path / "one", BASE)
    again = keys(tmp_path / "two", BASE, now="2027-03-01T08:00:00+08:00")  # moved, months on
    assert changed(first, again) == set()


def test_a_new_render_key_changes_every_key(tmp_path: Path) -> None:
    pub = published(tmp_path, BASE)
    before = page_keys(pub, RENDER, lambda _: False)
    after = page_keys(pub, RENDER + b" with a new theme file", lambda _: False)
    assert changed(before, after) == set(before)


def test_a_new_title_changes_the_article_and_the_listings_showing_it_only(tmp_path: Path) -> None:
    before_pub = published(tmp_path / "before", BASE)
    before = page_keys(before_pub, RENDER, lambda _: False)
    edited = {**BASE, B: piece(B, title="稿件乙（修改）")}
    after = keys(tmp_path / "after", edited)
    showing_b = {s for kind in ("column", "tag", "year") for s in listing_of(before_pub, kind, B)}
    assert showing_b  # page 2 of the column, the tag page, page 2 of the year
    assert changed(before, after) == {B} | showing_b
    assert before[A] == after[A] and before[C] == after[C]  # its neighbours' pages stay


def test_a_new_body_changes_the_article_and_the_listings_showing_it_only(tmp_path: Path) -> None:
    before_pub = published(tmp_path / "before", BASE)
    before = page_keys(before_pub, RENDER, lambda _: False)
    body = "正文第一段（改）。\n\n## 小标题\n\n正文第二段。\n"
    edited = {**BASE, C: piece(C, body)}
    after = keys(tmp_path / "after", edited)
    showing_c = {s for kind in ("column", "tag", "year") for s in listing_of(before_pub, kind, C)}
    assert changed(before, after) == {C} | showing_c


def test_rewriting_the_same_bytes_or_touching_the_file_changes_nothing(tmp_path: Path) -> None:
    before = keys(tmp_path, BASE)
    (tmp_path / "content" / A).touch()
    assert changed(before, keys(tmp_path, BASE)) == set()


def test_a_new_newest_article_moves_the_later_pages_and_no_article_page(tmp_path: Path) -> None:
    before_pub = published(tmp_path / "before", BASE)
    before = page_keys(before_pub, RENDER, lambda _: False)
    after_pub = published(tmp_path / "after", {**BASE, D: piece(D)})
    after = page_keys(after_pub, RENDER, lambda _: False)
    assert before[A] == after[A] and before[B] == after[B] and before[C] == after[C]
    moved = changed(before, after)
    # One per page: every later page of the column and of the year shows another article now.
    assert {"news/page/2.md", "news/page/3.md", "news/page/4.md"} <= moved
    assert {"archive/2026/page/2.md", "archive/2026/page/3.md"} <= moved
    assert "archive/index.md" in moved  # the count of the year
    assert D in moved
    # The tags it does not carry keep their pages (d has the default tag 测试: a new page).
    tag = {item.src: item for item in before_pub.plan if item.kind == "tag"}
    assert not moved & set(tag)


def test_moving_an_article_to_another_tag_changes_both_tag_pages_and_the_index(
    tmp_path: Path,
) -> None:
    before_pub = published(tmp_path / "before", BASE)
    before = page_keys(before_pub, RENDER, lambda _: False)
    edited = {**BASE, C: piece(C, tags=["预算"])}
    after_pub = published(tmp_path / "after", edited)
    after = page_keys(after_pub, RENDER, lambda _: False)
    supervision, budget = (before_pub.plan.tag_urls[t] + "index.md" for t in ("监督", "预算"))
    moved = changed(before, after)
    assert {C, supervision, budget, "tags/index.md"} <= moved
    assert A not in moved and B not in moved
    assert "archive/index.md" not in moved  # the same years, the same counts


def test_the_editors_name_in_the_registry_is_part_of_the_article_page(tmp_path: Path) -> None:
    before = keys(tmp_path / "before", BASE)
    renamed = copy.deepcopy(STAFF)
    renamed["ed-a"]["name"] = "编辑甲（改名）"
    after = keys(tmp_path / "after", BASE, staff=renamed)
    assert {A, B, C} <= changed(before, after)
    renamed = copy.deepcopy(STAFF)
    renamed["pr-2"]["name"] = "校对二（改名）"  # signs, but no page shows the proofreaders
    assert changed(before, keys(tmp_path / "again", BASE, staff=renamed)) == set()


def test_a_linked_file_appearing_or_going_changes_that_article_only(tmp_path: Path) -> None:
    body = "正文，见[附件](files/plan.pdf)与![图](../2025/pic.png)，另见[外链](https://example.com/x.pdf)。\n"
    articles = {**BASE, B: piece(B, body)}
    files = {"news/2026/files/plan.pdf": b"%PDF-1.4\n", "news/2025/pic.png": b"\x89PNG\r\n\x1a\n"}
    pub = published(tmp_path, articles, assets=files)
    assert pub.decision.published[1].src == B  # its files are there: it is public
    none = page_keys(pub, RENDER, lambda _: False)
    some = page_keys(pub, RENDER, lambda src: src == "news/2026/files/plan.pdf")
    other = page_keys(pub, RENDER, lambda src: src == "news/2025/pic.png")
    unrelated = page_keys(pub, RENDER, lambda src: src == "news/2026/unused.pdf")
    assert changed(none, some) == {B}
    assert changed(none, other) == {B}
    assert changed(some, other) == {B}
    assert changed(none, unrelated) == set()


def test_a_withdrawal_turns_the_page_into_a_notice_and_takes_it_off_the_listings(
    tmp_path: Path,
) -> None:
    before_pub = published(tmp_path / "before", BASE)
    before = page_keys(before_pub, RENDER, lambda _: False)
    text = BASE[B]
    assert isinstance(text, str)
    withdrawn = text.replace(
        "review:", "withdrawn: {at: 2026-11-25T10:00:00+08:00, reason: 数据核实中}\nreview:", 1
    )
    after_pub = published(tmp_path / "after", {**BASE, B: withdrawn})
    after = page_keys(after_pub, RENDER, lambda _: False)
    assert after_pub.notice_only(after_pub.rendered[B])  # still approved: a notice stays
    moved = changed(before, after)
    assert B in moved and A not in moved
    assert listing_of(before_pub, "tag", B) <= moved
    # The preview shows the withdrawn article whole, with a banner: another page than the notice.
    whole = page_keys(
        published(tmp_path / "after", {**BASE, B: withdrawn}, preview=True), RENDER, lambda _: False
    )
    assert whole[B] != after[B]


def test_a_consultation_page_changes_when_it_closes_and_not_before(tmp_path: Path) -> None:
    consult = {
        "kind": "consultation",
        "consultation": {
            "deadline": "2026-12-10T17:00:00+08:00",
            "channels": {"email": "fgw@example.gov.cn"},
        },
    }
    articles = {**BASE, B: piece(B, **consult)}
    open_now = keys(tmp_path / "now", articles)
    open_later = keys(tmp_path / "later", articles, now="2026-12-10T16:00:00+08:00")
    closed = keys(tmp_path / "closed", articles, now="2026-12-11T09:00:00+08:00")
    assert changed(open_now, open_later) == set()
    moved = changed(open_later, closed)
    assert B in moved and A not in moved and C not in moved
    assert "news/page/2.md" in moved  # its listing shows the status too


def test_a_tag_whose_url_moves_changes_the_pages_linking_to_it(tmp_path: Path) -> None:
    """Another article's tag written as this tag's slug takes the slug over (slug.py
    `unique_slugs`): the article page, whose tag links now point elsewhere, is a new page."""
    articles = {**BASE, A: piece(A, tags=["NPC"])}
    before_pub = published(tmp_path / "before", articles)
    before = page_keys(before_pub, RENDER, lambda _: False)
    taker = piece(D, date="2026-11-15T10:00:00+08:00", tags=[tag_slug("NPC")])
    after_pub = published(tmp_path / "after", {**articles, D: taker})
    after = page_keys(after_pub, RENDER, lambda _: False)
    assert before_pub.plan.tag_urls["NPC"] != after_pub.plan.tag_urls["NPC"]
    assert A in changed(before, after)
    assert B not in changed(before, after)
