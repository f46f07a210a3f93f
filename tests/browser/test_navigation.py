"""Finding one's way: the column tabs at desktop width, the drawer on a phone, and the 404
page nginx answers a missing address with."""

from __future__ import annotations

import os
import urllib.error
import urllib.request

import pytest

from tests.browser.conftest import Server, Visit

# The sample's eleven columns (mkdocs.yml), long names included.
COLUMNS = [
    "良法善治护航发展",
    "监督在线·实效追踪",
    "代表风采·履职故事",
    "会议报道",
    "宪法宣传",
    "征求意见",
    "新闻发布",
    "参与互动",
    "人大视点",
    "常委会公报",
    "代表之声",
]
TABS = ["首页", *COLUMNS]

# Where each tab link is, and what the browser finds at its two ends (a link cut off by an
# overflowing list is not what is hit there).
GEOMETRY = """() => [...document.querySelectorAll('.md-tabs__link')].map(a => {
  const r = a.getBoundingClientRect(), y = r.top + r.height / 2;
  const hit = x => { const e = document.elementFromPoint(x, y); return !!e && a.contains(e); };
  return {name: a.textContent.trim(), left: r.left, right: r.right, top: r.top,
          bottom: r.bottom, hit: r.width > 0 && hit(r.left + 1) && hit(r.right - 1)};
})"""


def require_cjk_font(v: Visit) -> None:
    """Tab widths mean something only with a Chinese font (without one, Chromium draws narrow
    boxes and every layout fits)."""
    width = v.page.evaluate(  # type: ignore[attr-defined]
        "(() => { const a = document.querySelector('.md-tabs__link');"
        " return a.getBoundingClientRect().width / parseFloat(getComputedStyle(a).fontSize); })()"
    )
    if width >= 1.8:  # 首页: two full-width characters
        return
    message = "no Chinese font: the column tabs' widths cannot be checked"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{message} (apt-get install fonts-noto-cjk)")
    pytest.skip(message)


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_every_column_tab_is_visible_at_1280px(visit, browser, elder: bool) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        if elder:  # larger text: the tabs take a second row
            context.add_init_script("localStorage.setItem('congress.elder', '1')")
        v: Visit = visit("supervision/", context=context)
        require_cjk_font(v)
        tabs = v.page.evaluate(GEOMETRY)  # type: ignore[attr-defined]
        assert [t["name"] for t in tabs] == TABS
        for tab in tabs:
            inside = tab["left"] >= 0 and tab["right"] <= 1280 and tab["bottom"] <= 900
            assert inside and tab["top"] >= 0 and tab["hit"], tab
        # The sidebar sticks below the header however many rows of tabs it has.
        gap = v.page.evaluate(  # type: ignore[attr-defined]
            "(() => { const h = document.querySelector('.md-header').getBoundingClientRect();"
            " const s = getComputedStyle(document.querySelector('.md-sidebar--primary'));"
            " return parseFloat(s.top) - h.height; })()"
        )
        assert abs(gap) < 1, gap
    finally:
        context.close()


def test_every_column_tab_is_reached_with_the_keyboard(visit) -> None:  # type: ignore[no-untyped-def]
    page = visit("supervision/").page
    reached: list[str] = []
    for _ in range(40):  # logo, menu, search, elder mode, then the tabs: well within 40
        page.keyboard.press("Tab")
        tab = page.evaluate(
            "(() => { const e = document.activeElement;"
            " if (!e.matches('.md-tabs__link')) return null;"
            " const r = e.getBoundingClientRect();"
            " return [e.textContent.trim(), r.left >= 0 && r.right <= innerWidth"
            " && r.top >= 0 && r.bottom <= innerHeight]; })()"
        )
        if tab is not None:
            assert tab[1], f"{tab[0]} has the focus outside the window"
            reached.append(tab[0])
        if len(reached) == len(TABS):
            break
    assert reached == TABS


def test_the_drawer_lists_every_column_on_a_phone(visit) -> None:  # type: ignore[no-untyped-def]
    page = visit("supervision/", width=375, height=812).page
    assert not page.locator(".md-tabs").is_visible()  # material hides the tabs on a phone
    page.locator("label.md-header__button[for=__drawer]").click()
    drawer = page.locator(".md-sidebar--primary")
    for name in TABS:
        link = drawer.locator("a.md-nav__link", has_text=name).first
        link.scroll_into_view_if_needed()
        assert link.is_visible(), name
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, name


def test_a_missing_address_answers_with_the_404_page_of_the_site(visit, server: Server) -> None:  # type: ignore[no-untyped-def]
    missing = "supervision/2026/no-such-article/"
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(server.base + missing, timeout=10)
    assert answer.value.code == 404
    v: Visit = visit(missing)
    page = v.page
    # The page's own 404 is expected; its styles, scripts and images all load at this depth.
    assert [f for f in v.failed if not f.startswith(server.base + missing)] == []
    assert page.locator("article h1").inner_text() == "页面不存在"
    assert page.title() == "页面不存在 - 示例市人大常委会"
    footer = page.locator("footer.cg-footer")
    for expected in ("主办单位：示例市人民代表大会常务委员会", "网站标识码：0000000000"):
        assert expected in footer.inner_text()
    assert footer.locator("a[href='https://beian.miit.gov.cn']").is_visible()
    assert footer.locator("a[href^='https://beian.mps.gov.cn/']").is_visible()
    links = page.locator("article nav a")
    names = [links.nth(i).inner_text() for i in range(links.count())]
    assert names[: len(TABS)] == TABS
    page.locator("article nav a", has_text=COLUMNS[-1]).click()
    page.wait_for_load_state()
    assert page.url == server.base + "bulletin/"
    page.go_back()
    page.locator("#cg-notfound-q").fill("营商环境")
    page.locator("#cg-notfound-q").press("Enter")
    page.wait_for_url("**/search/?q=*")
