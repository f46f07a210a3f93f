"""Loading the newsroom with the cyclic collector paused (generator/build/heap.py) loses nothing:
loading and judging sound articles make no reference cycles, read from the files or from the
build cache; the few a broken article makes are collected where the heap is not frozen."""

from __future__ import annotations

import gc
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.build.cache import open_cache
from generator.build.heap import settling
from generator.build.publishing import prepare
from generator.build.runtime import LONG_RUNNING, ONE_SHOT
from generator.core import clock
from generator.core.config import load_site
from generator.core.staff import load_staff
from generator.load import links
from generator.load.article import Article
from tests.sitekit import NOW, ROOT, article, draft, make_site


@pytest.fixture
def collector_off() -> Iterator[None]:
    """Collect what is there, then count only what the code under test leaves behind."""
    enabled = gc.isenabled()
    gc.unfreeze()
    gc.collect()
    gc.disable()
    yield
    gc.unfreeze()
    if enabled:
        gc.enable()


def broken_site(root: Path) -> Path:
    return make_site(
        root,
        {
            "news/2026/ok.md": article(uid="2026-1128-b00001"),
            "news/2026/pending.md": draft(uid="2026-1128-b00002"),
            "news/2026/bad-yaml.md": "---\ntitle: [未闭合\n---\n正文\n",
            "news/2026/bad-date.md": draft(date="2026-13-45"),
            "news/2026/unknown-key.md": draft(sumary="拼错的键"),
            "news/2026/no-front-matter.md": "只有正文\n",
            "sesions/2026/unknown-column.md": draft(column="sesions"),
            "news/2026/not-utf8.md": "---\ntitle: 标题\n---\n".encode("gbk"),
        },
    )


def publish_at(root: Path, cached: bool, preview: bool = False) -> int:
    """Publish the site with the collector off; the number of articles loaded."""
    site = load_site(root / "mkdocs.yml")
    staff = load_staff(site)
    cache = open_cache(site.root) if cached else None
    try:
        links.targets("<i>x</i>")  # Python-Markdown's import and set-up, once per process
        gc.collect()  # what those and opening the cache made are not loading's
        gc.disable()
        runtime = LONG_RUNNING if preview else ONE_SHOT  # `serve` is the preview
        pub = prepare(
            site, clock.aware(NOW), staff=staff, runtime=runtime, cache=cache, preview=preview
        )
        return len(pub.decision.verdicts)
    finally:
        if cache is not None:
            cache.close()


@pytest.mark.parametrize("cached", [False, True], ids=["parsed", "from-cache"])
def test_loading_sound_articles_makes_no_reference_cycles(
    tmp_path: Path, cached: bool, collector_off: None
) -> None:
    root = tmp_path / "sample"
    shutil.copytree(ROOT / "content", root / "content")
    shutil.copytree(ROOT / "editorial", root / "editorial")
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    if cached:
        publish_at(root, cached=True)  # fills the cache
        gc.unfreeze()
        gc.collect()
    assert publish_at(root, cached=cached) > 40
    gc.unfreeze()  # publish froze the heap: a frozen cycle would escape the count
    assert gc.collect() == 0


def test_a_preview_leaves_nothing_behind_even_from_broken_articles(
    tmp_path: Path, collector_off: None
) -> None:
    """A broken article's exception keeps its frames in a cycle; without a freeze (as in
    `congress serve`) the collector takes it, and with it every article of the build."""
    root = broken_site(tmp_path)
    assert publish_at(root, cached=False, preview=True) == 8
    assert gc.get_freeze_count() == 0
    assert gc.collect() > 0  # the broken articles' exceptions
    uids = {"2026-1128-b00001", "2026-1128-b00002"}
    left = [o for o in gc.get_objects() if isinstance(o, Article) and o.uid in uids]
    assert gc.get_freeze_count() == 0 and not left


def test_settling_pauses_the_collector_and_freezes_only_when_asked() -> None:
    enabled = gc.isenabled()
    kept = []
    try:
        gc.unfreeze()
        gc.enable()
        with settling(freeze=False):
            assert not gc.isenabled()
            kept.append([[i] for i in range(1000)])  # lists: always tracked
        assert gc.isenabled() and gc.get_freeze_count() == 0  # as `serve` needs
        with settling(freeze=True):
            kept.append([[i] for i in range(1000)])
        assert gc.isenabled() and gc.get_freeze_count() >= 2000
        gc.disable()
        with settling(freeze=False):
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()
