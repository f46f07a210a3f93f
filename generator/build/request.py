"""What a rendering is asked to make, and what it gives back: the seam between the build
(run.py: lock, staging, checks, swap, cache) and the renderer (the mkdocs adapter today).

The renderer is one function, `render(request) -> Rendering`. A request is made by the
`congress` command or the build, never changed afterwards, and holds everything a rendering
needs besides the site's configuration file; nothing is set on the renderer from outside.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from generator.build.cache import Cache, PageRecord
from generator.build.filelist import FileInventory
from generator.build.runtime import ONE_SHOT, Runtime
from generator.derive.publication import Publication


@dataclass(frozen=True)
class Held:
    """What the output folder already holds, as the build cache recorded it (the spare site,
    updated in place: generator/mkdocs_plugin/reuse.py); empty for a new folder."""

    pages: dict[str, PageRecord] = field(default_factory=dict)  # dest → page record
    shards: dict[str, bytes] = field(default_factory=dict)  # search bundle → key


@dataclass(frozen=True)
class BuildRequest:
    config_file: str  # the site's configuration (mkdocs.yml)
    site_dir: Path  # where the site is written (for `congress build`, a staging folder)
    # The moment the gate judges against; None: each rendering's own (a preview rebuilds on
    # every change), which is CONGRESS_NOW if set, else the clock.
    now: datetime | None = None
    preview: bool = False  # unapproved articles shown, with their banner and checklist
    report: bool = True  # log error findings (plain mkdocs); `congress build` prints them itself
    runtime: Runtime = ONE_SHOT
    cache: Cache | None = None  # the build cache, open for this build
    held: Held = Held()
    inventory: FileInventory | None = None  # what site_dir held, listed on another core meanwhile


class Kept(Protocol):
    """What a renderer that used the cache leaves to record, once its site is live, for the
    build after next to update in place."""

    shard_keys: dict[str, bytes]

    def save_html(self) -> None: ...

    def records_of(self, site_dir: Path) -> dict[str, PageRecord]: ...


@dataclass(frozen=True)
class Rendering:
    publication: Publication  # what the site shows, as the gate decided
    kept: Kept | None = None  # None without the cache


Renderer = Callable[[BuildRequest], Rendering]
