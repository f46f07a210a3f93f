"""The newsroom: every article of `content/`, loaded and checked against the registries.

Gather first (load every file), then check what needs more than one file (unique uids and
URLs) or the registries (columns, staff, committees). The gate decides afterwards.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Protocol

from generator.core.clock import minute
from generator.core.config import Site
from generator.core.findings import Code, Finding, Severity
from generator.core.model import goes_live
from generator.core.progress import phase
from generator.core.staff import Staff, load_staff
from generator.core.wording import Wording, load_wording
from generator.load.article import (
    Article,
    internal_error,
    load_article,
    parse_article,
    source_key,
)
from generator.load.assets import approval_digest, sealed_files
from generator.load.contentfiles import (
    Content,
    hash_files,
    is_article_name,
    is_rendered_name,
    oversize,
    scan,
)
from generator.load.generated import ART_RESERVED_PATH, refuse_reserved, reserved

E, W = Severity.ERROR, Severity.WARNING

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_YEAR = re.compile(r"\d{4}")

ART_SUFFIX = Code(
    "ART-SUFFIX",
    E,
    "稿件文件扩展名 {suffix} 不是小写：这样的稿件不会发布",
    "把文件改名为小写扩展名（{fixed}），再送审。",
)
ART_LOCATION = Code(
    "ART-LOCATION",
    E,
    "稿件不在栏目目录中：{src}",
    "稿件应放在 content/<栏目>/<年份>/<文件名>.md，"
    "例如 content/supervision/2026/zhifa-jiancha.md。",
)
ART_SLUG = Code(
    "ART-SLUG",
    W,
    "文件名 {name} 不是小写拼音或英文（网址中会出现转义字符）",
    "改用小写字母、数字和连字符，例如 {suggestion}.md。",
)
ART_COLUMN_UNKNOWN = Code("ART-COLUMN-UNKNOWN", E, "栏目 {column} 不存在", "可用栏目：{known}")
ART_COLUMN_MISMATCH = Code(
    "ART-COLUMN-MISMATCH",
    E,
    "稿件信息中的栏目 {column} 与所在目录 {folder} 不一致",
    "把 column 改为 {folder}，或把文件移到 content/{column}/ 下。",
)
ART_YEAR = Code(
    "ART-YEAR",
    W,
    "发布时间在 {year} 年，但文件放在 {folder} 目录",
    "把文件移到 {year} 年的目录下。",
)
ART_EDITOR = Code(
    "ART-EDITOR",
    E,
    "责任编辑 {editor} {problem}",
    "填写 editorial/staff.yml 中具有编辑角色的人员编号。",
)
ART_SPECIALIST = Code(
    "ART-SPECIALIST",
    E,
    "专业审核委员会 {committee} 不存在",
    "可用：{known}（见 mkdocs.yml 的 committees）。",
)
ART_CONSULTATION = Code("ART-CONSULTATION", E, "{problem}", "{hint}")
ART_EXPIRY = Code(
    "ART-EXPIRY",
    E,
    "下线时间 {expires} 早于上线时间 {start}",
    "检查 expires_at 与 publish_at、date。",
)
ART_UID_DUPLICATE = Code(
    "ART-UID-DUPLICATE",
    E,
    "稿件编号 {uid} 与 {other} 重复",
    "稿件编号必须唯一：复制稿件后请用 congress new 生成新编号。",
)
ART_URL_CLASH = Code(
    "ART-URL-CLASH", E, "与 {other} 生成同一网址 /{url}", "修改其中一个文件的文件名。"
)
ART_FEEDBACK = Code(
    "ART-FEEDBACK", E, "feedback_for 指向的稿件 {uid} {problem}", "填写所反馈的征求意见稿件的 uid。"
)


class ArticleStore(Protocol):
    """Parses kept from an earlier run, by docs path and `source_key` (the build cache)."""

    def article(self, src: str, key: bytes) -> Article | None: ...

    def keep_article(self, article: Article, key: bytes) -> None: ...


@dataclass
class Newsroom:
    site: Site
    staff: Staff
    wording: Wording
    articles: list[Article] = field(default_factory=list)
    # Docs path → sha256 of every file an article uses (None: missing or not a regular file).
    files: dict[str, str | None] = field(default_factory=dict)
    # Docs path → size of every used file over the size limit (max_file_mb): not hashed.
    oversize: dict[str, int] = field(default_factory=dict)

    @property
    def findings(self) -> list[Finding]:
        return [f for a in self.articles for f in a.findings]

    @cached_property
    def column_ids(self) -> list[str]:
        return [c.id for c in self.site.columns]

    def by_uid(self) -> dict[str, Article]:
        return {a.uid: a for a in self.articles if a.meta}


def markdown_files(docs_dir: Path) -> list[str]:
    """Every article file under docs_dir (relative, with /), found without following links."""
    return scan(docs_dir).articles


def load_newsroom(
    site: Site,
    files: Iterable[Path] | None = None,
    staff: Staff | None = None,
    cache: ArticleStore | None = None,
) -> Newsroom:
    """Load and check every article (or the given files) of the site. Most of what this
    makes lives as long as the run: a caller that loads many articles pauses the cyclic
    collector around it (generator/build/heap.py)."""
    room = Newsroom(site, staff or load_staff(site), load_wording(site))
    docs = site.docs_dir.resolve()
    shown = site.rel(docs)
    content = scan(docs, shown)
    wanted: set[str] | None = None
    if files is None:
        srcs = content.articles
    else:
        wanted = {p.resolve().relative_to(docs).as_posix() for p in files}
        srcs = sorted(wanted & set(content.articles))
    room.articles += _refused(content, shown, wanted)
    loading = phase("读取稿件", len(srcs))
    for src in srcs:
        loading.tick()
        where = f"{shown}/{src}" if shown != "." else src
        try:
            article = _load(os.path.join(docs, src), src, where, cache)
            article = article.with_findings(_check_against_site(article, room))
        except Exception as exc:  # one article's failure keeps it out, never the others
            article = Article(src=src, path=where, findings=(internal_error(where, "读取", exc),))
        room.articles.append(article)
    loading.finish()
    entries, room.articles = refuse_reserved(
        room.articles, content.files, room.column_ids, shown, wanted
    )
    room.articles += entries
    room.articles.sort(key=lambda a: a.src)
    _hash_used_files(room, docs, content)  # before the uid check: it compares approvals
    room.articles = _with_findings(
        room.articles, [*_check_unique(room.articles, room.files), *_check_feedback(room)]
    )
    return room


def _with_findings(articles: list[Article], found: list[tuple[Article, Finding]]) -> list[Article]:
    """The articles, each with what was found on it (in the order found)."""
    added: dict[int, list[Finding]] = defaultdict(list)
    for article, finding in found:
        added[id(article)].append(finding)
    return [a.with_findings(added[id(a)]) if id(a) in added else a for a in articles]


def _refused(content: Content, shown: str, wanted: set[str] | None = None) -> list[Article]:
    """Links and special files, each an entry with its finding and no front matter: the gate
    keeps it out, `congress check` and the build show it, the column's articles go on."""
    entries = []
    for src, finding in content.refused:
        if wanted is None or src in wanted:
            where = f"{shown}/{src}" if shown != "." else src
            entries.append(Article(src=src, path=where, findings=(finding,)))
    return entries


