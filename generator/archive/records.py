"""WARC records, written with warcio, byte for byte the same for the same publication.

WARC/1.0 (ISO 28500:2009, adopted as GB/T 33994-2017). Each record is its own gzip member (the
.warc.gz convention every tool reads), compressed here rather than by warcio, whose level 9
costs a 10,000-page archive several seconds more for 2 % less: zlib's gzip header carries no
time, so the bytes depend on the content only. Record ids are name-based UUIDs (RFC 4122
version 5) of what the record is, never random: the same publication at the same `now` gives
the same file.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
import zlib
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from functools import lru_cache
from io import BytesIO
from typing import BinaryIO, Protocol

from warcio.recordbuilder import RecordBuilder
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

WARC_VERSION = "WARC/1.0"
REVISIT_PROFILE = "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest"
_NAMESPACE = uuid.UUID("6f1d3c1e-8a52-5b7e-9c4d-2f0e6a7b8c90")
LEVEL = 6
SMALL = 16 * 1024  # records smaller than this are compressed at once, not on the other core


def payload_digest(data: bytes) -> str:
    """The WARC-Payload-Digest of a body, as warcio and pywb write it (sha1, base32)."""
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def record_id(*parts: str) -> str:
    return f"<urn:uuid:{uuid.uuid5(_NAMESPACE, chr(10).join(parts))}>"


@lru_cache(maxsize=64)
def warc_date(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def timestamp(at: datetime) -> str:
    """The 14-digit timestamp of CDX indexes and replay addresses."""
    return at.astimezone(UTC).strftime("%Y%m%d%H%M%S")


class Sink(Protocol):
    def write(self, data: bytes, /) -> object: ...


class Writer:
    """Appends records to an open binary file, each as its own gzip member."""

    def __init__(self, out: Sink, pool: ThreadPoolExecutor | None = None) -> None:
        self._out = out
        self._buffer = BytesIO()
        self._writer = WARCWriter(self._buffer, gzip=False, warc_version=WARC_VERSION)
        self._builder = RecordBuilder(warc_version=WARC_VERSION)
        # Records are compressed on the other core (zlib lets go of the GIL) while the next
        # ones are made, and written in their order.
        self._pool = pool
        self._pending: deque[Future[bytes]] = deque()

    def warcinfo(self, filename: str, at: datetime, fields: Iterable[tuple[str, str]]) -> str:
        body = "".join(f"{k}: {v}\r\n" for k, v in fields if v).encode("utf-8")
        return self._record(
            "warcinfo",
            "",
            at,
            filename,
            body=body,
            content_type="application/warc-fields",
            extra={"WARC-Filename": filename},
        )

    def response(
        self,
        uri: str,
        at: datetime,
        *,
        headers: list[tuple[str, str]],
        body: bytes,
        digest: str,
        warcinfo: str,
    ) -> str:
        return self._record(
            "response",
            uri,
            at,
            digest,
            body=body,
            http=headers,
            extra={"WARC-Payload-Digest": digest, "WARC-Warcinfo-ID": warcinfo},
        )

    def revisit(
        self,
        uri: str,
        at: datetime,
        *,
        headers: list[tuple[str, str]],
        digest: str,
        original: tuple[str, str],  # the date and record id of the capture it repeats
        warcinfo: str,
    ) -> str:
        rid = record_id("revisit", uri, warc_date(at), digest)
        record = self._builder.create_revisit_record(
            uri,
            digest,
            uri,
            original[0],
            http_headers=StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1"),
            warc_headers_dict={
                "WARC-Record-ID": rid,
                "WARC-Date": warc_date(at),
                "WARC-Refers-To": original[1],
                "WARC-Warcinfo-ID": warcinfo,
            },
        )
        self._emit(record)
        return rid

    def metadata(
        self, uri: str, at: datetime, body: bytes, warcinfo: str, refers_to: str | None = None
    ) -> str:
        extra = {"WARC-Warcinfo-ID": warcinfo}
        if refers_to:
            extra["WARC-Refers-To"] = refers_to
        return self._record(
            "metadata",
            uri,
            at,
            payload_digest(body),
            body=body,
            content_type="application/json",
            extra=extra,
        )

    def _record(
        self,
        kind: str,
        uri: str,
        at: datetime,
        key: str,  # what, besides kind, URI and time, names the record (its id)
        *,
        body: bytes,
        content_type: str = "",
        http: list[tuple[str, str]] | None = None,
        extra: dict[str, str],
    ) -> str:
        rid = record_id(kind, uri, warc_date(at), key)
        self._emit(
            self._builder.create_warc_record(
                uri,
                kind,
                payload=BytesIO(body),
                length=len(body),
                warc_content_type=content_type,
                http_headers=(
                    StatusAndHeaders("200 OK", http, protocol="HTTP/1.1") if http else None
                ),
                warc_headers_dict={"WARC-Record-ID": rid, "WARC-Date": warc_date(at), **extra},
            )
        )
        return rid

    def _emit(self, record: object) -> None:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.write_record(record)
        data = self._buffer.getvalue()
        if self._pool is None or (len(data) < SMALL and not self._pending):
            self._out.write(_member(data))  # small (a revisit): handing it over costs more
            return
        self._pending.append(self._pool.submit(_member, data))
        while len(self._pending) > 32 or (self._pending and self._pending[0].done()):
            self._out.write(self._pending.popleft().result())

    def close(self) -> None:
        """Write every record still being compressed."""
        while self._pending:
            self._out.write(self._pending.popleft().result())


def _member(data: bytes) -> bytes:
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    return packer.compress(data) + packer.flush()


def truncation(f: BinaryIO, chunk: int = 1 << 20) -> str | None:
    """Why a .warc.gz file is not a sequence of whole gzip members (cut short, or bytes that
    are not gzip), or None. warcio stops quietly at a record cut short; this does not."""
    packer = zlib.decompressobj(zlib.MAX_WBITS + 16)
    started = False
    while True:
        data = f.read(chunk)
        if not data:
            break
        while data:
            started = True
            try:
                packer.decompress(data, 1 << 22)  # bounded: a bomb costs time, not memory
            except zlib.error as exc:
                return f"不是完整的 gzip 数据（{exc}）"
            if packer.eof:
                data = packer.unused_data
                packer = zlib.decompressobj(zlib.MAX_WBITS + 16)
                started = False
            else:
                data = packer.unconsumed_tail
    if started and not packer.eof:
        return "文件在一条记录中间结束（被截断）"
    return None
