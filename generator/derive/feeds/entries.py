"""Feed entries: one public article as media outlets receive it, independent of format."""

from __future__ import annotations

import html
import mimetypes
from dataclasses import dataclass
from datetime import datetime

from generator.core.clock import minute
from generator.core.config import Site
from generator.core.model import updated
from generator.derive.feeds.content import feed_html
from generator.load.article import Article
from generator.load.refs import resolve


@dataclass(frozen=True)
class Media:
    url: str
    type: str
    length: int
    medium: str  # image | video


@dataclass(frozen=True)
class Entry:
    id: str
    uid: str
    title: str
    link: str
    published: datetime
    updated: datetime
    summary: str
    content_html: str
    authors: tuple[str, ...]
    source: str
    column_id: str
    column_name: str
    column_url: str  # absolute: the category's domain (RSS) / scheme (Atom) in every feed
    tags: tuple[str, ...]  # without the column's name, which is the column category already
    image: Media | None
    video: Media | None
    corrections: tuple[tuple[datetime, str], ...]
    attachment: Media | None = None  # a print edition's PDF (the column article)

    @property
    def enclosure(self) -> Media | None:
        """RSS allows one enclosure: the video if there is one, else a print edition's PDF,
        else the cover image."""
        return self.video or self.attachment or self.image

    @property
    def byline(self) -> str:
        """The authors as one Chinese byline (王敏、刘洋): RSS readers show one dc:creator
        whole, but of several they show only the first (rss-parser) or the last (newsboat)."""
        return "、".join(self.authors)


def tag_uri(site: Site, uid: str) -> str:
    """The item id: a `tag:` URI on the site's domain, from the uid alone (RFC 4151)."""
    return f"tag:{site.domain or 'localhost'},{site.congress.feeds.tag_date}:{uid}"


def _cover(article: Article, site: Site) -> Media | None:
    meta = article.meta
    assert meta is not None
    if meta.cover is None:
        return None
    path = resolve(article.src, meta.cover.src)
    if path is None:  # an external image
        kind = mimetypes.guess_type(meta.cover.src)[0] or "image/jpeg"
        return Media(meta.cover.src, kind, 0, "image")
    file = site.docs_dir / path
    size = file.stat().st_size if file.is_file() else 0
    return Media(site.absolute(path), mimetypes.guess_type(path)[0] or "image/jpeg", size, "image")


def _notes(article: Article, link: str) -> tuple[str, str]:
    """HTML put before and after the body: corrections first, source and a link back last."""
    meta = article.meta
    assert meta is not None
    before = "".join(
        f"<p><strong>更正</strong>（{minute(c.at)}）：{html.escape(c.note)}</p>"
        for c in meta.corrections
    )
    source = f"来源：{html.escape(meta.source)}　" if meta.source else ""
    after = f'<p>{source}原文链接：<a href="{html.escape(link)}">{html.escape(link)}</a></p>'
    return before, after


def entry(article: Article, site: Site, rendered: str, attachment: Media | None = None) -> Entry:
    meta = article.meta
    assert meta is not None
    link = site.absolute(article.url)
    column = site.congress.column(meta.column)
    before, after = _notes(article, link)
    hosts = frozenset(site.frame_hosts)
    body = feed_html(rendered, link, hosts)
    video = None
    if meta.video is not None:
        video = Media(meta.video.src, meta.video.type, meta.video.length or 0, "video")
    corrections = tuple((c.at, c.note) for c in meta.corrections)
    column_name = column.name if column else meta.column
    return Entry(
        id=tag_uri(site, meta.uid),
        uid=meta.uid,
        title=meta.title,
        link=link,
        published=meta.date,
        updated=updated(meta),
        summary=meta.summary or "",
        content_html=before + body + after,
        authors=tuple(meta.authors),
        source=meta.source or "",
        column_id=meta.column,
        column_name=column_name,
        column_url=site.absolute(f"{meta.column}/"),
        tags=tuple(t for t in dict.fromkeys(meta.tags) if t != column_name),
        image=_cover(article, site),
        video=video,
        corrections=corrections,
        attachment=attachment,
    )
