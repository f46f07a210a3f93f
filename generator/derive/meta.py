"""Page meta tags (政府网站网页设计规范: SiteName, ColumnName, ArticleTitle…) and Open Graph."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urljoin, urlsplit

from generator.core.config import Column, Site
from generator.derive.present import ArticleView

# An <img> of sanitized HTML and its src (the body's pictures, for the Image meta tag).
FIRST_IMG = re.compile(r'<img\b[^>]*?\ssrc="([^"]*)"')

# ColumnType meta values by column kind (政府网站网页设计规范 names them freely).
COLUMN_TYPES = {
    "news": "新闻动态",
    "notice": "通知公告",
    "consultation": "征求意见",
    "gazette": "公报",
    "video": "视频",
}


def column_meta(column: Column) -> list[tuple[str, str]]:
    return [
        ("ColumnName", column.name),
        ("ColumnDescription", column.description or column.name),
        ("ColumnKeywords", ",".join(column.keywords) or column.name),
        ("ColumnType", COLUMN_TYPES[column.kind]),
    ]


def page_meta(
    site: Site,
    url: str,
    *,
    column: Column | None = None,
    article: ArticleView | None = None,
    image: str = "",
) -> list[tuple[str, str]]:
    """The meta tags of 政府网站网页设计规范 for one page (name, content). `image`: the
    absolute URL of the article's picture (its cover, else the body's first image)."""
    tags = [
        ("SiteName", site.site_name),
        ("SiteDomain", site.domain),
        ("SiteIDCode", site.footer.site_code),
    ]
    if column is not None:
        tags += column_meta(column)
    if article is not None:
        tags += [
            ("ArticleTitle", article.title),
            ("PubDate", article.date),
            ("ContentSource", article.source or site.footer.sponsor),
            ("Keywords", ",".join(t.text for t in article.tags)),
            ("Author", article.authors),
            ("Description", article.summary),
            ("Image", image),
            ("Url", site.absolute(url)),
        ]
    return tags


def notice_meta(notice: ArticleView) -> list[tuple[str, str]]:
    """A withdrawal notice still names the article it replaces, and when that appeared."""
    return [("ArticleTitle", notice.title), ("PubDate", notice.date)]


def article_image(site: Site, article: ArticleView, url: str, html: str) -> str:
    """The absolute URL of the article's picture: its cover, else the first image of its
    rendered body (`html`, sanitized: nh3 writes every attribute in double quotes); ""
    when it has none."""
    if article.cover_url:
        return site.absolute(article.cover_url)
    for match in FIRST_IMG.finditer(html):
        src = unescape(match.group(1)).strip()
        target = urljoin(site.absolute(url), src)
        if urlsplit(target).scheme in ("http", "https"):
            return target
    return ""


def open_graph(
    site: Site, url: str, title: str, *, article: ArticleView | None = None, image: str = ""
) -> list[tuple[str, str]]:
    """Open Graph properties (property, content) for link previews."""
    tags = [
        ("og:site_name", site.site_name),
        ("og:title", title),
        ("og:url", site.absolute(url)),
        ("og:locale", "zh_CN"),
        ("og:type", "article" if article else "website"),
    ]
    if article is not None:
        tags += [("og:description", article.summary), ("article:published_time", article.date_iso)]
        if image:
            tags.append(("og:image", image))
        if article.column is not None:
            tags.append(("article:section", article.column.name))
        tags += [("article:tag", t.text) for t in article.tags]
    return tags
