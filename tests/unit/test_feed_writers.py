"""Each feed writer (generator/derive/feeds/writers.py) read back by readers nobody here
wrote: feedparser for RSS and Atom, lxml for the XML itself, SchemaStore's JSON Feed schema
(tests/schemas, through jsonschema), and RFC 4287's requirements for Atom written out below
(its RELAX NG schema is not vendored: tests/schemas/README.md)."""

from __future__ import annotations

import email.utils
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import feedparser
import lxml.etree
import lxml.html
import pytest

from generator.derive.feeds import render_feeds
from generator.derive.feeds.entries import Entry, Media
from generator.derive.feeds.writers import FORMATS, Feed, atom, json_feed, opml, rss
from generator.load.article import Article, parse_article
from tests.site.test_validators import json_feed_validator
from tests.sitekit import article, context

CHINA = timezone(timedelta(hours=8))
SITE = "https://www.example.gov.cn/"
ATOM = "{http://www.w3.org/2005/Atom}"

# Text an editor may well type, and text an attacker would: none of it may turn into markup.
MARKUP_TITLE = "<script>alert(1)</script> 人大 & 代表 &amp; “法” <b>粗</b> ]]>"
MARKUP_SUMMARY = "摘要 <i>斜体</i> &lt; 5 & 6"


def item(n: int, **over: Any) -> Entry:
    when = datetime(2026, 11, 20, 10, tzinfo=CHINA) - timedelta(days=n)
    fields: dict[str, Any] = {
        "id": f"tag:www.example.gov.cn,2026:2026-1120-{n:06d}",
        "uid": f"2026-1120-{n:06d}",
        "title": f"稿件{n}",
        "link": f"{SITE}news/2026/a{n}/",
        "published": when,
        "updated": when,
        "summary": f"摘要{n}",
        "content_html": f"<p>正文{n}</p>",
        "authors": ("王敏", "刘洋"),
        "source": "测试市人大常委会办公室",
        "column_id": "news",
        "column_name": "要闻",
        "column_url": f"{SITE}news/",
        "tags": ("监督",),
        "image": None,
        "video": None,
        "corrections": (),
    }
    return Entry(**(fields | over))


def feed(*entries: Entry, **over: Any) -> Feed:
    fields: dict[str, Any] = {
        "key": "all",
        "title": "测试市人大常委会·全部稿件",
        "description": "测试市人大常委会的全部稿件",
        "home": SITE,
        "urls": {fmt: f"{SITE}feeds/all{suffix}" for fmt, (suffix, *_) in FORMATS.items()},
        "entries": entries,
        "updated": max((e.updated for e in entries), default=datetime(1970, 1, 1, tzinfo=UTC)),
    }
    return Feed(**(fields | over))


def parsed(data: bytes) -> feedparser.FeedParserDict:
    d = feedparser.parse(data)
    assert d.bozo == 0, d.get("bozo_exception")
    return d


def as_html(value: str) -> str:
    """What a reader that takes the value as HTML shows of it."""
    return str(lxml.html.fragment_fromstring(f"<p>{value}</p>").text_content())


COVER = Media(f"{SITE}news/2026/cover.png", "image/png", 2048, "image")
VIDEO = Media("https://v.example.gov.cn/x.mp4", "video/mp4", 10_000_000, "video")
CORRECTED = datetime(2026, 11, 21, 9, tzinfo=CHINA)


def rich() -> Feed:
    """Three entries: one with cover, video and a correction, one plain, one with markup."""
    return feed(
        item(0, image=COVER, video=VIDEO, updated=CORRECTED, corrections=((CORRECTED, "更正"),)),
        item(1),
        item(2, title=MARKUP_TITLE, summary=MARKUP_SUMMARY, authors=("王敏",)),
    )


# --- RSS 2.0 ------------------------------------------------------------------------------


