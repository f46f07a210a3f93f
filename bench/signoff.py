"""Approving articles in bulk, without `congress review`: for the benchmark corpus and the
tests' fixtures, which need many approved articles. People sign one stage at a time with
`congress review`, which checks each signature; this only writes them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from generator.commands.signing import signed_review, statement_of
from generator.core import demo
from generator.core.model import FrontMatter, Review
from generator.core.policy import Policy, requirements
from generator.core.schemes import APPROVAL, sign_with_key
from generator.load.article import Article


def sign_through(
    article: Article,
    signers: dict[str, list[str]],
    start: datetime,
    policy: Policy,
    *,
    skip: tuple[str, ...] = (),
    files: Mapping[str, str | None] | None = None,
) -> Review:
    """Every stage the policy requires, signed in order from `start` by `signers[stage]`
    (ten minutes apart per stage, a minute per proofreading round), through the real
    signature writer and digest (`files`: the hashes a final sign-off binds), each signed
    with the signer's demo key (core/demo.py)."""
    meta = article.meta
    assert meta is not None
    for n, req in enumerate(requirements(policy, meta)):
        if req.stage in skip:
            continue
        for i, by in enumerate(signers[req.stage]):
            at = start + timedelta(minutes=10 * n + i)
            message = statement_of(article, req.stage, by, at, files)
            sig = sign_with_key(demo.private_key(by), message, APPROVAL)
            review = signed_review(article, req.stage, by, at, files=files, sig=sig)
            meta = FrontMatter.model_validate({**meta.model_dump(), "review": review.model_dump()})
            article = replace(article, meta=meta)
    return meta.review
