"""The build cache (generator/build/cache.py) through its public methods: what is kept comes
back under the same key and no other, a new code key empties the store, a damaged store is a
warning and a fresh start (never a failed build), and the records of the live site and its
spare follow their folders through a rotation."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from generator.build.cache import (
    ENV_DIR,
    ENV_OFF,
    Cache,
    PageRecord,
    cache_dir,
    code_key,
    fingerprint,
    open_cache,
    tree_key,
)
from generator.core.slug import TAG_SLUGS, tag_slug
from generator.load.article import parse_article
from tests.sitekit import article

CODE = b"code key one"
KEY = fingerprint("a page")
OTHER = fingerprint("another page")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def reopened(folder: Path, code: bytes = CODE) -> Cache:
    return Cache(folder, code)


def records(n: int, key: bytes = KEY) -> dict[str, PageRecord]:
    return {f"news/{i}/index.html": PageRecord(key, 1000 + i, 1_700_000_000 + i) for i in range(n)}


# --- values, rendered bodies -------------------------------------------------------------


def test_a_value_put_comes_back_after_closing_and_reopening(folder: Path) -> None:
    store = Cache(folder, CODE)
    assert store.get("anything") is None
    store.put("slugs", {"人大": "ren-da-1a2b3c"})
    store.put("pair", (1, b"\x00"))
    store.put("slugs", {"人大": "ren-da-4d5e6f"})  # replaced, not added
    store.close()
    again = reopened(folder)
    assert again.get("slugs") == {"人大": "ren-da-4d5e6f"}
    assert again.get("pair") == (1, b"\x00")
    again.close()


def test_html_comes_back_only_under_its_own_key(folder: Path) -> None:
    store = Cache(folder, CODE)
    body = '<p>正文 "引号" & <b>粗体</b></p>\n\u2028'
    store.keep_html([("news/2026/a.md", KEY, body), ("news/2026/b.md", OTHER, "<p>乙</p>")])
    assert store.html("news/2026/a.md", KEY) == body
    assert store.html("news/2026/a.md", OTHER) is None  # the article changed since
    assert store.html("news/2026/c.md", KEY) is None  # never kept
    store.keep_html([("news/2026/a.md", OTHER, "<p>新</p>")])  # rendered again: replaced
    assert store.html("news/2026/a.md", KEY) is None
    assert store.html("news/2026/a.md", OTHER) == "<p>新</p>"
    store.close()
    assert reopened(folder).html("news/2026/b.md", OTHER) == "<p>乙</p>"


# --- articles -----------------------------------------------------------------------------


def test_a_kept_article_comes_back_equal_under_its_key_only(folder: Path) -> None:
    src = "news/2026/a.md"
    raw = article(title="缓存的稿件").encode("utf-8")
    parsed = parse_article(raw, src, f"content/{src}")
    key = fingerprint(raw, f"content/{src}")
    store = Cache(folder, CODE)
    store.keep_article(parsed, key)
    store.close()
    again = reopened(folder)
    back = again.article(src, key)
    assert back is not None and back is not parsed
    assert back == parsed  # front matter, body, findings, paths
    assert back.meta is not None and back.meta.title == "缓存的稿件"
    assert again.article(src, fingerprint(raw + b" ", f"content/{src}")) is None  # other bytes
    assert again.article("news/2026/b.md", key) is None  # another file
    again.close()


# --- the code key -------------------------------------------------------------------------


def test_a_new_code_key_empties_the_whole_store(folder: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    src = "news/2026/a.md"
    raw = article().encode("utf-8")
    store = Cache(folder, CODE)
    store.put("value", 1)
    store.keep_html([(src, KEY, "<p>x</p>")])
    store.keep_article(parse_article(raw, src, f"content/{src}"), KEY)
    store.rotate("live", "spare", site, records(3), {"bundle-1": KEY})
    store.close()
    same = reopened(folder)
    assert same.get("value") == 1 and same.trusts("live", site) and same.pages("live")
    same.close()
    new = reopened(folder, b"code key two")
    assert new.get("value") is None
    assert new.html(src, KEY) is None
    assert new.article(src, KEY) is None
    assert new.pages("live") == {} and new.shards("live") == {}
    assert not new.trusts("live", site)
    new.close()
    assert reopened(folder).get("value") is None  # and the old code does not bring it back


# --- pages, shards, rotation, forgetting --------------------------------------------------


def test_rotate_gives_the_live_records_to_the_spare_and_the_new_ones_to_live(
    folder: Path, tmp_path: Path
) -> None:
    live_dir, spare_dir = tmp_path / "site", tmp_path / ".site.spare"
    live_dir.mkdir()
    store = Cache(folder, CODE)
    first = records(2)
    store.rotate("live", "spare", live_dir, first, {"bundle-1": KEY})
    assert store.pages("live") == first and store.shards("live") == {"bundle-1": KEY}
    assert store.pages("spare") == {} and store.trusts("live", live_dir)
    # The swap: the live folder becomes the spare, a new folder goes live.
    live_dir.rename(spare_dir)
    live_dir.mkdir()
    second = records(3, OTHER)
    store.rotate("live", "spare", live_dir, second, {"bundle-2": OTHER})
    store.close()
    again = reopened(folder)
    assert again.pages("spare") == first and again.shards("spare") == {"bundle-1": KEY}
    assert again.pages("live") == second and again.shards("live") == {"bundle-2": OTHER}
    assert again.trusts("spare", spare_dir) and again.trusts("live", live_dir)
    assert not again.trusts("spare", live_dir) and not again.trusts("live", spare_dir)
    # Once more, as a build does it: the spare is forgotten before it changes, then rotated.
    again.forget("spare")
    spare_dir.rename(tmp_path / "old")
    live_dir.rename(spare_dir)
    live_dir.mkdir()
    third = {"notices/index.html": PageRecord(KEY, 1, 2)}
    again.rotate("live", "spare", live_dir, third, {})
    assert again.pages("spare") == second and again.shards("spare") == {"bundle-2": OTHER}
    assert again.pages("live") == third and again.shards("live") == {}
    again.close()


def test_records_describe_only_the_very_folder_they_were_made_for(
    folder: Path, tmp_path: Path
) -> None:
    site, other = tmp_path / "site", tmp_path / "other"
    site.mkdir()
    other.mkdir()
    store = Cache(folder, CODE)
    store.rotate("live", "spare", site, records(1), {})
    assert store.trusts("live", site)
    assert not store.trusts("live", other)  # another folder
    assert not store.trusts("spare", site)  # a tree never recorded
    site.rmdir()
    assert not store.trusts("live", site)  # gone
    store.close()


def test_forget_drops_one_trees_records_and_nothing_else(folder: Path, tmp_path: Path) -> None:
    live_dir, spare_dir = tmp_path / "site", tmp_path / "spare"
    live_dir.mkdir()
    store = Cache(folder, CODE)
    store.rotate("live", "spare", live_dir, records(2), {"b": KEY})
    live_dir.rename(spare_dir)
    live_dir.mkdir()
    store.rotate("live", "spare", live_dir, records(1), {"c": OTHER})
    store.keep_html([("news/a.md", KEY, "<p>x</p>")])
    store.forget("spare")
    assert store.pages("spare") == {} and store.shards("spare") == {}
    assert not store.trusts("spare", spare_dir)
    assert store.pages("live") == records(1) and store.shards("live") == {"c": OTHER}
    assert store.trusts("live", live_dir) and store.html("news/a.md", KEY) == "<p>x</p>"
    store.close()


# --- failures -----------------------------------------------------------------------------


def test_a_failed_write_is_a_warning_and_drops_every_sites_records(
    folder: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    store = Cache(folder, CODE)
    store.rotate("live", "spare", site, records(2), {"b": KEY})
    store.keep_html([("news/a.md", KEY, "<p>x</p>")])
    with caplog.at_level(logging.WARNING):
        store.failed(OSError("磁盘已满"))
    assert "[CACHE-WRITE]" in caplog.text and "磁盘已满" in caplog.text
    assert store.pages("live") == {} and store.shards("live") == {}
    assert not store.trusts("live", site)
    assert store.html("news/a.md", KEY) == "<p>x</p>"  # bodies stay valid under their keys
    store.close()


def test_a_store_that_cannot_be_written_at_close_is_a_warning(
    folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    src = "news/2026/a.md"
    raw = article().encode("utf-8")
    store = Cache(folder, CODE)
    store.keep_article(parse_article(raw, src, f"content/{src}"), KEY)
    other = sqlite3.connect(folder / "cache.sqlite3")
    with other:
        other.execute("drop table articles")  # as if the disk had lost it
    other.close()
    with caplog.at_level(logging.WARNING):
        store.close()  # no exception
    assert "[CACHE-WRITE]" in caplog.text


def test_garbage_instead_of_a_store_is_a_warning_and_a_fresh_start(
    folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder.mkdir()
    (folder / "cache.sqlite3").write_bytes(b"this is not a database" * 100)
    (folder / "cache.sqlite3-wal").write_bytes(b"nor is this")
    with caplog.at_level(logging.WARNING):
        store = Cache(folder, CODE)
    assert "[CACHE-OFF]" in caplog.text
    assert store.get("value") is None and store.pages("live") == {}
    store.put("value", 2)
    store.close()
    assert reopened(folder).get("value") == 2


@pytest.mark.parametrize("table", ["pages", "html", "articles", "shards"])
def test_a_store_damaged_inside_is_a_warning_and_a_fresh_start(
    folder: Path,
    tmp_path: Path,
    table: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its header and code key read fine, but one table's pages are garbage: the store is
    started afresh at once, not found broken halfway through a build."""
    site = tmp_path / "site"
    site.mkdir()
    store = Cache(folder, code_key())  # as open_cache opens it
    store.keep_html((f"news/{i}.md", KEY, "<p>" + "正文" * 500 + "</p>") for i in range(200))
    src = "news/2026/a.md"
    raw = article().encode("utf-8")
    store.keep_article(parse_article(raw, src, f"content/{src}"), KEY)
    store.rotate("live", "spare", site, records(2000), {f"b{i}": KEY for i in range(500)})
    store.close()
    _scribble_over(folder / "cache.sqlite3", table)
    monkeypatch.delenv(ENV_OFF, raising=False)
    monkeypatch.setenv(ENV_DIR, str(folder))
    with caplog.at_level(logging.WARNING):
        again = open_cache(tmp_path)
    assert again is not None
    assert "[CACHE-OFF]" in caplog.text
    # Every read answers, with nothing: the build goes on, in full.
    assert again.pages("live") == {} and again.shards("live") == {}
    assert again.html("news/1.md", KEY) is None and again.article(src, KEY) is None
    assert not again.trusts("live", site)
    again.put("value", 3)
    again.close()
    assert reopened(folder, code_key()).get("value") == 3


