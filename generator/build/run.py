"""`congress build`, whatever renders the pages: one build of a site at a time, into a staging
folder beside it, checked, and only then swapped in; a failure or a kill at any point leaves
the previous site as it was. The renderer is the one function passed in (request.py).

With the build cache, the replaced site is kept as the spare, and the next build updates the
spare in place, rendering only what changed (generator/mkdocs_plugin/reuse.py), instead of
starting from an empty folder; the result is checked the same way.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from generator.build.atomic import discarding, exclusive, replace_dir, spare_of
from generator.build.cache import open_cache
from generator.build.filelist import FileInventory
from generator.build.removal import check_removal, read_live, record_of, write_record
from generator.build.request import BuildRequest, Held, Renderer
from generator.build.runtime import ONE_SHOT, Runtime
from generator.build.verify import verify
from generator.derive.publication import Publication


class Unverified(Exception):
    """The built site failed its checks: it does not replace the public one."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


def build_site(
    config_file: str,
    target: Path,
    now: datetime,
    *,
    render: Renderer,
    strict: bool = False,
    cache: bool = True,
    live: Sequence[Mapping[str, str]] = (),
    allow_removal: bool = False,
    runtime: Runtime = ONE_SHOT,
) -> Publication:
    """Build the public site into `target` with `render`, atomically.

    With `strict`, an error finding of any article fails the build. Unless `allow_removal`, a
    build that would take down too many of the articles live in `target` (removal.py), or in
    any of `live` (uid → URL), raises MassRemoval instead.
    """
    target = target.resolve()
    with exclusive(target):
        if not allow_removal:
            here = read_live(record_of(target)) if target.is_dir() else None
            live = [*live, *([here] if here is not None else [])]
        else:
            live = []
        request = BuildRequest(config_file, target, now, report=False, runtime=runtime)
        pub = _build(request, render, strict=strict, cache=cache, before=live)
        write_record(target, pub)
        return pub


def _build(
    asked: BuildRequest,
    render: Renderer,
    *,
    strict: bool,
    cache: bool,
    before: Sequence[Mapping[str, str]],
) -> Publication:
    target = asked.site_dir
    store = open_cache(Path(asked.config_file).resolve().parent) if cache else None
    live, spare = f"{target}:live", f"{target}:spare"
    spare_dir = spare_of(target)
    trusted = store is not None and store.trusts(spare, spare_dir)
    held = Held()
    try:
        if store is not None:
            if trusted:
                held = Held(store.pages(spare), store.shards(spare))
            store.forget(spare)  # it is about to change: no records until it is whole again
        # A spare of unknown content is of no use: it goes, on another core, while we build.
        unknown = store is not None and not trusted
        with (
            discarding(spare_dir if unknown else None),
            replace_dir(
                target,
                reuse=spare_dir if trusted else None,
                keep_old=spare_dir if store is not None else None,
            ) as staging,
        ):
            # Listed on another core while this one reads the articles.
            inventory = FileInventory(staging, "pagefind") if trusted else None
            request = replace(asked, site_dir=staging, cache=store, held=held, inventory=inventory)
            try:
                rendering = render(request)
            except BaseException:
                if inventory is not None:
                    inventory.cancel()
                raise
            pub = rendering.publication
            problems = verify(staging, pub)
            if strict:
                problems += [f"{f.location()} {f.message}" for f in pub.findings() if f.is_error]
            if problems:
                raise Unverified(problems)
            for live_set in before:
                check_removal(live_set, pub, pub.site.congress.max_removal_share)
        if store is not None and rendering.kept is not None:
            # The new site is live by now: a cache that cannot record it costs the next
            # build its head start, nothing else.
            kept = rendering.kept
            try:
                kept.save_html()
                store.rotate(live, spare, target, kept.records_of(target), kept.shard_keys)
            except (sqlite3.Error, OSError) as exc:
                store.failed(exc)
        return pub
    finally:
        if store is not None:
            store.close()
