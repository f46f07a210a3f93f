"""Gathering and deciding as a build runs them: the performance machinery around the domain.

`derive.publication.publish` and `gate.decide.decide` are plain: they take an executor for the
gate's clock-free rule groups (`map` by default) and stores for parses and memos (none by
default). A build gives them the two-core executor (parallel.py), the build cache
(cache.py) and, around loading and deciding only, the paused collector (heap.py): the newsroom
is made with it paused and, in a one-shot command, frozen afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from generator.build.cache import Cache
from generator.build.heap import settling
from generator.build.parallel import map_on_two_cores
from generator.core.config import Site
from generator.core.staff import Staff
from generator.derive.publication import Publication, publication
from generator.gate.decide import Decision, decide
from generator.load.newsroom import Newsroom, load_newsroom


def publish(
    site: Site,
    now: datetime,
    *,
    staff: Staff,
    files: Iterable[Path] | None = None,
    preview: bool = False,
    cache: Cache | None = None,
) -> Publication:
    """Gather and decide, then plan the pages. `serve` rebuilds in one process (`preview`):
    its heap is never frozen."""
    with settling(freeze=not preview):
        room = load_newsroom(site, files, staff, cache)
        decision = _decide(room, now, cache)
    return publication(site, staff, room, decision, preview=preview)


def judge(site: Site, staff: Staff, now: datetime, cache: Cache | None = None) -> Decision:
    """Every article of the site judged at `now`, for a one-shot command (`congress check`)."""
    with settling(freeze=True):
        return _decide(load_newsroom(site, staff=staff, cache=cache), now, cache)


def newsroom(site: Site, staff: Staff | None = None) -> Newsroom:
    """The newsroom alone, loaded with the collector paused (not frozen)."""
    with settling(freeze=False):
        return load_newsroom(site, staff=staff)


def _decide(room: Newsroom, now: datetime, cache: Cache | None) -> Decision:
    memos = cache.memos if cache is not None else None
    return decide(room, now, map=map_on_two_cores, memos=memos)
