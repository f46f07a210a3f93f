"""What the rules see of the rest of the newsroom, worked out once per decision.

A rule judges one article (`rules.Rule`); the few that compare it with the others (a uid or a
URL held twice, `feedback_for` naming another article, a used file at a generated place) read
this summary from `Context.peers`, which `decide` builds from the newsroom. Judging text alone
(in memory) there is none, and those rules say nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from generator.load.article import Article
from generator.load.assets import approval_digest
from generator.load.contentfiles import is_article_name
from generator.load.newsroom import Newsroom


@dataclass(frozen=True)
class Peers:
    # Each uid several articles hold → (path, approved) of each, in the newsroom's order;
    # approved: its final sign-off matches its text and files as they are now.
    uids: Mapping[str, tuple[tuple[str, bool], ...]]
    # Each page URL (case-folded) several files give → their paths, in order.
    urls: Mapping[str, tuple[str, ...]]
    # uid → kind of the article holding it (of the last one, if several do).
    kinds: Mapping[str, str]
    # Docs paths of the entries that stand for a file not read as an article (Newsroom.unread).
    unread: frozenset[str]
    # Docs paths of the non-article files at places the build writes (Newsroom.reserved).
    reserved: frozenset[str]


def peers_of(room: Newsroom) -> Peers:
    by_uid: dict[str, list[Article]] = defaultdict(list)
    by_url: dict[str, list[str]] = defaultdict(list)
    for a in room.articles:
        if a.meta:
            by_uid[a.uid].append(a)
        if is_article_name(a.src):  # not a refused link or special file: a page
            by_url[a.url.lower()].append(a.path)  # case-folded: hosts may be case-insensitive
    return Peers(
        uids={
            uid: tuple((a.path, _approved(a, room.files)) for a in group)
            for uid, group in by_uid.items()
            if len(group) > 1
        },
        urls={url: tuple(paths) for url, paths in by_url.items() if len(paths) > 1},
        kinds={a.uid: a.meta.kind for a in room.articles if a.meta},
        unread=frozenset(room.unread),
        reserved=frozenset(room.reserved),
    )


def _approved(article: Article, files: Mapping[str, str | None]) -> bool:
    """Whether the article's final sign-off matches its text and files as they are now (the
    gate's GATE-DIGEST comparison)."""
    final = article.meta.review.final if article.meta is not None else None
    return final is not None and final.digest == approval_digest(article, files)