def test_rss_channel_has_its_required_elements_and_items_in_the_given_order() -> None:
    f = rich()
    d = parsed(rss(f))
    assert d.version == "rss20"
    assert (d.feed.title, d.feed.link, d.feed.subtitle) == (f.title, SITE, f.description)
    assert d.feed.language == "zh-CN"
    channel = lxml.etree.fromstring(rss(f)).find("channel")
    assert channel is not None
    assert email.utils.parsedate_to_datetime(channel.findtext("lastBuildDate")) == f.updated
    self_link = channel.find("{http://www.w3.org/2005/Atom}link")
    assert self_link is not None and self_link.get("href") == f.urls["rss"]
    assert self_link.get("rel") == "self" and self_link.get("type") == "application/rss+xml"
    assert [e.id for e in d.entries] == [e.id for e in f.entries]  # not reversed
    # A tag: URI is no address to open.
    assert [g.get("isPermaLink") for g in channel.iter("guid")] == ["false"] * 3


def test_rss_items_carry_guid_dates_byline_categories_enclosure_and_content() -> None:
    f = rich()
    first, plain = parsed(rss(f)).entries[:2]
    assert first.id == f.entries[0].id and first.guidislink is False
    assert first.link == f.entries[0].link
    assert email.utils.parsedate_to_datetime(first.published) == f.entries[0].published
    assert first.author == "王敏、刘洋"  # one dc:creator with the whole byline
    assert [(t.term, t.get("scheme")) for t in first.tags] == [
        ("要闻", f"{SITE}news/"),
        ("监督", None),
    ]
    (enclosure,) = first.enclosures  # RSS allows one: the video wins over the cover
    assert (enclosure.href, enclosure.type, enclosure.length) == (
        VIDEO.url,
        "video/mp4",
        "10000000",
    )
    assert [m["url"] for m in first.media_content] == [VIDEO.url, COVER.url]
    assert first.content[0].value == f.entries[0].content_html
    assert plain.get("enclosures") == []


def test_rss_titles_and_summaries_with_markup_show_as_written_in_an_html_reader() -> None:
    third = parsed(rss(rich())).entries[2]
    assert third.title_detail.type == "text/html"
    assert as_html(third.title) == MARKUP_TITLE
    assert as_html(third.summary) == MARKUP_SUMMARY
    # Without markup, a title is left plain for plain-text readers.
    second = parsed(rss(rich())).entries[1]
    assert second.title == "稿件1" and second.title_detail.type == "text/plain"


# --- Atom ---------------------------------------------------------------------------------


def rfc4287_problems(data: bytes) -> list[str]:
    """The MUSTs of RFC 4287 a writer can get wrong, checked on the parsed XML."""
    root = lxml.etree.fromstring(data)
    problems = []

    def one(element: Any, name: str, where: str) -> None:
        if len(element.findall(f"{ATOM}{name}")) != 1:
            problems.append(f"{where}: needs exactly one atom:{name}")

    def date(element: Any, where: str) -> None:
        for name in ("updated", "published"):
            for node in element.findall(f"{ATOM}{name}"):
                try:
                    parsed_date = datetime.fromisoformat(node.text or "")
                except ValueError:
                    problems.append(f"{where}: {name} is not a date-time")
                else:
                    if parsed_date.tzinfo is None:
                        problems.append(f"{where}: {name} has no offset")

    if root.tag != f"{ATOM}feed":
        return ["not an atom:feed"]
    for name in ("id", "title", "updated"):
        one(root, name, "feed")
    date(root, "feed")
    feed_author = root.find(f"{ATOM}author") is not None
    for i, entry in enumerate(root.findall(f"{ATOM}entry")):
        where = f"entry {i}"
        for name in ("id", "title", "updated"):
            one(entry, name, where)
        date(entry, where)
        if not feed_author and entry.find(f"{ATOM}author/{ATOM}name") is None:
            problems.append(f"{where}: no atom:author, and the feed has none (4.1.1, 4.1.2)")
        links = entry.findall(f"{ATOM}link")
        alternates = [link for link in links if link.get("rel", "alternate") == "alternate"]
        if len({(link.get("type"), link.get("hreflang")) for link in alternates}) != len(
            alternates
        ):
            problems.append(f"{where}: two alternate links of one type")
        if entry.find(f"{ATOM}content") is None and not alternates:
            problems.append(f"{where}: neither content nor an alternate link")
    return problems


