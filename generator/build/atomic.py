"""Atomic replacement of an output folder: build beside it, then swap it in with renames.

If the build fails or the process is killed, the previous folder is untouched; only a
leftover staging folder remains, which the next build removes. The folder replaced can be
kept as the *spare* (`spare_of`): the build after next updates it in place instead of writing
every file anew (generator/mkdocs_plugin/reuse.py), and swaps it in the same way.
"""

from __future__ import annotations

import ctypes
import errno
import glob
import logging
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from generator.build.children import bound_to_me


def _staging_names(target: Path) -> tuple[Path, Path]:
    return (
        target.with_name(f".{target.name}.staging-{os.getpid()}"),
        target.with_name(f".{target.name}.old-{os.getpid()}"),
    )


def clean_leftovers(target: Path) -> None:
    """Remove staging or old folders that an interrupted build left beside `target`; if it
    was interrupted between the two renames of a swap, first put the previous site back."""
    prefix = glob.escape(f".{target.name}")
    olds = list(target.parent.glob(prefix + ".old-*"))
    if not target.exists() and olds:
        newest = max(olds, key=lambda p: p.stat().st_mtime)
        newest.rename(target)
        olds.remove(newest)
    for leftover in [*target.parent.glob(prefix + ".staging-*"), *olds]:
        shutil.rmtree(leftover, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux `renameat2` with RENAME_EXCHANGE); False where
    the system or the file system cannot, and the caller renames twice instead."""
    if sys.platform != "linux":
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a))


@contextmanager
def exclusive(target: Path) -> Iterator[None]:
    """One build of a site at a time: a second one (a scheduled run while someone builds by
    hand) waits for the first, instead of both writing beside the same site."""
    import fcntl

    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.with_name(f".{target.name}.lock"), "a+b") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            logging.getLogger("mkdocs.plugins.congress").warning(
                "另一个构建正在生成 %s，等待它结束 [BUILD-WAIT]", target
            )
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def spare_of(target: Path) -> Path:
    """The previous site, kept beside `target` so that the next build can update it in place."""
    return target.with_name(f".{target.name}.spare")


@contextmanager
def replace_dir(
    target: Path, *, reuse: Path | None = None, keep_old: Path | None = None
) -> Iterator[Path]:
    """Yield a staging folder: `reuse` (moved aside first) or a new empty one. On normal exit
    it replaces `target`, and the replaced folder becomes `keep_old` (or is removed); on an
    error the staging folder is removed and `target` is left as it was."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(target)
    staging, old = _staging_names(target)
    if reuse is not None and reuse.is_dir():
        reuse.rename(staging)
    else:
        staging.mkdir()
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if target.exists() and _exchange(staging, target):
        old = staging  # now holds the previous site; the live one was never missing
    else:
        if target.exists():
            target.rename(old)
        try:
            staging.rename(target)
        except BaseException:
            if old.exists() and not target.exists():
                old.rename(target)
            raise
    if not old.exists():
        return
    if keep_old is None:
        shutil.rmtree(old, ignore_errors=True)
        return
    if keep_old.exists():
        shutil.rmtree(keep_old, ignore_errors=True)
    old.rename(keep_old)


@contextmanager
def discarding(folder: Path | None) -> Iterator[None]:
    """Remove `folder` (and what an interrupted run left to remove beside it) while the body
    runs: it is renamed out of the way at once, and deleted by `rm` on another core (a 10,000
    page site takes seconds to delete), which the end of the body waits for."""
    if folder is None:
        yield
        return
    trash = folder.with_name(f"{folder.name}.trash-{os.getpid()}-{secrets.token_hex(4)}")
    if folder.exists():
        folder.rename(trash)
    doomed = [str(p) for p in folder.parent.glob(glob.escape(folder.name) + ".trash-*")]
    rm = shutil.which("rm")
    process = None
    if doomed and rm is not None:
        # preexec_fn only calls prctl (children.py): safe beside threads.
        ends = bound_to_me()
        process = subprocess.Popen([rm, "-rf", "--", *doomed], preexec_fn=ends)  # noqa: PLW1509
    try:
        yield
    finally:
        if process is not None:
            process.wait()
        for path in doomed:  # no rm, or it failed
            shutil.rmtree(path, ignore_errors=True)


def write_atomic(path: Path, data: bytes | Iterable[bytes], *, durable: bool = False) -> None:
    """Replace a file's content in one step: a crash leaves the old or the new file, not half.
    `data` may come in pieces (written as they come); `durable`: flushed to disk before the
    rename, so that not even a power cut leaves a new name on old or missing bytes."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as out:
            if isinstance(data, bytes):
                out.write(data)
            else:
                out.writelines(data)
            if durable:
                out.flush()
                os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a full disk leaves no half-written file behind
        raise
