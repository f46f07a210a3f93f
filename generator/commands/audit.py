"""`congress audit`: the periodic sweep (定期清查) the inspections expect.

Freshness against each column's cadence (news columns 14 days, notice and policy columns 180,
per-column `cadence_days`), blank columns, the home page, broken internal links and anchors
and images without alt text in the built pages, public articles without 来源, consultations
past their deadline without a feedback article, and drafts untouched for a long time.
The inspection's veto items are errors (exit 1): the home page not updated for two weeks, five
or more stale columns, five or more blank columns.
"""

from __future__ import annotations

import posixpath
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

import lxml.html

from generator.build.publishing import prepare
from generator.build.runtime import Runtime
from generator.commands.exportaudit import exported_since
from generator.commands.keyaudit import revoked_since
from generator.core.clock import minute
from generator.core.config import Site
from generator.core.findings import Code, Finding, Severity
from generator.core.staff import Staff
from generator.derive.publication import Publication
from generator.gate.decide import State
from generator.gate.rules import signatures
from generator.load.article import Article
from generator.load.assets import line_of_target
from generator.load.contentfiles import is_article_name
from generator.load.refs import split_url

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

AUDIT_HOME_STALE = Code(
    "AUDIT-HOME-STALE",
    E,
    "首页已 {days} 天未更新（最近一篇：{at}）",
    "两周内须有更新：检查待审、定时发布的稿件。",
)
AUDIT_COLUMNS_STALE = Code(
    "AUDIT-COLUMNS-STALE",
    E,
    "{count} 个栏目超过更新周期：{names}",
    "5 个及以上栏目不更新属单项否决，请尽快更新或调整栏目设置。",
)
AUDIT_COLUMNS_BLANK = Code(
    "AUDIT-COLUMNS-BLANK",
    E,
    "{count} 个栏目没有任何内容：{names}",
    "5 个及以上空白栏目属单项否决，请补充内容或撤并栏目。",
)
AUDIT_COLUMN_STALE = Code(
    "AUDIT-COLUMN-STALE",
    W,
    "栏目“{name}”已 {days} 天未更新（周期 {cadence} 天）",
    "发布新稿件，或在 mkdocs.yml 调整 cadence_days。",
)
AUDIT_COLUMN_BLANK = Code(
    "AUDIT-COLUMN-BLANK", W, "栏目“{name}”没有任何公开稿件", "补充内容，或撤并这一栏目。"
)
AUDIT_LINK = Code(
    "AUDIT-LINK",
    W,
    "页面 /{page} 的链接指向不存在的地址：{target}",
    "改正链接，或发布被链接的稿件。",
)
AUDIT_ANCHOR = Code(
    "AUDIT-ANCHOR", W, "页面 /{page} 的链接指向不存在的锚点：{target}", "改正链接中 # 后的部分。"
)
AUDIT_ALT = Code(
    "AUDIT-ALT", W, "图片没有替代文字：{src}", "为图片写上说明文字：![说明](图片地址)。"
)
AUDIT_NO_SOURCE = Code(
    "AUDIT-NO-SOURCE", W, "公开稿件没有注明来源", "在稿件信息中填写 source，改后须重新终审。"
)
AUDIT_FEEDBACK = Code(
    "AUDIT-FEEDBACK",
    W,
    "征求意见已于 {deadline} 截止 {days} 天，尚无采纳情况反馈",
    "发布采纳情况反馈稿件（feedback_for 填写本稿编号）。",
)
AUDIT_DRAFT_STALE = Code(
    "AUDIT-DRAFT-STALE",
    INFO,
    "待审稿件已 {days} 天无进展（最近：{at}）",
    "继续送审，或删除不再发布的稿件。",
)

HOME_DAYS = 14
VETO_COLUMNS = 5
DRAFT_DAYS = 60


@dataclass
class Audit:
    now: datetime
    findings: list[Finding] = field(default_factory=list)

    @property
    def veto(self) -> bool:
        return any(f.is_error for f in self.findings)


def audit(pub: Publication, site_dir: Path) -> Audit:
    result = Audit(pub.decision.now)
    result.findings += freshness(pub)
    result.findings += content(pub)
    result.findings += pages(pub, site_dir)
    result.findings += revoked_since(pub)
    result.findings += exported_since(pub)
    return result


def audit_site(
    site: Site,
    staff: Staff,
    moment: datetime,
    site_dir: Path | None,
    *,
    build: Callable[[Path], Publication],
    runtime: Runtime,
) -> Audit:
    """The sweep of the site built in `site_dir` or, without one, of the site `build` makes
    in a temporary folder first."""
    with tempfile.TemporaryDirectory(prefix="congress-audit-") as tmp:
        if site_dir is None:
            site_dir = Path(tmp) / "site"
            pub = build(site_dir)
        else:
            pub = prepare(site, moment, staff=staff, runtime=runtime)
        return audit(pub, site_dir)


def _days(now: datetime, then: datetime) -> int:
    return (now - then) // timedelta(days=1)


