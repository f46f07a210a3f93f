"""The benchmark corpus is valid input: the bench measures real work, not error paths."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.corpus import write_corpus
from generator.core.clock import aware
from generator.core.config import load_site
from generator.gate.decide import decide
from generator.load.newsroom import load_newsroom
from tests.sitekit import NOW, ROOT


def test_corpus_loads_cleanly_and_covers_every_column(tmp_path: Path) -> None:
    write_corpus(40, tmp_path / "corpus")
    site = load_site(tmp_path / "corpus" / "mkdocs.yml")
    room = load_newsroom(site)
    assert len(room.articles) == 40
    assert {a.meta.column for a in room.articles if a.meta} == {c.id for c in site.columns}
    decision = decide(room, aware(NOW))
    assert [f for v in decision.verdicts for f in v.findings if f.is_error] == []
    assert 0.8 * 40 <= len(decision.published) < 40


def test_the_bench_runs_and_reports_every_measure(tmp_path: Path) -> None:
    """`make bench` on a tiny corpus: it runs every command it times and prints its tables
    (the targets themselves are read from `make bench`, never asserted here)."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.run", "30", "--repeat", "1", "--corpus-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for heading in ("seconds (median)", "ratios", "peak memory, MB"):
        assert heading in out
    row = next(line.split() for line in out.splitlines() if line.split()[:1] == ["30"])
    header = next(line.split() for line in out.splitlines() if line.startswith("     N"))
    times = dict(zip(header, row, strict=True))
    for measure in ("check", "check*", "feeds", "build", "no-search", "rebuild", "plain"):
        assert float(times[measure]) > 0, measure
    assert (tmp_path / "30" / "mkdocs.yml").exists()
