"""The benchmark corpus is valid input: the bench measures real work, not error paths."""

from __future__ import annotations

from pathlib import Path

from bench.corpus import write_corpus
from generator.clock import aware
from generator.config import load_site
from generator.gate import decide
from generator.newsroom import load_newsroom
from tests.sitekit import NOW


def test_corpus_loads_cleanly_and_covers_every_column(tmp_path: Path) -> None:
    write_corpus(40, tmp_path / "corpus")
    site = load_site(tmp_path / "corpus" / "mkdocs.yml")
    room = load_newsroom(site)
    assert len(room.articles) == 40
    assert [f for f in room.findings if f.is_error] == []
    assert {a.meta.column for a in room.articles if a.meta} == {c.id for c in site.columns}
    decision = decide(room, aware(NOW))
    assert 0.8 * 40 <= len(decision.published) < 40
