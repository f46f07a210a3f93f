"""Checks of a built site before it replaces the public one: the required pages are there,
the feeds parse, and the pages are exactly those the gate allows."""

from __future__ import annotations

import json
import os
from pathlib import Path

from lxml import etree

from generator.derive.feeds import FORMATS, OPML_PATH, plan_feeds
from generator.derive.publication import Publication
from generator.derive.sitemap import ROBOTS_PATH
from generator.load.generated import reserved


def verify(site_dir: Path, pub: Publication) -> list[str]:
    """Problems of the built site in `site_dir`, in Chinese; none means it may go live."""
    problems: list[str] = []
    required = ["index.html", "404.html", "sitemap.xml", ROBOTS_PATH, "feeds/index.html", OPML_PATH]
    required += [f"{c.id}/index.html" for c in pub.site.columns]
    required += [scope.path(fmt) for scope in plan_feeds(pub.site) for fmt in FORMATS]
    problems += [f"缺少页面或文件 {p}" for p in required if not (site_dir / p).is_file()]
    root = str(site_dir)
    columns = [c.id for c in pub.site.columns]
    for verdict in pub.decision.verdicts:
        if reserved(verdict.article.src, columns):
            continue  # a generated page's place: the build never renders the file there
        page = os.path.join(root, verdict.article.url, "index.html")  # 10,000 times: no Path
        if (verdict.public or verdict.notice) and not os.path.isfile(page):
            problems.append(f"公开稿件的页面没有生成：/{verdict.article.url}")
        elif not (verdict.public or verdict.notice) and os.path.exists(page):
            problems.append(f"未公开稿件出现在站点中：/{verdict.article.url}")
    for path in sorted((site_dir / "feeds").glob("*")):
        problems += _parse(path)
    return problems


def _parse(path: Path) -> list[str]:
    try:
        if path.suffix == ".json":
            json.loads(path.read_bytes())
        elif path.suffix in (".rss", ".atom", ".opml"):
            etree.fromstring(path.read_bytes())
    except (ValueError, etree.XMLSyntaxError) as exc:
        return [f"订阅源 {path.name} 无法解析：{exc}"]
    return []
