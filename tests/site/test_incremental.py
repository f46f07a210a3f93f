"""Incremental builds: with the build cache and the spare site, a rebuild renders only what
changed, and its output is byte for byte the output of a build from nothing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from generator.core.slug import tag_slug
from tests.sitekit import NOW, article, congress, draft, make_site, snapshot

pytestmark = pytest.mark.site

CACHE = ".cache/congress/cache.sqlite3"


def piece(i: int, body: str = "正文第一段。\n\n## 小标题\n\n正文第二段。\n", **over: object) -> str:
    fields: dict[str, object] = {
        "uid": f"2026-11{i:02d}-{i:06d}",
        "title": f"测试稿件第{i}篇",
        "date": f"2026-11-{i:02d}T10:00:00+08:00",
        "tags": ["测试", f"标签{i % 3}"],
        **over,
    }
    return article(body, **fields)


def newsroom(root: Path) -> Path:
    return make_site(
        root,
        {f"news/2026/p{i}.md": piece(i) for i in range(1, 13)}
        | {"notices/2026/n1.md": piece(13, column="notices", kind="notice")},
    )


def build(root: Path, *extra: str) -> None:
    result = congress("build", "--now", NOW, *extra, cwd=root)
    assert result.returncode == 0, result.stderr


def fresh_build(root: Path, name: str = "fresh") -> dict[str, bytes]:
    """The reference: the same sources built from nothing, without the cache."""
    build(root, "--no-cache", "--site-dir", str(root / name))
    return snapshot(root / name)


def change_everything_that_matters(root: Path) -> None:
    content = root / "content" / "news" / "2026"
    (content / "p3.md").write_text(  # a correction, approved again
        piece(
            3,
            "正文第一段，已更正。\n",
            corrections=[{"at": "2026-11-26T09:00:00+08:00", "note": "第一段有误，已更正。"}],
        ),
        encoding="utf-8",
    )
    (content / "p5.md").write_text(  # withdrawn
        draft(
            uid="2026-1105-000005",
            title="测试稿件第5篇",
            date="2026-11-05T10:00:00+08:00",
            withdrawn={"at": "2026-11-25T10:00:00+08:00", "reason": "数据核实中"},
        ),
        encoding="utf-8",
    )
    (content / "p7.md").unlink()  # deleted
    (content / "p20.md").write_text(piece(20), encoding="utf-8")  # new, approved
    (content / "p21.md").write_text(  # new, still pending: must appear nowhere
        draft(uid="2026-1121-000021", title="尚未审核的稿件", date="2026-11-21T10:00:00+08:00"),
        encoding="utf-8",
    )


def test_a_rebuild_equals_a_build_from_nothing(tmp_path: Path) -> None:
    root = newsroom(tmp_path)
    build(root)
    build(root)  # now there is a live site and its spare
    assert (root / ".site.spare" / "index.html").exists()
    kept = root / ".site.spare" / "news" / "2026" / "p1" / "index.html"
    before = (kept.stat().st_ino, kept.stat().st_mtime_ns)
    change_everything_that_matters(root)
    build(root)
    assert snapshot(root / "site") == fresh_build(root)
    # An unchanged page was not written again: the spare's very file went live.
    after = (root / "site" / "news" / "2026" / "p1" / "index.html").stat()
    assert (after.st_ino, after.st_mtime_ns) == before
    site = snapshot(root / "site")
    assert not any("尚未审核".encode() in data for data in site.values())
    assert "news/2026/p7/index.html" not in site
    # And once more, the other buffer: the result is the same again.
    build(root)
    assert snapshot(root / "site") == site


def test_a_tag_whose_url_moves_is_linked_anew_from_pages_that_did_not_change(
    tmp_path: Path,
) -> None:
    """A new tag written as an older tag's slug takes that slug over (slug.unique_slugs): the
    unchanged articles carrying the older tag link to its new URL, as a build from nothing."""
    root = newsroom(tmp_path)
    (root / "content/news/2026/p1.md").write_text(piece(1, tags=["NPC"]), encoding="utf-8")
    build(root)
    build(root)
    taker = piece(22, tags=[tag_slug("NPC")])
    (root / "content/news/2026/p22.md").write_text(taker, encoding="utf-8")
    build(root)
    assert snapshot(root / "site") == fresh_build(root)


def test_a_tampered_or_stray_file_in_the_spare_does_not_survive(tmp_path: Path) -> None:
    root = newsroom(tmp_path)
    build(root)
    build(root)
    spare = root / ".site.spare"
    page = spare / "news" / "2026" / "p2" / "index.html"
    page.write_bytes(page.read_bytes() + b"<!-- tampered -->")
    stray = spare / "news" / "2026" / "secret" / "index.html"
    stray.parent.mkdir(parents=True)
    stray.write_text("未公开稿件", encoding="utf-8")
    build(root)
    assert snapshot(root / "site") == fresh_build(root)


def test_a_spare_the_cache_does_not_know_is_discarded(tmp_path: Path) -> None:
    root = newsroom(tmp_path)
    build(root)
    spare = root / ".site.spare"
    (spare / "news").mkdir(parents=True)
    (spare / "news" / "leftover.html").write_text("x", encoding="utf-8")
    build(root)
    assert not (root / "site" / "news" / "leftover.html").exists()
    assert not (spare / "news" / "leftover.html").exists()
    assert not list(root.glob(".site.trash-*")), "the discarded spare is deleted before the end"
    assert snapshot(root / "site") == fresh_build(root)


def test_a_corrupt_cache_is_rebuilt_and_the_site_is_still_right(tmp_path: Path) -> None:
    root = newsroom(tmp_path)
    build(root)
    build(root)
    (root / CACHE).write_bytes(b"this is not a database" * 100)
    for wal in (root / ".cache" / "congress").glob("cache.sqlite3-*"):
        wal.unlink()
    change_everything_that_matters(root)
    build(root)
    assert snapshot(root / "site") == fresh_build(root)
    build(root)  # and the new cache works
    assert snapshot(root / "site") == fresh_build(root, "fresh2")


def test_a_cache_damaged_inside_is_a_warning_and_the_site_is_still_right(tmp_path: Path) -> None:
    """Its header and code stamp read fine, but the records of the built sites are garbage:
    the build warns and builds in full, instead of failing on the first read of them."""
    root = newsroom(tmp_path)
    build(root)
    build(root)
    db = sqlite3.connect(root / CACHE)
    size = db.execute("pragma page_size").fetchone()[0]
    (page,) = db.execute("select rootpage from sqlite_master where name = 'pages'").fetchone()
    db.close()
    with open(root / CACHE, "r+b") as f:
        f.seek((page - 1) * size)
        f.write(b"\xa5" * size)
    change_everything_that_matters(root)
    result = congress("build", "--now", NOW, cwd=root)
    assert result.returncode == 0, result.stderr
    assert "[CACHE-OFF]" in result.stderr
    assert snapshot(root / "site") == fresh_build(root)


def test_a_new_theme_file_renders_every_page_again(tmp_path: Path) -> None:
    root = newsroom(tmp_path)
    build(root)
    build(root)
    written = (root / ".site.spare" / "news" / "2026" / "p1" / "index.html").stat().st_mtime_ns
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(config.replace("测试市人大常委会", "测验市人大常委会", 1))
    build(root)
    page = root / "site" / "news" / "2026" / "p1" / "index.html"
    assert page.stat().st_mtime_ns != written
    assert "测验市人大常委会" in page.read_text(encoding="utf-8")
    assert snapshot(root / "site") == fresh_build(root)


def test_check_says_the_same_with_and_without_the_cache(tmp_path: Path) -> None:
    root = newsroom(tmp_path)
    first = congress("check", "--json", "--now", NOW, cwd=root)
    change_everything_that_matters(root)
    (root / "content" / "news" / "2026" / "p9.md").write_text(
        piece(9, "联系电话13912345678。\n"), encoding="utf-8"
    )
    cached = congress("check", "--json", "--now", NOW, cwd=root)
    uncached = congress("check", "--json", "--no-cache", "--now", NOW, cwd=root)
    assert first.returncode == 0
    assert cached.returncode == uncached.returncode == 1
    assert json.loads(cached.stdout) == json.loads(uncached.stdout)
    codes = {f["code"] for a in json.loads(cached.stdout)["articles"] for f in a["findings"]}
    assert "TEXT-MOBILE" in codes


def test_the_cache_can_be_switched_off_or_moved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = newsroom(tmp_path / "site-src")
    env_dir = tmp_path / "elsewhere"
    result = congress("check", "--now", NOW, cwd=root)
    assert (root / CACHE).exists()
    (root / CACHE).unlink()
    with monkeypatch.context() as env:
        env.setenv("CONGRESS_CACHE_DIR", str(env_dir))
        result = congress("check", "--now", NOW, cwd=root)
    assert result.returncode == 0
    assert (env_dir / "cache.sqlite3").exists()
    assert not (root / CACHE).exists()
    build(root, "--no-cache")
    assert not (root / CACHE).exists()
    assert not (root / ".site.spare").exists()


@pytest.mark.parametrize("search", [False, True])
def test_render_once_fragments_change_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, search: bool
) -> None:
    """Navigation, tabs, config, styles, scripts, footer and the header's fixed parts rendered
    once per section are what each page would render: the site is the same with every
    fragment rendered afresh (with and without the header's search box)."""
    from generator.build.run import build_site
    from generator.core.clock import aware
    from generator.mkdocs_plugin.fragments import Fragments
    from generator.mkdocs_plugin.running import render

    root = make_site(
        tmp_path / "src",
        {f"news/2026/p{i}.md": piece(i) for i in range(1, 6)}
        | {"notices/2026/n1.md": piece(13, column="notices", kind="notice")},
        per_page=2,
        search=search,
    )
    config = str(root / "mkdocs.yml")
    build_site(config, tmp_path / "once", aware(NOW), render=render, cache=False)
    monkeypatch.setattr(Fragments, "_key", lambda self, context, name: None)
    build_site(config, tmp_path / "afresh", aware(NOW), render=render, cache=False)
    once, afresh = snapshot(tmp_path / "once"), snapshot(tmp_path / "afresh")
    assert "news/page/2/index.html" in once
    assert "tags/index.html" in once
    assert once == afresh


def test_the_cache_is_off_with_the_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = newsroom(tmp_path)
    monkeypatch.setenv("CONGRESS_NO_CACHE", "1")
    build(root)
    build(root)
    assert not (root / ".cache").exists()
    assert not (root / ".site.spare").exists()
    assert snapshot(root / "site") == fresh_build(root)


def test_a_scheduled_rebuild_publishes_embargoes_and_drops_expired_pieces(tmp_path: Path) -> None:
    """CI's run every 15 minutes: nothing changed but the clock."""
    root = newsroom(tmp_path)
    content = root / "content" / "news" / "2026"
    (content / "embargo.md").write_text(
        piece(25, publish_at="2026-11-28T13:00:00+08:00"), encoding="utf-8"
    )
    (content / "expiring.md").write_text(
        piece(26, expires_at="2026-11-28T13:00:00+08:00"), encoding="utf-8"
    )
    build(root)
    build(root)
    assert (root / "site" / "news" / "2026" / "expiring" / "index.html").exists()
    assert not (root / "site" / "news" / "2026" / "embargo").exists()
    later = "2026-11-28T14:00:00+08:00"
    result = congress("build", "--now", later, cwd=root)
    assert result.returncode == 0, result.stderr
    fresh = congress("build", "--now", later, "--no-cache", "--site-dir", "fresh", cwd=root)
    assert fresh.returncode == 0, fresh.stderr
    assert snapshot(root / "site") == snapshot(root / "fresh")
    assert (root / "site" / "news" / "2026" / "embargo" / "index.html").exists()
    assert not (root / "site" / "news" / "2026" / "expiring").exists()


@pytest.mark.parametrize("listed", [True, False], ids=["find", "walk"])
def test_deleting_stale_files_leaves_exactly_what_the_build_made(
    tmp_path: Path, listed: bool
) -> None:
    from generator.build.filelist import FileInventory
    from generator.mkdocs_plugin.reuse import delete_stale

    made = {"index.html", "news/index.html", "news/2026/a/index.html", "feeds/all.rss"}
    stray = {"news/2026/old/index.html", "secret.html", "news/2026/b/img/x.png", "x/y/z/w.txt"}
    for rel in made | stray | {"pagefind/2026/pagefind-entry.json"}:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(rel, encoding="utf-8")
    (tmp_path / "empty" / "deeper").mkdir(parents=True)
    inventory = FileInventory(tmp_path, "pagefind") if listed else None
    delete_stale(tmp_path, made, skip="pagefind", inventory=inventory)
    left = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert left == made | {"pagefind/2026/pagefind-entry.json"}
    folders = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_dir()}
    assert folders == {"news", "news/2026", "news/2026/a", "feeds", "pagefind", "pagefind/2026"}


