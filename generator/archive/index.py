"""The archive's CDXJ indexes, written by Webrecorder's cdxj-indexer (the indexer pywb uses),
merged here into one sorted file each, and searched by binary search.

index.cdxj lists every response and revisit record: what pywb replays, and every capture of
a URL. metadata.cdxj lists the metadata records (manifests, approvals, removals): `congress
archive list/show` read a URL's history from both. Lines are `<SURT> <timestamp> <json>`.
"""

from __future__ import annotations

import contextlib
import heapq
import io
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import surt
from cdxj_indexer.main import CDXJIndexer

from generator.build.atomic import write_atomic
from generator.build.children import bound_to_me, stop

RECORDS = "response,revisit,metadata"


@dataclass(frozen=True)
class Line:
    key: str
    timestamp: str
    fields: dict[str, Any]

    @property
    def url(self) -> str:
        return str(self.fields.get("url", ""))

    @property
    def revisit(self) -> bool:
        return self.fields.get("mime") == "warc/revisit"


def url_key(url: str) -> str:
    try:
        return str(surt.surt(url))
    except Exception:  # surt refuses what is no URL; cdxj-indexer then keys by the URL itself
        return url


def index_lines(root: Path, warcs: Iterable[str]) -> tuple[list[str], list[str]]:
    """The sorted CDXJ lines of `warcs` (relative to `root`), by cdxj-indexer, in one pass:
    the captures' lines and the metadata records' lines (told apart by the `warc-type` field
    the indexer is asked to add)."""
    paths = [str(root / w) for w in warcs]
    if not paths:
        return [], []
    # In memory, not in a file beside the archive: a read-only archive (a copy, the archive
    # storage mounted) is verified too, and a process killed leaves nothing there.
    out = io.StringIO()
    CDXJIndexer(
        output=out,
        inputs=paths,
        sort=True,
        records=RECORDS,
        fields="warc-type",
        dir_root=str(root),
    ).process_all()
    return _split(out.getvalue().splitlines(keepends=True))


def stream_lines(name: str, stream: BinaryIO) -> tuple[list[str], list[str]]:
    """The sorted CDXJ lines of one WARC file read from `stream` (a file inside a transfer
    package, or one only read), named `name` as index_lines names it."""
    out = io.StringIO()
    CDXJIndexer(
        output=out, inputs=[stream], filename=name, sort=True, records=RECORDS, fields="warc-type"
    ).process_all()
    return _split(out.getvalue().splitlines(keepends=True))


def _split(lines: list[str]) -> tuple[list[str], list[str]]:
    metadata = [line for line in lines if line.endswith('"warc-type": "metadata"}\n')]
    return [line for line in lines if not line.endswith('"warc-type": "metadata"}\n')], metadata


# cdxj-indexer in a child: it reads the WARC file from its standard input as it is written.
_CHILD = (
    "import sys\n"
    "from cdxj_indexer.main import CDXJIndexer\n"
    "CDXJIndexer(output=sys.argv[1], inputs=['-'], sort=True, records=sys.argv[3],"
    " fields='warc-type', filename=sys.argv[2]).process_all()\n"
)


class Streaming:
    """cdxj-indexer indexing a WARC file while it is being written, on the other core: what
    would otherwise be a second pass over the whole file once it is complete. If the child
    fails, `finish` says so (None) and the caller indexes the finished file instead."""

    def __init__(self, root: Path, name: str) -> None:
        fd, out = tempfile.mkstemp(suffix=".cdxj", dir=root)
        os.close(fd)
        self._out = Path(out)
        self.broken = False
        self._process = subprocess.Popen(
            [sys.executable, "-P", "-c", _CHILD, out, name, RECORDS],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=bound_to_me(),  # noqa: PLW1509 (prctl only: no lock is taken)
        )

    def write(self, data: bytes) -> None:
        stdin = self._process.stdin
        if self.broken or stdin is None:
            return
        try:
            stdin.write(data)
        except OSError:  # the child is gone: the file is indexed afterwards instead
            self.broken = True

    def finish(self) -> tuple[list[str], list[str]] | None:
        try:
            if self._process.stdin is not None:
                with contextlib.suppress(OSError):
                    self._process.stdin.close()
            code = self._process.wait(timeout=600)
            if code != 0 or self.broken:
                return None
            lines = self._out.read_text(encoding="utf-8").splitlines(keepends=True)
            return _split(lines)
        except (OSError, subprocess.TimeoutExpired, UnicodeDecodeError):
            return None
        finally:
            self.cancel()

    def cancel(self) -> None:
        if self._process.poll() is None:
            stop(self._process)
        self._out.unlink(missing_ok=True)


def merged(existing: Path, new: list[str]) -> Iterator[str]:
    """The lines of a sorted index file and of sorted new lines, in order."""
    if not existing.is_file():
        yield from new
        return
    with open(existing, encoding="utf-8") as old:
        yield from heapq.merge(old, new)


def write_index(path: Path, lines: Iterable[str]) -> None:
    write_atomic(path, (line.encode("utf-8") for line in lines), durable=True)


def lookup(path: Path, url: str) -> list[Line]:
    """Every line of the sorted index at `path` for exactly `url`, oldest first."""
    if not path.is_file():
        return []
    key = url_key(url)
    prefix = (key + " ").encode("utf-8")
    found: list[Line] = []
    with open(path, "rb") as f:
        f.seek(_first_at_least(f, prefix))
        for raw in f:
            if not raw.startswith(prefix):
                break
            line = parse(raw.decode("utf-8"))
            if line is not None and line.url == url:
                found.append(line)
    return found


def parse(text: str) -> Line | None:
    parts = text.rstrip("\n").split(" ", 2)
    if len(parts) != 3:
        return None
    try:
        fields = json.loads(parts[2])
    except ValueError:
        return None
    return Line(parts[0], parts[1], fields) if isinstance(fields, dict) else None


def _first_at_least(f: Any, prefix: bytes) -> int:
    """The offset of the first line not below `prefix`, by bisection over byte offsets."""

    def start(x: int) -> int:  # the first line that starts at `x` or after
        if x == 0:
            return 0
        f.seek(x - 1)
        f.readline()
        return int(f.tell())

    f.seek(0, os.SEEK_END)
    lo, hi = 0, int(f.tell())
    while lo < hi:
        mid = (lo + hi) // 2
        f.seek(start(mid))
        line = f.readline()
        if not line or line >= prefix:
            hi = mid
        else:
            lo = mid + 1
    return start(lo)
