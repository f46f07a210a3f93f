"""Running mkdocs for the `congress` command: a production build and the preview server."""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import sqlite3
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import ClassVar

import click
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config

from generator.build.atomic import discarding, exclusive, replace_dir, spare_of
from generator.build.cache import PageRecord, open_cache
from generator.build.filelist import Listing
from generator.build.removal import check_removal, read_live, record_of, write_record
from generator.build.verify import verify
from generator.derive.publication import Publication
from generator.mkdocs_plugin import NOW_ENV, CongressPlugin
from generator.mkdocs_plugin.serving import url_host


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time (test runners swap it)."""

    @property
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass


class _Chinese(logging.Formatter):
    LEVELS: ClassVar[dict[str, str]] = {
        "WARNING": "警告",
        "ERROR": "错误",
        "CRITICAL": "错误",
        "INFO": "信息",
        "DEBUG": "调试",
    }

    def format(self, record: logging.LogRecord) -> str:
        return (
            f"mkdocs {self.LEVELS.get(record.levelname, record.levelname)}：{record.getMessage()}"
        )


class _NotDirty(logging.Filter):
    """`congress build` runs mkdocs in `dirty` mode into an empty folder (reuse.py): mkdocs'
    warning about stale pages does not apply, and must not fail a build in strict mode."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")


def quiet_mkdocs(level: int = logging.WARNING) -> None:
    """Show the engine's own warnings and errors on stderr, once, without its INFO chatter.
    ProperDocs logs under "properdocs.*"; the adapter and themes still log under "mkdocs.*"."""
    for root in ("mkdocs", "properdocs"):
        builder = logging.getLogger(f"{root}.commands.build")
        if not any(isinstance(f, _NotDirty) for f in builder.filters):
            builder.addFilter(_NotDirty())
        logger = logging.getLogger(root)
        if not any(getattr(h, "_congress", False) for h in logger.handlers):
            handler = _Stderr()
            handler.setFormatter(_Chinese())
            handler._congress = True  # type: ignore[attr-defined]
            logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False


def _plugin(config: object) -> CongressPlugin:
    plugin = config.plugins.get("congress")  # type: ignore[attr-defined]
    if not isinstance(plugin, CongressPlugin):
        raise RuntimeError("mkdocs.yml 的 plugins 中没有启用 congress 插件")
    return plugin


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
    strict: bool = False,
    cache: bool = True,
    live: Sequence[Mapping[str, str]] = (),
    allow_removal: bool = False,
) -> Publication:
    """Build the public site into a staging folder beside `target`, check it, and only then
    swap it in; a failure or a kill at any point leaves the previous site as it was.

    With the build cache (`cache`), the replaced site is kept as the spare, and the next build
    updates the spare in place, rendering only what changed (reuse.py), instead of starting
    from an empty folder; the result is checked the same way.

    Unless `allow_removal`, a build that would take down too many of the articles live in
    `target` (removal.py), or in any of `live` (uid → URL), raises MassRemoval instead.
    """
    quiet_mkdocs()
    target = target.resolve()
    with exclusive(target):
        if not allow_removal:
            here = read_live(record_of(target)) if target.is_dir() else None
            live = [*live, *([here] if here is not None else [])]
        else:
            live = []
        pub = _build_site(config_file, target, now, strict=strict, cache=cache, before=live)
        write_record(target, pub)
        return pub


def _build_site(
    config_file: str,
    target: Path,
    now: datetime,
    *,
    strict: bool,
    cache: bool,
    before: Sequence[Mapping[str, str]],
) -> Publication:
    store = open_cache(Path(config_file).resolve().parent) if cache else None
    live, spare = f"{target}:live", f"{target}:spare"
    spare_dir = spare_of(target)
    trusted = store is not None and store.trusts(spare, spare_dir)
    records: tuple[dict[str, PageRecord], dict[str, bytes]] = ({}, {})
    try:
        if store is not None:
            if trusted:
                records = (store.pages(spare), store.shards(spare))
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
            config = load_config(config_file, site_dir=str(staging))
            plugin = _plugin(config)
            if trusted:  # listed on another core while this one reads the articles
                plugin.listing = Listing(staging, "pagefind")
            plugin.now_override = now
            plugin.report = False
            plugin.cache = store
            plugin.records = records
            config.plugins.on_startup(command="build", dirty=False)
            try:
                # `dirty`: mkdocs skips the pages marked unmodified.
                mkdocs_build(config, dirty=store is not None)
            finally:
                config.plugins.on_shutdown()
            pub = plugin.publication
            assert pub is not None
            problems = verify(staging, pub)
            if strict:
                problems += [f"{f.location()} {f.message}" for f in pub.findings() if f.is_error]
            if problems:
                raise Unverified(problems)
            for live_set in before:
                check_removal(live_set, pub, pub.site.congress.max_removal_share)
        if store is not None and plugin.reuse is not None:
            # The new site is live by now: a cache that cannot record it costs the next
            # build its head start, nothing else.
            reuse = plugin.reuse
            try:
                reuse.save_html()
                store.rotate(live, spare, target, reuse.records_of(target), reuse.shard_keys)
            except (sqlite3.Error, OSError) as exc:
                store.failed(exc)
        return pub
    finally:
        if store is not None:
            store.close()


class RemotePreview(Exception):
    """The preview would listen beyond this machine: it shows drafts, so only when asked."""

    def __init__(self, address: str) -> None:
        super().__init__(address)
        self.address = address


def preview_address(config_file: str, dev_addr: str | None) -> tuple[str, bool]:
    """The address `serve` will listen on (the option, else mkdocs.yml's `dev_addr`, else
    mkdocs' default) and whether it is reachable only from this machine."""
    config = load_config(config_file, dev_addr=dev_addr)
    host, port = config.dev_addr.host, config.dev_addr.port
    if not 0 < port < 65536:  # mkdocs lets 99999 through; pages' URLs would be invalid
        raise click.BadParameter(f"端口 {port} 无效（1–65535）")
    return f"{url_host(host)}:{port}", _loopback_only(host)


def _loopback_only(host: str) -> bool:
    """True when every address the host name stands for is a loopback address."""
    name = host.strip("[]")
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(name, None)
    except OSError:
        return False  # an unknown name: refuse rather than guess
    return bool(found) and all(ipaddress.ip_address(a[4][0]).is_loopback for a in found)


def serve_site(
    config_file: str, now: str | None, dev_addr: str | None, *, allow_remote: bool = False
) -> None:
    """Preview with live reload: unpublished articles shown with a banner and their checklist.
    Listens on loopback only unless `allow_remote`: the preview shows unapproved drafts."""
    from generator.mkdocs_plugin.serving import serve

    address, local = preview_address(config_file, dev_addr)
    if not local and not allow_remote:
        raise RemotePreview(address)
    quiet_mkdocs(logging.INFO)
    if now:
        os.environ[NOW_ENV] = now  # the server reloads config on every rebuild
    serve(config_file, dev_addr, remote=not local)
