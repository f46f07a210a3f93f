"""The gate for print editions: an edition is approved like an article, and prints only public
articles.

An edition is judged as an article whose text is what the edition fixes: its publication,
issue, running number, date, the column article of the issue, and the ordered list of its
articles each with the digest its own final sign-off bound (`statement_text`). So the review
rules of the articles apply unchanged (who may sign which stage, the order, the signatures
made with registered keys, the final digest), and an edition's final sign-off binds the list,
the order and each article's approval: an article changed and approved again after the
edition's sign-off, or the list reordered, voids the edition's approval (GATE-DIGEST), as an
edited text voids an article's.

Besides: every article it names must be public at `now` (EDITION-ARTICLE-NOT-PUBLIC names
each that is not), named once; its uid is its own; its `page` is a public article of the
publication's column.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from generator.core.config import PrintPublication, Site
from generator.core.findings import Code, Finding, Severity
from generator.core.model import FrontMatter
from generator.core.staff import Staff
from generator.core.wording import Wording
from generator.gate.decide import Decision, State, Verdict, state_of
from generator.gate.rules import Context, identity, registry, review, schedule
from generator.load.article import Article
from generator.load.editions import Edition

E = Severity.ERROR
EDITION_ARTICLE_UNKNOWN = Code(
    "EDITION-ARTICLE-UNKNOWN",
    E,
    "刊期列出的稿件编号 {uid} 不存在",
    "核对稿件编号（congress check --json 列出每篇稿件的 uid）。",
)
EDITION_ARTICLE_NOT_PUBLIC = Code(
    "EDITION-ARTICLE-NOT-PUBLIC",
    E,
    "刊期列出的稿件《{title}》（{uid}）未在网站公开（{state}）：印刷版只收已公开的稿件",
    "先完成该稿件的审核发布，或把它从本期移出；改动后本期须重新审核。",
)
EDITION_ARTICLE_TWICE = Code(
    "EDITION-ARTICLE-TWICE",
    E,
    "稿件 {uid} 在本期中列出了两次",
    "每篇稿件在一期中只列一次。",
)
EDITION_UID = Code(
    "EDITION-UID",
    E,
    "刊期编号 {uid} 已被 {other} 使用",
    "每期刊物和每篇稿件的编号都必须唯一。",
)
EDITION_PAGE = Code(
    "EDITION-PAGE",
    E,
    "page 指定的稿件 {uid} 不是栏目“{column}”中公开的稿件",
    "page 填写本期在网站刊物栏目中的那篇稿件的编号（网站上的该页会链接本期 PDF）。",
)

EDITION_PAGE_TAKEN = Code(
    "EDITION-PAGE-TAKEN",
    E,
    "page 指定的稿件 {uid} 已是 {other} 的链接页",
    "每期刊物在网站上有各自的那篇稿件；核对 page。",
)

# The rules of the articles' review that judge an edition's review block as they judge an
# article's (the rest read an article's body, files or schedule, which an edition has not).
RULES = (
    registry.editor,
    schedule.embargo,  # an edition dated later than now is not yet published
    review.signers,
    identity.identity,
    review.people,
    review.chronology,
    review.stages,
    review.future,
    review.approval,
)


@dataclass(frozen=True)
class EditionVerdict:
    edition: Edition
    publication: PrintPublication | None
    article: Article | None  # the edition as the review rules judge it (None if unreadable)
    members: tuple[Verdict, ...]  # the articles it prints, in order (those that exist)
    state: State
    findings: tuple[Finding, ...]
    page: Verdict | None = None

    @property
    def public(self) -> bool:
        """Approved, every article public: it may be printed and published."""
        return self.state is State.PUBLISHED


def member_digest(v: Verdict) -> str:
    """What an article's final sign-off bound (text and files), or "-" without one."""
    meta = v.article.meta
    final = meta.review.final if meta is not None else None
    return final.digest if final is not None else "-"


def statement_text(
    pub: PrintPublication, edition: Edition, members: Sequence[Verdict], publisher: str
) -> str:
    """The text an edition's approval binds (the synthetic article's body): what is printed
    on the cover and in the header, the format, and the list with each article's approval."""
    data = edition.data
    assert data is not None
    lines = [
        "congress-edition-v1",
        f"publication: {pub.id} {pub.name}",
        f"short: {pub.short_name or pub.name}",
        f"publisher: {publisher}",
        f"format: {pub.page_width_mm:g}x{pub.page_height_mm:g}mm",
        f"fonts: {pub.body_font} / {pub.heading_font}",
        f"issue: {data.issue}",
        f"running: {data.running}",
        f"page: {data.page or '-'}",
    ]
    lines += [f"{i}. {v.article.uid} {member_digest(v)}" for i, v in enumerate(members, 1)]
    return "\n".join(lines) + "\n"


