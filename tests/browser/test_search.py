"""Chinese search: the browser asks Pagefind for the same words the index was built with and
checks candidates against the text, so a page is found if and only if it contains the term
(the recall test), in one small download."""

from __future__ import annotations

import lxml.html
import pytest

from generator.core.clock import aware
from generator.core.config import load_site
from generator.core.staff import load_staff
from generator.derive.publication import prepare
from generator.derive.search import canonical, contains, query_words
from tests.browser.conftest import Server
from tests.sitekit import NOW, ROOT

TERMS = [
    "民生实事",
    "营商环境",
    "执法检查",
    "物业管理",
    "代表联络站",
    "人大代表",
    "征求意见",
    "常委会会议",
    "预算审查",
    "电动自行车",
    "国家宪法日",
    "乡村振兴",
    "专题询问",
    "基层立法联系点",
    "一府一委两院",
    "养老服务",
    "历史文化名城",
    "审议",
    "整改",
    "满意度测评",
    "消防通道",
    "2026年",
    "12345",
    "2027",
    "七个一",
]
# People: authors (reporters), a source (来源), responsible editors (names from staff.yml,
# never in a body) and a deputy named in a body.
PEOPLE = ["赵一鸣", "陈雨桐", "北湖区人大常委会", "融媒体中心", "宋怡", "何岚", "王秀兰"]
ABSENT = ["量子计算", "航天发射", "足球联赛", "张三丰"]

TRICKY = [
    "市人大常委会2026年民生实事：营商环境、GDP增长。",
    "“一府一委两院”——执法检查……（第１号）",
    "ＡＢＣ全角字母与①②数字",
    "单",
    "𠀀𠀁 罕用字 Ω αβγ café",
    "line\nbreak\t\ttabs  spaces",
]


def _texts(server: Server, *, people: bool) -> dict[str, str]:
    """Every published article's searchable text by URL: title, summary, tags, body and,
    with `people`, its authors, source (来源) and responsible editor's name."""
    site = load_site(ROOT / "mkdocs.yml")
    pub = prepare(site, aware(NOW), staff=load_staff(site))
    texts = {}
    for a in pub.decision.published:
        m = a.meta
        assert m is not None
        page = lxml.html.parse(str(server.site / a.url / "index.html")).getroot()
        body = page.cssselect(".cg-article__body")[0].text_content()
        parts = [m.title, m.summary or "", " ".join(m.tags), body]
        if people:
            parts += [*m.authors, m.source or "", pub.staff.name(m.editor)]
        texts["/" + a.url] = canonical("\n".join(parts))
    return texts


@pytest.fixture(scope="module")
def searchable(server: Server) -> dict[str, str]:
    return _texts(server, people=True)


def test_the_browser_tokenizes_like_the_index(visit) -> None:  # type: ignore[no-untyped-def]
    page = visit("search/").page
    for text in TRICKY + TERMS:
        assert page.evaluate("t => congressSearchCanonical(t)", text) == canonical(text), text
        assert page.evaluate("t => congressSearchQueryWords(t)", text) == query_words(text), text


def test_search_recall_every_page_with_the_term_and_none_without(
    visit, searchable: dict[str, str], server: Server
) -> None:  # type: ignore[no-untyped-def]
    page = visit("search/").page
    assert len(TERMS) + len(ABSENT) >= 20
    # The sample's newest month, the rest of 2026 and 2025 are three bundles: the recall
    # holds across the merged index.
    assert len(list((server.site / "pagefind").glob("*/pagefind-entry.json"))) >= 3
    for term in TERMS + PEOPLE + ABSENT:
        expected = {url for url, text in searchable.items() if contains(text, term)}
        if term not in ABSENT:
            assert expected, f"{term} should occur in the sample site"
        found = page.evaluate("t => congressSearch(t)", term)
        assert len(found) == len(set(found))
        assert set(found) == expected, term


def test_a_name_finds_the_articles_that_name_that_person(
    visit, searchable: dict[str, str], server: Server
) -> None:  # type: ignore[no-untyped-def]
    """Authors, source and editor are searched, not only the body: an editor's name, which
    no body holds, finds every article that editor was responsible for."""
    page = visit("search/").page
    without_people = _texts(server, people=False)
    for name in ("宋怡", "何岚", "赵一鸣"):
        found = set(page.evaluate("t => congressSearch(t)", name))
        assert found == {url for url, text in searchable.items() if contains(text, name)}
        assert len(found) > len([t for t in without_people.values() if contains(t, name)])


def test_search_page_shows_results_with_highlighted_excerpts(
    visit, searchable: dict[str, str]
) -> None:  # type: ignore[no-untyped-def]
    v = visit("search/?q=营商环境")
    page = v.page
    page.wait_for_selector(".cg-result")
    status = page.locator("#cg-search-status").inner_text()
    expected = sum(contains(text, "营商环境") for text in searchable.values())
    assert f"找到 {expected} 篇" in status
    assert page.locator(".cg-result").count() == min(expected, 20)
    assert "营商环境" in page.locator(".cg-result__excerpt mark").first.inner_text()
    first = page.locator(".cg-result__title").first
    href = first.get_attribute("href")
    assert href and href.startswith("http://127.0.0.1:")
    first.click()
    page.wait_for_load_state()
    assert page.locator("article h1").count() == 1
    assert v.console_errors == [] and v.failed == []


def test_a_term_that_occurs_nowhere_finds_nothing(visit) -> None:  # type: ignore[no-untyped-def]
    page = visit("search/?q=量子计算").page
    page.wait_for_function(
        "document.getElementById('cg-search-status').textContent.includes('没有找到')"
    )
    assert page.locator(".cg-result").count() == 0


def test_header_search_box_leads_to_the_search_page(visit) -> None:  # type: ignore[no-untyped-def]
    page = visit("supervision/").page
    page.fill("#cg-q", "执法检查")
    page.keyboard.press("Enter")
    page.wait_for_selector(".cg-result")
    assert "q=%E6%89%A7" in page.url


def test_one_query_downloads_at_most_300_kb(browser, server: Server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    sizes: list[int] = []
    page.on(
        "requestfinished",
        lambda r: "/pagefind/" in r.url and sizes.append(r.sizes()["responseBodySize"]),
    )
    page.goto(server.base + "search/?q=民生实事", wait_until="networkidle")
    page.wait_for_selector(".cg-result")
    context.close()
    assert sizes
    assert sum(sizes) <= 300 * 1024, sum(sizes)
