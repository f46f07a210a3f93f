"""Helper processes that end with the command that started them.

A build starts helpers: the search indexing process (searchindex.py) and Pagefind's binary
under it, `find` listing the spare site (reuse.py), a forked process for the text checks
(twocores.py), `rm` for an old spare (atomic.py). If the build is killed (`kill -9`, the CI
runner's timeout), nothing would stop them: a helper blocked on a pipe whose other end is
gone waits forever, and one still writing writes into a staging folder no build owns.

On Linux each helper asks the kernel for a signal when its parent ends
(`prctl(PR_SET_PDEATHSIG, SIGKILL)`), and ends at once if its parent is already gone (a kill
between the fork and the `prctl`). The setting survives `exec`, so a program a helper runs
(`python -m pagefind` execs Pagefind's binary) is covered too. Stopping a helper on a
failure is bounded: it is asked to end, then killed, each wait with a timeout.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from typing import Any

_PR_SET_PDEATHSIG = 1


def _resolve_prctl() -> Any:
    if sys.platform != "linux":
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


# Resolved once here: a child forked from a process with threads then only makes the call
# (loading a library after such a fork could wait for a lock no thread will release).
_PRCTL = _resolve_prctl()


def die_with_parent(parent: int | None = None) -> None:
    """End this process (SIGKILL) when its parent ends; at once if `parent` has ended already."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if parent is not None and os.getppid() != parent:
        os._exit(1)


def bound_to_me() -> Callable[[], None] | None:
    """A `preexec_fn` for `subprocess`: the program started ends with this process."""
    if _PRCTL is None:
        return None
    return functools.partial(die_with_parent, os.getpid())


def stop(process: subprocess.Popen[Any], timeout: float = 5.0) -> None:
    """End a helper program: SIGTERM, then SIGKILL, each wait bounded."""
    if process.poll() is not None:
        return
    with contextlib.suppress(OSError):
        process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(OSError):
            process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout)
