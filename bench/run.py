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


def _time(cmd: list[str], cwd: Path, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run(cmd, cwd=cwd, check=False, capture_output=True, text=True)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr}")
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


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
        "nav": ["index.md"],
        "not_in_nav": "/*/",
    }
    (site / "content" / "index.md").write_text("# 首页\n", encoding="utf-8")
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
    html = {a.src: markdown.markdown(a.body, extensions=["tables", "toc"]) for a in pub.decision.published}
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        render_feeds(site, pub.decision.published, lambda a: html[a.src])
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def measure(n: int, repeat: int) -> dict[str, float]:
    site = ROOT / "bench" / "corpus" / str(n)
    write_corpus(n, site)
    congress = [sys.executable, "-m", "generator"]
    result = {
        "check": _time([*congress, "check", "--now", NOW], site, repeat),
        "build": _time([*congress, "build", "--now", NOW], site, repeat),
        "feeds": time_feeds(site, repeat),
    }
    plain = plain_config(site)
    result["plain"] = _time(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(plain)], site, repeat
    )
    (site / "content" / "index.md").unlink()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", nargs="*", type=int, default=[500, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'N':>6} {'check s':>9} {'feeds s':>9} {'build s':>9} {'plain s':>9} {'build/plain':>12}")
    for n in args.sizes:
        r = measure(n, args.repeat)
        print(
            f"{n:>6} {r['check']:>9.2f} {r['feeds']:>9.2f} {r['build']:>9.2f} {r['plain']:>9.2f}"
            f" {r['build'] / r['plain']:>12.2f}"
        )


if __name__ == "__main__":
    main()
