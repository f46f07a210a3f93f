"""Red team, one file fails every build: control characters, files at generated paths, tags
sharing a slug, a bad SOURCE_DATE_EPOCH, YAML complex keys. Each is a finding on that file
(or a usage error naming the variable), and the build publishes every other article.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.core.slug import unique_slugs
from generator.gate.decide import State
from generator.load.article import parse_article
from generator.load.generated import reserved
from tests.sitekit import NOW, ROOT, article, congress, draft, judge, make_site, seal_files

GOOD = "好稿标题"
CONTROLS = ["\x0c", "\x1b", "\x08", "\x00", "\x0b", "\x85", "\ufffe", "\uffff"]


def _findings(root: Path) -> dict[str, list[str]]:
    result = congress("check", "--now", NOW, "--json", cwd=root)
    assert "Traceback" not in result.stderr
    return {
        a["path"]: [f["code"] for f in a["findings"]] for a in json.loads(result.stdout)["articles"]
    }


def _build(root: Path) -> subprocess.CompletedProcess[str]:
    result = congress("build", "--now", NOW, cwd=root)
    assert "Traceback" not in result.stderr
    assert "BUILD-FAILED" not in result.stderr and "BUILD-VERIFY" not in result.stderr
    assert "公开稿件 1 篇" in result.stdout, result.stdout + result.stderr
    assert GOOD in (root / "site" / "news" / "2026" / "ok" / "index.html").read_text("utf-8")
    return result


@pytest.mark.parametrize("char", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
@pytest.mark.parametrize("where", ["body", "title", "summary", "tag"])
def test_control_character_anywhere_is_a_finding_with_its_line(where: str, char: str) -> None:
    over = {"title": f"标题{char}"} if where == "title" else {}
    over |= {"summary": f"摘要{char}"} if where == "summary" else {}
    over |= {"tags": [f"标签{char}"]} if where == "tag" else {}
    body = f"正文{char}第一段。\n" if where == "body" else "正文。\n"
    v = judge(draft(body, **over))
    (f,) = [f for f in v.findings if f.code == "TEXT-CONTROL-CHAR"]
    assert f.is_error and v.state is State.INVALID and f"U+{ord(char):04X}" in f.message
    assert f.line is not None and f.line > 1
    assert char not in f.message


def test_control_characters_keep_one_article_out_and_the_build_publishes_the_rest(
    tmp_path: Path,
) -> None:
    root = make_site(
        tmp_path,
        {
            "news/2026/ok.md": article(uid="2026-1120-aaaaaa", title=GOOD),
            "news/2026/body.md": article("正文\x0c第一段。\x01\n", uid="2026-1120-000001"),
            "news/2026/summary.md": article(uid="2026-1120-000002", summary="摘要\x1b[31m"),
            "news/2026/tag.md": article(uid="2026-1120-000003", tags=["标签\x08"]),
            "news/2026/fffe.md": article("正文\ufffe。\n", uid="2026-1120-000004", title="x\uffff"),
            "news/2026/title.md": article(uid="2026-1120-000005", title="标题\x0b"),
            "news/2026/nul.md": article("正文\x00第一段。\n", uid="2026-1120-000006"),
        },
    )
    found = _findings(root)
    for name in ("body", "summary", "tag", "fffe", "title", "nul"):
        assert "TEXT-CONTROL-CHAR" in found[f"content/news/2026/{name}.md"], name
    result = _build(root)
    assert "TEXT-CONTROL-CHAR" in result.stderr
    assert not (root / "site" / "news" / "2026" / "body").exists()


def test_escape_sequences_reach_the_terminal_escaped(tmp_path: Path) -> None:
    title = "标题\x1b]0;PWN\x07\x1b[2J\x1b[31m红"
    root = make_site(
        tmp_path,
        {
            "news/2026/a.md": draft(uid="2026-1120-000001", title=title),
            "news/2026/b.md": draft("正文\x1b[2J第一段。\n", uid="2026-1120-000002"),
        },
    )
    result = congress("check", "--now", NOW, cwd=root)
    shown = result.stdout + result.stderr
    assert "TEXT-CONTROL-CHAR" in shown and "\\x1b]0;PWN\\x07" in shown
    assert "\x1b" not in shown and "\x07" not in shown


RESERVED_PAGES = [
    "index.md",
    "news/index.md",
    "news/page/2.md",
    "feeds/index.md",
    "search/index.md",
    "tags/index.md",
    "archive/index.md",
    "archive/2026/index.md",
]


def test_a_file_at_a_generated_page_is_a_finding_and_the_page_wins(tmp_path: Path) -> None:
    arts = {"news/2026/ok.md": article(uid="2026-1120-aaaaaa", title=GOOD)}
    for i, src in enumerate(RESERVED_PAGES):
        arts[src] = article(f"冒充{i}号。\n", uid=f"2026-1120-00000{i}", title=f"冒充{i}")
    arts["news/intro.md"] = (
        b"# \xe6\xa0\x8f\xe7\x9b\xae\xe4\xbb\x8b\xe7\xbb\x8d\n"  # no front matter
    )
    root = make_site(tmp_path, arts)
    found = _findings(root)
    for src in RESERVED_PAGES:
        assert "ART-RESERVED-PATH" in found[f"content/{src}"], src
        assert "ART-LOCATION" not in found[f"content/{src}"], src
    _build(root)
    site = root / "site"
    assert GOOD in (site / "news" / "index.html").read_text("utf-8")  # the column's page
    for path in site.rglob("*.html"):
        assert "冒充" not in path.read_text("utf-8"), path


def test_an_article_using_a_file_under_a_generated_folder_stays_out(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {
            "news/2026/ok.md": article(uid="2026-1120-aaaaaa", title=GOOD),
            "news/2026/a.md": article("[报告](/pagefind/report.pdf)\n", uid="2026-1120-000001"),
            "news/2026/b.md": article("[订阅](/feeds/all.json)\n", uid="2026-1120-000002"),
            "news/2026/c.md": article("[样式](/assets/congress.css)\n", uid="2026-1120-000003"),
        },
        assets={
            "pagefind/report.pdf": b"CANARY-PDF",
            "feeds/all.json": b'{"CANARY": 1}',
            "assets/congress.css": b"/* CANARY */",
        },
    )
    found = _findings(root)
    for name in "abc":
        assert "ASSET-RESERVED-PATH" in found[f"content/news/2026/{name}.md"]
    for rel in ("pagefind/report.pdf", "feeds/all.json", "assets/congress.css"):
        assert found[f"content/{rel}"] == ["ART-RESERVED-PATH"]
    _build(root)
    site = root / "site"
    assert not (site / "pagefind" / "report.pdf").exists()
    assert "CANARY" not in (site / "feeds" / "all.json").read_text("utf-8")
    assert "CANARY" not in (site / "assets" / "congress.css").read_text("utf-8")


def test_the_theme_files_are_reserved() -> None:
    import material

    material_assets = Path(material.__file__).parent / "templates"
    theme = ROOT / "themes" / "congress"
    for folder in (material_assets / "assets", theme / "assets"):
        for path in folder.rglob("*"):
            if path.is_file() and not path.name.endswith((".html", ".py")):
                rel = path.relative_to(folder.parent).as_posix()
                assert reserved(rel, ["news"]), rel
    assert not reserved("assets/images/tu.png", ["news"])
    assert not reserved("news/2026/index.md", ["news"])


def test_tags_that_slugify_alike_get_distinct_pages(tmp_path: Path) -> None:
    tags = ["NPC", "npc", "!!!", "???", "npc-f0cd42", "人大代表"]
    slugs = unique_slugs(tags)
    assert len(set(slugs.values())) == len(tags)
    assert slugs["npc"] == "npc" and slugs["人大代表"].startswith("ren-da-dai-biao-")
    root = make_site(
        tmp_path,
        {
            "news/2026/ok.md": article(uid="2026-1120-aaaaaa", title=GOOD),
            "news/2026/a.md": article(uid="2026-1120-000001", tags=["NPC", "!!!"]),
            "news/2026/b.md": article(uid="2026-1120-000002", tags=["npc", "???"]),
        },
    )
    result = congress("build", "--now", NOW, cwd=root)
    assert result.returncode == 0, result.stderr
    pages = {p.read_text("utf-8") for p in (root / "site" / "tags").glob("*/index.html")}
    assert len(pages) == 5  # NPC, npc, !!!, ??? and the good article's 测试
    for tag in ("NPC", "npc", "!!!", "???"):
        assert sum(f"标签：{tag}" in page for page in pages) == 1, tag


@pytest.mark.parametrize(
    "value", ["99999999999999", "-99999999999", "1e9", "abc", "253402300800", ""]
)
def test_a_bad_source_date_epoch_is_a_usage_error_naming_it(tmp_path: Path, value: str) -> None:
    root = make_site(tmp_path, {"news/2026/ok.md": article(uid="2026-1120-aaaaaa", title=GOOD)})
    env = {**os.environ, "SOURCE_DATE_EPOCH": value}
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--now", NOW],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "[SOURCE-DATE-EPOCH]" in result.stderr and "SOURCE_DATE_EPOCH" in result.stderr
    assert "Traceback" not in result.stderr and not (root / "site").exists()


def test_plain_mkdocs_names_the_bad_variable(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"news/2026/ok.md": article(uid="2026-1120-aaaaaa", title=GOOD)})
    for name, value in (("CONGRESS_NOW", "xyz"), ("SOURCE_DATE_EPOCH", "abc")):
        result = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build"],
            cwd=root,
            env={**os.environ, name: value},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode != 0 and f"环境变量 {name}" in result.stderr
        assert "--now" not in result.stderr


def test_yaml_complex_key_is_a_yaml_finding(tmp_path: Path) -> None:
    raw = draft().replace("---\n", "---\n? [a, b]\n: 1\n", 1)
    a = parse_article(raw.encode("utf-8"), "news/2026/x.md", "content/news/2026/x.md")
    assert [f.code for f in a.findings] == ["FM-YAML"] and a.findings[0].line == 2
    root = make_site(tmp_path, {"news/2026/x.md": raw}, seal=False)
    seal_files(root)  # raised a TypeError before
