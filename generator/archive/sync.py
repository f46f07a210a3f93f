"""Keeping what is derived from the WARC files (the indexes, the state) in step with them.

When state.json is missing, unreadable, or lists other WARC files than the folder holds (a
write interrupted after its WARC was in place, a WARC restored from the archive storage), the
state and both indexes are rebuilt from every WARC file, oldest first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from warcio.archiveiterator import ArchiveIterator

from generator.archive.index import index_lines, merged, write_index
from generator.archive.records import record_id, truncation
from generator.archive.store import Archive, Capture, State, write_durably
from generator.core.findings import Code, Finding, Severity

MANIFEST_URI = "urn:x-congress-site:publication-manifest"
MAX_METADATA = 256 * 1024 * 1024  # a manifest of a very large site; anything more is damage


ARCHIVE_DAMAGED = Code(
    "ARCHIVE-DAMAGED",
    Severity.WARNING,
    "网页归档文件 {file} 无法完整读取，未纳入索引：{problem}",
    "运行 congress archive verify 查看详情；从归档存储取回该文件的完好副本后运行 "
    "congress archive reindex。",
)


ARCHIVE_READONLY = Code(
    "ARCHIVE-READONLY",
    Severity.WARNING,
    "网页归档 {path} 无法写入（{problem}），其索引与归档文件不一致而未能更新：结果可能不全。",
    "由有写权限的用户（或在磁盘有空间时）运行一次 congress archive reindex，或在可写的副本上查看。",
)
ARCHIVE_INDEX_FOREIGN = Code(
    "ARCHIVE-INDEX-FOREIGN",
    Severity.ERROR,
    "索引 {path} 指向网页归档以外的文件 {file}。",
    "索引只能指向归档中的 WARC 文件：运行 congress archive reindex 由归档文件重建索引。",
)


def synced(archive: Archive) -> State:
    """The archive's state, rebuilt (with its indexes) if it does not match its WARC files."""
    warcs = archive.warcs()
    state = _current(archive, warcs)
    if state is not None:
        return state
    state = rebuilt(archive, warcs)
    reindex(archive, [w for w in warcs if w not in state.damaged])
    if warcs:
        write_durably(archive.state_file, state.dumps())
    return state


def _current(archive: Archive, warcs: list[str]) -> State | None:
    """The state file's state if it is that of these WARC files: the same files, an index,
    every capture the response its record id names (ids derive from what a record is), and
    no publication later than the newest file."""
    state = State.loads(archive.state_file.read_bytes()) if archive.state_file.is_file() else None
    if state is None or state.warcs != warcs or archive.index.is_file() != bool(warcs):
        return None
    newest = warcs[-1].rsplit("/", 1)[-1].split(".", 1)[0] if warcs else ""
    if state.last is not None and re.sub(r"\D", "", state.last) > newest:
        return None
    if not all(_ours(url, c) for url, c in state.captures.items()):
        return None
    return state


def _ours(url: str, c: Capture) -> bool:
    """Whether `c` names the response record this archive writes for `url` at its date with
    its payload (record ids are derived from just that: records.py)."""
    return c.rid == record_id("response", url, c.date, c.digest)


def refreshed(archive: Archive) -> list[Finding]:
    """Bring the indexes and the state up to date for reading (the findings of damaged
    files); an archive this process cannot write (a copy, the storage mounted read-only, a
    full disk) is read as it is, with a warning when its index is behind its WARC files."""
    try:
        with archive.writing():
            return damage(synced(archive))
    except OSError as exc:  # no permission, a read-only file system, a full disk
        problem = exc.strerror or str(exc)
    warcs = archive.warcs()
    state = _current(archive, warcs)
    if state is None:
        path = str(archive.root)
        return [ARCHIVE_READONLY.at(path, None, path=path, problem=problem)] if warcs else []
    return damage(state)


