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
    """Unused, the newsroom's file is not copied; linked by an article, it is still never
    copied nor sealed: robots.txt is a generated path (`assets.is_generated_path`)."""
    theirs = {"robots.txt": b"User-agent: *\nDisallow: /\n"}
    make_site(tmp_path, {"news/2026/a.md": article()}, assets=theirs)
    assert congress("build", "--now", NOW, cwd=tmp_path).returncode == 0
    ours = (tmp_path / "site" / "robots.txt").read_text(encoding="utf-8")
    assert "Disallow: /" not in ours and "Sitemap: https://www.example.gov.cn/sitemap.xml" in ours

    linked = article("正文见[抓取说明](../../robots.txt)。\n")
    make_site(tmp_path, {"news/2026/a.md": linked}, assets=theirs)
    result = congress("build", "--now", NOW, cwd=tmp_path)
    # 0, or 1 where a content file at a generated path is itself an error finding.
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr
    assert (tmp_path / "site" / "robots.txt").read_text(encoding="utf-8") == ours
