"""Checking WARC files: every record's digests by warcio's own digest checker (what `warcio
check` runs), every file read whole as a series of complete gzip members, every revisit
pointing to a capture that holds its payload, and the indexes equal to what cdxj-indexer
makes of the files now.

warcio reads on past damage: a gzip member cut short, or corrupt, gives a record shorter
than its Content-Length, whose digests are then never compared (and `warcio check` says
nothing), and a file that ends inside a member's trailer reads as whole. So the bytes warcio
reads are passed through `GzipMembers`, which checks them as complete gzip members, and a
record read short is reported as cut. What is read is bounded: a file is streamed in blocks,
and a line (a header) longer than LINE_LIMIT stops the reading of that file.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from warcio.archiveiterator import WARCIterator
from warcio.digestverifyingreader import DigestVerifyingReader
from warcio.limitreader import LimitReader
from warcio.recordloader import ArcWarcRecordLoader

from generator.archive.placement import placement_findings
from generator.archive.store import Archive
from generator.core.findings import Code, Finding, Severity

ARCHIVE_DIGEST = Code(
    "ARCHIVE-DIGEST",
    Severity.ERROR,
    "归档文件 {path} 偏移 {offset} 处的记录（{kind} {uri}）摘要不符：{detail}",
    "该记录写入后被改动或损坏。用归档存储或移交包中完好的副本替换此文件，再运行 "
    "congress archive verify。",
)
ARCHIVE_TRUNCATED = Code(
    "ARCHIVE-TRUNCATED",
    Severity.ERROR,
    "归档文件 {path} 不完整：偏移 {offset} 处的记录{detail}",
    "文件在复制或写入时被截断。用归档存储或移交包中完好的副本替换此文件。",
)
ARCHIVE_MALFORMED = Code(
    "ARCHIVE-MALFORMED",
    Severity.ERROR,
    "归档文件 {path} 偏移 {offset} 处无法按 WARC 读取：{detail}",
    "文件已损坏或不是本系统写入的 WARC 文件。用归档存储或移交包中完好的副本替换此文件。",
)
ARCHIVE_REVISIT = Code(
    "ARCHIVE-REVISIT",
    Severity.ERROR,
    "归档文件 {path} 偏移 {offset} 处的重访记录（{uri}）{detail}",
    "重访记录只记“内容未变”，内容在它引用的那条记录里；缺了那条记录，该网址当时的内容无法回放。"
    "检查是否缺少更早的归档文件。",
)
ARCHIVE_INDEX_STALE = Code(
    "ARCHIVE-INDEX-STALE",
    Severity.ERROR,
    "索引 {path} 与归档文件不一致：{detail}",
    "索引由归档文件生成：网页归档运行 congress archive reindex 重建；移交包请重新打包。",
)

BLOCK = 1 << 20
LINE_LIMIT = 64 << 20  # no header line is this long; a record body may hold longer runs
FINDINGS_PER_FILE = 50
GZIP_MAGIC = b"\x1f\x8b"


class TooLong(Exception):
    """More than LINE_LIMIT decompressed bytes without a line break."""


class GzipMembers:
    """A binary stream passed through unchanged, its bytes checked as complete gzip members
    (one per record) as they are read. `problem` is the first fault: (offset, truncated?,
    detail)."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._pos = 0
        self._d: Any = None
        self._start = 0
        self._run = 0
        self._magic = b""  # the first two bytes of the current member
        self.members = 0
        self.problem: tuple[int, bool, str] | None = None

    def read(self, size: int = BLOCK) -> bytes:
        data = self._raw.read(size if size is not None and size >= 0 else BLOCK)
        self._feed(data)
        self._pos += len(data)
        return data

    def tell(self) -> int:
        return self._pos

    def _feed(self, data: bytes) -> None:
        at = self._pos
        while data and self.problem is None:
            if self._d is None:
                self._d = zlib.decompressobj(16 + zlib.MAX_WBITS)
                self._start, self._magic = at, b""
            if len(self._magic) < 2:
                self._magic += data[: 2 - len(self._magic)]
            d = self._d
            try:
                self._scan(d.decompress(data, BLOCK))
                while d.unconsumed_tail and not d.eof:
                    self._scan(d.decompress(d.unconsumed_tail, BLOCK))
            except zlib.error as exc:
                where = "gzip 数据损坏" if self._gzip else "此处不是 gzip 数据，不属于任何记录"
                self.problem = (self._start, False, f"{where}（zlib：{exc}）")
                return
            if not d.eof:
                return
            rest = d.unused_data
            at += len(data) - len(rest)
            data = rest
            self.members += 1
            self._d = None

    @property
    def _gzip(self) -> bool:
        return GZIP_MAGIC.startswith(self._magic) and bool(self._magic)

    def _scan(self, out: bytes) -> None:
        newline = out.rfind(b"\n")
        self._run = self._run + len(out) if newline < 0 else len(out) - newline - 1
        if self._run > LINE_LIMIT:
            self.problem = (self._start, False, f"一行超过 {LINE_LIMIT >> 20} MiB，停止读取")
            raise TooLong

    def finish(self) -> None:
        if self.problem is None and self._d is not None:
            if self._gzip:
                self.problem = (self._start, True, "在文件结尾处中断（gzip 数据不完整）")
            else:
                self.problem = (self._start, False, "文件结尾有不属于任何记录的数据")


