"""axe-core (npm package, injected with Playwright) on the pages readers use most."""

from __future__ import annotations

import pytest

from tests.browser.conftest import AXE, require

PAGES = {
    "home": "",
    "column": "supervision/",
    "article": "supervision/2026/wuye-zhifa-jiancha-shidi-jiancha/",
    "consultation": "consultations/2026/dianzi-zixingche-tiaoli-zhengqiu-yijian/",
    "tag": "tags/",
    "search": "search/?q=营商环境",
    "feeds": "feeds/",
    "404": "supervision/no-such-page/",
}


def violations(page: object) -> list[dict[str, object]]:
    page.add_script_tag(path=str(AXE))  # type: ignore[attr-defined]
    result = page.evaluate(  # type: ignore[attr-defined]
        "async () => await axe.run(document, {runOnly: {type: 'tag', values:"
        " ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_or_critical_axe_violation(visit, browser, name: str, elder: bool) -> None:  # type: ignore[no-untyped-def]
    require(AXE, "axe-core (npm ci)")
    # axe is injected as an inline script, which the site's CSP (rightly) refuses.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    try:
        if elder:
            context.add_init_script("localStorage.setItem('congress.elder', '1')")
        page = visit(PAGES[name], context=context).page
        if name == "search":
            page.wait_for_selector(".cg-result")
        found = violations(page)
        summary = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in found]
        assert found == [], summary
    finally:
        context.close()