def foreign(archive: Archive) -> str | None:
    """The first file the capture index names that is not a WARC file of the archive (what
    pywb would open wherever it is), or None."""
    known = set(archive.warcs())
    if not archive.index.is_file():
        return None
    with open(archive.index, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = _FILENAME.search(line)
            name = _unquoted(m.group(1)) if m else None
            if name not in known:
                return name or line[:80].strip()
    return None


_FILENAME = re.compile(r'"filename": ("(?:[^"\\]|\\.)*")')


def _unquoted(text: str) -> str | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def damage(state: State) -> list[Finding]:
    return [
        ARCHIVE_DAMAGED.at(name, None, file=name, problem=why)
        for name, why in state.damaged.items()
    ]


def reindex(archive: Archive, warcs: list[str]) -> None:
    lines = index_lines(archive.root, warcs)
    for path, new in zip((archive.index, archive.metadata_index), lines, strict=True):
        if warcs:
            write_index(path, new)
        else:
            path.unlink(missing_ok=True)


def add_to_indexes(
    archive: Archive, warcs: Iterable[str], lines: tuple[list[str], list[str]] | None = None
) -> None:
    """Merge the lines of new WARC files into the indexes (`lines`: already made by
    cdxj-indexer as the file was written; else it reads the files now)."""
    if lines is None:
        lines = index_lines(archive.root, list(warcs))
    for path, new in zip((archive.index, archive.metadata_index), lines, strict=True):
        write_index(path, merged(path, new))


Op = tuple[str, str, Any]


def rebuilt(archive: Archive, warcs: list[str]) -> State:
    """The state the WARC files say, oldest first; a WARC file that cannot be read whole is
    left out (and named in `damaged`) rather than half applied."""
    state = State(warcs=list(warcs))
    for name in warcs:
        try:
            ops = _read_ops(archive, name)
        except Exception as exc:  # any damage: truncated gzip, bad headers, no WARC at all
            state.damaged[name] = f"{type(exc).__name__}: {exc}"[:200]
            continue
        for kind, url, value in ops:
            if kind in ("capture", "revisit") and not _ours(url, value):
                # Not a response this archive wrote (a record id of another tool, a
                # revisit's reference changed): the URL's next capture is a response again.
                state.captures.pop(url, None)
            elif kind == "last":
                state.last = value
            elif kind == "capture":
                state.captures[url] = value
            elif kind == "revisit":
                state.captures.setdefault(url, value)
            elif kind == "articles":
                state.articles = value
            elif kind == "gone":
                state.captures.pop(url, None)
    return state


def _read_ops(archive: Archive, name: str) -> list[Op]:
    ops: list[Op] = []
    with open(archive.root / name, "rb") as f:
        cut = truncation(f)
        if cut is not None:
            raise ValueError(cut)
        f.seek(0)
        # Every block and payload digest checked as it is read: a truncated record fails.
        for rec in ArchiveIterator(f, check_digests="raise"):
            h = rec.rec_headers
            url = h.get_header("WARC-Target-URI") or ""
            date = h.get_header("WARC-Date") or ""
            digest = h.get_header("WARC-Payload-Digest") or ""
            if rec.rec_type == "warcinfo":
                ops.append(("last", "", date))
            elif rec.rec_type == "response":
                ops.append(("capture", url, Capture(digest, date, h.get_header("WARC-Record-ID"))))
            elif rec.rec_type == "revisit":
                original = Capture(
                    digest,
                    h.get_header("WARC-Refers-To-Date") or "",
                    h.get_header("WARC-Refers-To") or "",
                )
                ops.append(("revisit", url, original))
            elif rec.rec_type == "metadata":
                ops += _metadata(url, rec.content_stream().read(MAX_METADATA + 1))
            else:
                rec.content_stream().read()
    if not ops or ops[0][0] != "last":
        raise ValueError("没有 warcinfo 记录")
    return ops


def _metadata(url: str, body: bytes) -> list[Op]:
    if len(body) > MAX_METADATA:
        raise ValueError("元数据记录过大")
    data = json.loads(body)
    if not isinstance(data, dict):
        return []
    if url == MANIFEST_URI:
        base = str(data.get("site_url") or "")
        base = base if base.endswith("/") else base + "/"
        articles = {
            base + quote(str(e.get("url", ""))): str(e.get("uid"))
            for e in data.get("published", [])
            if isinstance(e, dict)
        }
        return [("articles", "", articles)]
    if data.get("event") == "removed" and data.get("gone"):
        return [("gone", url, None)]
    return []