def _hash_used_files(room: Newsroom, docs: Path, content: Content) -> None:
    """The bytes of every file the articles use, hashed once for all of them."""
    regular = set(content.files)
    used = {f for a in room.articles if a.meta is not None for f in sealed_files(a, regular)}
    limit = room.site.congress.max_file_bytes
    room.oversize = oversize(docs, used, regular, limit)
    hashed = hash_files(docs, used - room.oversize.keys(), regular, limit)
    room.files = hashed | dict.fromkeys(room.oversize)


def _load(file: str, src: str, shown: str, cache: ArticleStore | None) -> Article:
    """Load one article, or take its parse from the cache when its bytes are unchanged."""
    if cache is None:
        return load_article(Path(file), src, shown)
    try:
        with open(file, "rb") as stream:
            raw = stream.read()
    except OSError:
        return load_article(Path(file), src, shown)  # reports the problem
    key = source_key(raw, shown)
    article = cache.article(src, key)
    if article is None:
        article = parse_article(raw, src, shown, key)
        cache.keep_article(article, key)
    return article


def _check_file_name(
    article: Article, parts: list[str], column_ids: list[str], placed: bool
) -> Iterator[Finding]:
    suffix = os.path.splitext(article.src)[1]
    if not is_rendered_name(article.src) and is_article_name(article.src):
        fixed = parts[-1][: -len(suffix)] + suffix.lower()
        yield ART_SUFFIX.at(article.path, 1, suffix=suffix, fixed=fixed)
    if reserved(article.src, column_ids):  # a generated page's place: not also ART-LOCATION
        yield ART_RESERVED_PATH.at(article.path, 1, src=article.src)
    elif not placed:
        yield ART_LOCATION.at(article.path, 1, src=article.src)
    else:
        stem = parts[2].rsplit(".", 1)[0]
        if not _SLUG.match(stem) or stem in ("index", "readme"):
            from generator.core.slug import slugify

            yield (
                ART_SLUG.at(article.path, 1, name=parts[2], suggestion=slugify(stem) or "article")
            )


