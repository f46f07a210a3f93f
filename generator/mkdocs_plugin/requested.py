"""The request of the `congress` command (generator/build/request.py), handed to the plugin.

mkdocs makes the plugin itself, from mkdocs.yml, and keeps that one object for the whole
process (it has `on_startup`), so the command cannot give it anything; instead the command
hands its request over here for the time of a rendering, or of the whole preview, and the
plugin takes it at the start of every build (`on_config`). Plain `mkdocs build`/`serve` hand
nothing: the plugin then makes its own request from mkdocs' command and the environment.

Not a context variable: `serve` rebuilds in the live-reload server's own thread.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError

from generator.build.request import BuildRequest
from generator.build.runtime import LONG_RUNNING, ONE_SHOT
from generator.core import clock

NOW_ENV = "CONGRESS_NOW"

_HANDED: list[BuildRequest] = []


@contextmanager
def handing(request: BuildRequest) -> Iterator[None]:
    """Hand `request` to the plugin while the body runs."""
    _HANDED.append(request)
    try:
        yield
    finally:
        _HANDED.pop()


def handed() -> BuildRequest | None:
    """The request handed over, if a `congress` command is rendering."""
    return _HANDED[-1] if _HANDED else None


def taken(config: MkDocsConfig, *, serving: bool) -> BuildRequest:
    """The request handed over or, under plain mkdocs, the plugin's own: a preview under
    `mkdocs serve`, judged at CONGRESS_NOW if set."""
    return handed() or BuildRequest(
        config.config_file_path or "mkdocs.yml",
        Path(config.site_dir),
        preview=serving,
        runtime=LONG_RUNNING if serving else ONE_SHOT,
    )


def moment(request: BuildRequest) -> datetime:
    """The moment this rendering judges against."""
    if request.now is not None:  # `congress build`, `congress serve --now`: parsed already
        return clock.now(request.now)
    env = os.environ.get(NOW_ENV)  # plain mkdocs' `--now` (README); `congress serve` without one
    try:
        return clock.now(env or None)
    except clock.TimeParseError as exc:
        raise PluginError(
            f"环境变量 {NOW_ENV} 不是有效的时间：{env}（应写成 2026-11-28T09:30:00+08:00）"
        ) from exc
