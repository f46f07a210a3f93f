"""Progress of long work on stderr, for editors at a terminal and for CI logs.

At a terminal: a live line per phase (rich: phase, bar, count, rate, time left), cleared when
the phase ends. Elsewhere (CI logs, pipes): a plain Chinese line at every tenth of a phase of
at least `PLAIN_MIN` items, and one when it ends; never more. Nothing goes to stdout, so
`--json` output is untouched.

The hot path is `Phase.tick()`: one increment and one comparison per article; the clock is
read and anything drawn only when the count reaches the next mark. No thread is started (the
gate forks only when no other thread runs: generator/build/parallel.py). Like logging, the reporter
is set up once by the command line (`reporting`); the core only asks for phases.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import IO, Any

PLAIN_MIN = 100  # a phase smaller than this is over before a log line would help
PLAIN_STEPS = 10  # plain lines per phase: at every tenth
LIVE_STEPS = 200  # redraws per phase at most, at a terminal


class Phase:
    """A counted step of the work (loading, judging, rendering…)."""

    __slots__ = (
        "_live",
        "_mark",
        "_reporter",
        "_step",
        "_task",
        "count",
        "label",
        "started",
        "total",
    )

    def __init__(self, reporter: Reporter | None, label: str, total: int) -> None:
        self.label, self.total, self.count = label, total, 0
        self._reporter = reporter
        self.started = time.monotonic()
        self._task: Any = None
        steps = (LIVE_STEPS if reporter.live else PLAIN_STEPS) if reporter else 0
        shown = reporter is not None and (reporter.live or total >= PLAIN_MIN)
        self._step = max(1, total // steps) if shown and total > 0 else 0
        self._mark = self._step if self._step else sys.maxsize
        if shown and reporter is not None:
            reporter.begin(self)

    def tick(self, n: int = 1) -> None:
        self.count += n
        if self.count >= self._mark:
            self._mark = self.count + self._step
            assert self._reporter is not None
            self._reporter.show(self)

    def finish(self) -> None:
        if self._step and self._reporter is not None:
            self._step = 0
            self._mark = sys.maxsize
            self._reporter.end(self)

    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.count / elapsed if elapsed > 0 else 0.0

    def plain(self) -> str:
        """The CI log line: 进度 加载稿件：1200/3000（40%），每秒 850 篇，预计还需 2 秒"""
        rate = self.rate()
        shown = min(self.count, self.total)
        line = f"进度 {self.label}：{shown}/{self.total}（{shown * 100 // max(self.total, 1)}%）"
        line += f"，每秒 {rate:.0f} 篇"
        if rate > 0 and shown < self.total:
            line += f"，预计还需 {(self.total - shown) / rate:.0f} 秒"
        return line


class Reporter:
    """Where phases are shown: a live rich display at a terminal, plain lines elsewhere."""

    def __init__(self, stream: IO[str], live: bool) -> None:
        self.stream, self.live = stream, live
        self._display: Any = None

    def begin(self, phase: Phase) -> None:
        if not self.live:
            return
        if self._display is None:
            self._display = _rich_display(self.stream)
            self._display.start()
        phase._task = self._display.add_task(phase.label, total=phase.total or None, rate="")
        self._display.refresh()

    def show(self, phase: Phase) -> None:
        if self.live:
            rate = f"每秒 {phase.rate():.0f} 篇"
            self._display.update(phase._task, completed=phase.count, rate=rate)
            self._display.refresh()
        else:
            print(phase.plain(), file=self.stream, flush=True)

    def end(self, phase: Phase) -> None:
        if self.live:
            self._display.remove_task(phase._task)
            self._display.refresh()
        else:
            phase.count = max(phase.count, phase.total)
            print(
                phase.plain() + f"，完成（{time.monotonic() - phase.started:.1f} 秒）",
                file=self.stream,
                flush=True,
            )

    def close(self) -> None:
        if self._display is not None:
            self._display.stop()
            self._display = None


def _rich_display(stream: IO[str]) -> Any:
    """rich's progress display, imported only at a terminal (it costs a CI run nothing)."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("剩余"),
        TimeRemainingColumn(),
        console=Console(file=stream),
        auto_refresh=False,
        transient=True,
    )


_reporter: ContextVar[Reporter | None] = ContextVar("congress_progress", default=None)


def phase(label: str, total: int) -> Phase:
    """A new phase of `total` items, shown if the command asked for progress."""
    return Phase(_reporter.get(), label, total)


@contextmanager
def reporting(*, quiet: bool, stream: IO[str] | None = None) -> Iterator[None]:
    """Show the phases begun inside on `stream` (stderr), unless `quiet`."""
    out = stream or sys.stderr
    reporter = None if quiet else Reporter(out, live=_is_terminal(out))
    token = _reporter.set(reporter)
    try:
        yield
    finally:
        if reporter is not None:
            reporter.close()
        _reporter.reset(token)


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
