"""Loading the newsroom with the cyclic collector paused (generator/heap.py) loses nothing:
loading and judging make no reference cycles, read from the files or from the build cache,
for sound articles and broken ones alike."""

from __future__ import annotations

import gc
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import clock
from generator.cache import open_cache
from generator.config import load_site
from generator.heap import settling
from generator.publication import publish
from generator.staff import load_staff
from tests.sitekit import NOW, ROOT, article, draft, make_site


@pytest.fixture
def collector_off() -> Iterator[None]:
    """Collect what is there, then count only what the code under test leaves behind."""
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    yield
    if enabled:
        gc.enable()


def broken_site(root: Path) -> Path:
    return make_site(
        root,
        {
            "news/2026/ok.md": article(),
            "news/2026/pending.md": draft(),
            "news/2026/bad-yaml.md": "---\ntitle: [未闭合\n---\n正文\n",
            "news/2026/bad-date.md": draft(date="2026-13-45"),
            "news/2026/unknown-key.md": draft(sumary="拼错的键"),
            "news/2026/no-front-matter.md": "只有正文\n",
            "sesions/2026/unknown-column.md": draft(column="sesions"),
            "news/2026/not-utf8.md": "---\ntitle: 标题\n---\n".encode("gbk"),
        },
    )


def unreachable_cycles_after_publishing(root: Path, cached: bool) -> int:
    site = load_site(root / "mkdocs.yml")
    staff = load_staff(site)
    cache = open_cache(site.root) if cached else None
    try:
        pub = publish(site, clock.aware(NOW), staff=staff, cache=cache)
        assert pub.decision.verdicts
    finally:
        if cache is not None:
            cache.close()
    del pub
    return gc.collect()


@pytest.mark.parametrize("which", ["sample", "broken"])
def test_loading_and_judging_make_no_reference_cycles(
    tmp_path: Path, which: str, collector_off: None
) -> None:
    if which == "sample":
        root = tmp_path / "sample"
        shutil.copytree(ROOT / "content", root / "content")
        shutil.copytree(ROOT / "editorial", root / "editorial")
        shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    else:
        root = broken_site(tmp_path / "broken")
    assert unreachable_cycles_after_publishing(root, cached=False) == 0
    assert unreachable_cycles_after_publishing(root, cached=True) == 0  # fills the cache
    assert unreachable_cycles_after_publishing(root, cached=True) == 0  # reads it


def test_settling_pauses_the_collector_and_sets_the_objects_aside() -> None:
    enabled = gc.isenabled()
    frozen = gc.get_freeze_count()
    kept = []
    try:
        gc.enable()
        with settling():
            assert not gc.isenabled()
            kept.append([[i] for i in range(1000)])  # lists: always tracked
        assert gc.isenabled()
        assert gc.get_freeze_count() >= frozen + 1000
        gc.disable()
        with settling():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()