def _scribble_over(path: Path, table: str) -> None:
    """Overwrite the root page of one table's b-tree with garbage, as a failing disk might."""
    db = sqlite3.connect(path)
    size = db.execute("pragma page_size").fetchone()[0]
    (root,) = db.execute("select rootpage from sqlite_master where name = ?", (table,)).fetchone()
    db.close()
    with open(path, "r+b") as f:
        f.seek((root - 1) * size)
        f.write(b"\xa5" * size)


def test_a_cache_folder_that_cannot_be_made_is_a_warning_and_no_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.delenv(ENV_OFF, raising=False)
    monkeypatch.setenv(ENV_DIR, str(blocker / "cache"))  # a folder inside a file
    with caplog.at_level(logging.WARNING):
        assert open_cache(tmp_path) is None
    assert "[CACHE-OFF]" in caplog.text


# --- where, and the keys ------------------------------------------------------------------


def test_where_the_cache_lives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_OFF, raising=False)
    monkeypatch.delenv(ENV_DIR, raising=False)
    assert cache_dir(tmp_path) == tmp_path / ".cache" / "congress"
    monkeypatch.setenv(ENV_DIR, str(tmp_path / "elsewhere"))
    assert cache_dir(tmp_path) == tmp_path / "elsewhere"
    monkeypatch.setenv(ENV_OFF, "1")
    assert cache_dir(tmp_path) is None and open_cache(tmp_path) is None


