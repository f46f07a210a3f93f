"""The `congress` command: new, check, exit codes, and a build that fails leaving the old site."""

from __future__ import annotations

import json
import re
from pathlib import Path

from generator.load.article import load_article
from tests.sitekit import NOW, article, congress, make_site


def test_new_makes_a_file_that_loads_cleanly(tmp_path: Path) -> None:
    make_site(tmp_path, {})
    result = congress(
        "new", "news", "市人大常委会开展“物业管理条例”执法检查: 第一站", "--now", NOW, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    (path,) = (tmp_path / "content/news/2026").glob("*.md")
    assert re.fullmatch(r"[a-z0-9-]+\.md", path.name)
    assert path.name.startswith("shi-ren-da-chang-wei-hui")
    a = load_article(path, "news/2026/" + path.name, "x")
    assert a.findings == ()
    assert a.meta is not None
    assert a.meta.title == "市人大常委会开展“物业管理条例”执法检查: 第一站"
    assert re.fullmatch(r"2026-1128-[0-9a-f]{6}", a.meta.uid)
    assert a.meta.date.isoformat() == "2026-11-28T12:00:00+08:00"
    text = path.read_text(encoding="utf-8")
    for key in (
        "uid",
        "title",
        "column",
        "date",
        "publish_at",
        "expires_at",
        "authors",
        "editor",
        "source",
        "summary",
        "tags",
        "kind",
        "cover",
        "video",
        "specialist",
        "consultation",
        "corrections",
        "withdrawn",
        "review",
    ):
        line = next(ln for ln in text.splitlines() if re.match(rf"#? ?{key}:", ln))
        assert re.search(r"[\u4e00-\u9fff]", line.rsplit("#", 1)[1]), (
            f"{key} has no Chinese comment"
        )
    assert congress("check", "--now", NOW, cwd=tmp_path).returncode == 0


def test_new_twice_with_the_same_title_makes_two_files_and_two_uids(tmp_path: Path) -> None:
    make_site(tmp_path, {})
    for _ in range(2):
        assert congress("new", "news", "同一个标题", "--now", NOW, cwd=tmp_path).returncode == 0
    files = sorted((tmp_path / "content/news/2026").glob("*.md"))
    assert [f.name for f in files] == ["tong-yi-ge-biao-ti-2.md", "tong-yi-ge-biao-ti.md"]
    uids = {load_article(f, "news/2026/" + f.name, "x").uid for f in files}
    assert len(uids) == 2


def test_new_with_an_unknown_column_is_a_usage_error(tmp_path: Path) -> None:
    make_site(tmp_path, {})
    result = congress("new", "sports", "标题", cwd=tmp_path)
    assert result.returncode == 2
    assert "栏目 sports 不存在" in result.stderr and "news" in result.stderr


def test_check_exit_codes(tmp_path: Path) -> None:
    make_site(tmp_path, {"news/2026/a.md": article()})
    assert congress("check", "--now", NOW, cwd=tmp_path).returncode == 0
    (tmp_path / "content/news/2026/b.md").write_text(
        article(uid="2026-1120-bbbbbb", date="x"), encoding="utf-8"
    )
    broken = congress("check", "--now", NOW, cwd=tmp_path)
    assert broken.returncode == 1
    assert "content/news/2026/b.md:5" in broken.stdout and "FM-DATE" in broken.stdout
    # Only the named file: the broken one is not part of the answer.
    assert congress("check", "content/news/2026/a.md", "--now", NOW, cwd=tmp_path).returncode == 0
    assert congress("check", "--now", "not-a-time", cwd=tmp_path).returncode == 2
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nplugins: [search]\n", encoding="utf-8")
    config = congress("check", cwd=tmp_path)
    assert config.returncode == 2
    assert "CFG-NO-PLUGIN" in config.stderr


def test_invalid_plugin_options_are_a_configuration_error(tmp_path: Path) -> None:
    make_site(tmp_path, {}, per_page=0)
    result = congress("check", cwd=tmp_path)
    assert result.returncode == 2
    assert "plugins.congress.per_page" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_json_follows_the_contract(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {
            "news/2026/a.md": article(),
            "news/2026/b.md": article(
                uid="2026-1120-bbbbbb", publish_at="2026-12-01T00:00:00+08:00"
            ),
            "news/2026/c.md": "---\n: :\n---\n",
        },
    )
    result = congress("check", "--json", "--now", NOW, cwd=tmp_path)
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["now"] == NOW
    by_path = {a["path"]: a for a in data["articles"]}
    assert by_path["content/news/2026/a.md"]["state"] == "published"
    assert by_path["content/news/2026/a.md"]["url"] == "news/2026/a/"
    assert by_path["content/news/2026/a.md"]["uid"] == "2026-1120-aaaaaa"
    assert by_path["content/news/2026/b.md"]["state"] == "scheduled"
    c = by_path["content/news/2026/c.md"]
    assert c["state"] == "invalid"
    (finding,) = c["findings"]
    assert set(finding) >= {"code", "severity", "path", "line", "column", "message", "hint"}
    assert finding["severity"] == "error"
    s = data["summary"]
    assert (s["published"], s["scheduled"], s["invalid"], s["pending"], s["errors"]) == (
        1,
        1,
        1,
        0,
        1,
    )


def test_failed_build_leaves_the_previous_site_untouched(tmp_path: Path) -> None:
    make_site(tmp_path, {"news/2026/a.md": article()})
    assert congress("build", "--now", NOW, cwd=tmp_path).returncode == 0
    before = {p: p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()}
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "main.html").write_text(
        "{% extends 'base.html' %}{% block content %}{{ 1/0 }}{% endblock %}"
    )
    config = (tmp_path / "mkdocs.yml").read_text(encoding="utf-8")
    config = re.sub(r"custom_dir: .*", f"custom_dir: {theme}", config)
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    result = congress("build", "--now", NOW, cwd=tmp_path)
    assert result.returncode == 1
    assert "构建失败" in result.stderr and "Traceback" not in result.stderr
    after = {p: p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()}
    assert after == before
    kept = (".site.lock", ".site.public.json")  # the lock; what the live site publishes
    assert not [p for p in tmp_path.glob(".site.*") if p.name not in kept]  # no leftovers
