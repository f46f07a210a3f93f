"""Whole-site builds with the real mkdocs, checked by parsing the HTML they produce."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pytest

from generator.core.config import load_site
from tests.sitekit import NOW, ROOT, article, congress, make_site

pytestmark = pytest.mark.site


def page(site: Path, url: str) -> lxml.html.HtmlElement:
    return lxml.html.parse(str(site / url / "index.html")).getroot()


def item_titles(doc: lxml.html.HtmlElement) -> list[str]:
    return [a.text_content().strip() for a in doc.cssselect(".cg-items .cg-item__title")]


def test_home_page_lists_every_column(sample_site: Path) -> None:
    home = page(sample_site, "")
    site = load_site(ROOT / "mkdocs.yml")
    headings = [h.text_content().strip() for h in home.cssselect(".cg-matrix__column h2")]
    assert headings == [c.name for c in site.columns]
    links = {a.get("href") for a in home.cssselect(".cg-matrix__column h2 a")}
    assert links == {f"{c.id}/" for c in site.columns}
    assert home.cssselect(".cg-lead .cg-lead__title")


def test_navigation_holds_home_and_columns_only(sample_site: Path) -> None:
    home = page(sample_site, "")
    tabs = [a.text_content().strip() for a in home.cssselect(".md-tabs__link")]
    site = load_site(ROOT / "mkdocs.yml")
    assert tabs == ["首页", *(c.name for c in site.columns)]


def test_column_pages_list_public_articles_newest_first(sample_site: Path) -> None:
    for column in ("supervision", "sessions", "gazette"):
        doc = page(sample_site, column)
        times = [t.get("datetime") for t in doc.cssselect(".cg-items time")]
        assert times, column
        assert times == sorted(times, reverse=True)
        hrefs = [a.get("href") for a in doc.cssselect(".cg-items .cg-item__title")]
        for href in hrefs:
            assert (sample_site / column / href / "index.html").is_file()


def test_article_page_shows_its_metadata(sample_site: Path) -> None:
    doc = page(sample_site, "supervision/2026/wuye-zhifa-jiancha-shidi-jiancha")
    assert (
        doc.cssselect("article h1")[0].text_content()
        == "执法检查组深入小区一线查看物业管理条例落实情况"
    )
    meta = {
        dt.text_content(): dd.text_content()
        for dt, dd in zip(doc.cssselect(".cg-meta dt"), doc.cssselect(".cg-meta dd"), strict=True)
    }
    assert meta["发布时间"] == "2026-09-22 17:30"
    assert meta["来源"] == "示例市人大常委会办公室"
    assert meta["作者"] == "郑文"
    assert doc.cssselect(".cg-editor")[0].text_content() == "责任编辑：何岚"
    assert doc.cssselect(".cg-article__column a")[0].text_content() == "监督在线·实效追踪"
    tags = [a.text_content() for a in doc.cssselect(".cg-tags a")]
    assert tags == ["执法检查", "物业管理"]
    for a in doc.cssselect(".cg-tags a"):
        href = a.get("href")
        assert (
            sample_site / "supervision/2026/wuye-zhifa-jiancha-shidi-jiancha" / href / "index.html"
        ).is_file()


def test_every_sample_article_state_is_reflected_in_the_output(sample_site: Path) -> None:
    result = congress("check", "--json", "--now", NOW, cwd=ROOT)
    assert result.returncode == 0, result.stdout
    data = json.loads(result.stdout)
    states = {a["state"] for a in data["articles"]}
    assert states == {"published", "pending", "scheduled", "expired", "withdrawn"}
    for a in data["articles"]:
        built = sample_site / a["url"] / "index.html"
        if a["state"] == "published":
            assert built.is_file(), a["url"]
        elif a["state"] == "withdrawn":
            assert "本文已撤回" in built.read_text(encoding="utf-8")
        else:
            assert not built.exists(), a["url"]


def test_tag_and_archive_pages(sample_site: Path) -> None:
    tags = page(sample_site, "tags")
    links = tags.cssselect(".cg-cloud a")
    assert links
    first = links[0].get("href")
    assert item_titles(page(sample_site, f"tags/{first}"))
    archive = page(sample_site, "archive")
    years = [a.text_content() for a in archive.cssselect(".cg-cloud a")]
    assert years[0].startswith("2026年") and years[-1].startswith("2025年")
    assert item_titles(page(sample_site, "archive/2025"))


def test_column_pages_paginate_twenty_per_page(tmp_path: Path) -> None:
    articles = {
        f"news/2026/a{n:02d}.md": article(
            uid=f"2026-1101-{n:06x}",
            title=f"第{n}篇",
            date=f"2026-10-{n % 28 + 1:02d}T{n % 24:02d}:00:00+08:00",
        )
        for n in range(45)
    }
    make_site(tmp_path, articles)
    result = congress("build", "--now", NOW, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    pages = [page(site, "news"), page(site, "news/page/2"), page(site, "news/page/3")]
    titles = [item_titles(p) for p in pages]
    assert [len(t) for t in titles] == [20, 20, 5]
    assert not (site / "news/page/4").exists()
    times = [t.get("datetime") for p in pages for t in p.cssselect(".cg-items time")]
    assert times == sorted(times, reverse=True)
    assert pages[0].cssselect(".cg-pager__next")[0].get("href") == "page/2/"
    assert pages[1].cssselect(".cg-pager__prev")[0].get("href") == "../../"
    assert pages[2].cssselect("[aria-current=page]")[0].text_content() == "3"


def test_bad_input_is_reported_and_the_rest_is_built(tmp_path: Path) -> None:
    good = article(uid="2026-1120-000001", title="合格稿件")
    bad = {
        "news/2026/yaml.md": "---\ntitle: [未闭合\n---\n正文\n",
        "news/2026/list.md": "---\n- 一\n---\n正文\n",
        "news/2026/column.md": article(uid="2026-1120-000002", column="sports"),
        "news/2026/notitle.md": article(uid="2026-1120-000003", title=None),
        "news/2026/nodate.md": article(uid="2026-1120-000004", date=None),
        "news/2026/nouid.md": article(uid=None),
        "news/2026/baddate.md": article(uid="2026-1120-000005", date="明天上午"),
        "news/2026/dup1.md": article(uid="2026-1120-000006", title="重复一"),
        "news/2026/dup2.md": article(uid="2026-1120-000006", title="重复二"),
        "news/2026/clash.md": article(uid="2026-1120-000007", title="撞车一"),
        "news/2026/clash.markdown": article(uid="2026-1120-000008", title="撞车二"),
        "news/2026/gbk.md": article(uid="2026-1120-000009", title="编码错误").encode("gbk"),
        "news/2026/empty.md": "",
    }
    make_site(tmp_path, {"news/2026/good.md": good, **bad})
    result = congress("build", "--now", NOW, cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    for name in bad:
        assert f"content/{name}:" in result.stderr, name
    site = tmp_path / "site"
    assert (site / "news/2026/good/index.html").is_file()
    for name in bad:
        assert not (site / Path(name).with_suffix("") / "index.html").exists(), name
    assert "合格稿件" in (site / "news/index.html").read_text(encoding="utf-8")


def test_naive_date_builds_with_a_warning(tmp_path: Path) -> None:
    make_site(tmp_path, {"news/2026/a.md": article(date="2026-11-20 10:00")})
    build = congress("build", "--now", NOW, cwd=tmp_path)
    assert build.returncode == 0, build.stderr
    doc = page(tmp_path / "site", "news/2026/a")
    assert doc.cssselect(".cg-meta time")[0].get("datetime") == "2026-11-20T10:00:00+08:00"
    check = congress("check", "--now", NOW, cwd=tmp_path)
    assert check.returncode == 0
    assert "FM-NAIVE-DATE" in check.stdout
