"""The gate: the one place that decides whether an article is public.

`verdict(article, ctx)` runs every rule of `RULES` and derives the article's state from the
findings alone: an error makes it invalid, and the info findings that name a state (not yet
signed, embargoed, expired, withdrawn) make it that state. Pages, navigation, search, sitemap,
feeds, manifest and copied assets are all derived from `Decision.published`; nothing decides again.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from functools import cached_property

from generator.core.findings import Finding
from generator.core.keys import fingerprint
from generator.core.model import goes_live
from generator.core.progress import phase
from generator.gate.memos import Executor, Memos
from generator.gate.peers import peers_of
from generator.gate.rules import (
    Context,
    Rule,
    attachments,
    consultation,
    identity,
    links,
    nesting,
    placement,
    registry,
    review,
    schedule,
    sensitive,
    typography,
    unique,
    wording,
)
from generator.load.article import Article, internal_error
from generator.load.contentfiles import is_article_name
from generator.load.newsroom import Newsroom
from generator.load.refs import url_of

__all__ = [
    "RULES",
    "Context",
    "Decision",
    "Memos",
    "State",
    "Verdict",
    "context",
    "decide",
    "verdict",
]


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

# Rules that never read the clock: what they find depends only on the article's content and on
# the settings named by a key of the context (`Context.keys`). Each group's findings are
# memoized by both (`Memos`, never on the article), and kept in the build cache: the text
# checks are most of the gate's work, and an archive's approvals do not change from one build
# to the next.
MEMOIZED: dict[str, tuple[Rule, ...]] = {
    "review": (
        review.signers,
        identity.identity,
        review.people,
        review.chronology,
        review.stages,
    ),
    "text": (
        sensitive.secrecy,
        sensitive.personal_data,
        wording.wording,
        wording.officials,
        typography.typography,
    ),
    # Before anything renders the body: nesting that would exhaust the renderer's recursion.
    "nesting": (nesting.nesting,),
}

# The rule table, in order: add a rule here (and, if it never reads the clock, to its group
# above instead).
RULES: list[Rule] = [
    # Where the file is and what the front matter names: the registries, the other articles
    # (Context.peers). Cheap, and some read the rest of the newsroom: never memoized.
    placement.file_name,
    placement.folder,
    registry.editor,
    registry.specialist,
    consultation.consultation,
    schedule.lifetime,
    placement.used_files_placed,
    unique.uid,
    unique.url,
    consultation.feedback,
    *MEMOIZED["review"],
    review.future,
    # Not memoized: they read the bytes of the files an article uses, which the article's
    # cache key (its own bytes) does not cover.
    review.approval,
    review.files_present,
    *MEMOIZED["text"],
    *MEMOIZED["nesting"],
    attachments.executable,  # reads the files themselves: never memoized
    links.outside,
    schedule.withdrawal,
    schedule.embargo,
    schedule.expiry,
]
_GROUP_OF = {rule: name for name, rules in MEMOIZED.items() for rule in rules}
# The rules that judge the file itself (its name, its place, its URL), not its front matter:
# the only ones for an entry whose front matter could not be read.
FILE_RULES = (placement.file_name, unique.url)

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


def state_of(findings: Iterable[Finding]) -> State:
    """The state the findings name (an error: invalid), else published."""
    named = {State.INVALID if f.is_error else STATE_OF.get(f.code) for f in findings}
    return next((s for s in PRECEDENCE if s in named), State.PUBLISHED)


def verdict(article: Article, ctx: Context, memos: Memos | None = None) -> Verdict:
    """Decide one article. The only function that says whether something is public.
    `memos`: the clock-free groups' findings known so far (worked out here, and kept, if not)."""
    findings = list(article.findings)
    try:
        findings += _judged(article, ctx, memos)
    except Exception as exc:  # one article's failure keeps it out, never the others
        findings.append(internal_error(article.path, "检查", exc))
    state = state_of(findings)
    # A withdrawn piece keeps a notice at its URL only if it had been fully approved; one
    # withdrawn before approval or before its embargo never appeared, so nothing remains.
    notice = state is State.WITHDRAWN and state_of(
        f for f in findings if f.code != schedule.GATE_WITHDRAWN.code
    ) in (State.PUBLISHED, State.EXPIRED)
    return Verdict(article, state, tuple(findings), notice)


def _judged(article: Article, ctx: Context, memos: Memos | None) -> list[Finding]:
    findings: list[Finding] = []
    done = set()
    for rule in RULES if article.meta is not None else _file_rules():
        group = _GROUP_OF.get(rule)
        if group is None:
            findings.extend(rule(article, ctx))
        elif group not in done:
            findings.extend(_memoized(article, ctx, group, memos))
            done.add(group)
    return findings


def _file_rules() -> list[Rule]:
    return [rule for rule in RULES if rule in FILE_RULES]  # RULES may be replaced (tests)


def _group(article: Article, ctx: Context, group: str) -> tuple[Finding, ...]:
    return tuple(f for rule in MEMOIZED[group] for f in rule(article, ctx))


