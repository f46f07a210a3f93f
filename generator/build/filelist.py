"""What a folder holds, listed by `find` on another core (the spare site, before a build
updates it in place: generator/mkdocs_plugin/reuse.py deletes what the build did not make)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from generator.build.children import bound_to_me, stop


class FileInventory:
    """What the spare holds outside `skip`, listed by `find` on another core while this one
    reads the articles (a walk of 20,000 files here took 0.9 s of the rebuild's busy core).

    Taken before the build writes into the spare: every file written later is one this build
    makes, and a file listed but removed meanwhile is simply gone, so the listing holds all
    that can be left over. `find` writes into an unnamed temporary file, not a pipe, which
    would stop it after 64 KB until read. Without `find`, `delete_stale` walks the folder itself.
    """

    def __init__(self, staging: Path, skip: str) -> None:
        self.staging, self.skip = staging, skip
        self._find: subprocess.Popen[bytes] | None = None
        self._out = tempfile.TemporaryFile()  # noqa: SIM115 (closed by entries or cancel)
        find = shutil.which("find")
        if find is not None:  # relative to the folder: its own name may hold * or [
            prune = ["(", "-path", f"./{skip}", "-prune", ")", "-o"]
            self._find = subprocess.Popen(
                [find, ".", "-mindepth", "1", *prune, "-print0"],
                cwd=staging,
                stdout=self._out,
                stderr=subprocess.DEVNULL,
                preexec_fn=bound_to_me(),  # noqa: PLW1509 (only prctl: children.py)
            )

    def entries(self) -> list[str] | None:
        """Every file and folder (relative, '/'-separated), or None if `find` failed."""
        if self._find is None:
            self._out.close()
            return None
        with self._out:
            if self._find.wait() != 0:
                return None
            self._out.seek(0)
            out = self._out.read()
        rel = (os.fsdecode(p).removeprefix("./") for p in out.split(b"\0") if p)
        skip = (self.skip, f"{self.skip}/")
        return [r for r in rel if r != skip[0] and not r.startswith(skip[1])]

    def cancel(self) -> None:
        """The build failed: stop listing (nothing is swept)."""
        if self._find is not None:
            stop(self._find)
        self._out.close()
