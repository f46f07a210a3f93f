"""Chinese search that finds what readers type, with Pagefind, over the published set only.

Out of the box Pagefind splits Chinese into words one way when indexing and the browser
(Intl.Segmenter) another way when searching, so a term is often missed; and a query's words
need not be adjacent, so a term that occurs nowhere still matches. Here the index and the
query are tokenized by the same rules, as Lucene's CJK analyzer does: a run of Han characters
becomes its character bigrams (民生实事 → 民生 生实 实事) plus its last character alone, and
letters and digits stay words (see _words). Each page is indexed with each of its words once
(positions would make the index several times larger and slower to build). The browser
asks Pagefind for each word of the term separately (a lone character or a Latin word as a
prefix) and keeps the pages that have them all; assets/search.js then keeps those whose text
contains the term itself, read from a plain-text copy of each public article
(`pagefind/text/<uid>.txt`). A page is therefore found if and only if its text contains it.

Words are written as `u` + the hex code points of their characters (民生 → u06c110751f): the
browser's word segmenter leaves such ASCII words alone whatever the page language.
"""

from __future__ import annotations

import html
import itertools
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import lxml.html

from .article import Article
from .clock import minute
from .config import Site

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
_SEGMENT = re.compile(f"[0-9a-z{_HAN}]+")
_ASCII = re.compile("[0-9a-z]+")
LANGUAGE = "en"  # the index's language code: one that Pagefind does not segment


class _HexCache(dict[str, str]):
    def __missing__(self, char: str) -> str:
        self[char] = value = f"{ord(char):05x}"
        return value


_HEX = _HexCache()


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def canonical(text: str) -> str:
    """`text` as search compares it: NFKC, lower case, each run of other characters one break."""
    return "\n".join(_SEGMENT.findall(_normal(text)))


def contains(canonical_text: str, term: str) -> bool:
    """Whether a canonical text contains `term` (letters and digits from a word start)."""
    needle = canonical(term)
    if not needle:
        return False
    pattern = re.escape(needle)
    if needle[0] < "\u0080":
        pattern = "(?<![0-9a-z])" + pattern
    return re.search(pattern, canonical_text) is not None


def _words(text: str, *, query: bool) -> list[str]:
    """Index words (query=False) or query words (query=True) of a text, deduplicated in order.

    In each run of letters, digits and Han characters: every letter-and-digit word, every pair
    of neighbouring characters of which one is Han (as `u` + their hex code points, so 2026年
    gives 2026 and 6年), and a Han character alone where no pair starts with it: at the end of
    the run in the index, or as the whole of a one-character query, which Pagefind matches as
    a prefix.
    """
    words: dict[str, None] = {}
    for segment in _SEGMENT.findall(_normal(text)):
        for word in _ASCII.findall(segment):
            words[word] = None
        codes = [(c >= "\u0080", _HEX[c]) for c in segment]
        for (han_a, a), (han_b, b) in itertools.pairwise(codes):
            if han_a or han_b:
                words["u" + a + b] = None
        last_han, last = codes[-1]
        if last_han and (not query or len(codes) == 1):
            words["u" + last] = None
    return list(words)


def index_words(text: str) -> list[str]:
    """The distinct words a page is indexed with."""
    return _words(text, query=False)


def query_words(term: str) -> list[str]:
    """The words Pagefind is asked for, one search each (search.js does the same); the pages
    that have them all are the candidates."""
    return _words(term, query=True)


@dataclass(frozen=True)
class Record:
    url: str
    content: str
    meta: dict[str, str]
    filters: dict[str, list[str]]


@dataclass(frozen=True)
class Source:
    """What the index needs of one public article: plain data, so it can cross to a process."""

    uid: str
    url: str
    title: str
    summary: str
    tags: tuple[str, ...]
    column: str
    date: str
    html: str  # the body as the renderer rendered it


def sources(
    site: Site, published: list[Article], rendered: Callable[[Article], str]
) -> list[Source]:
    out = []
    for a in published:
        meta = a.meta
        assert meta is not None
        column = site.congress.column(meta.column)
        out.append(
            Source(
                uid=meta.uid,
                url=a.url,
                title=meta.title,
                summary=meta.summary or "",
                tags=tuple(meta.tags),
                column=column.name if column else meta.column,
                date=minute(meta.date)[:10],
                html=rendered(a),
            )
        )
    return out