def test_a_site_folder_with_glob_characters_in_its_path(tmp_path: Path) -> None:
    root = newsroom(tmp_path / "稿件 [草稿]*?")
    build(root)
    build(root)
    change_everything_that_matters(root)
    build(root)
    assert snapshot(root / "site") == fresh_build(root)
    assert len(list((root / "site" / "pagefind").glob("*/pagefind-entry.json"))) >= 1


def test_a_rebuild_sends_ahead_only_the_qr_codes_of_the_pages_it_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The QR codes made on the second core (mkdocs_plugin/once.py) are those of the pages
    the build renders: all of them from nothing, only the changed one when a spare keeps the
    rest (before: every article's, and the rebuild waited for them)."""
    from generator.build.parallel import Ahead
    from generator.build.run import build_site
    from generator.core.clock import aware
    from generator.mkdocs_plugin import once
    from generator.mkdocs_plugin.running import render

    asked: list[list[str]] = []

    class Recording(Ahead[str, str]):
        def __init__(self, fn: Any, items: Any, **options: Any) -> None:
            asked.append(list(items))
            super().__init__(fn, items, **options)

    monkeypatch.setattr(once, "Ahead", Recording)
    root = newsroom(tmp_path / "src")
    config, target = str(root / "mkdocs.yml"), root / "site"
    build_site(config, target, aware(NOW), render=render)
    assert len(asked) == 1 and len(asked[0]) == 13  # every article, from nothing
    build_site(config, target, aware(NOW), render=render)  # the spare: nothing changed
    asked.clear()
    (root / "content/news/2026/p3.md").write_text(piece(3, "正文已更正。\n"), encoding="utf-8")
    build_site(config, target, aware(NOW), render=render)
    assert asked == [["https://www.example.gov.cn/news/2026/p3/"]]
