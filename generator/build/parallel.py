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

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
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
    (the QR codes of the article pages, from the moment the pages are listed to the moment
    their templates print them); `result()` takes the answers, or, where forking is not safe
    or the process failed, computes them here.

    A bare process and a pipe, no executor: an executor's thread in this process would keep
    `map_on_two_cores` from forking for the gate's checks meanwhile.
    """

    def __init__(self, fn: Callable[[T], R], items: Sequence[T], *, minimum: int = 200) -> None:
        self._fn, self._items = fn, items
        self._process: Any = None
        self._answers: Connection | None = None
        if len(items) < minimum or not _can_fork():
            return
        context = multiprocessing.get_context("fork")
        try:
            answers, writer = context.Pipe(duplex=False)
        except OSError:  # no pipe to be had: the work is done here
            return
        process = context.Process(target=_ahead, args=(fn, items, writer, os.getpid()), daemon=True)
        try:
            process.start()
        except OSError:
            answers.close()
            return
        finally:
            writer.close()  # the child's end
        self._process, self._answers = process, answers

    @property
    def forked(self) -> bool:
        return self._answers is not None

    def result(self) -> list[R]:
        answer: Any = None
        if self._answers is not None:
            try:  # a process stopped or stuck does not hold the build: the work is done here
                if self._answers.poll(_AHEAD_TIMEOUT):
                    answer = self._answers.recv()
                    self._process.join(5)  # it ends once it has answered
            except (EOFError, OSError):  # the process is gone
                answer = None
            finally:
                self.close()
        if isinstance(answer, list) and len(answer) == len(self._items):
            return answer
        return [self._fn(item) for item in self._items]

    def close(self) -> None:
        """End the process (a failed build does not wait for it)."""
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
            self._process.join(5)
            self._process = None
        if self._answers is not None:
            self._answers.close()
            self._answers = None


# The longest wait for work sent ahead (10,000 QR codes take about 10 s).
_AHEAD_TIMEOUT = 300.0


def _ahead(fn: Callable[[T], R], items: Sequence[T], answers: Connection, parent: int) -> None:
    _start_worker(parent)
    # Work for the idle moments: while the gate's checks take both cores, they go first.
    with contextlib.suppress(OSError):
        os.nice(10)
    with contextlib.suppress(OSError):  # the build is gone: nobody to answer
        answers.send([fn(item) for item in items])
    answers.close()
