"""Writing a feed in each format: RSS 2.0 and Atom with feedgen, JSON Feed 1.1, OPML 2.0.

Every timestamp comes from the entries (never the clock), and entries keep the order given
(feedgen's add_entry prepends unless told `order="append"`), so two builds of the same
content are byte-identical.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import quoteattr

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from lxml import etree

from generator.core.clock import iso
from generator.derive.feeds.entries import Entry

RSS_TYPE = "application/rss+xml"
ATOM_TYPE = "application/atom+xml"


@dataclass(frozen=True)
class Feed:
    key: str  # "all" or a column id
    title: str
    description: str
    home: str  # absolute URL of the page the feed follows
    urls: dict[str, str]  # format → absolute URL of the feed file
    entries: tuple[Entry, ...]
    updated: datetime
    language: str = "zh-CN"
    publisher: str = ""  # the site's name: Atom's author of an entry that names none


def _generator(feed: Feed, fmt: str, mime: str) -> FeedGenerator:
    fg = FeedGenerator()
    fg.load_extension("dc")
    fg.load_extension("media")
    fg.id(feed.urls[fmt])
    fg.title(feed.title)
    fg.description(feed.description or feed.title)
    fg.subtitle(feed.description or feed.title)
    fg.link(href=feed.urls[fmt], rel="self", type=mime)
    fg.link(href=feed.home, rel="alternate")  # feedgen's RSS <link> is the last one set
    fg.language(feed.language)
    fg.generator("congress-site")
    fg.updated(feed.updated)  # also RSS lastBuildDate: never the clock
    fg.pubDate(feed.updated)
    for e in feed.entries:
        fe = fg.add_entry(order="append")
        fe.id(e.id)
        fe.guid(e.id, permalink=False)
        fe.title(_rss_text(e.title) if fmt == "rss" else e.title)
        fe.link(href=e.link, rel="alternate")
        fe.published(e.published)
        fe.updated(e.updated)
        # RSS <description> is HTML to every reader; Atom's <summary> (type text) and
        # JSON Feed's summary are plain text: the plain summary is escaped for RSS only.
        summary = e.summary or e.title
        fe.summary(html.escape(summary, quote=False) if fmt == "rss" else summary)
        fe.content(e.content_html, type="html")
        _people(fe, e, fmt, e.source or feed.publisher or feed.title)
        # The column's page as domain/scheme, so an item is categorized alike in every feed.
        fe.category(term=e.column_id, label=e.column_name, scheme=e.column_url)
        for tag in e.tags:
            fe.category(term=tag, label=tag)
        if e.enclosure is not None:
            fe.enclosure(e.enclosure.url, str(e.enclosure.length), e.enclosure.type)
        _media(fe, e)
    return fg


def _people(fe: FeedEntry, e: Entry, fmt: str, unsigned: str) -> None:
    """Each author once: Atom's <author> per name; in RSS, whose <author> needs an e-mail
    address, one dc:creator with the whole byline (readers show only one of several). Atom
    needs an author for every entry (RFC 4287 4.1.2): an article that names none (`authors`
    is optional) is by `unsigned`, its source or else the site."""
    if fmt == "atom":
        for name in e.authors or (unsigned,):
            fe.author(name=name)
    elif e.authors:
        fe.dc.dc_creator(_rss_text(e.byline))
    if e.source:
        fe.dc.dc_source(_rss_text(e.source) if fmt == "rss" else e.source)


_MARKUP = re.compile(r"<|&#?\w+;")


def _rss_text(value: str) -> str:
    """A plain-text field of RSS (title, dc:creator, dc:source): readers disagree on whether
    it is HTML (RSS Best Practices Profile, "Character Data"), and some render it as HTML.
    Text that would read as markup or an entity there is escaped once more, so it shows as the
    editor wrote it in those readers; any other text is left alone for plain-text readers."""
    return html.escape(value, quote=False) if _MARKUP.search(value) else value


def _media(fe: FeedEntry, e: Entry) -> None:
    """The cover and the video as media:content of their own: a media:group holds only
    alternatives of one content (Media RSS 2.x), and feedgen groups everything by default."""
    for m in (e.video, e.attachment, e.image):
        if m is not None:
            size = {"fileSize": str(m.length)} if m.length else {}
            fe.media.content(url=m.url, type=m.type, medium=m.medium, group=None, **size)


def rss(feed: Feed) -> bytes:
    return bytes(_generator(feed, "rss", RSS_TYPE).rss_str(pretty=True))


ATOM = "{http://www.w3.org/2005/Atom}"


def atom(feed: Feed) -> bytes:
    xml = bytes(_generator(feed, "atom", ATOM_TYPE).atom_str(pretty=True))
    return _repair_atom_links(xml, feed)


def _repair_atom_links(xml: bytes, feed: Feed) -> bytes:
    """feedgen 1.0 writes entry links without rel/type/length (lkiesow/python-feedgen#135,
    #143), so an enclosure reads as a second alternate link: write each entry's links anew."""
    root = etree.fromstring(xml)
    for element, e in zip(root.iter(f"{ATOM}entry"), feed.entries, strict=True):
        links = element.findall(f"{ATOM}link")
        position = list(element).index(links[0]) if links else len(element)
        for link in links:
            element.remove(link)
        wanted = [{"href": e.link, "rel": "alternate", "type": "text/html"}]
        wanted += [
            {"href": m.url, "rel": "enclosure", "type": m.type, "length": str(m.length)}
            for m in (e.video, e.attachment, e.image)
            if m is not None
        ]
        for offset, attrs in enumerate(wanted):
            link = etree.Element(f"{ATOM}link", attrs)
            link.tail = links[0].tail if links else None
            element.insert(position + offset, link)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def json_feed(feed: Feed) -> bytes:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1), from the same entries."""

    def item(e: Entry) -> dict[str, object]:
        data: dict[str, object] = {
            "id": e.id,
            "url": e.link,
            "title": e.title,
            "content_html": e.content_html,
            "summary": e.summary,
            "date_published": iso(e.published),
            "date_modified": iso(e.updated),
            "authors": [{"name": a} for a in e.authors],
            "tags": [e.column_name, *e.tags],  # distinct: e.tags leaves the column out
            "language": feed.language,
            "_congress": {
                "uid": e.uid,
                "column": e.column_id,
                "source": e.source,
                "corrections": [{"at": iso(at), "note": note} for at, note in e.corrections],
            },
        }
        if e.image is not None:
            data["image"] = e.image.url
        attachments = [
            {"url": m.url, "mime_type": m.type, "size_in_bytes": m.length}
            for m in (e.video, e.attachment, e.image)
            if m
        ]
        if attachments:
            data["attachments"] = attachments
        return data

    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": feed.home,
        "feed_url": feed.urls["json"],
        "description": feed.description or feed.title,
        "language": feed.language,
        "items": [item(e) for e in feed.entries],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


Writer = Callable[[Feed], bytes]

# The formats: file suffix, MIME type, human name, writer. One table, one loop.
FORMATS: dict[str, tuple[str, str, str, Writer]] = {
    "rss": (".rss", RSS_TYPE, "RSS 2.0", rss),
    "atom": (".atom", ATOM_TYPE, "Atom", atom),
    "json": (".json", "application/feed+json", "JSON Feed", json_feed),
}


def opml(title: str, feeds: list[Feed]) -> bytes:
    """Every feed, grouped by format, for subscribing in one step."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        f"  <head><title>{_text(title)}</title></head>",
        "  <body>",
    ]
    for fmt, (_, _mime, name, _writer) in FORMATS.items():
        lines.append(f"    <outline text={quoteattr(name)} title={quoteattr(name)}>")
        for f in feeds:
            lines.append(
                f'      <outline type="rss" text={quoteattr(f.title)} title={quoteattr(f.title)}'
                f" xmlUrl={quoteattr(f.urls[fmt])} htmlUrl={quoteattr(f.home)}"
                f" description={quoteattr(f.description or f.title)}/>"
            )
        lines.append("    </outline>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines).encode("utf-8")


def _text(value: str) -> str:
    return quoteattr(value)[1:-1]
