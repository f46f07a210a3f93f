"""What a reader sees of an article, formatted once for every renderer and for feeds."""

from __future__ import annotations

from dataclasses import dataclass

from .article import Article
from .assets import resolve
from .clock import minute
from .config import Column, Site
from .staff import Staff


@dataclass(frozen=True)
class Link:
    text: str
    url: str


@dataclass(frozen=True)
class Notice:
    at: str
    text: str


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


def view(article: Article, site: Site, staff: Staff, tag_urls: dict[str, str]) -> ArticleView:
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
    )


@dataclass(frozen=True)
class Step:
    """One line of an article's review checklist (shown in the preview banner)."""

    label: str
    done: bool
    detail: str


def checklist(article: Article, site: Site, staff: Staff) -> tuple[Step, ...]:
    from .policy import requirements

    meta = article.meta
    assert meta is not None
    policy, review = site.congress.policy, meta.review
    steps = []
    for req in requirements(policy, meta):
        if req.stage == "proofread":
            sigs = list(review.proofread)
            done = len(sigs) >= policy.proofread.rounds
            detail = "、".join(f"{staff.name(s.by)} {minute(s.at)}" for s in sigs) or "未校对"
            detail = f"{len(sigs)}/{policy.proofread.rounds}：{detail}"
        else:
            sig = getattr(review, req.stage)
            done = sig is not None
            detail = f"{staff.name(sig.by)} {minute(sig.at)}" if sig else "未签署"
        steps.append(Step(req.label, done, detail))
    return tuple(steps)
