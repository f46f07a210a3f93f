"""What a reader sees of an article, formatted once for every renderer and for feeds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from generator.core.clock import minute
from generator.core.config import Column, Site
from generator.core.policy import progress
from generator.core.staff import Staff
from generator.load.article import Article
from generator.load.refs import resolve


@dataclass(frozen=True)
class Link:
    text: str
    url: str


@dataclass(frozen=True)
class Notice:
    at: str
    text: str


@dataclass(frozen=True)
class ConsultationView:
    """征求意见: the deadline, whether it is still open at build time, channels, feedback."""

    status: str  # 征求意见中 | 已截止 | 尚未开始
    open: bool
    opens: str
    deadline: str
    deadline_iso: str
    email: str
    post: str
    url: str
    feedback: Link | None


@dataclass(frozen=True)
class ArticleView:
    uid: str
    title: str
    url: str
    date: str  # YYYY-MM-DD HH:MM, China time
    date_iso: str
    source: str
    authors: str
    editor: str
    summary: str
    kind: str
    column: Column | None
    tags: tuple[Link, ...]
    corrections: tuple[Notice, ...]
    cover_url: str | None
    cover_alt: str
    withdrawn: Notice | None
    consultation: ConsultationView | None = None


def consultation_view(
    article: Article, now: datetime, feedback: Article | None
) -> ConsultationView | None:
    meta = article.meta
    assert meta is not None
    c = meta.consultation
    if c is None:
        return None
    if c.opens is not None and now < c.opens:
        status = "尚未开始"
    elif now <= c.deadline:
        status = "征求意见中"
    else:
        status = "已截止"
    link = None
    if feedback is not None and feedback.meta is not None and status == "已截止":
        link = Link(feedback.meta.title, feedback.url)
    return ConsultationView(
        status=status,
        open=status == "征求意见中",
        opens=minute(c.opens) if c.opens else "",
        deadline=minute(c.deadline),
        deadline_iso=c.deadline.isoformat(timespec="seconds"),
        email=c.channels.email or "",
        post=c.channels.post or "",
        url=c.channels.url or "",
        feedback=link,
    )


def view(
    article: Article,
    site: Site,
    staff: Staff,
    tag_urls: dict[str, str],
    *,
    now: datetime | None = None,
    feedback: Article | None = None,
) -> ArticleView:
    meta = article.meta
    assert meta is not None
    cover = resolve(article.src, meta.cover.src) if meta.cover else None
    return ArticleView(
        uid=meta.uid,
        title=meta.title,
        url=article.url,
        date=minute(meta.date),
        date_iso=meta.date.isoformat(timespec="seconds"),
        source=meta.source or "",
        authors="、".join(meta.authors),
        editor=staff.name(meta.editor),
        summary=meta.summary or "",
        kind=meta.kind,
        column=site.congress.column(meta.column),
        tags=tuple(Link(t, tag_urls[t]) for t in dict.fromkeys(meta.tags) if t in tag_urls),
        corrections=tuple(Notice(minute(c.at), c.note) for c in meta.corrections),
        cover_url=cover,
        cover_alt=meta.cover.alt if meta.cover else "",
        withdrawn=Notice(minute(meta.withdrawn.at), meta.withdrawn.reason)
        if meta.withdrawn
        else None,
        consultation=consultation_view(article, now, feedback) if now is not None else None,
    )


@dataclass(frozen=True)
class Step:
    """One line of an article's review checklist (shown in the preview banner)."""

    label: str
    done: bool
    detail: str


def checklist(article: Article, site: Site, staff: Staff) -> tuple[Step, ...]:
    meta = article.meta
    assert meta is not None
    steps = []
    for step in progress(site.congress.policy, meta):
        signed = [f"{staff.name(s.by)} {minute(s.at)}" for s in step.signed]
        if step.stage == "proofread":
            detail = f"{len(step.signed)}/{step.rounds}：{'、'.join(signed) or '未校对'}"
        else:
            detail = signed[0] if signed else "未签署"
        steps.append(Step(step.label, step.done, detail))
    return tuple(steps)
