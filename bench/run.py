"""Time the project against plain mkdocs-material, Pelican and Hugo on the same corpus.

`make bench` (or `python -m bench.run [N ...] [--shape NAME,...]`) writes a corpus of N
articles of each shape (bench/shapes.py, bench/corpus.py) and measures, the commands taking
turns (A B C A B C …) so that a machine that speeds up or slows down biases none of them,
the median of `--repeat` runs of:

- check (cold / warm): `congress check` without the build cache, and with it warm;
- build: the full `congress build` (gate, pages, Pagefind search, feeds) into a new folder,
  without the cache; no-search: the same with the search index off, to price it;
- rebuild: `congress build` after one article changed (the newest one, corrected and signed
  again), with the cache and the previous site at hand;
- plain: mkdocs-material on the same Markdown (bench/others.py) with mkdocs' default Markdown
  extensions, and plain+: with the project's; Pelican, and Hugo when the `hugo` command is
  installed;
- feeds: writing every feed from HTML rendered beforehand, in this process.

and the peak memory of each command's processes together. It prints seconds, ratios and
memory; targets are read from its output, never asserted by timed tests.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from bench.corpus import ROOT, write_corpus
from bench.others import hugo_site, pelican_site, plain_site
from bench.shapes import DEFAULT, SHAPES, Shape
from generator.engine import chosen

NOW = "2026-11-28T12:00:00+08:00"
PELICAN_VENV = ROOT / ".venv-pelican"


class Peak:
    """The largest memory of a process and its descendants together (their proportional set
    sizes: bench/run.py `_rss`), sampled every 50 ms."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, sum(_rss(pid, page) for pid in _tree(self.pid)))

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def _tree(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += parents.get(pid, [])
    return found


def _rss(pid: int, page: int) -> int:
    """The process's proportional set size: its own pages, and its share of the pages it
    shares (a forked worker's copy-on-write pages counted once across the tree, not once per
    process as resident sizes would); the resident size where the kernel has no rollup."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * page
    except (OSError, IndexError, ValueError):
        return 0


def _run(cmd: list[str], cwd: Path, before: Callable[[], None] | None = None) -> tuple[float, int]:
    """Seconds and peak memory (bytes) of one run of `cmd`."""
    if before is not None:
        before()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    started = time.perf_counter()
    process = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    peak = Peak(process.pid) if sys.platform == "linux" else None
    _, err = process.communicate()
    seconds = time.perf_counter() - started
    memory = peak.stop() if peak is not None else 0
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err}")
    return seconds, memory


def _turns(
    commands: dict[str, tuple[list[str], Callable[[], None] | None]], cwd: Path, repeat: int
) -> dict[str, tuple[float, int]]:
    """Median seconds and largest peak memory per command, the commands taking turns."""
    runs: dict[str, list[tuple[float, int]]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, (cmd, before) in commands.items():
            runs[name].append(_run(cmd, cwd, before))
    return {
        name: (statistics.median(t for t, _ in r), max(m for _, m in r)) for name, r in runs.items()
    }


def time_feeds(site_dir: Path, repeat: int) -> float:
    """Writing every feed from the published set, the HTML rendered beforehand (as mkdocs has)."""
    import markdown

    from generator.core import clock
    from generator.core.config import load_site
    from generator.core.staff import load_staff
    from generator.derive.feeds import render_feeds
    from generator.derive.publication import prepare

    site = load_site(site_dir / "mkdocs.yml")
    pub = prepare(site, clock.aware(NOW), staff=load_staff(site))
    html = {
        a.src: markdown.markdown(a.body, extensions=["tables", "toc"])
        for a in pub.decision.published
    }
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        render_feeds(site, pub.decision.published, lambda a: html[a.src])
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def no_search(site: Path) -> Path:
    """The same site with the search index switched off, to price the index."""
    path = site / "mkdocs-nosearch.yml"
    text = (site / "mkdocs.yml").read_text(encoding="utf-8")
    changed = text.replace("  - congress:\n", "  - congress:\n      search: false\n", 1)
    if changed == text:
        raise SystemExit("bench: the congress plugin entry of mkdocs.yml was not found")
    path.write_text(changed, encoding="utf-8")
    return path


def correct_newest(site: Path, round_: int) -> None:
    """An editor's correction: the newest public article gets a sentence and a new sign-off."""
    from bench.corpus import resign

    def public(path: Path) -> bool:
        text = path.read_text(encoding="utf-8")
        return "\n  final:" in text and "\nwithdrawn:" not in text and "\npublish_at:" not in text

    articles = sorted((site / "content").glob("*/*/*.md"), key=lambda p: p.stem, reverse=True)
    newest = next(p for p in articles if public(p))
    resign(newest, f"（本文第{round_}次修订。）")


def pelican_command() -> list[str] | None:
    """Pelican from its own environment (made by `make bench`), if there is one."""
    exe = PELICAN_VENV / "bin" / "pelican"
    return [str(exe)] if exe.exists() else None


def measure(
    n: int,
    shape: Shape,
    repeat: int,
    scratch: Path,
    corpora: Path,
    *,
    others: bool = True,
    search_share: bool = True,
) -> dict[str, tuple[float, int]]:
    site = corpora / f"{shape.name}-{n}"
    write_corpus(n, site, shape=shape)
    python = sys.executable
    congress = [python, "-m", "generator"]
    out = scratch / f"{shape.name}-{n}"

    def fresh(folder: Path) -> Callable[[], None]:
        return lambda: shutil.rmtree(folder, ignore_errors=True)

    plain, plain_ext = plain_site(site, extensions=False), plain_site(site)
    commands: dict[str, tuple[list[str], Callable[[], None] | None]] = {
        "check": ([*congress, "check", "--no-cache", "--now", NOW], None),
        "check-warm": ([*congress, "check", "--now", NOW], None),
        "build": (
            [*congress, "build", "--no-cache", "--now", NOW, "--site-dir", str(out / "b")],
            fresh(out / "b"),
        ),
        "nosearch": (
            [
                *congress,
                "build",
                "--no-cache",
                "--now",
                NOW,
                "--site-dir",
                str(out / "n"),
                "-f",
                str(no_search(site)),
            ],
            fresh(out / "n"),
        ),
        "plain": ([python, "-m", "mkdocs", "build", "-q", "-f", str(plain)], None),
        "plain-ext": ([python, "-m", "mkdocs", "build", "-q", "-f", str(plain_ext)], None),
    }
    if not search_share:
        del commands["nosearch"]
    pelican = pelican_command() if others else None
    if pelican is not None:
        root = pelican_site(site)
        commands["pelican"] = (
            [
                *pelican,
                str(root / "content"),
                "-s",
                str(root / "pelicanconf.py"),
                "-o",
                str(out / "p"),
                "-q",
                "--delete-output-directory",
            ],
            None,
        )
    if others and shutil.which("hugo"):
        root = hugo_site(site)
        commands["hugo"] = (
            ["hugo", "--quiet", "-s", str(root), "-d", str(out / "h")],
            fresh(out / "h"),
        )
    _run([*congress, "check", "--now", NOW], site)  # warms the cache for check-warm
    result = _turns(commands, site, repeat)
    # The rebuild: two builds with the cache make the live site and its spare; then each run
    # follows a correction of the newest article.
    target = ["--now", NOW, "--site-dir", str(out / "r")]
    for _ in range(2):
        _run([*congress, "build", *target], site)
    rebuilds = [
        _run([*congress, "build", *target], site, lambda r=r: correct_newest(site, r))
        for r in range(repeat)
    ]
    result["rebuild"] = (statistics.median(t for t, _ in rebuilds), max(m for _, m in rebuilds))
    result["feeds"] = (time_feeds(site, repeat), 0)
    return result


COLUMNS = [
    ("check", "check"),
    ("check-warm", "check*"),
    ("feeds", "feeds"),
    ("build", "build"),
    ("nosearch", "no-search"),
    ("rebuild", "rebuild"),
    ("plain", "plain"),
    ("plain-ext", "plain+"),
    ("pelican", "pelican"),
    ("hugo", "hugo"),
]


Results = dict[tuple[str, int], dict[str, tuple[float, int]]]


def _mark(value: float, target: float) -> str:
    return "✓" if value <= target else "✗"


def report(results: Results) -> str:
    row = "shape        N"
    lines = [
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        f", {platform.platform()}",
        f"engine: {chosen()} (CONGRESS_ENGINE=mkdocs|properdocs to choose)",
        "",
        "seconds (median)",
        f"{row} " + " ".join(f"{label:>9}" for _, label in COLUMNS),
    ]
    for (shape, n), r in results.items():
        cells = [f"{r[k][0]:>9.2f}" if k in r else f"{'-':>9}" for k, _ in COLUMNS]
        lines.append(f"{shape:<8} {n:>5} " + " ".join(cells))
    lines += [
        "",
        "ratios (targets: build/plain ≤ 1.5, build/plain+ ≤ 1.3, rebuild/build ≤ 0.10,"
        " check ≤ 3 s at 10,000)",
        f"{row} {'build/plain':>13} {'build/plain+':>13} {'rebuild/build':>14}"
        f" {'search share':>13} {'build/pelican':>14}",
    ]
    for (shape, n), r in results.items():
        build = r["build"][0]
        pelican = f"{build / r['pelican'][0]:>14.2f}" if "pelican" in r else f"{'-':>14}"
        share = (build - r["nosearch"][0]) / build if "nosearch" in r else float("nan")
        plain, plus, rebuild = (
            build / r["plain"][0],
            build / r["plain-ext"][0],
            r["rebuild"][0] / build,
        )
        lines.append(
            f"{shape:<8} {n:>5} {plain:>11.2f} {_mark(plain, 1.5)} {plus:>11.2f} {_mark(plus, 1.3)}"
            f" {rebuild:>12.2f} {_mark(rebuild, 0.1)} {share:>12.0%} {pelican}"
        )
    lines += ["", "peak memory, MB (the command's processes together, forked workers included)"]
    lines.append(f"{row} " + " ".join(f"{label:>9}" for k, label in COLUMNS if k != "feeds"))
    for (shape, n), r in results.items():
        cells = [
            f"{r[k][1] / 2**20:>9.0f}" if k in r else f"{'-':>9}"
            for k, _ in COLUMNS
            if k != "feeds"
        ]
        lines.append(f"{shape:<8} {n:>5} " + " ".join(cells))
    if len({n for _, n in results}) > 1:
        lines += ["", "seconds per 1,000 articles (linear: the same at every N)"]
        lines.append(f"{row} " + " ".join(f"{label:>9}" for _, label in COLUMNS))
        for (shape, n), r in results.items():
            cells = [f"{1000 * r[k][0] / n:>9.2f}" if k in r else f"{'-':>9}" for k, _ in COLUMNS]
            lines.append(f"{shape:<8} {n:>5} " + " ".join(cells))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", nargs="*", type=int, default=[5000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--shape",
        default=DEFAULT,
        help=f"shapes, comma-separated, or all: {', '.join(SHAPES)} (bench/shapes.py)",
    )
    parser.add_argument(
        "--corpus-dir", type=Path, default=ROOT / "bench" / "corpus", help="where corpora go"
    )
    parser.add_argument(
        "--no-others", action="store_true", help="leave out Pelican and Hugo (mkdocs-material only)"
    )
    parser.add_argument(
        "--no-search-share", action="store_true", help="leave out the build without search"
    )
    args = parser.parse_args()
    names = list(SHAPES) if args.shape == "all" else args.shape.split(",")
    unknown = [name for name in names if name not in SHAPES]
    if unknown:
        parser.error(f"unknown shape {', '.join(unknown)}; known: {', '.join(SHAPES)}")
    results: Results = {}
    with tempfile.TemporaryDirectory(prefix="congress-bench-") as tmp:
        for name in names:
            for n in args.sizes:
                shape = SHAPES[name]
                results[name, n] = measure(
                    n,
                    shape,
                    args.repeat,
                    Path(tmp),
                    args.corpus_dir.resolve(),
                    others=not args.no_others,
                    search_share=not args.no_search_share,
                )
                print(f"{name} N = {n} done", file=sys.stderr)
                print(report(results), file=sys.stderr)
    print(report(results))


if __name__ == "__main__":
    main()
