"""The benchmark corpus is valid input: the bench measures real work, not error paths."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench.corpus import write_corpus
from bench.shapes import SHAPES
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


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_every_shape_is_valid_input_of_its_own_shape(tmp_path: Path, name: str) -> None:
    """Each shape's articles pass the gate without an error, and have the lengths, tags,
    images and states the shape asks for."""
    shape = SHAPES[name]
    write_corpus(400, tmp_path / "corpus", shape=shape)
    site = load_site(tmp_path / "corpus" / "mkdocs.yml")
    decision = decide(load_newsroom(site), aware(NOW))
    assert [f for v in decision.verdicts for f in v.findings if f.is_error] == []
    states = Counter(v.state for v in decision.verdicts)
    assert states["published"] >= 0.75 * 400
    articles = [v.article for v in decision.verdicts if v.article.meta is not None]
    lengths = sorted(len(a.body) for a in articles)
    median = shape.chars[0]
    assert 0.6 * median <= lengths[len(lengths) // 2] <= 1.6 * median
    assert all(len(a.meta.tags) <= shape.tags[1] for a in articles if a.meta)
    with_images = sum("![" in a.body for a in articles)
    assert (with_images > 0) == (shape.images[0] > 0)
    own = list((tmp_path / "corpus" / "content").glob("*/*/images/*.svg"))
    assert bool(own) == (shape.own_images and shape.images[0] > 0)
    for state, share in (("withdrawn", shape.withdrawn), ("scheduled", shape.scheduled)):
        assert (states[state] > 0) == (share > 0), state
    corrected = sum(bool(a.meta.corrections) for a in articles if a.meta)
    assert (corrected > 0) == (shape.corrected > 0)


def test_the_bench_runs_and_reports_every_measure(tmp_path: Path) -> None:
    """`make bench` on a tiny corpus: it runs every command it times and prints its tables
    (the targets themselves are read from `make bench`, never asserted here)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.run",
            "30",
            "--repeat",
            "1",
            "--shape",
            "archive",
            "--corpus-dir",
            str(tmp_path),
        ],
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
    row = next(line.split() for line in out.splitlines() if line.split()[:2] == ["archive", "30"])
    header = next(line.split() for line in out.splitlines() if line.startswith("shape "))
    times = dict(zip(header, row, strict=True))
    for measure in ("check", "check*", "feeds", "build", "no-search", "rebuild", "plain", "plain+"):
        assert float(times[measure]) > 0, measure
    assert (tmp_path / "archive-30" / "mkdocs.yml").exists()
    ratios = next(line for line in out.splitlines() if line.startswith("ratios"))
    assert "build/plain ≤ 1.5" in ratios
