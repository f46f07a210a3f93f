"""The newsroom reads and discovers: every article parsed, every other entry of content/
found. It judges nothing: the checks against the registries and the other articles are gate
rules (tests/unit/test_placement.py, tests/unit/test_peers.py)."""

from __future__ import annotations

import os
from pathlib import Path

from generator.core.config import load_site
from generator.load.newsroom import Newsroom, load_newsroom
from tests.sitekit import article, draft, make_site


def room(tmp_path: Path, articles: dict[str, str | bytes], **kw: object) -> Newsroom:
    make_site(tmp_path, articles, **kw)  # type: ignore[arg-type]
    return load_newsroom(load_site(tmp_path / "mkdocs.yml"))


def test_clean_newsroom_has_no_findings(tmp_path: Path) -> None:
    r = room(tmp_path, {"news/2026/a.md": article()})
    assert r.findings == []


def test_hidden_files_are_ignored(tmp_path: Path) -> None:
    r = room(tmp_path, {"news/2026/a.md": article(), "news/2026/.draft.md": "垃圾"})
    assert [a.src for a in r.articles] == ["news/2026/a.md"]


def test_loading_judges_no_article(tmp_path: Path) -> None:
    """Misplaced, duplicated, with an unknown editor and column: read, not judged here."""
    r = room(
        tmp_path,
        {
            "a.md": article(editor="nobody"),
            "news/2026/b.md": draft(column="sports"),
            "news/2026/b.markdown": draft(feedback_for="2026-1120-nothere"),
        },
    )
    assert [a.src for a in r.articles] == ["a.md", "news/2026/b.markdown", "news/2026/b.md"]
    assert r.findings == []


def test_entries_that_are_not_articles_are_listed_as_unread(tmp_path: Path) -> None:
    """A link and a file at a generated place stand as entries with their own finding; the
    gate judges their place no further (Newsroom.unread), and the file is remembered for the
    articles that use it (Newsroom.reserved)."""
    make_site(tmp_path, {"news/2026/a.md": article()}, assets={"feeds/x.png": b"x"})
    os.symlink(tmp_path / "content/news/2026/a.md", tmp_path / "content/b.md")
    r = load_newsroom(load_site(tmp_path / "mkdocs.yml"))
    codes = {a.src: [f.code for f in a.findings] for a in r.articles}
    assert codes == {
        "b.md": ["CONTENT-SYMLINK"],
        "feeds/x.png": ["ART-RESERVED-PATH"],
        "news/2026/a.md": [],
    }
    assert r.unread == {"b.md", "feeds/x.png"}
    assert r.reserved == {"feeds/x.png"}