class _Loader(ArcWarcRecordLoader):  # type: ignore[misc]
    """warcio's record loader, checking a revisit's block digest too: warcio checks neither
    digest of a revisit, whose payload digest is that of the capture it repeats."""

    def wrap_digest_verifying_stream(
        self, stream: Any, rec_type: str, rec_headers: Any, digest_checker: Any, length: Any = None
    ) -> tuple[Any, bool]:
        block = rec_headers.get_header("WARC-Block-Digest")
        if rec_type != "revisit" or not block:
            return super().wrap_digest_verifying_stream(  # type: ignore[no-any-return]
                stream, rec_type, rec_headers, digest_checker, length=length
            )
        return DigestVerifyingReader(stream, length, digest_checker, block_digest=block), True


@dataclass(frozen=True)
class Revisit:
    offset: int
    uri: str
    refers_to: str
    date: str  # WARC-Refers-To-Date
    digest: str


@dataclass
class Checked:
    """One WARC file, read through."""

    name: str
    records: Counter[str] = field(default_factory=Counter)
    dates: list[str] = field(default_factory=list)  # the WARC-Date of each warcinfo record
    responses: dict[str, str] = field(default_factory=dict)  # record id → payload digest
    ids: list[str] = field(default_factory=list)  # every record's WARC-Record-ID
    revisits: list[Revisit] = field(default_factory=list)
    problems: list[tuple[int, Finding]] = field(default_factory=list)  # at their offsets
    whole: bool = True  # read to its end as complete WARC records

    @property
    def findings(self) -> list[Finding]:
        return [f for _, f in self.problems]


def check_warc(name: str, raw: BinaryIO) -> Checked:
    """Read one WARC file from `raw` to its end, checking every record."""
    done = Checked(name)
    members = GzipMembers(raw)
    it = WARCIterator(members, check_digests=True)
    it.loader = _Loader(verify_http=False, arc2warc=False)
    noise = io.StringIO()  # what warcio writes on stderr about damage it reads past
    try:
        with contextlib.redirect_stderr(noise):
            for record in it:
                short = _drain(record.raw_stream)
                offset = int(it.get_record_offset())
                _record(done, record, offset, short)
                said = noise.getvalue()
                if said:
                    _fault(done, ARCHIVE_MALFORMED, offset, _first_line(said))
                    noise.seek(0)
                    noise.truncate()
    except TooLong:
        pass  # members.problem says where
    except Exception as exc:  # warcio's parse errors, and what a hostile file makes of it
        detail = f"{type(exc).__name__}: {_first_line(str(exc))}".rstrip(": ")
        _fault(done, ARCHIVE_MALFORMED, int(getattr(it, "offset", 0) or 0), detail)
    members.finish()
    if members.problem is not None:
        at, cut, detail = members.problem
        done.problems = [p for p in done.problems if p[0] < at]  # what follows from it
        _fault(done, ARCHIVE_TRUNCATED if cut else ARCHIVE_MALFORMED, at, detail)
    elif not members.members and done.whole:
        _fault(done, ARCHIVE_MALFORMED, 0, "文件为空")
    if len(done.problems) > FINDINGS_PER_FILE:
        more = len(done.problems) - FINDINGS_PER_FILE
        done.problems = done.problems[:FINDINGS_PER_FILE]
        _fault(done, ARCHIVE_MALFORMED, done.problems[-1][0], f"其后另有 {more} 处问题未列出")
    return done


def _drain(stream: Any) -> int:
    """Read a record's block to its end; what its Content-Length promised and was not there."""
    while stream.read(BLOCK):
        pass
    return int(stream.limit) if isinstance(stream, LimitReader) else -1


def _record(done: Checked, record: Any, offset: int, short: int) -> None:
    h = record.rec_headers
    kind = str(record.rec_type or "?")
    uri = h.get_header("WARC-Target-URI") or ""
    done.records[kind] += 1
    done.ids.append(h.get_header("WARC-Record-ID") or "")
    checker = record.digest_checker
    if short < 0:
        _fault(done, ARCHIVE_MALFORMED, offset, "记录没有有效的 Content-Length")
    elif short:
        _fault(done, ARCHIVE_TRUNCATED, offset, f"缺少 {short} 字节（文件被截断或 gzip 数据损坏）")
    else:
        problems = list(checker.problems)
        if not h.get_header("WARC-Block-Digest"):
            problems.append("记录没有 WARC-Block-Digest，无法校验")
        for problem in problems:
            finding = ARCHIVE_DIGEST.at(
                done.name, None, offset=offset, kind=kind, uri=uri, detail=_said(problem)
            )
            done.problems.append((offset, finding))
    if kind == "warcinfo":
        done.dates.append(h.get_header("WARC-Date") or "")
    elif kind == "response":
        done.responses[h.get_header("WARC-Record-ID") or ""] = (
            h.get_header("WARC-Payload-Digest") or ""
        )
    elif kind == "revisit":
        done.revisits.append(
            Revisit(
                offset,
                uri,
                h.get_header("WARC-Refers-To") or "",
                h.get_header("WARC-Refers-To-Date") or "",
                h.get_header("WARC-Payload-Digest") or "",
            )
        )


