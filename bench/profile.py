"""Profile one cold `congress build` (or `check`) of a bench corpus: `make profile
SHAPE=archive N=5000` (or `python -m bench.profile N --shape NAME [--command check]`) writes
the corpus if it is missing, runs the command under cProfile without the cache, and prints the
top lines by cumulative time.

The command itself ends with `os._exit` (generator/failure.py), which would skip the
profiler's report: here it returns to the profiler instead. Work done in the forked process
that takes half of the gate's checks (build/parallel.py) is not in the profile; its wall time
is, in the parent's wait for it.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import sys
import tempfile
from pathlib import Path

from bench.corpus import ROOT, write_corpus
from bench.run import NOW
from bench.shapes import DEFAULT, SHAPES


class _Left(Exception):
    pass


def _leave(code: int) -> None:
    raise _Left(code)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("size", nargs="?", type=int, default=5000)
    parser.add_argument("--shape", default=DEFAULT, choices=sorted(SHAPES))
    parser.add_argument("--command", choices=("build", "check"), default="build")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--out", type=Path, help="also keep the raw profile here")
    args = parser.parse_args()
    site = ROOT / "bench" / "corpus" / f"{args.shape}-{args.size}"
    if not (site / "mkdocs.yml").exists():
        write_corpus(args.size, site, shape=SHAPES[args.shape])
    import generator.cli
    from generator import engine

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    engine.activate()
    generator.cli._leave = _leave  # type: ignore[assignment]
    profiler = cProfile.Profile()
    os.chdir(site)
    with tempfile.TemporaryDirectory(prefix="congress-profile-") as out:
        argv = [args.command, "--no-cache", "--now", NOW]
        if args.command == "build":
            argv += ["--site-dir", str(Path(out) / "site")]
        profiler.enable()
        try:  # the command's own report is not the profile's
            with contextlib.redirect_stdout(io.StringIO()):
                generator.cli.main.main(argv, standalone_mode=False)
        except _Left:
            pass
        finally:
            profiler.disable()
    if args.out is not None:
        profiler.dump_stats(args.out)
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(args.top)
    print(f"cold {args.command} of {args.shape}-{args.size}, under cProfile", file=sys.stderr)
    print(text.getvalue())


if __name__ == "__main__":
    main()
