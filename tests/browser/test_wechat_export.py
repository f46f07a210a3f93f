"""The exported article and the site page rendered by Chromium at a phone's width: the reader
of the 公众号 reads the words the reader of the site reads."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.channels.wechathtml import MEDIA_NOTE
from tests.channels.test_export import ARTICLE_URL

pytestmark = pytest.mark.browser

# The session's Chromium (tests/browser/conftest.py); the export and the built sample come from
# tests/conftest.py.


def _words(text: str) -> str:
    return re.sub(r"\s+", "", text.replace(MEDIA_NOTE, ""))


def test_chromium_shows_the_same_text_in_the_export_and_on_the_site(
    browser: object,
    exported: Path,
    sample_site: Path,
) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 812})  # type: ignore[attr-defined]
    page = context.new_page()
    compared = 0
    try:
        for folder in sorted(p for p in exported.iterdir() if p.is_dir()):
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            page.goto((folder / "article.html").as_uri())
            width = page.evaluate("document.body.children[0].getBoundingClientRect().width")
            assert 300 < width <= 375, folder.name  # laid out for the phone, nothing wider
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= 375, f"{folder.name}: wider than the screen ({scroll}px)"
            exported_text = page.evaluate(
                "(() => { const s = document.body.children[0].children;"
                " return s[s.length - 2].innerText; })()"
            )
            match = ARTICLE_URL.match(meta["content_source_url"])
            assert match
            page.goto((sample_site / match.group(1) / "index.html").as_uri())
            site_text = page.inner_text(".cg-article__body")
            assert _words(exported_text) == _words(site_text), folder.name
            compared += 1
    finally:
        context.close()
    assert compared >= 30
