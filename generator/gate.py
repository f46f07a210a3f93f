"""The gate: the one place that decides whether an article is public.

`verdict(article, ctx)` runs every rule of `RULES` and derives the article's state from the
findings alone: an error makes it invalid, and the info findings that name a state (not yet
signed, embargoed, expired, withdrawn) make it that state. Pages, navigation, search, sitemap,
feeds, manifest and copied assets are all derived from `Decision.published`; nothing decides again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property

from .article import Article
from .clock import minute
from .config import Site
from .findings import Code, Finding, Severity
from .newsroom import Newsroom
from .staff import Staff

INFO = Severity.INFO


class State(StrEnum):
    PUBLISHED = "published"
    PENDING = "pending"
    SCHEDULED = "scheduled"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    INVALID = "invalid"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]


_STATE_LABELS = {
    State.PUBLISHED: "已发布",
    State.PENDING: "待审",
    State.SCHEDULED: "已排期",
    State.EXPIRED: "已过期",
    State.WITHDRAWN: "已撤回",
    State.INVALID: "无效",
}

# When several findings name a state, the first of this order wins.
PRECEDENCE = (State.INVALID, State.WITHDRAWN, State.PENDING, State.SCHEDULED, State.EXPIRED)


@dataclass(frozen=True)
class Context:
    """What rules may look at besides the article: the clock and the registries."""

    now: datetime
    site: Site
    staff: Staff


Rule = Callable[[Article, Context], Iterable[Finding]]

GATE_WITHDRAWN = Code(
    "GATE-WITHDRAWN", INFO, "已撤稿（{at}）：{reason}", "撤稿后网址只保留撤稿说明。"
)
GATE_SCHEDULED = Code(
    "GATE-SCHEDULED", INFO, "定时发布：{at} 之前不公开", "到时间后的下一次构建会自动发布。"
)
GATE_EXPIRED = Code(
    "GATE-EXPIRED", INFO, "已于 {at} 下线", "如需继续公开，修改 expires_at 并重新终审。"
)

# Findings that put an article in a state other than published.
STATE_OF: dict[str, State] = {
    GATE_WITHDRAWN.code: State.WITHDRAWN,
    GATE_SCHEDULED.code: State.SCHEDULED,
    GATE_EXPIRED.code: State.EXPIRED,
}


def withdrawal(article: Article, ctx: Context) -> Iterable[Finding]:
    w = article.meta.withdrawn if article.meta else None
    if w is not None:
        yield GATE_WITHDRAWN.at(
            article.path, article.line_of("withdrawn"), at=minute(w.at), reason=w.reason
        )


def embargo(article: Article, ctx: Context) -> Iterable[Finding]:
    meta = article.meta
    assert meta is not None
    # A 发布时间 in the future embargoes too: a page must not show a time still to come.
    start, key = max((meta.date, "date"), (meta.publish_at or meta.date, "publish_at"))
    if start > ctx.now:
        yield GATE_SCHEDULED.at(article.path, article.line_of(key), at=minute(start))


def expiry(article: Article, ctx: Context) -> Iterable[Finding]:
    meta = article.meta
    assert meta is not None
    if meta.expires_at is not None and meta.expires_at <= ctx.now:
        yield GATE_EXPIRED.at(
            article.path, article.line_of("expires_at"), at=minute(meta.expires_at)
        )


# The rule table: add a rule here and nowhere else.
RULES: list[Rule] = [withdrawal, embargo, expiry]


@dataclass(frozen=True)
class Verdict:
    article: Article
    state: State
    findings: tuple[Finding, ...]
    notice: bool = False  # withdrawn after publication: the URL keeps a withdrawal notice

    @property
    def public(self) -> bool:
        return self.state is State.PUBLISHED


def _state(findings: Iterable[Finding]) -> State:
    named = {State.INVALID if f.is_error else STATE_OF.get(f.code) for f in findings}
    return next((s for s in PRECEDENCE if s in named), State.PUBLISHED)


def verdict(article: Article, ctx: Context) -> Verdict:
    """Decide one article. The only function that says whether something is public."""
    findings = list(article.findings)
    if article.meta is not None:
        for rule in RULES:
            findings.extend(rule(article, ctx))
    state = _state(findings)
    notice = state is State.WITHDRAWN and _state(
        f for f in findings if f.code != GATE_WITHDRAWN.code
    ) in (State.PUBLISHED, State.EXPIRED)
    return Verdict(article, state, tuple(findings), notice)


@dataclass
class Decision:
    """The gate's answer for a whole newsroom at one moment."""

    now: datetime
    verdicts: list[Verdict] = field(default_factory=list)

    @cached_property
    def published(self) -> list[Article]:
        """Public articles, newest first (ties broken by uid, so the order is stable)."""
        return newest_first(v.article for v in self.verdicts if v.public)

    @property
    def notices(self) -> list[Article]:
        return [v.article for v in self.verdicts if v.notice]

    def count(self, state: State) -> int:
        return sum(1 for v in self.verdicts if v.state is state)


def newest_first(articles: Iterable[Article]) -> list[Article]:
    def key(a: Article) -> tuple[float, str]:
        assert a.meta is not None
        return (-a.meta.date.timestamp(), a.uid)

    return sorted(articles, key=key)


def decide(room: Newsroom, now: datetime) -> Decision:
    ctx = Context(now=now, site=room.site, staff=room.staff)
    return Decision(now, [verdict(a, ctx) for a in room.articles])
