"""mkdocs reads docs_dir through the core's own walk, which follows no link.

Why this module reaches into mkdocs and watchdog: mkdocs 1.6 lists docs_dir with
`os.walk(..., followlinks=True)` in `mkdocs.structure.files.get_files`, which
`mkdocs.commands.build.build` calls by its module-level name *before* any plugin event that
could change the list (`on_files` comes after): a link to `/` never finishes, a link to a
file outside the repository is copied. No event supplies the file list, so `install()`
replaces that one name in `mkdocs.commands.build`, for sites that use this plugin only, by
a list made from `generator.contentfiles.scan` (regular files, no link followed). The preview
server's watcher (watchdog's polling snapshot) follows links with `os.stat` as well:
`watch_without_links` has it `lstat` instead. Both seams are guarded by
tests/redteam/test_files.py (`test_mkdocs_seams_are_where_we_expect`).
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mkdocs.commands.build
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, set_exclusions
from watchdog.observers.polling import PollingEmitter

from generator.load.contentfiles import scan

log = logging.getLogger("mkdocs.plugins.congress")

_MARK = "_congress_walk"


def install(uses_plugin: Callable[[MkDocsConfig], bool]) -> None:
    """Make mkdocs list docs_dir with `content_files` for configs where `uses_plugin`."""
    current = getattr(mkdocs.commands.build, "get_files")  # noqa: B009 (not re-exported)
    if getattr(current, _MARK, False):
        return
    original = current

    @functools.wraps(original)
    def get_files(config: MkDocsConfig) -> Files:
        return content_files(config) if uses_plugin(config) else original(config)

    setattr(get_files, _MARK, True)
    setattr(mkdocs.commands.build, "get_files", get_files)  # noqa: B010 (as above)


def _order(src: str) -> tuple[tuple[int, str], ...]:
    """mkdocs' order (os.walk top-down, sorted): a folder's files, index/README first, before
    its subfolders."""
    *folders, name = src.split("/")
    stem = os.path.splitext(name)[0]
    last = (0, ("0" if stem in ("index", "README") else "1") + name)
    return (*((1, f) for f in folders), last)


def content_files(config: MkDocsConfig) -> Files:
    """What `mkdocs.structure.files.get_files` returns, made from the core's walk."""
    docs = config["docs_dir"]
    files: list[File] = []
    conflicting: list[tuple[File, File]] = []
    by_dest: dict[str, File] = {}
    for src in sorted(scan(Path(docs)).files, key=_order):
        file = File(src, docs, config["site_dir"], config["use_directory_urls"])
        first = by_dest.setdefault(file.dest_uri, file)
        if first is not file:  # README.md beside index.md: as mkdocs does, index wins
            conflicting.append((first, file))
        files.append(file)
    set_exclusions(files, config)
    for a, b in conflicting:
        loser = a if b.inclusion.is_included() else b  # type: ignore[no-untyped-call]
        if loser in files:
            files.remove(loser)
    return Files(files)


def watch_without_links(server: Any, docs_dir: str) -> None:
    """Have the preview server watch docs_dir without following links (watchdog's polling
    snapshot stats with `os.stat` and walks into a linked `/`)."""
    server.unwatch(docs_dir)
    # watchdog has no public way to give PollingObserver a stat function after creation.
    server.observer._emitter_class = functools.partial(PollingEmitter, stat=os.lstat)
    server.watch(docs_dir)
