"""Loading one article: every class of bad input becomes a finding with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.core.clock import CHINA
from generator.load.article import Article, load_article
from tests.sitekit import article


def load(tmp_path: Path, content: str | bytes, name: str = "x.md") -> Article:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return load_article(path, f"news/2026/{name}", f"content/news/2026/{name}")


def codes(a: Article) -> list[str]:
    return [f.code for f in a.findings]


def only(a: Article, code: str):  # type: ignore[no-untyped-def]
    found = [f for f in a.findings if f.code == code]
    assert len(found) == 1, a.findings
    return found[0]


def test_valid_article_loads_into_typed_fields(tmp_path: Path) -> None:
    a = load(tmp_path, article(title="市人大常委会开展执法检查", tags=["执法检查", "物业管理"]))
    assert a.findings == ()
    assert a.meta is not None
    assert a.meta.title == "市人大常委会开展执法检查"
    assert a.meta.date.utcoffset() == CHINA.utcoffset(None)
    assert a.meta.tags == ["执法检查", "物业管理"]
    assert a.body.startswith("\n正文第一段")
    assert a.url == "news/2026/x/"


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    text = "---\nuid: 2026-1120-aaaaaa\ntitle: [未闭合\ncolumn: news\n---\n正文\n"
    f = only(load(tmp_path, text), "FM-YAML")
    assert f.severity == "error"
    assert f.line is not None and 3 <= f.line <= 5
    assert f.path == "content/news/2026/x.md"
    assert "YAML" in f.message


def test_unquoted_colon_in_value_is_explained_in_chinese(tmp_path: Path) -> None:
    text = "---\nuid: 2026-1120-aaaaaa\ntitle: 标题\nsummary: 会议指出: 要加强监督\n---\n正文\n"
    f = only(load(tmp_path, text), "FM-YAML")
    assert f.line == 4
    assert "冒号" in f.message


def test_front_matter_that_is_not_a_mapping(tmp_path: Path) -> None:
    f = only(load(tmp_path, "---\n- 一\n- 二\n---\n正文\n"), "FM-NOT-MAPPING")
    assert f.line == 2


def test_missing_front_matter(tmp_path: Path) -> None:
    assert codes(load(tmp_path, "# 只有正文\n")) == ["FM-MISSING"]


@pytest.mark.parametrize("key", ["title", "date", "uid", "editor", "column"])
def test_missing_required_field(tmp_path: Path, key: str) -> None:
    a = load(tmp_path, article(**{key: None}))
    f = only(a, "FM-REQUIRED")
    assert key in f.message
    assert f.hint.startswith("请补上")
    assert a.meta is None


def test_unparseable_date_points_at_its_line(tmp_path: Path) -> None:
    a = load(tmp_path, article(date="2026年11月20日"))
    f = only(a, "FM-DATE")
    assert f.line == 5  # uid, title, column, date
    assert "2026年11月20日" in f.message
    assert "+08:00" in f.hint


def test_naive_date_is_read_as_beijing_time_with_a_warning(tmp_path: Path) -> None:
    a = load(tmp_path, article(date="2026-11-20 10:00"))
    f = only(a, "FM-NAIVE-DATE")
    assert f.severity == "warning"
    assert f.line == 5
    assert a.meta is not None
    assert a.meta.date.isoformat() == "2026-11-20T10:00:00+08:00"


def test_not_utf8(tmp_path: Path) -> None:
    text = article(title="市人大常委会").encode("gbk")
    f = only(load(tmp_path, text), "ART-ENCODING")
    assert f.line == 3
    assert "UTF-8" in f.hint


def test_empty_file(tmp_path: Path) -> None:
    assert codes(load(tmp_path, "")) == ["ART-EMPTY"]
    assert codes(load(tmp_path, "  \n\n", "y.md")) == ["ART-EMPTY"]


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    # A typo must not silently drop an embargo.
    f = only(load(tmp_path, article(pubish_at="2026-12-01T00:00:00+08:00")), "FM-UNKNOWN-KEY")
    assert f.severity == "error"
    assert "publish_at" in f.hint


def test_duplicate_key(tmp_path: Path) -> None:
    text = article().replace("title: 测试稿件\n", "title: 测试稿件\ntitle: 另一个\n")
    f = only(load(tmp_path, text), "FM-DUPLICATE-KEY")
    assert f.line == 4


def test_bad_kind_lists_the_choices(tmp_path: Path) -> None:
    f = only(load(tmp_path, article(kind="report")), "FM-INVALID")
    assert "meeting-report" in f.message


def test_cover_without_alt_text_is_invalid(tmp_path: Path) -> None:
    f = only(load(tmp_path, article(cover={"src": "a.png"})), "FM-REQUIRED")
    assert "cover.alt" in f.message


def test_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    text = ("\ufeff" + article()).replace("\n", "\r\n").encode("utf-8")
    a = load(tmp_path, text)
    assert a.findings == ()
    assert "\r" not in a.body


def test_single_author_and_tag_may_be_written_as_a_string(tmp_path: Path) -> None:
    a = load(tmp_path, article(authors="王敏", tags="执法检查"))
    assert a.meta is not None
    assert a.meta.authors == ["王敏"]
    assert a.meta.tags == ["执法检查"]


def test_body_line_counts_the_front_matter(tmp_path: Path) -> None:
    a = load(tmp_path, article())
    assert a.body_line == article().split("\n").index("---", 1) + 2


def test_an_article_from_the_cache_keeps_every_line_of_its_front_matter(tmp_path: Path) -> None:
    import pickle

    file = tmp_path / "x.md"
    file.write_text(article(tags=["甲", "乙"]), encoding="utf-8")
    fresh = load_article(file, "news/2026/x.md", "content/news/2026/x.md")
    cached = pickle.loads(pickle.dumps(fresh, pickle.HIGHEST_PROTOCOL))
    assert cached == fresh
    assert cached.lines == fresh.lines and len(fresh.lines) > 20
    for loc in [("tags", 1), ("review", "proofread", 2, "at"), ("review", "final", "digest")]:
        assert cached.line_of(*loc) == fresh.line_of(*loc) > 1
    # What was worked out when it was made comes back with it, not worked out again.
    assert (cached.source_key, cached.digest, cached.refs) == (
        fresh.source_key,
        fresh.digest,
        fresh.refs,
    )
    assert cached.source_key is not None and cached.digest.startswith("sha256:")
