"""The built sample site behind nginx, in Chromium: pages, footer, elder mode, feeds, layout."""

from __future__ import annotations

import urllib.request

import pytest

from tests.browser.conftest import Server, Visit

PAGES = {
    "home": "",
    "column": "supervision/",
    "article": "supervision/2026/wuye-zhifa-jiancha-shidi-jiancha/",
    "consultation": "consultations/2026/dianzi-zixingche-tiaoli-zhengqiu-yijian/",
    "withdrawn": "supervision/2026/wuye-zhifa-jiancha-baogao-shenyi/",
    "tag": "tags/",
    "archive": "archive/2026/",
    "search": "search/?q=营商环境",
    "feeds": "feeds/",
}


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_loads_cleanly_and_fits_the_screen(visit, name: str, width: int) -> None:  # type: ignore[no-untyped-def]
    v: Visit = visit(PAGES[name], width=width)
    assert v.console_errors == [], v.console_errors
    assert v.failed == [], v.failed
    overflow = v.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")  # type: ignore[attr-defined]
    assert overflow <= 0, f"{name} overflows by {overflow}px at {width}px"


def test_footer_carries_the_national_identifiers(visit) -> None:  # type: ignore[no-untyped-def]
    page = visit("").page
    footer = page.locator("footer.cg-footer")
    text = footer.inner_text()
    for expected in (
        "主办单位：示例市人民代表大会常务委员会",
        "承办单位：示例市人大常委会办公室",
        "地址：示例市人民路100号",
        "电话：0123-88001234",
        "网站标识码：0000000000",
        "示ICP备00000000号",
        "示公网安备00000000000000号",
    ):
        assert expected in text
    assert footer.locator("a[href='https://beian.miit.gov.cn']").count() == 1
    assert (
        footer.locator(
            "a[href^='https://beian.mps.gov.cn/#/query/webSearch?code=00000000000000']"
        ).count()
        == 1
    )
    assert footer.locator("[data-slot=dzjg]").count() == 1
    assert footer.locator("button[data-cg-elder]").count() == 1


def test_elder_mode_toggles_and_persists_across_pages(visit, browser, server: Server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        first = visit("", context=context).page
        size = first.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
        first.locator("header button[data-cg-elder]").click()
        assert first.evaluate("document.documentElement.classList.contains('cg-elder')")
        assert first.locator("header button[data-cg-elder]").get_attribute("aria-pressed") == "true"
        larger = first.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
        assert larger >= 1.25 * size
        second = visit(PAGES["article"], context=context).page
        assert second.evaluate("document.documentElement.classList.contains('cg-elder')")
        line = second.evaluate(
            "(() => { const p = document.querySelector('.cg-article__body p');"
            " const s = getComputedStyle(p);"
            " return parseFloat(s.lineHeight) / parseFloat(s.fontSize); })()"
        )
        assert line >= 1.5
        second.locator("footer button[data-cg-elder]").click()
        assert not second.evaluate("document.documentElement.classList.contains('cg-elder')")
    finally:
        context.close()


def test_feed_links_of_the_subscription_page_answer_with_their_types(visit, server: Server) -> None:  # type: ignore[no-untyped-def]
    page = visit(PAGES["feeds"]).page
    urls = page.eval_on_selector_all("a.cg-feed-url", "links => links.map(a => a.href)")
    assert len(urls) == 36
    types = {
        ".rss": "application/rss+xml",
        ".atom": "application/atom+xml",
        ".json": "application/feed+json",
    }
    for url in urls:
        assert url.startswith(server.base)
        local = url
        with urllib.request.urlopen(local) as response:
            assert response.status == 200
            kind = response.headers["Content-Type"].split(";")[0]
            assert kind == types[local[local.rfind(".") :]], (url, kind)
    with urllib.request.urlopen(server.base + "feeds/index.opml") as response:
        assert response.headers["Content-Type"].startswith("text/x-opml")


def test_security_headers_and_cache_policy(server: Server) -> None:
    with urllib.request.urlopen(server.base) as response:
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-cache" in response.headers["Cache-Control"]
    with urllib.request.urlopen(server.base + PAGES["withdrawn"]) as response:
        assert response.status == 200
    css = next((server.site / "assets/stylesheets").glob("main.*.min.css")).name
    with urllib.request.urlopen(f"{server.base}assets/stylesheets/{css}") as response:
        assert "max-age=31536000" in response.headers["Cache-Control"]


def test_keyboard_reaches_search_and_elder_mode_with_a_visible_focus(visit) -> None:  # type: ignore[no-untyped-def]
    page = visit(PAGES["column"]).page
    reached = set()
    for _ in range(12):
        page.keyboard.press("Tab")
        info = page.evaluate(
            "(() => { const e = document.activeElement; const s = getComputedStyle(e);"
            " const elder = e.getAttribute('data-cg-elder') !== null && 'elder';"
            " const name = e.id || elder || e.tagName;"
            " return [name, s.outlineStyle, s.outlineWidth]; })()"
        )
        reached.add(info[0])
        if info[0] in ("cg-q", "elder"):
            assert info[1] != "none" and info[2] != "0px", info
    assert {"cg-q", "elder"} <= reached


def test_consultation_shows_deadline_state_and_channels(visit) -> None:  # type: ignore[no-untyped-def]
    page = visit(PAGES["consultation"]).page
    box = page.locator(".cg-consultation").inner_text()
    assert "征求意见中" in box and "意见截止时间：2026-12-20 17:00" in box
    assert page.locator(".cg-consultation a[href^='mailto:']").count() == 1
    closed = visit("consultations/2026/yanglao-fuwu-tiaoli-zhengqiu-yijian/").page
    text = closed.locator(".cg-consultation").inner_text()
    assert "已截止" in text and "意见采纳情况" in text
    assert closed.locator(".cg-consultation__feedback a").count() == 1
