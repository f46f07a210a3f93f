"""sitemap.xml from the published set, with each page's own last change as `lastmod`, and
robots.txt naming it.

mkdocs' sitemap gives every page the build date, so it changes on every build and tells
search engines nothing; this one is reproducible and says what changed when.
"""

from __future__ import annotations

import gzip
from datetime import datetime
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from generator.core.clock import iso
from generator.core.model import updated
from generator.derive.publication import Publication
from generator.load.article import Article


def _lastmod(articles: tuple[Article, ...] | list[Article]) -> datetime | None:
    times = [updated(a.meta) for a in articles if a.meta is not None]
    return max(times) if times else None


def entries(pub: Publication) -> list[tuple[str, datetime | None]]:
    """(site-relative URL, last change) of every public page."""
    found: list[tuple[str, datetime | None]] = []
    for item in pub.plan:
        found.append((item.url, _lastmod(item.articles)))
    for a in pub.decision.published:
        found.append((a.url, _lastmod([a])))
    for a in pub.decision.notices:
        assert a.meta is not None and a.meta.withdrawn is not None
        found.append((a.url, a.meta.withdrawn.at))
    return sorted(found)


def sitemap(pub: Publication) -> dict[str, bytes]:
    """sitemap.xml and its gzip twin (with a fixed header time, so builds stay identical)."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for url, when in entries(pub):
        lastmod = f"<lastmod>{iso(when)}</lastmod>" if when else ""
        lines.append(f"  <url><loc>{escape(pub.site.absolute(url))}</loc>{lastmod}</url>")
    lines.append("</urlset>\n")
    xml = "\n".join(lines).encode("utf-8")
    return {"sitemap.xml": xml, "sitemap.xml.gz": gzip.compress(xml, mtime=0)}


ROBOTS_PATH = "robots.txt"


def robots(pub: Publication) -> dict[str, bytes]:
    """robots.txt at the site root: nothing disallowed (only public pages, feeds and assets are
    in the site, and all of them should be found) and the sitemap's URL, which RFC 9309 and
    sitemaps.org want absolute (without a site_url there is none to give)."""
    lines = [
        "# Everything here is public and may be crawled; the sitemap lists every page.",
        "User-agent: *",
        "Disallow:",
    ]
    sitemap_url = pub.site.absolute("sitemap.xml")
    if urlsplit(sitemap_url).scheme in ("http", "https"):
        lines += ["", f"Sitemap: {sitemap_url}"]
    return {ROBOTS_PATH: ("\n".join(lines) + "\n").encode("utf-8")}