def test_fingerprints_never_confuse_two_sequences_of_parts() -> None:
    assert fingerprint("ab", "c") != fingerprint("a", "bc")
    assert fingerprint("a", "") != fingerprint("a")
    assert fingerprint("人大") == fingerprint("人大".encode())
    assert len(fingerprint()) == 32


def test_a_tree_key_follows_names_and_contents_but_not_caches(tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    (theme / "partials").mkdir(parents=True)
    (theme / "main.html").write_text("<main>", encoding="utf-8")
    (theme / "partials" / "footer.html").write_text("<footer>", encoding="utf-8")
    before = tree_key(theme)
    (theme / "__pycache__").mkdir()
    (theme / "__pycache__" / "x.pyc").write_bytes(b"\x00")
    (theme / ".hidden").mkdir()
    (theme / ".hidden" / "x").write_text("x", encoding="utf-8")
    (theme / "stray.pyc").write_bytes(b"\x00")
    assert tree_key(theme) == before
    (theme / "partials" / "footer.html").write_text("<footer>!", encoding="utf-8")
    changed = tree_key(theme)
    assert changed != before
    (theme / "partials" / "footer.html").rename(theme / "partials" / "foot.html")
    assert tree_key(theme) not in (before, changed)


def test_tag_slugs_learned_in_one_run_are_known_to_the_next(folder: Path) -> None:
    tag = "缓存测试专用标签"
    store = Cache(folder, CODE)
    slug = tag_slug(tag)
    store.close()
    del TAG_SLUGS[tag]
    Cache(folder, CODE).close()
    assert TAG_SLUGS.get(tag) == slug