def freshness(pub: Publication) -> Iterator[Finding]:
    now, config = pub.decision.now, pub.site.config_file
    newest: dict[str, datetime] = {}
    for a in pub.decision.published:
        assert a.meta is not None
        newest[a.meta.column] = max(newest.get(a.meta.column, a.meta.date), a.meta.date)
    stale, blank = [], []
    for column in pub.site.columns:
        last = newest.get(column.id)
        if last is None:
            blank.append(column.name)
            yield AUDIT_COLUMN_BLANK.at(config, name=column.name)
        elif _days(now, last) > column.cadence:
            stale.append(column.name)
            yield AUDIT_COLUMN_STALE.at(
                config, name=column.name, days=_days(now, last), cadence=column.cadence
            )
    if len(stale) >= VETO_COLUMNS:
        yield AUDIT_COLUMNS_STALE.at(config, count=len(stale), names="、".join(stale))
    if len(blank) >= VETO_COLUMNS:
        yield AUDIT_COLUMNS_BLANK.at(config, count=len(blank), names="、".join(blank))
    latest = max(newest.values(), default=None)
    if latest is None or _days(now, latest) > HOME_DAYS:
        yield AUDIT_HOME_STALE.at(
            config,
            days=_days(now, latest) if latest else "∞",
            at=minute(latest) if latest else "无",
        )


def content(pub: Publication) -> Iterator[Finding]:
    now = pub.decision.now
    for v in pub.decision.verdicts:
        a, meta = v.article, v.article.meta
        if meta is None:
            continue
        if v.public and not meta.source:
            yield AUDIT_NO_SOURCE.at(a.path, a.line_of("title"))
        c = meta.consultation
        if v.public and c is not None and now > c.deadline and a.uid not in pub.feedback:
            yield AUDIT_FEEDBACK.at(
                a.path,
                a.line_of("consultation"),
                deadline=minute(c.deadline),
                days=_days(now, c.deadline),
            )
        if v.state is State.PENDING:
            last = max([meta.date, *(sig.at for _, _, sig in signatures(a))])
            if last <= now and _days(now, last) > DRAFT_DAYS:
                yield AUDIT_DRAFT_STALE.at(a.path, 1, days=_days(now, last), at=minute(last))


def _html_pages(site_dir: Path) -> Iterator[tuple[str, Path]]:
    for path in sorted(site_dir.rglob("*.html")):
        rel = path.relative_to(site_dir).as_posix()
        if not rel.startswith(("pagefind/", "assets/")):
            yield rel, path


def _target(page: str, href: str, domain: str) -> tuple[str, str] | None:
    """(file under the site, fragment) an internal link points to; None if external."""
    parts = split_url(href)
    if parts is None:
        return None  # no URL at all: nothing of the site
    if parts.scheme not in ("", "http", "https") or (parts.netloc and parts.netloc != domain):
        return None
    path = unquote(parts.path)
    if not path:
        return page, parts.fragment  # "#anchor" or "?query": this page
    absolute = path.startswith("/") or bool(parts.netloc)
    normal = posixpath.normpath(
        path.lstrip("/") if absolute else posixpath.join(posixpath.dirname(page), path)
    )
    normal = "" if normal == "." else normal
    if path.endswith("/") or not normal or not posixpath.splitext(normal)[1]:
        normal = posixpath.join(normal, "index.html")
    return normal, parts.fragment


def pages(pub: Publication, site_dir: Path) -> Iterator[Finding]:
    """Broken internal links and anchors, images without alt text, in the built pages."""
    by_url = {f"{a.url}index.html": a for a in pub.decision.published}
    ids: dict[str, set[str]] = {}

    def anchors(file: str) -> set[str]:
        if file not in ids:
            ids[file] = _anchors(lxml.html.parse(str(site_dir / file)).getroot())
        return ids[file]

    for page, path in _html_pages(site_dir):
        doc = lxml.html.parse(str(path)).getroot()
        ids.setdefault(page, _anchors(doc))  # a later link to it need not parse it again
        article = by_url.get(page)
        seen: set[str] = set()
        for element, attr in (
            (e, a)
            for e in doc.iter("a", "img", "link", "script", "source")
            for a in ("href", "src")
        ):
            href = element.get(attr)
            if not href or href in seen or href == "#":
                continue
            seen.add(href)
            target = _target(page, href, pub.site.domain)
            if target is None:
                continue
            file, fragment = target
            where = _where(article, href)
            if not (site_dir / file).is_file():
                yield AUDIT_LINK.at(*where, page=page.removesuffix("index.html"), target=href)
            elif fragment and file.endswith(".html") and unquote(fragment) not in anchors(file):
                yield AUDIT_ANCHOR.at(*where, page=page.removesuffix("index.html"), target=href)
        if article is not None:
            for img in doc.cssselect(".cg-article__body img, .cg-cover img"):
                if not (img.get("alt") or "").strip():
                    src = img.get("src", "")
                    yield AUDIT_ALT.at(*_where(article, src), src=src)


def _anchors(doc: lxml.html.HtmlElement) -> set[str]:
    return {e.get("id") for e in doc.iter() if e.get("id")} | {
        e.get("name") for e in doc.iter("a") if e.get("name")
    }


def _where(article: Article | None, href: str) -> tuple[str, int | None]:
    """The source file and line a link of the built page comes from: the line of the body
    target (links.targets) with the same last segment (`pic.svg`; `b` for `b.md`, which
    mkdocs renders as `../b/`), else the first line that mentions that segment."""
    if article is None:
        return ("site", None)
    parts = split_url(href)
    name = (PurePosixPath(parts.path).name or parts.fragment) if parts is not None else ""
    if not name:
        return article.path, None
    for target in article.refs.targets:
        written = split_url(target.url)
        if written is None:
            continue
        path = PurePosixPath(written.path)
        if name in (path.name, path.stem if is_article_name(path.name) else None):
            line = line_of_target(article, target.url)
            if line is not None:
                return article.path, line
    for i, text in enumerate(article.body.split("\n")):
        if name in text:
            return article.path, article.body_line + i
    return article.path, None
