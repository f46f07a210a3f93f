"""Red team, markup, second pass: feed fields that readers treat as HTML, SVG and XML
attachments that a parser (not a pattern) must judge, the preview server's Host check and
IPv6 address, and content nh3 would turn from invisible into visible text."""

from __future__ import annotations

import html
import json
from pathlib import Path

import feedparser
import lxml.html
import pytest
from lxml import etree

from tests.redteam.hostile import build, hostile_site, payload
from tests.sitekit import NOW, article, congress, make_site

pytestmark = pytest.mark.site

UID = "2026-1120-a00001"


@pytest.fixture(scope="module")
def hostile_feeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = hostile_site(tmp_path_factory.mktemp("hostile-feeds"))
    build(root)
    return root / "site" / "feeds"


def _elements(value: str) -> list[str]:
    """The elements a reader that renders `value` as HTML would create."""
    fragment = lxml.html.fragment_fromstring(value or " ", create_parent="div")
    return [e.tag for e in fragment.iterdescendants() if isinstance(e.tag, str)]


def test_rss_fields_that_readers_render_as_html_carry_the_summary_as_text(
    hostile_feeds: Path,
) -> None:
    raw = (hostile_feeds / "all.rss").read_bytes()
    item = next(i for i in etree.fromstring(raw).iter("item") if i.findtext("guid").endswith(UID))
    assert item.findtext("description") == html.escape(payload("summary"), quote=False)
    entry = next(e for e in feedparser.parse(raw).entries if e.id.endswith(UID))
    for field in ("summary", "title", "author"):
        assert _elements(entry[field]) == [], field
    shown = lxml.html.fragment_fromstring(entry.summary, create_parent="div").text_content()
    assert shown == payload("summary")  # every character the editor wrote, as text


def test_atom_and_json_feed_carry_plain_text_fields_raw(hostile_feeds: Path) -> None:
    entry = next(
        e
        for e in feedparser.parse((hostile_feeds / "all.atom").read_bytes()).entries
        if e.id.endswith(UID)
    )
    assert entry.summary_detail.type == "text/plain"
    assert entry.summary == payload("summary")
    assert entry.title_detail.type == "text/plain"
    items = json.loads((hostile_feeds / "all.json").read_text(encoding="utf-8"))["items"]
    item = next(i for i in items if i["id"].endswith(UID))
    assert item["summary"] == payload("summary")  # JSON Feed: summary is plain text


INERT = """正文第一段。

<noscript>INERT-noscript</noscript>
<textarea>INERT-textarea</textarea>
<template><p>INERT-template</p></template>
<select><option>INERT-option</option></select>
<noembed>INERT-noembed</noembed>

<div hidden>藏起来的段落</div>

正文第二段。
"""


def test_content_a_browser_never_shows_does_not_become_page_text(tmp_path: Path) -> None:
    make_site(tmp_path, {"news/2026/a.md": article(INERT)})
    assert congress("build", "--now", NOW, cwd=tmp_path).returncode == 0
    site = tmp_path / "site"
    page = (site / "news" / "2026" / "a" / "index.html").read_text(encoding="utf-8")
    index = (site / "pagefind" / "text" / "2026-1120-aaaaaa.txt").read_text(encoding="utf-8")
    feed = (site / "feeds" / "all.json").read_text(encoding="utf-8")
    for text in (page, index, feed):
        assert "INERT-" not in text
    # Hidden stays hidden: the attribute is kept, not dropped to show the text.
    assert "<div hidden>藏起来的段落</div>" in page or '<div hidden="">藏起来的段落' in page