def _said(problem: str) -> str:
    """warcio's digest problem, in Chinese."""
    for english, chinese in (
        ("block digest failed", "内容块摘要（WARC-Block-Digest）不符"),
        ("payload digest failed", "载荷摘要（WARC-Payload-Digest）不符"),
        ("unknown hash algorithm", "摘要算法无法识别"),
    ):
        if problem.startswith(english):
            return f"{chinese}，记录中为 {problem.split(':', 1)[-1].strip()}"
    return problem


def _fault(done: Checked, code: Code, offset: int, detail: str) -> None:
    if code is not ARCHIVE_DIGEST:
        done.whole = False
    done.problems.append((offset, code.at(done.name, None, offset=offset, detail=detail)))


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return (lines[0] if lines else "")[:200]


def revisit_findings(checked: Iterable[Checked], before: str | None = None) -> list[Finding]:
    """Every revisit whose capture is not among `checked` or holds another payload. With
    `before` (a package's first publication), a capture dated earlier may be elsewhere."""
    checked = list(checked)
    responses = {rid: digest for c in checked for rid, digest in c.responses.items()}
    found = []
    for c in checked:
        for r in c.revisits:
            digest = responses.get(r.refers_to)
            if digest is None and before is not None and r.date < before:
                continue
            if digest is None:
                detail = f"引用的记录 {r.refers_to}（{r.date}）不存在"
            elif digest != r.digest:
                detail = f"与所引用记录 {r.refers_to} 的载荷摘要不符"
            else:
                continue
            finding = ARCHIVE_REVISIT.at(c.name, None, offset=r.offset, uri=r.uri, detail=detail)
            found.append(finding)
    return found


def index_findings(path: str, expected: list[str], actual: Iterator[str] | None) -> list[Finding]:
    """The index `path` (its lines, or None when missing) against the lines it should hold."""
    if actual is None:
        if not expected:
            return []
        return [ARCHIVE_INDEX_STALE.at(path, None, detail=f"文件不存在（应有 {len(expected)} 行）")]
    n = 0
    for n, line in enumerate(actual, 1):
        if n > len(expected):
            detail = f"第 {n} 行起多出归档文件中没有的记录"
            return [ARCHIVE_INDEX_STALE.at(path, None, detail=detail)]
        if line != expected[n - 1]:
            return [ARCHIVE_INDEX_STALE.at(path, None, detail=f"第 {n} 行与归档文件不符")]
    if n < len(expected):
        return [ARCHIVE_INDEX_STALE.at(path, None, detail=f"缺少 {len(expected) - n} 行")]
    return []


def lines_of(f: BinaryIO) -> Iterator[str]:
    """The lines of an index file, each bounded (a longer one reads as a mismatch)."""
    while True:
        raw = f.readline(1 << 20)
        if not raw:
            return
        yield raw.decode("utf-8", "replace")


@dataclass
class Verified:
    files: int = 0
    records: int = 0
    findings: list[Finding] = field(default_factory=list)


def verify_archive(archive: Archive) -> Verified:
    """Every WARC file of the archive, and both indexes against them."""
    from generator.archive.index import index_lines

    if not archive.root.is_dir():
        return Verified()
    with _shared_lock(archive):  # not while a publication is being added
        names = archive.warcs()
        checked = []
        done = Verified(len(names))
        for name in names:
            try:
                with open(archive.root / name, "rb") as f:
                    checked.append(check_warc(name, f))
            except OSError as exc:
                finding = ARCHIVE_MALFORMED.at(name, None, offset=0, detail=f"无法读取（{exc}）")
                done.findings.append(finding)
        done.records = sum(sum(c.records.values()) for c in checked)
        done.findings += [f for c in checked for f in c.findings] + revisit_findings(checked)
        done.findings += placement_findings(checked)
        if len(checked) < len(names) or not all(c.whole for c in checked):
            return done
        captures, metadata = index_lines(archive.root, names)
        for path, expected in ((archive.index, captures), (archive.metadata_index, metadata)):
            try:
                with open(path, "rb") as f:
                    done.findings += index_findings(path.name, expected, lines_of(f))
            except FileNotFoundError:
                done.findings += index_findings(path.name, expected, None)
    return done


@contextmanager
def _shared_lock(archive: Archive) -> Iterator[None]:
    """Shares the archive's lock with other readers; an archive no writer ever locked (or
    one only readable here, a copy) is read as it is."""
    try:
        fd = os.open(archive.root / ".lock", os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)