def plain_text(html: str) -> str:
    if not html.strip():
        return ""
    return str(lxml.html.fromstring(html).text_content())


def searchable(src: Source) -> str:
    """The text a page is found by: title, summary, tags and the body as the reader sees it."""
    return "\n".join([src.title, src.summary, " ".join(src.tags), plain_text(src.html)])


def record(src: Source, text: str) -> Record:
    return Record(
        url=src.url,
        content=" ".join(index_words(text)),
        meta={
            "title": src.title,
            "date": src.date,
            "column": src.column,
            "summary": src.summary,
            "uid": src.uid,
        },
        # No Pagefind filters: the search page does not use them, and their file is written
        # in a different order on every run, which would make builds differ.
        filters={},
    )


def _page(r: Record) -> str:
    """A stand-in page for Pagefind's indexer: the tokens as body, the rest as metadata."""
    meta = "".join(
        f'<div data-pagefind-meta="{key}">{html.escape(value)}</div>'
        for key, value in r.meta.items()
    )
    filters = "".join(
        f'<span data-pagefind-filter="{key}">{html.escape(v)}</span>'
        for key, values in r.filters.items()
        for v in values
    )
    return (
        f'<!doctype html><html lang="{LANGUAGE}"><head><meta charset="utf-8"><title>-</title>'
        f"</head><body><main data-pagefind-body>{r.content}</main>{meta}{filters}</body></html>\n"
    )


def write_index(records: Iterable[Record], output: Path) -> None:
    """Run Pagefind's indexer over stand-in pages, writing its bundle into `output`.

    (The Python API's custom records would do, but its client waits 0.1 s per record.)
    """
    with tempfile.TemporaryDirectory(prefix="congress-search-", dir=_SCRATCH) as tmp:
        pages = Path(tmp)
        for r in records:
            target = pages / r.url / "index.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_page(r), encoding="utf-8")
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pagefind",
                "--site",
                str(pages),
                "--output-path",
                str(output),
                "--silent",
            ],
            capture_output=True,
            text=True,
            check=False,
            # One indexing thread: on a small machine Pagefind's thread pool only fights the
            # renderer for the cores (measured: 3.3 s single-threaded against 8 s by default).
            env={**os.environ, "RAYON_NUM_THREADS": "1"},
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
    if done.returncode != 0:
        raise RuntimeError(
            f"Pagefind 建立搜索索引失败：{done.stderr.strip() or done.stdout.strip()}"
        )
    for unused in output.iterdir():
        if _UNUSED.match(unused.name):
            unused.unlink()


# Stand-in pages are scratch: memory-backed where the system has it.
_SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None

# Pagefind's own UI bundles: the search page has its own (assets/search.js).
_UNUSED = re.compile(r"^pagefind-(component-ui|modular-ui|ui|highlight)\.(js|css)$")


def write_bundle(items: list[Source], output: Path) -> int:
    """Write the search bundle for these articles into `output` (the site's pagefind/):
    Pagefind's index, and the plain text of every article that search.js checks candidates
    against. Returns the number of articles indexed."""
    texts = {src.uid: searchable(src) for src in items}
    write_index((record(src, texts[src.uid]) for src in items), output)
    (output / "text").mkdir()
    for uid, text in texts.items():
        (output / "text" / f"{uid}.txt").write_text(text, encoding="utf-8")
    return len(texts)


def _die_with_parent() -> None:
    """Linux: end this worker (and what it starts) if the build is killed, so that nothing
    writes into a staging folder after its build is gone."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Indexing:
    """Building the search index in another process from the HTML the renderer made, while
    it writes the pages: on two cores the index costs little wall time. The bundle goes
    straight into the site's `pagefind/`, a URL segment nothing else writes to."""

    def __init__(self, items: list[Source], output: Path) -> None:
        if output.exists():
            raise FileExistsError(f"两个来源要写同一个目录 {output}，请改名其中一个。")
        context = multiprocessing.get_context("spawn")  # no fork of a process with threads
        self._pool = ProcessPoolExecutor(
            max_workers=1, mp_context=context, initializer=_die_with_parent
        )
        self._future = self._pool.submit(write_bundle, items, output)

    def result(self) -> int:
        try:
            return self._future.result()
        finally:
            self._pool.shutdown()

    def cancel(self) -> None:
        """Stop: a started index is let finish, so that nothing writes into the output after."""
        self._future.cancel()
        self._pool.shutdown(wait=True, cancel_futures=True)
