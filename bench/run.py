"""Time the project's build against plain mkdocs-material on the same Markdown.

`make bench` (or `python -m bench.run [N ...]`) prints, per corpus size, the median of a few
runs of: `congress check`, the full `congress build`, and a plain mkdocs-material build of the
same pages (articles out of the navigation, no search), and the ratio between the builds.
Targets are ratios measured in one run on one machine, never timed tests.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

from bench.corpus import ROOT, write_corpus

NOW = "2026-11-28T12:00:00+08:00"


def _run(cmd: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, check=False, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr}")
    return time.perf_counter() - started


def _interleaved(commands: dict[str, list[str]], cwd: Path, repeat: int) -> dict[str, float]:
    """Median seconds per command, the commands taking turns (A B C A B C …), so that a
    machine that speeds up or slows down during the run biases none of them."""
    runs: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, cmd in commands.items():
            runs[name].append(_run(cmd, cwd))
    return {name: statistics.median(times) for name, times in runs.items()}


def plain_config(site: Path) -> Path:
    """mkdocs.yml for plain mkdocs-material: no congress plugin, no search, articles not in nav."""
    config = {
        "site_name": "plain",
        "site_url": "https://www.example.gov.cn/",
        "docs_dir": "content",
        "site_dir": "site-plain",
        "theme": {"name": "material", "language": "zh"},
        "markdown_extensions": ["toc", "tables", "attr_list", "md_in_html", "admonition"],
        "plugins": [],
        "not_in_nav": "/*/",
    }
    path = site / "mkdocs-plain.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def time_feeds(site_dir: Path, repeat: int) -> float:
    """Writing every feed from the published set, the HTML rendered beforehand (as mkdocs has)."""
    import markdown

    from generator import clock
    from generator.config import load_site
    from generator.feeds import render_feeds
    from generator.publication import publish
    from generator.staff import load_staff

    site = load_site(site_dir / "mkdocs.yml")
    pub = publish(site, clock.aware(NOW), staff=load_staff(site))
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
    path.write_text(
        text.replace("  - congress:\n", "  - congress:\n      search: false\n", 1), encoding="utf-8"
    )
    return path


def measure(n: int, repeat: int) -> dict[str, float]:
    site = ROOT / "bench" / "corpus" / str(n)
    write_corpus(n, site)
    congress = [sys.executable, "-m", "generator"]
    plain = plain_config(site)
    result = _interleaved(
        {
            "check": [*congress, "check", "--now", NOW],
            "build": [*congress, "build", "--now", NOW],
            "nosearch": [*congress, "build", "--now", NOW, "-f", str(no_search(site))],
            "plain": [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(plain)],
        },
        site,
        repeat,
    )
    result["feeds"] = time_feeds(site, repeat)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", nargs="*", type=int, default=[500, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'N':>6} {'check s':>9} {'feeds s':>9} {'build s':>9} {'no-search s':>12}"
        f" {'plain s':>9} {'search %':>9} {'build/plain':>12}"
    )
    for n in args.sizes:
        r = measure(n, args.repeat)
        print(
            f"{n:>6} {r['check']:>9.2f} {r['feeds']:>9.2f} {r['build']:>9.2f}"
            f" {r['nosearch']:>12.2f}"
            f" {r['plain']:>9.2f} {100 * (r['build'] - r['nosearch']) / r['build']:>8.0f}%"
            f" {r['build'] / r['plain']:>12.2f}"
        )


if __name__ == "__main__":
    main()
