"""The site's public identity: the national footer (主办、承办、备案号…) and page meta tags.

Chinese public-sector sites are inspected for these, so a missing footer field is a
configuration error, reported like every other one (exit code 2), never a page without it.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import urljoin, urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .config import CFG_INVALID, Column, ConfigError, Site
from .present import ArticleView

FOOTER_LABELS = {
    "sponsor": "主办单位",
    "organizer": "承办单位",
    "address": "地址",
    "phone": "电话",
    "site_code": "网站标识码",
    "icp": "ICP备案号",
    "police": "公安机关备案号（公网安备）",
    "badge": "党政机关标识",
    "email": "联系邮箱",
    "postcode": "邮编",
}


class Badge(BaseModel):
    """The red 党政机关 identifier issued by the registration authority."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    image: str
    href: str = ""
    alt: str = "党政机关"


class Footer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sponsor: str = Field(min_length=1)
    organizer: str = Field(min_length=1)
    address: str = Field(min_length=1)
    phone: str = Field(min_length=1)
    site_code: str = Field(min_length=1)
    icp: str = Field(min_length=1)
    police: str = Field(min_length=1)
    postcode: str = ""
    email: str = ""
    badge: Badge | None = None

    @property
    def police_code(self) -> str:
        """The digits of the 公网安备 number, for the query link on beian.mps.gov.cn."""
        return "".join(re.findall(r"\d+", self.police))


def load_footer(extra: dict[str, Any], file: str) -> Footer:
    """Validate `extra.footer` of mkdocs.yml, naming every missing or bad field."""
    try:
        return Footer.model_validate(extra.get("footer") or {})
    except ValidationError as exc:
        findings = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"])
            name = FOOTER_LABELS.get(str(err["loc"][0]), key)
            problem = "缺少" + name if err["type"] == "missing" else f"{name}：{err['msg']}"
            findings.append(
                CFG_INVALID.at(file, where=f"extra.footer.{key}", problem=problem, file=file)
            )
        raise ConfigError(findings) from exc


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