def test_atom_meets_rfc_4287_and_feedparser_reads_every_entry() -> None:
    f = rich()
    data = atom(f)
    assert rfc4287_problems(data) == []
    d = parsed(data)
    assert d.version == "atom10"
    assert (d.feed.id, d.feed.title) == (f.urls["atom"], f.title)
    assert datetime.fromisoformat(d.feed.updated) == f.updated
    assert [e.id for e in d.entries] == [e.id for e in f.entries]


def test_atom_entries_have_one_alternate_link_typed_enclosures_and_each_author() -> None:
    f = rich()
    first = parsed(atom(f)).entries[0]
    links = [(link.rel, link.href, link.get("type")) for link in first.links]
    assert links == [
        ("alternate", f.entries[0].link, "text/html"),
        ("enclosure", VIDEO.url, "video/mp4"),
        ("enclosure", COVER.url, "image/png"),
    ]
    assert [a.name for a in first.authors] == ["王敏", "刘洋"]
    assert datetime.fromisoformat(first.published) == f.entries[0].published
    assert datetime.fromisoformat(first.updated) == CORRECTED
    assert first.content[0].type == "text/html" and first.content[0].value == "<p>正文0</p>"


def test_atom_titles_and_summaries_are_text_shown_exactly_as_written() -> None:
    third = parsed(atom(rich())).entries[2]
    assert third.title == MARKUP_TITLE and third.title_detail.type == "text/plain"
    assert third.summary == MARKUP_SUMMARY


def test_an_atom_entry_without_authors_still_names_one() -> None:
    """An article need not name its authors (front matter `authors` is optional); RFC 4287
    still needs an author for every entry (or the feed): the source, else the site."""
    f = feed(item(0, authors=()), item(1, authors=(), source=""), item(2))
    data = atom(f)
    assert rfc4287_problems(data) == []
    names = [[a.name for a in e.get("authors", [])] for e in parsed(data).entries]
    assert names[0] == ["测试市人大常委会办公室"] and names[2] == ["王敏", "刘洋"]
    assert names[1] != [] and "" not in names[1]
    assert parsed(rss(f)).entries[0].get("author") is None  # RSS needs none: it gets none


# --- JSON Feed 1.1 ------------------------------------------------------------------------


def test_json_feed_validates_and_carries_every_field() -> None:
    f = rich()
    doc = json.loads(json_feed(f))
    assert [e.message for e in json_feed_validator().iter_errors(doc)] == []
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert (doc["title"], doc["home_page_url"], doc["feed_url"]) == (f.title, SITE, f.urls["json"])
    first = doc["items"][0]
    assert first["id"] == f.entries[0].id and first["url"] == f.entries[0].link
    assert first["date_published"] == "2026-11-20T10:00:00+08:00"
    assert first["date_modified"] == "2026-11-21T09:00:00+08:00"
    assert first["authors"] == [{"name": "王敏"}, {"name": "刘洋"}]
    assert first["tags"] == ["要闻", "监督"]
    assert first["image"] == COVER.url
    assert first["attachments"] == [
        {"url": VIDEO.url, "mime_type": "video/mp4", "size_in_bytes": 10_000_000},
        {"url": COVER.url, "mime_type": "image/png", "size_in_bytes": 2048},
    ]
    assert first["_congress"]["corrections"] == [
        {"at": "2026-11-21T09:00:00+08:00", "note": "更正"}
    ]
    assert "attachments" not in doc["items"][1] and "image" not in doc["items"][1]
    assert [i["id"] for i in doc["items"]] == [e.id for e in f.entries]


def test_json_feed_text_is_plain_text_as_written() -> None:
    third = json.loads(json_feed(rich()))["items"][2]
    assert third["title"] == MARKUP_TITLE and third["summary"] == MARKUP_SUMMARY


