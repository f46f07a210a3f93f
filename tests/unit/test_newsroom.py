"""Checks that need the registries or more than one file: columns, staff, uids, URLs."""

from __future__ import annotations

from pathlib import Path

from generator.core.config import load_site
from generator.load.newsroom import Newsroom, load_newsroom
from tests.sitekit import article, make_site


def room(tmp_path: Path, articles: dict[str, str | bytes]) -> Newsroom:
    make_site(tmp_path, articles)
    return load_newsroom(load_site(tmp_path / "mkdocs.yml"))


def codes_of(r: Newsroom, src: str) -> list[str]:
    return [f.code for a in r.articles if a.src == src for f in a.findings]


def test_clean_newsroom_has_no_findings(tmp_path: Path) -> None:
    r = room(tmp_path, {"news/2026/a.md": article()})
    assert r.findings == []


def test_unknown_column_lists_the_known_ones(tmp_path: Path) -> None:
    r = room(tmp_path, {"news/2026/a.md": article(column="sports")})
    (f,) = [f for f in r.findings if f.code == "ART-COLUMN-UNKNOWN"]
    assert "sports" in f.message and "news" in f.hint
    assert f.line == 4


def test_column_must_match_its_folder(tmp_path: Path) -> None:
    r = room(tmp_path, {"news/2026/a.md": article(column="notices")})
    assert "ART-COLUMN-MISMATCH" in codes_of(r, "news/2026/a.md")


def test_article_outside_a_column_folder(tmp_path: Path) -> None:
    r = room(tmp_path, {"a.md": article(), "news/a.md": article(uid="2026-1120-bbbbbb")})
    assert codes_of(r, "a.md") == ["ART-LOCATION"]
    assert codes_of(r, "news/a.md") == ["ART-LOCATION"]


def test_year_folder_differs_from_date_is_a_warning(tmp_path: Path) -> None:
    r = room(tmp_path, {"news/2025/a.md": article()})
    (f,) = r.findings
    assert (f.code, f.severity) == ("ART-YEAR", "warning")


def test_duplicate_uid_is_reported_on_both_files(tmp_path: Path) -> None:
    r = room(tmp_path, {"news/2026/a.md": article(), "news/2026/b.md": article(title="另一篇")})
    assert codes_of(r, "news/2026/a.md") == ["ART-UID-DUPLICATE"]
    assert codes_of(r, "news/2026/b.md") == ["ART-UID-DUPLICATE"]


def test_two_files_resolving_to_one_url(tmp_path: Path) -> None:
    r = room(
        tmp_path,
        {"news/2026/a.md": article(), "news/2026/a.markdown": article(uid="2026-1120-bbbbbb")},
    )
    assert codes_of(r, "news/2026/a.md") == ["ART-URL-CLASH"]
    assert codes_of(r, "news/2026/a.markdown") == ["ART-URL-CLASH"]


def test_editor_must_be_staff_with_the_editor_role(tmp_path: Path) -> None:
    r = room(
        tmp_path,
        {
            "news/2026/a.md": article(editor="nobody"),
            "news/2026/b.md": article(uid="2026-1120-bbbbbb", editor="boss"),
        },
    )
    assert codes_of(r, "news/2026/a.md") == ["ART-EDITOR"]
    assert codes_of(r, "news/2026/b.md") == ["ART-EDITOR"]


def test_consultation_needs_deadline_and_channels(tmp_path: Path) -> None:
    r = room(tmp_path, {"news/2026/a.md": article(kind="consultation")})
    assert codes_of(r, "news/2026/a.md") == ["ART-CONSULTATION"]


def test_non_ascii_file_name_is_a_warning(tmp_path: Path) -> None:
    r = room(tmp_path, {"news/2026/执法检查.md": article()})
    (f,) = r.findings
    assert (f.code, f.severity) == ("ART-SLUG", "warning")
    assert "zhi-fa-jian-cha" in f.hint


def test_hidden_files_are_ignored(tmp_path: Path) -> None:
    r = room(tmp_path, {"news/2026/a.md": article(), "news/2026/.draft.md": "垃圾"})
    assert [a.src for a in r.articles] == ["news/2026/a.md"]
