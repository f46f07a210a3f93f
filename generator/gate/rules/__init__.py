"""Gate rules: each is a function `(article, ctx) -> Iterable[Finding]`, tested alone.

The table that lists them is `generator.gate.decide.RULES`. A rule module also names, in
`STATE_CODES`, the info findings that put an article in a state other than published.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from generator.core.config import Site
from generator.core.findings import Finding
from generator.core.model import Signature
from generator.core.policy import STAGES, Policy
from generator.core.schemes import verify_approval
from generator.core.staff import Staff
from generator.gate.peers import Peers
from generator.load.article import Article

if TYPE_CHECKING:
    from generator.core.wording import Wording


@dataclass(frozen=True)
class Context:
    """What rules may look at besides the article: the clock, the registries, the policy,
    the files the articles use and what the rest of the newsroom holds."""

    now: datetime
    site: Site
    staff: Staff
    wording: Wording
    # Per memoized group of rules (gate.MEMOIZED): a digest of the settings they read.
    keys: Mapping[str, bytes] = field(default_factory=dict)
    # sha256 of every file the newsroom's articles use, by docs path (None: missing); None
    # when judging text alone (in memory), so that no file is consulted.
    files: Mapping[str, str | None] | None = None
    # Size of every used file over the configured limit (never hashed: ASSET-TOO-LARGE).
    oversize: Mapping[str, int] = field(default_factory=dict)
    # The rest of the newsroom, for the rules that compare an article with it (gate/peers.py);
    # None when judging text alone.
    peers: Peers | None = None
    # Whether an approval signature (scheme, data) signs a statement: verified in place, or
    # looked up among earlier results first (gate/memos.py, the build cache's).
    verify: Callable[[str, str, bytes], bool] = verify_approval

    @property
    def policy(self) -> Policy:
        return self.site.congress.policy


Rule = Callable[[Article, Context], Iterable[Finding]]
Loc = tuple[str | int, ...]


def round_of(stage: str, loc: Loc) -> int | None:
    """The proofreading round (from 0) a signature's key path names (`signatures`); None for
    the other stages."""
    if stage != "proofread":
        return None
    index = loc[2]
    assert isinstance(index, int)
    return index


def signatures(article: Article) -> Iterator[tuple[str, Loc, Signature]]:
    """Every signature of the review block: (stage, its key path, the signature)."""
    assert article.meta is not None
    review = article.meta.review
    for stage in STAGES:
        if stage == "proofread":
            for i, sig in enumerate(review.proofread):
                yield stage, ("review", "proofread", i), sig
        else:
            sig = getattr(review, stage)
            if sig is not None:
                yield stage, ("review", stage), sig
