"""What the web archive costs: `python -m bench.archive [N] [--repeat 3]` (`make bench-archive`).

On the bench corpus of N articles (bench/corpus.py), built into its own site_dir as a
publication is:

- build: a full build with no cache and no archive (`congress build --no-cache --no-archive`);
- first: archiving that publication into an empty archive (`congress archive record`): every
  file a response record, the whole site compressed, and the indexes written;
- same: archiving it again after a build that changed nothing: every file read and compared,
  revisit records only, and no file kept (nothing changed);
- one: after a correction of the newest article and a rebuild, the archive of that publication:
  revisits for everything else, responses for what the correction changed;

each the median of `--repeat` runs, the archive commands taking turns with fresh copies of
the archive. The issue's targets: first/build at most 15 %, and same/build small.
Ratios are printed; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bench.corpus import write_corpus
from bench.run import NOW, _run, correct_newest

LATER = ["2026-11-28T13:00:00+08:00", "2026-11-28T14:00:00+08:00", "2026-11-28T15:00:00+08:00"]


def measure(n: int, repeat: int, scratch: Path) -> dict[str, float]:
    site = scratch / "corpus"
    write_corpus(n, site)
    congress = [sys.executable, "-m", "generator"]
    builds = []
    for _ in range(repeat):
        shutil.rmtree(site / "site", ignore_errors=True)
        builds.append(_run([*congress, "build", "--no-cache", "--no-archive", "--now", NOW], site))
    archive = site / "archive"

    def empty() -> None:
        shutil.rmtree(archive, ignore_errors=True)

    record = [*congress, "archive", "record"]
    first = [_run(record, site, empty)[0] for _ in range(repeat)]
    if not list(archive.glob("*/*.warc.gz")):
        raise SystemExit("bench: `congress archive record` archived nothing")
    kept = scratch / "archive-after-first"
    shutil.copytree(archive, kept)
    same = []
    for i in range(repeat):
        _run([*congress, "build", "--no-archive", "--now", LATER[i % len(LATER)]], site)
        same.append(_run(record, site)[0])
    ones = []
    for i in range(repeat):
        shutil.rmtree(archive)
        shutil.copytree(kept, archive)
        correct_newest(site, i)
        _run([*congress, "build", "--no-archive", "--now", LATER[i % len(LATER)]], site)
        ones.append(_run(record, site)[0])
    size = sum(p.stat().st_size for p in kept.rglob("*.warc.gz"))
    return {
        "build": statistics.median(t for t, _ in builds),
        "first": statistics.median(first),
        "same": statistics.median(same),
        "one": statistics.median(ones),
        "files": float(sum(1 for p in (site / "site").rglob("*") if p.is_file())),
        "warc_mb": size / 2**20,
    }


def main() -> None:
    # The corpus is built at the bench's fixed time, in the past: archive it all the same.
    os.environ["CONGRESS_ARCHIVE_BACKDATE"] = "1"
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", nargs="?", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-archive-") as tmp:
        r = measure(args.n, args.repeat, Path(tmp))
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"N = {args.n}: {r['files']:.0f} files in the site, first WARC {r['warc_mb']:.0f} MB")
    print(f"{'seconds (median)':<28} build {r['build']:.1f}  first {r['first']:.1f}", end="")
    print(f"  same {r['same']:.1f}  one {r['one']:.1f}")
    print(
        f"{'ratios to the build':<28} first {r['first'] / r['build']:.1%}"
        f"  same {r['same'] / r['build']:.1%}  one {r['one'] / r['build']:.1%}"
        "  (target: first at most 15 %)"
    )


if __name__ == "__main__":
    main()
