"""Pure work over many items, shared with a second process on a machine with two cores: the
executor the build hands the gate (`decide(..., map=map_on_two_cores)`).

The gate's text checks are most of a cold `congress check` (3.2 s of work for 10,000
articles). A forked process takes the second half of the items: it inherits them, so nothing
is sent to it, and only its results come back. That pays only where the work is large next
to its results and to the fork itself: not for parsing articles (sending them back costs as
much as parsing), nor for the manifest's entries (measured: no faster on two cores). Used
only where forking is safe (Linux, no other thread running) and worth it (enough items);
otherwise the work runs here.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Generic, TypeVar

from generator.build.children import die_with_parent

T = TypeVar("T")
R = TypeVar("R")

# The job of the forked process, set just before the fork.
_JOB: list[tuple[Callable[[Any], Any], Sequence[Any]]] = []


def _run_job() -> list[Any]:
    fn, items = _JOB[0]
    return [fn(item) for item in items]


def _start_worker(parent: int) -> None:
    """Ctrl-C is the parent's to handle: the worker just ends with it, without a traceback;
    and if the parent is killed, the worker ends too (it would wait for work forever)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent)


def _can_fork() -> bool:
    return (
        sys.platform == "linux"
        and (os.cpu_count() or 1) >= 2
        and threading.active_count() == 1
        and not os.environ.get("CONGRESS_ONE_CORE")
    )


def map_on_two_cores(fn: Callable[[T], R], items: Sequence[T], *, minimum: int = 500) -> list[R]:
    """`list(map(fn, items))`, the second half computed in a forked process when that pays."""

    def work(part: Sequence[T]) -> list[R]:
        return [fn(item) for item in part]

    if len(items) < minimum or not _can_fork():
        return work(items)
    half = len(items) // 2
    _JOB[:] = [(fn, items[half:])]
    first: list[R] | None = None
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(
            1, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),)
        ) as pool:
            second = pool.submit(_run_job)
            first = work(items[:half])
            return first + second.result()
    except (OSError, BrokenProcessPool):  # no second process after all: finish here
        return (first if first is not None else work(items[:half])) + work(items[half:])
    finally:
        _JOB.clear()


class Ahead(Generic[T, R]):
    """`fn` over `items`, computed in a forked process while this one goes on with other work
    (the QR codes of the article pages, while mkdocs converts their Markdown); `result()`
    takes the answers, or, where forking is not safe or fails, computes them here."""

    def __init__(self, fn: Callable[[T], R], items: Sequence[T], *, minimum: int = 200) -> None:
        self._fn, self._items = fn, items
        self._pool: ProcessPoolExecutor | None = None
        self._future: Future[list[R]] | None = None
        if len(items) < minimum or not _can_fork():
            return
        _JOB[:] = [(fn, items)]
        try:
            context = multiprocessing.get_context("fork")
            self._pool = ProcessPoolExecutor(
                1, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),)
            )
            self._future = self._pool.submit(_run_job)
        except OSError:
            self._pool = None
        finally:
            _JOB.clear()  # the child has its own copy

    def result(self) -> list[R]:
        try:
            if self._future is not None:
                return self._future.result()
        except (OSError, BrokenProcessPool):
            pass
        finally:
            self.close()
        return [self._fn(item) for item in self._items]

    def close(self) -> None:
        """End the process (a failed build does not wait for it)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
            self._future = None
