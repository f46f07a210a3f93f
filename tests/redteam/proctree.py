"""Watching a process tree through /proc: which processes a command started, and whether
any of them outlives it (tests of `kill -9` and of failures)."""

from __future__ import annotations

import contextlib
import ctypes
import os
import time
from collections.abc import Iterator
from pathlib import Path

Proc = tuple[int, int]  # pid, start time (a pid alone may be reused)

_PR_SET_CHILD_SUBREAPER = 36


def _stat(pid: int) -> tuple[str, int, int] | None:
    """State, parent pid and start time of a process; None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[1]), int(fields[19])


def descendants(root: int) -> set[Proc]:
    """Every live process under `root` (children, their children, ...)."""
    parents: dict[int, list[int]] = {}
    starts: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _stat(int(entry))
            if st is not None and st[0] != "Z":
                parents.setdefault(st[1], []).append(int(entry))
                starts[int(entry)] = st[2]
    found: set[Proc] = set()
    todo = [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.add((child, starts[child]))
            todo.append(child)
    return found


def new_since(baseline: set[Proc]) -> set[Proc]:
    """This process's descendants that are not `baseline` nor under it: what a command started
    since (a browser a fixture of another test left running may start processes meanwhile)."""
    under = set(baseline)
    for pid, _ in baseline:
        under |= descendants(pid)
    return descendants(os.getpid()) - under


def alive(procs: set[Proc]) -> set[Proc]:
    """Those of `procs` still running (a zombie has ended)."""
    left = set()
    for pid, start in procs:
        st = _stat(pid)
        if st is not None and st[2] == start and st[0] != "Z":
            left.add((pid, start))
    return left


def wait_all_gone(procs: set[Proc], timeout: float) -> set[Proc]:
    """Wait up to `timeout` seconds for every process of `procs` to end; those left."""
    deadline = time.monotonic() + timeout
    left = alive(procs)
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        reap()
        left = alive(left)
    return left


def reap() -> None:
    """Collect ended children of this process (orphans it adopted as their subreaper)."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "?"


@contextlib.contextmanager
def adopting_orphans() -> Iterator[None]:
    """Make this process the subreaper of what it starts: a helper whose parent is killed
    becomes this process's child, so it stays in sight (and is reaped here)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_CHILD_SUBREAPER, 1)
    try:
        yield
    finally:
        libc.prctl(_PR_SET_CHILD_SUBREAPER, 0)
        reap()