def _check_against_site(article: Article, room: Newsroom) -> Iterator[Finding]:
    site, meta = room.site, article.meta
    parts = article.src.split("/")
    column_ids = room.column_ids
    placed = len(parts) == 3 and parts[0] in column_ids and _YEAR.fullmatch(parts[1])
    yield from _check_file_name(article, parts, column_ids, bool(placed))
    if meta is None:
        return
    path, line = article.path, article.line_of
    if site.congress.column(meta.column) is None:
        yield (
            ART_COLUMN_UNKNOWN.at(
                path, line("column"), column=meta.column, known="、".join(column_ids)
            )
        )
    elif placed and parts[0] != meta.column:
        yield ART_COLUMN_MISMATCH.at(path, line("column"), column=meta.column, folder=parts[0])
    if placed and str(meta.date.year) != parts[1]:
        yield ART_YEAR.at(path, line("date"), year=meta.date.year, folder=parts[1])
    if meta.editor not in room.staff:
        yield ART_EDITOR.at(path, line("editor"), editor=meta.editor, problem="不在人员名录中")
    elif not room.staff.has_role(meta.editor, "editor"):
        yield ART_EDITOR.at(path, line("editor"), editor=meta.editor, problem="不具备编辑角色")
    committees = site.congress.committees
    if meta.specialist and meta.specialist not in committees:
        yield (
            ART_SPECIALIST.at(
                path, line("specialist"), committee=meta.specialist, known="、".join(committees)
            )
        )
    yield from _check_consultation(article)
    start = goes_live(meta)
    if meta.expires_at and meta.expires_at <= start:
        yield (
            ART_EXPIRY.at(
                path, line("expires_at"), expires=minute(meta.expires_at), start=minute(start)
            )
        )


def _check_consultation(article: Article) -> Iterator[Finding]:
    meta = article.meta
    assert meta is not None
    if meta.kind == "consultation" and meta.consultation is None:
        yield (
            ART_CONSULTATION.at(
                article.path,
                article.line_of("kind"),
                problem="征求意见稿件缺少 consultation（截止时间和意见提交渠道）",
                hint="补上 consultation: {deadline: …, channels: {email: …, post: …, url: …}}。",
            )
        )
    elif meta.consultation is not None and meta.kind != "consultation":
        yield (
            ART_CONSULTATION.at(
                article.path,
                article.line_of("consultation"),
                problem="只有 kind: consultation 的稿件可以写 consultation",
                hint="把 kind 改为 consultation，或删除 consultation。",
            )
        )
    elif meta.consultation is not None:
        c = meta.consultation
        if not (c.channels.email or c.channels.post or c.channels.url):
            yield (
                ART_CONSULTATION.at(
                    article.path,
                    article.line_of("consultation", "channels"),
                    problem="征求意见至少要列出一种意见提交渠道",
                    hint="在 channels 中填写 email、post 或 url。",
                )
            )
        if c.opens and c.opens >= c.deadline:
            yield (
                ART_CONSULTATION.at(
                    article.path,
                    article.line_of("consultation", "deadline"),
                    problem="征求意见的截止时间早于开始时间",
                    hint="检查 consultation 的 opens 和 deadline。",
                )
            )


def _check_unique(
    articles: list[Article], files: dict[str, str | None]
) -> Iterator[tuple[Article, Finding]]:
    by_uid: dict[str, list[Article]] = defaultdict(list)
    by_url: dict[str, list[Article]] = defaultdict(list)
    for a in articles:
        if a.meta:
            by_uid[a.uid].append(a)
        if not is_article_name(a.src):
            continue  # a refused link or special file: not a page
        by_url[a.url.lower()].append(a)  # case-folded: hosts may be case-insensitive
    for uid, group in by_uid.items():
        if len(group) < 2:
            continue
        # A copy of a live article (an editor's template) must not take the original offline:
        # when exactly one of them holds a final sign-off matching what it is now, it keeps
        # the uid and every other one is the duplicate. Otherwise all of them are.
        approved = [a for a in group if _approved(a, files)]
        keeper = approved[0] if len(approved) == 1 else None
        for a in group:
            if a is not keeper:
                other = keeper or next(o for o in group if o is not a)
                yield a, ART_UID_DUPLICATE.at(a.path, a.line_of("uid"), uid=uid, other=other.path)
    for url, group in by_url.items():
        for a in group if len(group) > 1 else []:
            other = next(o for o in group if o is not a)
            yield a, ART_URL_CLASH.at(a.path, 1, other=other.path, url=url)


def _approved(article: Article, files: dict[str, str | None]) -> bool:
    """Whether the article's final sign-off matches its text and files as they are now (the
    gate's GATE-DIGEST comparison; the gate still judges everything else)."""
    final = article.meta.review.final if article.meta is not None else None
    return final is not None and final.digest == approval_digest(article, files)


def _check_feedback(room: Newsroom) -> Iterator[tuple[Article, Finding]]:
    uids = room.by_uid()
    for a in room.articles:
        if a.meta is None or a.meta.feedback_for is None:
            continue
        target = uids.get(a.meta.feedback_for)
        problem = ""
        if target is None:
            problem = "不存在"
        elif target.meta is not None and target.meta.kind != "consultation":
            problem = "不是征求意见稿件"
        if problem:
            yield (
                a,
                (
                    ART_FEEDBACK.at(
                        a.path, a.line_of("feedback_for"), uid=a.meta.feedback_for, problem=problem
                    )
                ),
            )