# --- every format -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_dates_of_any_offset_are_the_same_instant_once_read(fmt: str) -> None:
    utc = datetime(2026, 11, 19, 23, 30, tzinfo=UTC)  # 2026-11-20 07:30 in China
    f = feed(item(0, published=utc, updated=utc))
    (e,) = parsed(FORMATS[fmt][3](f)).entries
    assert datetime(*e.published_parsed[:6], tzinfo=UTC) == utc
    if fmt == "atom":  # RSS has no time of change
        assert datetime(*e.updated_parsed[:6], tzinfo=UTC) == utc
    (j,) = json.loads(json_feed(f))["items"]
    assert j["date_published"] == "2026-11-20T07:30:00+08:00"  # China time, as pages show it


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_an_empty_feed_is_a_valid_feed_with_no_entries(fmt: str) -> None:
    f = feed()
    data = FORMATS[fmt][3](f)
    if fmt == "json":
        doc = json.loads(data)
        assert doc["items"] == []
        assert list(json_feed_validator().iter_errors(doc)) == []
        return
    d = parsed(data)
    assert d.entries == [] and d.feed.title == f.title
    if fmt == "atom":
        assert rfc4287_problems(data) == []


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_the_same_feed_gives_the_same_bytes(fmt: str) -> None:
    write = FORMATS[fmt][3]
    assert write(rich()) == write(rich())
    assert write(rich()) != write(replace(rich(), entries=rich().entries[::-1]))


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_content_html_reaches_the_reader_unchanged(fmt: str) -> None:
    content = '<p>正文 ]]&gt; <a href="https://www.example.gov.cn/x?a=1&amp;b=2">链接</a></p>'
    f = feed(item(0, content_html=content))
    if fmt == "json":
        assert json.loads(json_feed(f))["items"][0]["content_html"] == content
    else:
        assert parsed(FORMATS[fmt][3](f)).entries[0].content[0].value == content


def test_render_feeds_writes_every_scope_and_format_from_real_articles() -> None:
    site = context().site

    def real(n: int, column: str, **over: Any) -> Article:
        date = f"2026-11-{20 - n}T10:00:00+08:00"
        text = article(uid=f"2026-1120-r{n:05d}", column=column, date=date, **over)
        return parse_article(text.encode("utf-8"), f"{column}/2026/r{n}.md", f"content/r{n}.md")

    unsigned = real(2, "news", authors=None, source=None)  # neither authors nor a source
    published = [real(0, "news"), real(1, "notices"), unsigned]
    files = render_feeds(site, published, lambda a: f"<p>{a.uid}</p>")
    expected = {
        f"feeds/{scope}{suffix}"
        for scope in ("all", "news", "sessions", "notices")
        for suffix, *_ in FORMATS.values()
    }
    assert set(files) == expected | {"feeds/index.opml"}
    ids = {
        path: [e.id.rsplit(":", 1)[1] for e in parsed(data).entries]
        for path, data in files.items()
        if path.endswith((".rss", ".atom"))
    }
    assert ids["feeds/all.rss"] == ["2026-1120-r00000", "2026-1120-r00001", "2026-1120-r00002"]
    assert ids["feeds/news.atom"] == ["2026-1120-r00000", "2026-1120-r00002"]
    assert ids["feeds/sessions.rss"] == ids["feeds/sessions.atom"] == []  # an empty column
    for path, data in files.items():
        if path.endswith(".atom"):
            assert rfc4287_problems(data) == [], path
        if path.endswith(".json"):
            assert list(json_feed_validator().iter_errors(json.loads(data))) == [], path
    first, _, last = parsed(files["feeds/all.atom"]).entries
    assert first.content[0].value.startswith("<p>2026-1120-r00000</p>")
    assert [a.name for a in first.authors] == ["记者甲"]
    assert [a.name for a in last.authors] == ["测试市人大常委会"]  # the site speaks for it


# --- OPML ---------------------------------------------------------------------------------


def test_opml_lists_every_feed_by_format_with_awkward_titles_intact() -> None:
    feeds = [feed(title='站名 "引号" & <尖括号>'), feed(key="news", title="要闻")]
    root = lxml.etree.fromstring(opml('订阅 & "源"', feeds))
    assert root.get("version") == "2.0" and root.findtext("head/title") == '订阅 & "源"'
    groups = root.findall("body/outline")
    assert [g.get("text") for g in groups] == ["RSS 2.0", "Atom", "JSON Feed"]
    for group, fmt in zip(groups, FORMATS, strict=True):
        assert [(o.get("text"), o.get("xmlUrl")) for o in group] == [
            (f.title, f.urls[fmt]) for f in feeds
        ]
