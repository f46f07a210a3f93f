"""The gate: the one place that decides whether an article is public.

`verdict(article, ctx)` runs every rule of `RULES` and derives the article's state from the
findings alone: an error makes it invalid, and the info findings that name a state (not yet
signed, embargoed, expired, withdrawn) make it that state. Pages, navigation, search, sitemap,
feeds, manifest and copied assets are all derived from `Decision.published`; nothing decides again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property

from .article import Article
from .findings import Finding
from .newsroom import Newsroom
from .rules import Context, Rule, review, schedule
from .text import sensitive, typography, wording

__all__ = ["RULES", "Context", "Decision", "State", "Verdict", "decide", "verdict"]


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

# The rule table: add a rule here and nowhere else.
RULES: list[Rule] = [
    review.signers,
    review.people,
    review.chronology,
    review.approval,
    review.stages,
    sensitive.secrecy,
    sensitive.personal_data,
    wording.wording,
    wording.officials,
    typography.typography,
    schedule.withdrawal,
    schedule.embargo,
    schedule.expiry,
]

# Info findings that put an article in a state other than published.
STATE_OF: dict[str, State] = {
    code: State(state)
    for module in (review, schedule)
    for code, state in module.STATE_CODES.items()
}


@dataclass(frozen=True)
class Verdict:
    article: Article
    state: State
    findings: tuple[Finding, ...]
    notice: bool = False  # withdrawn after approval: the URL keeps a withdrawal notice

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
    # A withdrawn piece keeps a notice at its URL only if it had been fully approved; one
    # withdrawn before approval or before its embargo never appeared, so nothing remains.
    notice = state is State.WITHDRAWN and _state(
        f for f in findings if f.code != schedule.GATE_WITHDRAWN.code
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
    ctx = Context(now=now, site=room.site, staff=room.staff, wording=room.wording)
    return Decision(now, [verdict(a, ctx) for a in room.articles])
