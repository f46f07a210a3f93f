"""robots.txt: written by the build beside sitemap.xml, naming it, disallowing nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sitekit import NOW, article, congress, make_site

pytestmark = pytest.mark.site


def test_robots_txt_names_the_absolute_sitemap_and_disallows_nothing(sample_site: Path) -> None:
    lines = (sample_site / "robots.txt").read_text(encoding="utf-8").splitlines()
    rules = [line.partition("#")[0].strip() for line in lines]
    assert "User-agent: *" in rules
    assert "Sitemap: https://www.shilirenda.gov.cn/sitemap.xml" in rules
    disallowed = [r.partition(":")[2].strip() for r in rules if r.lower().startswith("disallow")]
    assert disallowed == [""]  # an empty Disallow: nothing is
    assert (sample_site / "sitemap.xml").is_file()


def test_a_robots_txt_in_content_is_never_published_over_the_generated_one(
    tmp_path: Path,
) -> None:
    """The newsroom's file is a finding (a place the build writes) and never copied; linked
    by an article, that article stays out too, and the rest of the site is built with the
    generated robots.txt (it used to refuse the whole build as a second writer)."""
    theirs = {"robots.txt": b"User-agent: *\nDisallow: /\n"}
    make_site(tmp_path, {"news/2026/a.md": article()}, assets=theirs)
    result = congress("build", "--now", NOW, cwd=tmp_path)
    assert result.returncode == 1 and "[ART-RESERVED-PATH]" in result.stderr
    ours = (tmp_path / "site" / "robots.txt").read_text(encoding="utf-8")
    assert "Disallow: /" not in ours and "Sitemap: https://www.example.gov.cn/sitemap.xml" in ours

    linked = article("正文见[抓取说明](../../robots.txt)。\n", uid="2026-1120-bbbbbb")
    make_site(tmp_path, {"news/2026/b.md": linked}, assets=theirs)
    result = congress("build", "--now", NOW, cwd=tmp_path)
    assert result.returncode == 1 and "[ASSET-RESERVED-PATH]" in result.stderr
    assert "公开稿件 1 篇" in result.stdout  # a.md
    assert (tmp_path / "site" / "robots.txt").read_text(encoding="utf-8") == ours
