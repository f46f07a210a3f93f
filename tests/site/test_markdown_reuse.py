"""One Markdown instance for the whole build (generator/mkdocs_plugin/convert.py) makes the
same bytes as the engine's own rendering, a new instance per page: the same sites built both
ways (`CONGRESS_FRESH_MARKDOWN=1` for the engine's), every output file compared.

The articles are the ones that would show state leaking from one page into the next: the same
headings on consecutive pages (the table of contents' ids), footnotes with the same labels,
link references defined on one page and used on the next, raw HTML with ids, `md_in_html`,
attribute lists, admonitions, tables, links to other articles and their anchors."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from tests.redteam.raising import NESTED_MARKER
from tests.sitekit import NOW, ROOT, article, congress, make_site, snapshot

pytestmark = pytest.mark.site

BODIES = [
    "导语。[^1]\n\n## 主要做法\n\n正文[^note]。\n\n## 主要做法\n\n再一段[链接][ref]。\n\n"
    '[^1]: 第一条脚注。\n[^note]: 命名脚注。\n\n[ref]: ../b/ "参考"\n',
    "## 主要做法\n\n只用了上一篇定义的引用：[链接][ref]，和脚注[^1]。\n\n"
    "[^1]: 这一篇自己的脚注。\n\n| 地区 | 问题数 |\n|---|---|\n| 临江区 | 12 |\n",
    '<div id="raw-anchor" markdown>\n\n**加粗**段落\n\n</div>\n\n'
    '## 标题 {#custom-id .lead}\n\n!!! note "注意"\n    提示内容。\n\n'
    "[上一篇的小节](../a/#主要做法_1)\n",
    "## 主要做法\n\n## 主要做法\n\n## 存在问题\n\n段落。[^1]\n\n[^1]: 又一条脚注。\n",
]


def _site(root: Path) -> Path:
    names = "abcd"
    articles = {
        f"news/2026/{names[i]}.md": article(
            body, uid=f"2026-1101-{i:06x}", date=f"2026-11-0{i + 1}T10:00:00+08:00"
        )
        for i, body in enumerate(BODIES)
    }
    return make_site(root, articles)


def _build(root: Path, out: Path, fresh: bool) -> dict[str, bytes]:
    env = {k: v for k, v in os.environ.items() if k != "CONGRESS_FRESH_MARKDOWN"}
    if fresh:
        env["CONGRESS_FRESH_MARKDOWN"] = "1"
    done = congress("build", "--no-cache", "--now", NOW, "--site-dir", str(out), cwd=root, env=env)
    assert done.returncode == 0, done.stderr
    return snapshot(out)


def test_one_reused_converter_makes_the_engines_bytes(tmp_path: Path) -> None:
    root = _site(tmp_path / "site")
    reused = _build(root, tmp_path / "reused", fresh=False)
    fresh = _build(root, tmp_path / "fresh", fresh=True)
    assert sorted(reused) == sorted(fresh)
    different = [path for path in reused if reused[path] != fresh[path]]
    assert different == []
    # The state that must not leak did occur: both pages have their own footnotes and ids.
    page = reused["news/2026/b/index.html"].decode("utf-8")
    assert "这一篇自己的脚注" in page and "第一条脚注" not in page
    assert '<h2 id="_1">主要做法' in reused["news/2026/d/index.html"].decode("utf-8")


def test_the_sample_site_is_the_same_both_ways(tmp_path: Path) -> None:
    root = tmp_path / "sample"
    shutil.copytree(
        ROOT,
        root,
        ignore=shutil.ignore_patterns(
            ".venv*", "site", "build", "archive", "node_modules", ".git", "bench", "tests"
        ),
    )
    reused = _build(root, tmp_path / "reused", fresh=False)
    fresh = _build(root, tmp_path / "fresh", fresh=True)
    assert sorted(reused) == sorted(fresh)
    assert [path for path in reused if reused[path] != fresh[path]] == []


def test_a_page_that_fails_half_way_leaves_the_next_pages_as_they_should_be(
    tmp_path: Path,
) -> None:
    """A conversion that raises inside a list leaves the block parser's state behind, which
    `reset()` does not clear: the pages converted after it get a new converter (before: a
    following page's paragraphs lost their <p>, published without any error)."""
    arts = {
        "news/2026/a-bad.md": article(
            f"导语。\n\n- 第一项\n- {NESTED_MARKER}\n", uid="2026-1101-bad001"
        ),
        **{
            f"news/2026/b{i}.md": article(
                "第一段。\n\n第二段。\n\n- 一项\n\n    续行。\n",
                uid=f"2026-1101-good0{i}",
                title=f"正常稿件{i}",
            )
            for i in range(2)
        },
    }
    root = make_site(tmp_path / "site", arts)
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    config["markdown_extensions"] = ["tables", "tests.redteam.raising"]
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # for the test extension
    env.pop("CONGRESS_FRESH_MARKDOWN", None)
    done = congress("build", "--no-cache", "--now", NOW, cwd=root, env=env)
    assert done.returncode == 1 and "ART-INTERNAL" in done.stderr  # the bad article only
    for i in range(2):
        page = (root / f"site/news/2026/b{i}/index.html").read_text("utf-8")
        assert "<p>第一段。</p>" in page and "<p>第二段。</p>" in page
        assert "<pre>" not in page
