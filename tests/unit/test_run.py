"""The build around the renderer (generator/build/run.py): the lock, the staging folder, the
checks, the swap, the mass-removal guard and the cache's hand-over, whatever renders the pages.

The renderer here is a real one, only a plain one: it judges the site with the core and writes
each file the checks expect as a line of text, with no engine. tests/site/ builds with mkdocs.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from generator.build.cache import PageRecord
from generator.build.removal import MassRemoval
from generator.build.request import BuildRequest, Rendering
from generator.build.run import Unverified, build_site
from generator.build.runtime import LONG_RUNNING, ONE_SHOT
from generator.core.clock import aware
from generator.core.config import load_site
from generator.core.staff import load_staff
from generator.derive.feeds import FORMATS, OPML_PATH, plan_feeds
from generator.derive.publication import prepare
from generator.derive.sitemap import ROBOTS_PATH
from tests.sitekit import NOW, article, make_site, snapshot

pytestmark = pytest.mark.site

BEFORE_ANY = aware("2001-01-01T00:00:00+08:00")  # a wrong clock: nothing is public yet
FEEDS = {".json": "{}", ".rss": "<rss/>", ".atom": "<feed/>", ".opml": "<opml/>"}  # they parse


@dataclass
class KeptPages:
    """What a renderer using the cache leaves to record (`Kept` in generator/build/request.py)."""

    shard_keys: dict[str, bytes] = field(default_factory=lambda: {"2026": b"shard"})
    saved: int = 0
    recorded: list[Path] = field(default_factory=list)
    records: dict[str, PageRecord] = field(default_factory=dict)

    def save_html(self) -> None:
        self.saved += 1

    def records_of(self, site_dir: Path) -> dict[str, PageRecord]:
        self.recorded.append(site_dir)
        stat = os.stat(site_dir / "index.html")
        self.records = {"index.html": PageRecord(b"key", stat.st_size, int(stat.st_mtime))}
        return self.records


@dataclass
class PlainFiles:
    """Renders every file the checks expect as one line of text."""

    asked: list[BuildRequest] = field(default_factory=list)
    before: Callable[[BuildRequest], None] | None = None  # called before anything is written
    leave_out: str | None = None
    fail: Exception | None = None
    kept: KeptPages | None = None

    def __call__(self, request: BuildRequest) -> Rendering:
        self.asked.append(request)
        if self.before is not None:
            self.before(request)
        site = load_site(request.config_file)
        assert request.now is not None
        pub = prepare(site, request.now, staff=load_staff(site), cache=request.cache)
        files = ["index.html", "404.html", "sitemap.xml", ROBOTS_PATH, "feeds/index.html"]
        files += [OPML_PATH, *(s.path(fmt) for s in plan_feeds(site) for fmt in FORMATS)]
        files += [f"{c.id}/index.html" for c in site.columns]
        files += [f"{v.article.url}index.html" for v in pub.rendered.values()]
        for rel in files:
            if rel == self.leave_out:
                continue
            path = request.site_dir / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(FEEDS.get(path.suffix, rel), encoding="utf-8")
        if self.fail is not None:
            raise self.fail
        if request.inventory is not None:
            request.inventory.entries()  # what a real renderer deletes stale files with, at its end
        return Rendering(pub, self.kept)


def _site(tmp_path: Path) -> tuple[str, Path]:
    root = make_site(tmp_path / "src", {"news/2026/a.md": article()})
    target = root / "site"
    target.mkdir()
    (target / "index.html").write_text("the live site", encoding="utf-8")
    return str(root / "mkdocs.yml"), target


def _locked(target: Path) -> bool:
    with open(target.with_name(f".{target.name}.lock"), "a+b") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(lock, fcntl.LOCK_UN)
        return False


def _beside(target: Path) -> list[str]:
    return sorted(p.name for p in target.parent.iterdir() if p.name.startswith(f".{target.name}"))


def test_the_site_is_rendered_beside_the_live_one_under_the_lock_then_swapped_in(
    tmp_path: Path,
) -> None:
    config, target = _site(tmp_path)

    def meanwhile(request: BuildRequest) -> None:
        assert _locked(target)
        assert request.site_dir.parent == target.parent and request.site_dir != target
        assert list(request.site_dir.iterdir()) == []  # a new, empty staging folder
        assert (target / "index.html").read_text(encoding="utf-8") == "the live site"

    render = PlainFiles(before=meanwhile)
    pub = build_site(config, target, aware(NOW), render=render, cache=False, runtime=LONG_RUNNING)
    (asked,) = render.asked
    assert asked.now == aware(NOW) and asked.config_file == config
    assert not asked.preview and not asked.report  # `congress build` prints findings itself
    assert asked.runtime is LONG_RUNNING and asked.cache is None and asked.inventory is None
    assert [a.uid for a in pub.decision.published] == ["2026-1120-aaaaaa"]
    assert (target / "index.html").read_text(encoding="utf-8") == "index.html"
    assert (target / "news/2026/a/index.html").is_file()
    assert not _locked(target)
    record = json.loads((target.with_name(".site.public.json")).read_bytes())
    assert record == {
        "now": NOW,
        "published": [{"uid": "2026-1120-aaaaaa", "url": "news/2026/a/"}],
    }
    assert _beside(target) == [".site.lock", ".site.public.json"]  # no staging folder left


@pytest.mark.parametrize("how", ["rendering fails", "checks fail", "strict"])
def test_a_failed_build_leaves_the_live_site_as_it_was(tmp_path: Path, how: str) -> None:
    config, target = _site(tmp_path)
    if how == "strict":
        (target.parent / "content/news/2026/b.md").write_text(
            article(uid="2026-1120-bbbbbb", column="nowhere"), encoding="utf-8"
        )
    before = snapshot(target)
    render = PlainFiles(
        fail=OSError(28, "No space left on device") if how == "rendering fails" else None,
        leave_out="feeds/index.html" if how == "checks fail" else None,
    )
    with pytest.raises(OSError if how == "rendering fails" else Unverified) as raised:
        build_site(config, target, aware(NOW), render=render, cache=False, strict=True)
    if how == "checks fail":
        assert isinstance(raised.value, Unverified)
        assert raised.value.problems == ["缺少页面或文件 feeds/index.html"]
    if how == "strict":
        assert isinstance(raised.value, Unverified)
        assert any("b.md" in p for p in raised.value.problems)
    assert snapshot(target) == before
    assert _beside(target) == [".site.lock"]  # no staging folder, no record
    assert not _locked(target)


def test_a_build_that_takes_down_the_live_articles_does_not_go_live(tmp_path: Path) -> None:
    config, target = _site(tmp_path)
    build_site(config, target, aware(NOW), render=PlainFiles(), cache=False)
    before = snapshot(target.parent)
    with pytest.raises(MassRemoval) as raised:
        build_site(config, target, BEFORE_ANY, render=PlainFiles(), cache=False)
    assert raised.value.removed == ["news/2026/a/"] and raised.value.live == 1
    assert snapshot(target.parent) == before
    # A deployment's manifest counts as live too, wherever the site folder is.
    elsewhere = tmp_path / "fresh" / "site"
    live = [{"2026-1120-aaaaaa": "news/2026/a/"}]
    with pytest.raises(MassRemoval):
        build_site(config, elsewhere, BEFORE_ANY, render=PlainFiles(), cache=False, live=live)
    assert not elsewhere.exists()
    pub = build_site(
        config, target, BEFORE_ANY, render=PlainFiles(), cache=False, allow_removal=True
    )
    assert pub.decision.published == []
    assert not (target / "news/2026/a/index.html").exists()


def test_the_cache_hands_the_spare_site_and_its_records_to_the_build_after_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CONGRESS_NO_CACHE", raising=False)
    monkeypatch.setenv("CONGRESS_CACHE_DIR", str(tmp_path / "cache"))
    config, target = _site(tmp_path)
    first, second, third = KeptPages(), KeptPages(), KeptPages()
    spare = target.with_name(".site.spare")
    build_site(config, target, aware(NOW), render=PlainFiles(kept=first))
    assert first.saved == 1 and first.recorded == [target.resolve()]
    made_first = (target / "index.html").stat().st_ino
    render = PlainFiles(kept=second)
    build_site(config, target, aware(NOW), render=render)
    (asked,) = render.asked
    assert asked.cache is not None and asked.held.pages == {} and asked.inventory is None
    assert spare.is_dir()  # the first site, kept to be updated in place

    def meanwhile(request: BuildRequest) -> None:
        assert request.inventory is not None  # listed on another core while rendering
        assert (request.site_dir / "index.html").stat().st_ino == made_first

    render = PlainFiles(kept=third, before=meanwhile)
    build_site(config, target, aware(NOW), render=render)
    (asked,) = render.asked
    assert asked.held.pages == first.records and first.records
    assert asked.held.shards == {"2026": b"shard"}
    assert asked.runtime is ONE_SHOT and third.recorded == [target.resolve()]


def test_a_rendering_that_fails_stops_the_listing_of_the_spare(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CONGRESS_NO_CACHE", raising=False)
    monkeypatch.setenv("CONGRESS_CACHE_DIR", str(tmp_path / "cache"))
    config, target = _site(tmp_path)
    for _ in range(2):
        build_site(config, target, aware(NOW), render=PlainFiles(kept=KeptPages()))
    render = PlainFiles(fail=RuntimeError("the theme broke"))
    with pytest.raises(RuntimeError):
        build_site(config, target, aware(NOW), render=render)
    (asked,) = render.asked
    assert asked.inventory is not None
    assert asked.inventory._out.closed  # `find` stopped and its output let go
