"""Writing the search bundles with Pagefind, in a process beside the renderer.

The words, the records and the plan of bundles (`plan_shards`) come from
`generator.derive.search`; this module runs Pagefind's indexer over stand-in pages, one bundle
per `Shard` of the archive, and takes over unchanged bundles from the previous build.
"""

from __future__ import annotations

import contextlib
import errno
import html
import multiprocessing
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from generator.build.children import bound_to_me, die_with_parent
from generator.derive.search import LANGUAGE, Record, Shard, Source, record, searchable


def _page(r: Record) -> str:
    """A stand-in page for Pagefind's indexer: the tokens as body, the rest as metadata."""
    meta = "".join(
        f'<div data-pagefind-meta="{key}">{html.escape(value)}</div>'
        for key, value in r.meta.items()
    )
    return (
        f'<!doctype html><html lang="{LANGUAGE}"><head><meta charset="utf-8"><title>-</title>'
        f"</head><body><main data-pagefind-body>{r.content}</main>{meta}</body></html>\n"
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
            preexec_fn=bound_to_me(),  # Pagefind ends with this process (children.py)
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


@dataclass(frozen=True)
class Job:
    """What the indexing process does for one bundle: keep the bundle already in the output
    folder (`reuse`), or index its sources. The HTML of the articles in `expect` arrives while
    the renderer works (`Indexing.page`); the others' pages were kept, and so their text."""

    name: str
    sources: tuple[Source, ...]
    reuse: bool = False
    expect: frozenset[str] = frozenset()  # uids


def index_job(
    shard: Shard, sources: dict[str, Source], kept: frozenset[str] | set[str] = frozenset()
) -> Job:
    """Index a bundle: the HTML of its articles whose pages are rendered now (all but
    `kept`, by source path) is waited for; the others' text is in the output already."""
    return Job(
        shard.name,
        tuple(sources[a.src] for a in shard.articles),
        expect=frozenset(a.uid for a in shard.articles if a.src not in kept),
    )


def _index(
    job: Job, bodies: dict[str, str], output: Path, dropped: set[str] | frozenset[str] = frozenset()
) -> None:
    """Write one bundle, and the text of its articles that search.js reads (all but those
    `dropped`: their pages failed to render)."""
    text_dir = output / "text"
    texts = {}
    sources = [src for src in job.sources if src.uid not in dropped]
    for src in sources:
        path = text_dir / f"{src.uid}.txt"
        if src.uid in job.expect:
            texts[src.uid] = searchable(src, bodies.pop(src.uid))
            path.unlink(missing_ok=True)  # a new file, never written into the old one
            path.write_text(texts[src.uid], encoding="utf-8")
        else:
            texts[src.uid] = path.read_text(encoding="utf-8")
    shutil.rmtree(output / job.name, ignore_errors=True)
    if not sources:
        return  # every article of the bundle failed to render (isolation.py drops the bundle)
    write_index((record(src, texts[src.uid]) for src in sources), output / job.name)


def _work(
    jobs: list[Job], output: Path, inbox: Connection, outbox: Connection, parent: int
) -> None:
    """The indexing process: index each bundle as soon as the last of its pages arrives."""
    # Ends with the build: nothing writes into a staging folder after its build is gone.
    die_with_parent(parent)
    try:
        (output / "text").mkdir(parents=True, exist_ok=True)
        todo = [job for job in jobs if not job.reuse]
        waiting = {job.name: set(job.expect) for job in todo}
        bundle_of = {uid: job.name for job in todo for uid in job.expect}
        bodies: dict[str, str] = {}
        done: set[str] = set()
        dropped: set[str] = set()

        def ready() -> None:
            for job in todo:
                if job.name not in done and not waiting[job.name]:
                    _index(job, bodies, output, dropped)
                    done.add(job.name)

        ready()
        for uid, body in iter(inbox.recv, None):
            if uid in bundle_of:
                if body is None:
                    dropped.add(uid)
                else:
                    bodies[uid] = body
                waiting[bundle_of[uid]].discard(uid)
                ready()
        missing = sorted(u for job in todo if job.name not in done for u in waiting[job.name])
        if missing:
            raise RuntimeError(f"这些稿件的正文没有交给搜索索引：{', '.join(missing[:5])}")
        indexed = sum(len(job.sources) for job in todo)
        outbox.send(("ok", indexed, None))
    except BaseException as exc:
        with contextlib.suppress(OSError):  # the build is gone: nobody to tell
            outbox.send(("error", f"{type(exc).__name__}: {exc}", _errno(exc)))


def _errno(exc: BaseException) -> int | None:
    """The system error behind a failure (ENOSPC from Python, or Pagefind's own report)."""
    if isinstance(exc, OSError) and exc.errno is not None:
        return exc.errno
    if "No space left on device" in str(exc) or "os error 28" in str(exc):
        return errno.ENOSPC
    return None


class IndexFailed(RuntimeError):
    """The search index could not be written; `errno` is the system error, if there was one."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.errno = code


class Indexing:
    """Building the search index in another process while mkdocs renders: each page's HTML
    is handed over as soon as it is made (`page`), and a bundle is indexed as soon as its last
    page arrives, so that on two cores the index costs little wall time. The bundles go into
    the site's `pagefind/`, a folder nothing else writes to.

    Pages go through a pipe, sent by a thread of this process so that the renderer never
    waits while the other process indexes. Only that process holds the pipe's other ends: if
    it ends, sending fails at once (EPIPE) and its answer reads as EOF, so nothing here waits
    for a process that is gone (a `multiprocessing.Queue` here kept a full disk's failed build
    from exiting: its thread, blocked on the full pipe, was joined at exit).
    """

    def __init__(self, jobs: list[Job], output: Path) -> None:
        context = multiprocessing.get_context("spawn")  # no fork of a process with threads
        pages, self._inbox = context.Pipe(duplex=False)
        self._outbox, answer = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_work, args=(jobs, output, pages, answer, os.getpid()), daemon=True
        )
        self._process.start()
        pages.close()
        answer.close()
        self._pending: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._sender = threading.Thread(target=self._send, name="congress-search", daemon=True)
        self._sender.start()

    def _send(self) -> None:
        with contextlib.suppress(OSError):  # the indexing process has ended
            for item in iter(self._pending.get, _STOP):
                self._inbox.send(item)

    def page(self, uid: str, html: str) -> None:
        self._pending.put((uid, html))

    def drop(self, uid: str) -> None:
        """Leave an article out of its bundle: its page failed to render (isolation.py)."""
        self._pending.put((uid, None))

    def result(self) -> int:
        """Wait for the index; raises if it could not be written."""
        self._pending.put(None)  # the end, for the indexing process
        self._pending.put(_STOP)
        try:
            kind, value, code = self._outbox.recv()
        except (EOFError, OSError):
            self._end(5.0)
            kind, value, code = "error", f"进程意外退出（{self._process.exitcode}）", None
        self._end(_JOIN_TIMEOUT)
        if kind == "error":
            raise IndexFailed(f"搜索索引未能生成：{value}", code)
        return int(value)

    def cancel(self) -> None:
        """Stop at once: nothing writes into the output after this returns."""
        self._pending.put(_STOP)
        self._process.terminate()
        self._end(5.0)

    def _end(self, timeout: float) -> None:
        """Wait for the process a bounded time, then kill it; the sender ends with it."""
        self._process.join(timeout)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(timeout)
        self._sender.join(timeout)
        self._outbox.close()


_STOP = object()  # ends the sending thread

# The indexing process has sent its answer: it only has to exit.
_JOIN_TIMEOUT = 30.0
