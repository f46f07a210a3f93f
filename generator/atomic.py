"""Atomic replacement of an output folder: build beside it, then swap it in with renames.

If the build fails or the process is killed, the previous folder is untouched; only a
leftover staging folder remains, which the next build removes.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _staging_names(target: Path) -> tuple[Path, Path]:
    return (
        target.with_name(f".{target.name}.staging-{os.getpid()}"),
        target.with_name(f".{target.name}.old-{os.getpid()}"),
    )


def clean_leftovers(target: Path) -> None:
    """Remove staging or old folders that an interrupted build left beside `target`."""
    for leftover in target.parent.glob(f".{target.name}.staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in target.parent.glob(f".{target.name}.old-*"):
        shutil.rmtree(leftover, ignore_errors=True)


@contextmanager
def replace_dir(target: Path) -> Iterator[Path]:
    """Yield an empty staging folder; on normal exit it replaces `target`, else it is dropped."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(target)
    staging, old = _staging_names(target)
    staging.mkdir()
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace a file's content in one step: a crash leaves the old or the new file, not half."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
