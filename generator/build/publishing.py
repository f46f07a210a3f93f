"""Gathering and deciding as a build runs them: the performance machinery around the domain.

`derive.publication.prepare` and `gate.decide.decide` are plain: they take an executor for the
gate's clock-free rule groups (`map` by default) and stores for parses and memos (none by
default). A command gives them what its `Runtime` chose (runtime.py): the two-core executor
(parallel.py), and around loading and deciding only, the paused collector (heap.py), the heap
frozen afterwards in a one-shot command; and the build cache (cache.py) when it has one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from generator.build.cache import Cache
from generator.build.heap import settling
from generator.build.runtime import Runtime
from generator.core.config import Site
from generator.core.staff import Staff
from generator.derive.publication import Publication, publication
from generator.gate.decide import Decision, decide
from generator.load.newsroom import Newsroom, load_newsroom


def prepare(
    site: Site,
    now: datetime,
    *,
    staff: Staff,
    runtime: Runtime,
    files: Iterable[Path] | None = None,
    preview: bool = False,
    cache: Cache | None = None,
) -> Publication:
    """Gather and decide, then plan the pages; nothing is written."""
    with runtime.settling():
        room = load_newsroom(site, files, staff, cache)
        decision = _decide(room, now, cache, runtime)
    return publication(site, staff, room, decision, preview=preview)


def judge(
    site: Site, staff: Staff, now: datetime, *, runtime: Runtime, cache: Cache | None = None
) -> Decision:
    """Every article of the site judged at `now` (`congress check`)."""
    with runtime.settling():
        return _decide(load_newsroom(site, staff=staff, cache=cache), now, cache, runtime)


def newsroom(site: Site, staff: Staff | None = None) -> Newsroom:
    """The newsroom alone, loaded with the collector paused (not frozen)."""
    with settling(freeze=False):
        return load_newsroom(site, staff=staff)


def _decide(room: Newsroom, now: datetime, cache: Cache | None, runtime: Runtime) -> Decision:
    memos = cache.memos if cache is not None else None
    return decide(room, now, map=runtime.map, memos=memos)
