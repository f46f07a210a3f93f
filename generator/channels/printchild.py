"""The child process that lays out one print edition with WeasyPrint (printing.py starts it
with a time and memory limit: a picture or a table can make a layout engine run for hours, as a
few kB of nested SVG `<use>` did to CairoSVG).

python -m generator.channels.printchild < job.json > answer

The job (JSON): html, stylesheets (CSS texts, in order), base (a folder), allowed (the paths
under it that may be embedded), metadata (title, authors, description, keywords, created,
modified, lang) and identifier. The answer: one line of JSON (`refused`: what was not fetched;
`messages`: what WeasyPrint logged; `error`: why there is no PDF), then the PDF's bytes.
Exit status 0 with a PDF, 1 when WeasyPrint failed, 3 when it cannot be imported.

Nothing is fetched but the allowed files: WeasyPrint's `url_fetcher` is replaced by one that
maps the virtual root (ROOT) onto `base`, serves a file only if its path is in
`allowed`, stays inside `base` after symbolic links are followed, is a regular file under
MAX_BYTES, and whose bytes are of the kind its name promises (Pillow picks a decoder by the
bytes: PostScript named photo.jpg would otherwise go to Ghostscript). Everything else — http(s),
other files, `data:` — raises, and WeasyPrint leaves the resource out (a picture shows its alt).
"""

from __future__ import annotations

import json
import logging
import os
import posixpath
import stat
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

# The virtual folder the pictures are fetched from, mapped onto `base` here. A `file:` URL, so
# that urljoin resolves relative sources against it (it does not for an unknown scheme); never
# read from the disk under this name.
ROOT = "file:///congress-print/"
MAX_BYTES = 50 * 1024 * 1024  # one picture
MAX_MESSAGES = 50
# What each picture's name promises, and how its first bytes must look.
KINDS = {
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)),
    ".svg": ("image/svg+xml", ()),
}


class Refused(Exception):
    """A resource the edition may not embed; the message is the reason, in Chinese."""


def shown(url: str) -> str:
    """The URL as the office wrote it: a path under `base` without the virtual root."""
    return unquote(url[len(ROOT) :]) if url.startswith(ROOT) else url


def read_allowed(url: str, base: Path, allowed: frozenset[str]) -> tuple[bytes, str]:
    """The bytes and media type of an allowed picture; Refused otherwise."""
    if not url.startswith(ROOT):
        scheme = urlsplit(url).scheme.lower() or "无协议"
        raise Refused(f"不在本期目录内（{scheme}）")
    path_part = url[len(ROOT) :].partition("?")[0].partition("#")[0]
    relative = posixpath.normpath(unquote(path_part))
    if relative not in allowed:
        raise Refused("不在可用图片之列")
    suffix = posixpath.splitext(relative)[1].lower()
    if suffix not in KINDS:
        raise Refused(f"不是可用的图片格式（{suffix or '无扩展名'}）")
    path = base / relative
    try:
        real = path.resolve(strict=True)
        real.relative_to(base.resolve(strict=True))
    except (OSError, ValueError, RuntimeError):
        raise Refused("不存在或指向本期目录以外") from None
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise Refused(f"无法读取（{exc.strerror}）") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise Refused("不是普通文件")
        if info.st_size > MAX_BYTES:
            raise Refused(f"文件过大（{info.st_size // (1024 * 1024)} MB）")
        data = handle.read(MAX_BYTES + 1)
    media, magics = KINDS[suffix]
    if magics and not data.startswith(magics):
        raise Refused(f"内容不是 {suffix} 图片")
    if suffix == ".webp" and data[8:12] != b"WEBP":
        raise Refused("内容不是 .webp 图片")
    if suffix == ".svg" and not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise Refused("内容不是 SVG 图片")
    return data, media


def fetcher(weasyprint: Any, base: Path, allowed: frozenset[str], refused: list[list[str]]) -> Any:
    """A WeasyPrint URLFetcher that serves only `read_allowed` and records each refusal."""

    class EditionFetcher(weasyprint.URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            try:
                data, media = read_allowed(url, base, allowed)
            except Refused as exc:
                entry = [shown(url)[:300], str(exc)]
                if entry not in refused:
                    refused.append(entry)
                raise
            return weasyprint.urls.URLFetcherResponse(url, data, {"Content-Type": media})

    return EditionFetcher(allowed_protocols=("file",), allow_redirects=False)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage().splitlines()[0][:300] if record.getMessage() else ""
        if text and text not in self.messages and len(self.messages) < MAX_MESSAGES:
            self.messages.append(text)


def main() -> int:
    answer: dict[str, Any] = {"refused": [], "messages": [], "error": "", "pages": 0}
    job = json.loads(sys.stdin.buffer.read())
    try:
        import weasyprint
        import weasyprint.urls
    except (ImportError, OSError) as exc:  # OSError: Pango or HarfBuzz missing
        answer["error"] = f"{type(exc).__name__}: {exc}"
        _answer(answer, b"")
        return 3
    if not hasattr(weasyprint, "URLFetcher"):  # the fetcher's class API (this code's, v70)
        answer["error"] = f"WeasyPrint {weasyprint.__version__} 版本过旧，需要 70"
        _answer(answer, b"")
        return 3
    collect = _Collect()
    for name in ("weasyprint", "fontTools"):
        logger = logging.getLogger(name)
        logger.addHandler(collect)
        logger.propagate = False
    try:
        pdf = _render(weasyprint, job, answer)
    except Exception as exc:  # WeasyPrint raises what its parsers and layout raise
        answer["error"] = f"{type(exc).__name__}: {exc}"[:500]
        answer["messages"] = collect.messages
        _answer(answer, b"")
        return 1
    answer["messages"] = collect.messages
    _answer(answer, pdf)
    return 0


def _render(weasyprint: Any, job: dict[str, Any], answer: dict[str, Any]) -> bytes:
    base = Path(job["base"])
    fetch = fetcher(weasyprint, base, frozenset(job["allowed"]), answer["refused"])
    html = weasyprint.HTML(string=job["html"], base_url=ROOT, url_fetcher=fetch)
    sheets = [weasyprint.CSS(string=s, base_url=ROOT, url_fetcher=fetch) for s in job["styles"]]
    document = html.render(stylesheets=sheets)
    answer["pages"] = len(document.pages)
    meta, given = document.metadata, job["metadata"]
    meta.title = given["title"]
    meta.authors = list(given["authors"])
    meta.description = given["description"] or None
    meta.keywords = list(given["keywords"])
    meta.created = meta.modified = given["created"]
    meta.lang = given["lang"]
    meta.generator = None
    meta.attachments = []  # a <link rel=attachment> would be embedded with today's date
    meta.custom = {}
    pdf: bytes = document.write_pdf(
        pdf_variant="pdf/a-3b",
        pdf_identifier=job["identifier"].encode("ascii"),
        custom_metadata=False,
    )
    return pdf


def _answer(answer: dict[str, Any], pdf: bytes) -> None:
    out = sys.stdout.buffer
    out.write(json.dumps(answer, ensure_ascii=True).encode("ascii") + b"\n")
    out.write(pdf)
    out.flush()


if __name__ == "__main__":
    sys.exit(main())
