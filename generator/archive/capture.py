"""Archiving one publication: every file of the built site as the public server sends it.

A file new or changed since the archive's last capture of its URL is a `response` record; an
unchanged one a `revisit` pointing back to the capture that holds its bytes; a URL that is no
longer served, or an article that is no longer public, a `metadata` record of the removal and
why. A `metadata` record carries the public part of the publication manifest, and one per
article published or changed carries its approvals (who signed which stage, with which key,
over which digest). A publication that changed nothing leaves no file.

Only what the public server sends goes in: the files of the built site, which the gate and the
build's own checks passed, and the manifest's public entries. The manifest's list of articles
that are not public (their paths, and withdrawal reasons that were not published) stays out.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote

from generator.archive.events import approval, public_manifest, removals
from generator.archive.index import Streaming
from generator.archive.records import Writer, payload_digest, timestamp, warc_date
from generator.archive.served import Server
from generator.archive.store import Archive, Capture, State, write_durably
from generator.archive.sync import MANIFEST_URI, add_to_indexes, damage, synced
from generator.build.atomic import exclusive
from generator.build.removal import record_of
from generator.core.clock import china
from generator.core.config import Site
from generator.core.findings import Code, Finding, Severity
from generator.derive.manifest import dumps

ARCHIVE_BEHIND = Code(
    "ARCHIVE-BEHIND",
    Severity.WARNING,
    "本次发布时间 {now} 不晚于网页归档中最近一次发布（{last}）：本次未归档。",
    "网页归档按时间先后记录每次发布；用过去的时间排练的构建不写入归档。",
)
ARCHIVE_MISMATCH = Code(
    "ARCHIVE-MISMATCH",
    Severity.ERROR,
    "发布登记（构建时间 {now}）不是网站输出目录 {site} 中现有网站的登记（{built}）：本次未归档。",
    "网页归档记录 site_dir 中的网站和构建它的那次 congress build 写出的发布登记；"
    "构建到其他目录（--site-dir）或此后又重新构建过的登记不能用于归档。"
    "重新构建 site_dir 后再运行 congress archive record。",
)


class Behind(Exception):
    def __init__(self, now: str, last: str) -> None:
        super().__init__(now)
        self.now, self.last = now, last
        self.finding = ARCHIVE_BEHIND.at("", None, now=now, last=last)


class Mismatch(Exception):
    """The manifest is not the one of the site now in site_dir."""

    def __init__(self, now: str, site: str, built: str) -> None:
        super().__init__(now)
        self.finding = ARCHIVE_MISMATCH.at("", None, now=now, site=site, built=built)


@dataclass(frozen=True)
class Recorded:
    warc: str | None  # relative to the archive; None when the publication changed nothing
    new: int = 0
    changed: int = 0
    same: int = 0
    removed: int = 0
    damaged: tuple[Finding, ...] = ()


def record(site: Site, site_dir: Path, manifest: dict[str, Any], now: datetime) -> Recorded:
    """Archive the publication built into `site_dir` (manifest: what it made public) at
    `now`. Raises Behind for a publication not later than the archive's last."""
    archive = Archive.of(site)
    server = Server.load(site.root / site.congress.server_config)
    base = site.site_url if site.site_url.endswith("/") else site.site_url + "/"
    date = warc_date(now)
    # No build swaps the site while it is read, and only with the manifest it was built with.
    with exclusive(site_dir.resolve()), archive.writing():
        built_with(site_dir, manifest)
        state = synced(archive)
        if state.last is not None and date <= state.last:
            raise Behind(date, state.last)
        files = survey(site_dir, server, base, now)
        docs = site.rel(site.docs_dir) + "/"
        gone = removals(state, {f.url for f in files}, manifest, base, docs)
        unchanged = all(
            (c := state.captures.get(f.url)) is not None and c.digest == f.digest for f in files
        )
        if not gone and unchanged and len(files) == len(state.captures):
            return Recorded(None, same=len(files), damaged=tuple(damage(state)))
        year = str(china(now).year)
        name = f"{year}/{timestamp(now)}.warc.gz"
        target = archive.root / name
        target.parent.mkdir(exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        indexing = Streaming(archive.root, name)
        try:
            with open(tmp, "wb") as out, ThreadPoolExecutor(1) as pool:
                writer = Writer(_Tee(out, indexing), pool)
                done = _write(
                    writer,
                    name,
                    state=state,
                    site=site,
                    files=files,
                    gone=gone,
                    manifest=manifest,
                    now=now,
                    base=base,
                )
                writer.close()
                out.flush()
                os.fsync(out.fileno())
            lines = indexing.finish()
            os.replace(tmp, target)
        except BaseException:
            indexing.cancel()
            tmp.unlink(missing_ok=True)
            raise
        add_to_indexes(archive, [name], lines)
        _commit(archive, state, name, done=done, date=date, manifest=manifest, base=base)
        return Recorded(name, done.new, done.changed, done.same, done.removed, tuple(damage(state)))


class _Tee:
    """The WARC file, and the indexer reading it as it is written."""

    def __init__(self, out: BinaryIO, indexing: Streaming) -> None:
        self._out, self._indexing = out, indexing

    def write(self, data: bytes) -> None:
        self._out.write(data)
        self._indexing.write(data)


def built_with(site_dir: Path, manifest: dict[str, Any]) -> None:
    """Raise Mismatch unless the site in `site_dir` is the one `manifest` describes: the
    record its build left beside it names the same time and the same public articles (a
    manifest of a build elsewhere, or of a build since replaced, describes another site)."""
    try:
        raw = json.loads(record_of(site_dir.resolve()).read_bytes())  # as the build has it
        built = str(raw["now"])
        live = sorted((str(e["uid"]), str(e["url"])) for e in raw["published"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        built, live = "", None
    now = str(manifest.get("now", ""))
    said = sorted((str(e.get("uid")), str(e.get("url", ""))) for e in manifest["published"])
    if built != now or live != said:
        raise Mismatch(now, str(site_dir), f"构建时间 {built}" if built else "没有构建记录")


@dataclass(frozen=True)
class SiteFile:
    url: str
    path: Path
    digest: str
    headers: list[tuple[str, str]]


def survey(site_dir: Path, server: Server, base: str, now: datetime) -> list[SiteFile]:
    """Every file of the site the server sends, with its URL, digest and headers."""
    found = []
    for rel, path in _files(site_dir):
        url = base + quote(rel.removesuffix("index.html") if _is_index(rel) else rel)
        data = _read(path)
        headers = server.served("/" + rel, len(data), now)
        if headers is not None:  # else the server refuses it (a dotfile): nobody sees it
            found.append(SiteFile(url, path, payload_digest(data), headers))
    return found


@dataclass
class _Done:
    new: int = 0
    changed: int = 0
    same: int = 0
    removed: int = 0
    captures: dict[str, Capture] | None = None


def _write(
    w: Writer,
    name: str,
    *,
    state: State,
    site: Site,
    files: list[SiteFile],
    gone: dict[str, dict[str, Any]],
    manifest: dict[str, Any],
    now: datetime,
    base: str,
) -> _Done:
    public = public_manifest(manifest, state, base)
    body = dumps(public)  # the manifest's own layout, by json's C encoder
    footer = site.footer
    info = w.warcinfo(
        name,
        now,
        [
            ("software", f"congress-site {_version()}"),
            ("format", "WARC File Format 1.0 (ISO 28500:2009, GB/T 33994-2017)"),
            ("isPartOf", site.site_name),
            ("description", f"{site.site_name}（{base}）一次发布的网页归档"),
            ("publisher", footer.organizer),
            ("operator", footer.sponsor),
            ("x-site-code", footer.site_code),
            ("x-built-at", str(manifest.get("now", ""))),
            ("x-manifest-digest", payload_digest(body)),
        ],
    )
    w.metadata(MANIFEST_URI, now, body, info)
    done = _Done(captures={})
    assert done.captures is not None
    changed_pages: dict[str, str] = {}
    for f in files:
        before = state.captures.get(f.url)
        if before is not None and before.digest == f.digest:
            w.revisit(
                f.url,
                now,
                headers=f.headers,
                digest=f.digest,
                original=(before.date, before.rid),
                warcinfo=info,
            )
            done.captures[f.url] = before
            done.same += 1
            continue
        data = _read(f.path)
        if payload_digest(data) != f.digest:
            raise OSError(f"{f.path} 在归档过程中被改动")
        rid = w.response(f.url, now, headers=f.headers, body=data, digest=f.digest, warcinfo=info)
        done.captures[f.url] = Capture(f.digest, warc_date(now), rid)
        changed_pages[f.url] = rid
        if before is None:
            done.new += 1
        else:
            done.changed += 1
    for entry in manifest.get("published", []):
        url = base + quote(str(entry.get("url", "")))
        if url in changed_pages:
            w.metadata(
                url,
                now,
                _json({"event": "approved", **approval(entry)}),
                info,
                changed_pages[url],
            )
    for url, removal in gone.items():
        w.metadata(url, now, _json(removal), info)
        done.removed += 1
    return done


def _commit(
    archive: Archive,
    state: State,
    name: str,
    *,
    done: _Done,
    date: str,
    manifest: dict[str, Any],
    base: str,
) -> None:
    assert done.captures is not None
    state.warcs.append(name)
    state.last = date
    state.captures = done.captures
    state.articles = {
        base + quote(str(e.get("url", ""))): str(e.get("uid"))
        for e in manifest.get("published", [])
    }
    write_durably(archive.state_file, state.dumps())


def _files(site_dir: Path) -> Iterator[tuple[str, Path]]:
    """Every regular file of the site, by path; links are never followed nor archived."""

    def walk(folder: str, prefix: str) -> Iterator[tuple[str, Path]]:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
        for e in entries:
            if e.is_dir(follow_symlinks=False):
                yield from walk(e.path, f"{prefix}{e.name}/")
            elif e.is_file(follow_symlinks=False):
                yield f"{prefix}{e.name}", Path(e.path)

    return walk(str(site_dir), "")


def _read(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as f:
        return f.read()


def _is_index(rel: str) -> bool:
    return rel == "index.html" or rel.endswith("/index.html")


def _json(value: dict[str, Any]) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8")


def _version() -> str:
    import importlib.metadata

    try:
        return importlib.metadata.version("congress-site")
    except importlib.metadata.PackageNotFoundError:
        return "0"
