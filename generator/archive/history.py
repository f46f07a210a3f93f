"""A URL's history in the archive, and what the public saw there at a given time, read from
the WARC files through the indexes (never from today's content).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from generator.archive.index import Line, lookup
from generator.archive.records import timestamp
from generator.archive.store import Archive


@dataclass(frozen=True)
class Event:
    line: Line
    kind: str  # "capture" (a response or a revisit) or "approved" / "removed" (metadata)
    detail: dict[str, Any]

    @property
    def timestamp(self) -> str:
        return self.line.timestamp

    @property
    def at(self) -> datetime:
        return datetime.strptime(self.timestamp[:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC)


@dataclass(frozen=True)
class Seen:
    """What was at a URL at a time: the capture served (if any), and, if the article was
    withdrawn or the URL removed by then, that removal and the last version public before."""

    capture: Event | None
    removal: Event | None
    last_public: Event | None


def history(archive: Archive, url: str) -> list[Event]:
    """Every capture and metadata record of `url`, oldest first (captures before the metadata
    of the same publication)."""
    known = set(archive.warcs())
    events = [Event(line, "capture", {}) for line in lookup(archive.index, url)]
    for line in lookup(archive.metadata_index, url):
        body = payload(archive, line, known)
        detail = _json(body) if body is not None else {}
        kind = str(detail.get("event") or "metadata")
        events.append(Event(line, kind, detail))
    order = {"capture": 0, "approved": 1}
    return sorted(events, key=lambda e: (e.timestamp, order.get(e.kind, 2)))


def seen_at(archive: Archive, url: str, at: datetime) -> tuple[Seen, list[Event]]:
    events = history(archive, url)
    cut = timestamp(at)
    before = [e for e in events if e.timestamp <= cut]
    captures = [e for e in before if e.kind == "capture"]
    removals = [e for e in before if e.kind == "removed"]
    capture = captures[-1] if captures else None
    removal = removals[-1] if removals else None
    if removal is None or (capture is not None and capture.timestamp > removal.timestamp):
        return Seen(capture, None, None), events
    earlier = [c for c in captures if c.timestamp < removal.timestamp]
    served = capture if capture is not None and not removal.detail.get("gone") else None
    if served is not None and served.timestamp < removal.timestamp:
        served = None  # gone since: nothing was served at that time
    return Seen(served, removal, earlier[-1] if earlier else None), events


def original(archive: Archive, capture: Event, events: list[Event]) -> Event | None:
    """The response record holding the bytes of `capture` (itself, or for a revisit the
    latest earlier response of the URL with the same payload digest)."""
    if not capture.line.revisit:
        return capture
    digest = capture.line.fields.get("digest")
    same = [
        e
        for e in events
        if e.kind == "capture"
        and not e.line.revisit
        and e.line.fields.get("digest") == digest
        and e.timestamp <= capture.timestamp
    ]
    return same[-1] if same else None


def payload(archive: Archive, line: Line, known: set[str] | None = None) -> bytes | None:
    """The payload of the record an index line points to, or None if the line names no WARC
    file of this archive, or no record where it says."""
    name = str(line.fields.get("filename", ""))
    if name not in (known if known is not None else set(archive.warcs())):
        return None  # never a path the index names outside the archive
    try:
        offset, length = int(line.fields["offset"]), int(line.fields["length"])
    except (KeyError, ValueError):
        return None
    with open(archive.root / name, "rb") as f:
        f.seek(offset)
        chunk = f.read(length)
    try:
        for rec in ArchiveIterator(BytesIO(chunk)):
            return bytes(rec.content_stream().read())
    except Exception:  # a damaged record: `congress archive verify` names it
        return None
    return None


def headers(archive: Archive, line: Line) -> dict[str, str]:
    """The HTTP headers of a capture's record."""
    name = str(line.fields.get("filename", ""))
    if name not in set(archive.warcs()):
        return {}
    with open(archive.root / name, "rb") as f:
        f.seek(int(line.fields.get("offset", 0)))
        chunk = f.read(int(line.fields.get("length", 0)))
    try:
        for rec in ArchiveIterator(BytesIO(chunk)):
            if rec.http_headers is not None:
                return dict(rec.http_headers.headers)
    except Exception:
        return {}
    return {}


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
