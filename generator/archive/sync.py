"""Keeping what is derived from the WARC files (the indexes, the state) in step with them.

When state.json is missing, unreadable, or lists other WARC files than the folder holds (a
write interrupted after its WARC was in place, a WARC restored from the archive storage), the
state and both indexes are rebuilt from every WARC file, oldest first.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import quote

from warcio.archiveiterator import ArchiveIterator

from generator.archive.index import index_lines, merged, write_index
from generator.archive.store import Archive, Capture, State, write_durably

MANIFEST_URI = "urn:x-congress-site:publication-manifest"


def synced(archive: Archive) -> State:
    """The archive's state, rebuilt (with its indexes) if it does not match its WARC files."""
    warcs = archive.warcs()
    state = State.loads(archive.state_file.read_bytes()) if archive.state_file.is_file() else None
    if state is not None and state.warcs == warcs and archive.index.is_file() == bool(warcs):
        return state
    state = rebuilt(archive, warcs)
    reindex(archive, warcs)
    if warcs:
        write_durably(archive.state_file, state.dumps())
    return state


def reindex(archive: Archive, warcs: list[str]) -> None:
    lines = index_lines(archive.root, warcs)
    for path, new in zip((archive.index, archive.metadata_index), lines, strict=True):
        if warcs:
            write_index(path, new)
        else:
            path.unlink(missing_ok=True)


def add_to_indexes(archive: Archive, warcs: Iterable[str]) -> None:
    lines = index_lines(archive.root, list(warcs))
    for path, new in zip((archive.index, archive.metadata_index), lines, strict=True):
        write_index(path, merged(path, new))


def rebuilt(archive: Archive, warcs: list[str]) -> State:
    state = State(warcs=list(warcs))
    for name in warcs:
        with open(archive.root / name, "rb") as f:
            for rec in ArchiveIterator(f):
                h = rec.rec_headers
                url = h.get_header("WARC-Target-URI") or ""
                date = h.get_header("WARC-Date") or ""
                if rec.rec_type == "warcinfo":
                    state.last = date
                elif rec.rec_type == "response":
                    digest = h.get_header("WARC-Payload-Digest") or ""
                    state.captures[url] = Capture(digest, date, h.get_header("WARC-Record-ID"))
                elif rec.rec_type == "revisit" and url not in state.captures:
                    state.captures[url] = Capture(
                        h.get_header("WARC-Payload-Digest") or "",
                        h.get_header("WARC-Refers-To-Date") or "",
                        h.get_header("WARC-Refers-To") or "",
                    )
                elif rec.rec_type == "metadata":
                    _metadata(state, url, rec.content_stream().read(), archive)
    return state


def _metadata(state: State, url: str, body: bytes, archive: Archive) -> None:
    try:
        data = json.loads(body)
    except ValueError:
        return
    if not isinstance(data, dict):
        return
    if url == MANIFEST_URI:
        base = str(data.get("site_url") or "")
        base = base if base.endswith("/") else base + "/"
        state.articles = {
            base + quote(str(e.get("url", ""))): str(e.get("uid"))
            for e in data.get("published", [])
            if isinstance(e, dict)
        }
    elif data.get("event") == "removed" and data.get("gone"):
        state.captures.pop(url, None)