def _memoized(
    article: Article, ctx: Context, group: str, memos: Memos | None
) -> tuple[Finding, ...]:
    """A group of clock-free rules at once, taken from `memos` when known there under the
    article's source key and the context's key of the group, and kept there if not."""
    if memos is None:
        return _group(article, ctx, group)
    settings = ctx.keys.get(group, b"")
    found = memos.get(article.source_key, group, settings)
    if found is None:
        found = _group(article, ctx, group)
        memos.put(article.source_key, group, settings, found)
    return found


def _missing(article: Article, ctx: Context, memos: Memos) -> bool:
    key = article.source_key
    return any(memos.get(key, g, ctx.keys.get(g, b"")) is None for g in MEMOIZED)


def memo_keys(room: Newsroom) -> dict[str, bytes]:
    """What each memoized group reads besides the article."""
    site = room.site.congress
    people = sorted(room.staff.people.items())
    return {
        "review": fingerprint(
            site.policy.model_dump_json(),
            repr(sorted(site.committees.items())),
            *(f"{i}={p.model_dump_json()}" for i, p in people),
            room.staff.legacy_digest,
        ),
        "text": fingerprint(room.wording.model_dump_json(), site.text.model_dump_json()),
    }


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


def context(room: Newsroom, now: datetime, memos: Memos | None = None) -> Context:
    """What the rules read besides each article of `room`, at `now` (`memos`: where the
    approval signatures' outcomes are kept)."""
    verify = memos.verify if memos is not None else Memos().verify
    return Context(
        now,
        room.site,
        room.staff,
        room.wording,
        keys=memo_keys(room),
        files=room.files,
        oversize=room.oversize,
        peers=peers_of(room),
        verify=verify,
    )


def decide(
    room: Newsroom, now: datetime, *, map: Executor = builtins.map, memos: Memos | None = None
) -> Decision:
    """Judge every article of the newsroom at `now`. `map` runs the clock-free rule groups over
    the articles (the build gives it a second core: generator/build/parallel.py); `memos`
    holds their findings from an earlier run (the build cache's), and learns this run's."""
    memos = Memos() if memos is None else memos
    ctx = context(room, now, memos)
    judging = phase("检查稿件", len(room.articles))
    _work_out_memos(room.articles, ctx, memos, map)  # most of the work, before any verdict
    verdicts = []
    for article in room.articles:
        judging.tick()
        verdicts.append(verdict(article, ctx, memos))
    judging.finish()
    return Decision(now, with_links(verdicts))


def with_links(verdicts: list[Verdict]) -> list[Verdict]:
    """The second pass: each link to another article judged against that article's verdict
    (rules/links.py). A linker an error makes invalid is itself a broken target for the
    articles linking to it, so the pass repeats until no state changes (states only ever
    become invalid: it ends, in two rounds for any ordinary newsroom)."""
    linkers = [
        i
        for i, v in enumerate(verdicts)
        if v.article.meta is not None and v.state.value in links.JUDGED and v.article.refs.pages
    ]
    states = [v.state for v in verdicts]
    added: dict[int, tuple[Finding, ...]] = {}
    changed = bool(linkers)
    while changed:
        by_src, by_url = _targets(verdicts, states)
        changed = False
        for i in linkers:
            added[i] = tuple(links.cross_links(verdicts[i].article, by_src, by_url))
            state = state_of((*verdicts[i].findings, *added[i]))
            changed |= state is not states[i]
            states[i] = state
    return [
        replace(v, findings=v.findings + added[i], state=states[i]) if added.get(i) else v
        for i, v in enumerate(verdicts)
    ]


def _targets(
    verdicts: list[Verdict], states: list[State]
) -> tuple[dict[str, links.Target], dict[str, links.Target]]:
    """Every article as a link target, by docs path and by page URL."""
    by_src: dict[str, links.Target] = {}
    for v, state in zip(verdicts, states, strict=True):
        a, meta = v.article, v.article.meta
        if is_article_name(a.src):
            by_src[a.src] = links.Target(
                a.path,
                meta.title if meta else "",
                state.value,
                state.label,
                v.notice,
                goes_live(meta) if meta else None,
                meta.expires_at if meta else None,
            )
    by_url = {url_of(src): t for src, t in by_src.items()}
    return by_src, by_url


def _work_out_memos(articles: list[Article], ctx: Context, memos: Memos, map: Executor) -> None:
    """The memoized groups of every article whose memo is missing or stale, with `map`; the
    approval signatures they verify come back with them, to be kept (a forked worker's
    memos are its own)."""
    todo = [
        a
        for a in articles
        if a.meta is not None and a.source_key is not None and _missing(a, ctx, memos)
    ]

    if todo:
        memos.preload()

    def work(article: Article) -> tuple[tuple[tuple[Finding, ...], ...], dict[bytes, bool]] | None:
        mark = memos.mark()  # ctx.verify is memos.verify: what it verifies, it notes there
        try:
            found = tuple(_memoized(article, ctx, g, memos) for g in MEMOIZED)
            return found, memos.found_since(mark)
        except Exception:
            return None  # verdict() tries again and reports it for this article alone

    for article, done in zip(todo, map(work, todo), strict=True):
        if done is None:
            continue
        found, learned = done
        for key, ok in learned.items():
            memos.note(key, ok)
        for group, findings in zip(MEMOIZED, found, strict=True):
            settings = ctx.keys.get(group, b"")
            if memos.get(article.source_key, group, settings) is None:  # worked out elsewhere
                memos.put(article.source_key, group, settings, findings)