def as_article(
    pub: PrintPublication, edition: Edition, members: Sequence[Verdict], publisher: str
) -> Article:
    """The edition as an article: its review block over what it fixes (module docstring)."""
    data = edition.data
    assert data is not None
    meta = FrontMatter.model_validate(
        {
            "uid": data.uid,
            "title": f"《{pub.name}》{data.issue}（{data.running}）",
            "column": pub.column or pub.id,
            "date": data.date,
            "editor": data.editor,
            "tags": list(data.keywords),
            "review": data.review,
        }
    )
    body = statement_text(pub, edition, members, publisher)
    return Article(src=edition.src, path=edition.path, meta=meta, body=body, lines=edition.lines)


def _sponsor(ctx: Context) -> str:
    try:
        return ctx.site.footer.sponsor
    except Exception:  # a footer the site's loading reports: the cover then names none
        return ""


def _public_first(decision: Decision) -> dict[str, Verdict]:
    by_uid: dict[str, Verdict] = {}
    for v in decision.verdicts:
        if v.article.uid and (v.article.uid not in by_uid or v.public):
            by_uid[v.article.uid] = v
    return by_uid


def judge_editions(
    editions: Iterable[Edition], decision: Decision, ctx: Context
) -> list[EditionVerdict]:
    """Every edition judged. Of two editions with one uid or one page, the approved one keeps
    it (else the first in path order), as an approved article keeps its uid: a copy started
    for the next issue never takes the live edition offline."""
    by_uid = _public_first(decision)
    judged = [_judge(edition, by_uid, ctx) for edition in editions]
    for field_name, code in (("uid", EDITION_UID), ("page", EDITION_PAGE_TAKEN)):
        holders: dict[str, list[int]] = {}
        for i, e in enumerate(judged):
            value = getattr(e.edition.data, field_name, None) if e.edition.data else None
            if value:
                holders.setdefault(value, []).append(i)
        for value, indexes in holders.items():
            if len(indexes) < 2:
                continue
            keeper = next((i for i in indexes if judged[i].public), indexes[0])
            for i in indexes:
                if i == keeper:
                    continue
                e = judged[i]
                line = e.edition.lines.line_of((field_name,))
                other = judged[keeper].edition.path
                finding = code.at(e.edition.path, line, uid=value, other=other)
                findings = (*e.findings, finding)
                judged[i] = replace(e, findings=findings, state=state_of(findings))
    return judged


def _judge(edition: Edition, by_uid: dict[str, Verdict], ctx: Context) -> EditionVerdict:
    pub = ctx.site.congress.publication(edition.publication)
    findings = list(edition.findings)
    data = edition.data
    if data is None or pub is None:
        return EditionVerdict(edition, pub, None, (), State.INVALID, tuple(findings))
    line = edition.lines.line_of
    clash = by_uid.get(data.uid)
    if clash is not None and clash.public:  # a public article keeps its uid; a draft does not
        other = clash.article.path
        findings.append(EDITION_UID.at(edition.path, line(("uid",)), uid=data.uid, other=other))
    members: list[Verdict] = []
    for i, uid in enumerate(data.articles):
        where = line(("articles", i))
        v = by_uid.get(uid)
        if v is None:
            findings.append(EDITION_ARTICLE_UNKNOWN.at(edition.path, where, uid=uid))
            continue
        if uid in data.articles[:i]:
            findings.append(EDITION_ARTICLE_TWICE.at(edition.path, where, uid=uid))
        elif not v.public:
            title = v.article.meta.title if v.article.meta else v.article.path
            findings.append(
                EDITION_ARTICLE_NOT_PUBLIC.at(
                    edition.path, where, uid=uid, title=title, state=v.state.label
                )
            )
        members.append(v)
    page = by_uid.get(data.page) if data.page else None
    if data.page and (
        page is None
        or not page.public
        or (pub.column and page.article.meta is not None and page.article.meta.column != pub.column)
    ):
        findings.append(
            EDITION_PAGE.at(edition.path, line(("page",)), uid=data.page, column=pub.column)
        )
    article = as_article(pub, edition, members, pub.publisher or _sponsor(ctx))
    for rule in RULES:
        findings += rule(article, ctx)
    return EditionVerdict(
        edition, pub, article, tuple(members), state_of(findings), tuple(findings), page
    )


def edition_context(site: Site, staff: Staff, now: datetime) -> Context:
    """What the edition rules read: the registries and the clock (no wording, no files: an
    edition's text names no file)."""
    return Context(now, site, staff, Wording(), files={})
