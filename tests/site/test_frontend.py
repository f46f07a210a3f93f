"""Page conventions checked in the built HTML: the national meta tags, Open Graph, the footer
configuration, consultations' state at build time, search switched off."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

import lxml.html
import pytest

from tests.sitekit import FOOTER, NOW, article, congress, make_site

pytestmark = pytest.mark.site


def metas(site: Path, url: str) -> dict[str, str]:
    doc = lxml.html.parse(str(site / url / "index.html")).getroot()
    found = {m.get("name"): m.get("content") for m in doc.cssselect("head meta[name]")}
    found |= {m.get("property"): m.get("content") for m in doc.cssselect("head meta[property]")}
    return found


def test_every_page_carries_the_site_meta_tags(sample_site: Path) -> None:
    for url in (
        "",
        "supervision",
        "tags",
        "feeds",
        "search",
        "supervision/2026/zhongyuan-gongzuo-pingyi",
    ):
        m = metas(sample_site, url)
        assert m["SiteName"] == "示例市人大常委会"
        assert m["SiteDomain"] == "www.shilirenda.gov.cn"
        assert m["SiteIDCode"] == "0000000000"


def test_column_pages_carry_the_column_meta_tags(sample_site: Path) -> None:
    m = metas(sample_site, "supervision")
    assert m["ColumnName"] == "监督在线·实效追踪"
    assert m["ColumnDescription"].startswith("执法检查、专题询问")
    assert m["ColumnKeywords"] == "执法检查,专题询问,工作评议,整改"
    assert m["ColumnType"] == "新闻动态"
    assert metas(sample_site, "gazette")["ColumnType"] == "公报"


def test_article_pages_carry_the_article_meta_tags_and_open_graph(sample_site: Path) -> None:
    m = metas(sample_site, "supervision/2026/wuye-tiaoli-zhifa-jiancha-dongyuan")
    assert m["ArticleTitle"] == "市人大常委会启动《示例市物业管理条例》执法检查"
    assert m["PubDate"] == "2026-09-08 11:00"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", m["PubDate"])
    assert m["ContentSource"] == "示例市人大常委会办公室"
    assert m["Keywords"] == "执法检查,物业管理,民生实事"
    assert m["Author"] == "林晓、郑文"
    assert m["Description"].startswith("9月7日")
    assert m["Image"] == "https://www.shilirenda.gov.cn/assets/images/a-zhifa-jiancha-liucheng.svg"
    assert (
        m["Url"]
        == "https://www.shilirenda.gov.cn/supervision/2026/wuye-tiaoli-zhifa-jiancha-dongyuan/"
    )
    assert m["ColumnName"] == "监督在线·实效追踪"
    assert m["og:type"] == "article" and m["og:title"] == m["ArticleTitle"]
    assert (
        m["og:image"] == m["Image"] and m["article:published_time"] == "2026-09-08T11:00:00+08:00"
    )


def test_withdrawal_notice_says_nothing_but_title_date_and_reason(sample_site: Path) -> None:
    url = "supervision/2026/wuye-zhifa-jiancha-baogao-shenyi"
    m = metas(sample_site, url)
    # The notice still names the article it replaces and when that appeared; nothing more.
    assert m["ArticleTitle"] == "常委会组成人员审议物业管理条例执法检查报告"
    assert m["PubDate"] == "2026-10-28 18:00"
    assert not {"Description", "Author", "Keywords", "Image", "og:image"} & m.keys()
    doc = lxml.html.parse(str(sample_site / url / "index.html")).getroot()
    article_text = doc.cssselect("article")[0].text_content()
    assert "本文已撤回" in article_text and "撤回原因" in article_text
    assert not doc.cssselect(".cg-article__body")


def test_article_image_is_the_cover_else_the_first_image_of_the_body(sample_site: Path) -> None:
    base = "https://www.shilirenda.gov.cn/"
    m = metas(sample_site, "supervision/2026/wuye-zhifa-jiancha-shidi-jiancha")  # no cover
    assert m["Image"] == base + "assets/images/a-wuye-shidi-jiancha.svg"
    assert m["og:image"] == m["Image"]
    pictured = empty = 0
    for page in sample_site.rglob("index.html"):
        doc = lxml.html.parse(str(page)).getroot()
        found = {e.get("name"): e.get("content") for e in doc.cssselect("head meta[name]")}
        if "Image" not in found:
            continue
        url = base + page.parent.relative_to(sample_site).as_posix() + "/"
        images = doc.cssselect(".cg-cover img") + doc.cssselect(".cg-article__body img")
        first = urljoin(url, images[0].get("src")) if images else ""
        assert found["Image"] == first, page
        pictured, empty = pictured + bool(first), empty + (not first)
    assert pictured == 13 and empty == 26  # 7 covers and 6 pictures in the body of 39


def test_not_found_page_is_a_page_of_the_site(sample_site: Path) -> None:
    doc = lxml.html.parse(str(sample_site / "404.html")).getroot()
    m = {e.get("name"): e.get("content") for e in doc.cssselect("head meta[name]")}
    assert m["SiteName"] == "示例市人大常委会" and m["SiteIDCode"] == "0000000000"
    assert m["SiteDomain"] == "www.shilirenda.gov.cn"
    assert doc.cssselect("title")[0].text == "页面不存在 - 示例市人大常委会"
    assert doc.cssselect("article h1")[0].text_content() == "页面不存在"
    footer = doc.cssselect("footer.cg-footer")[0].text_content()
    for expected in ("主办单位：", "网站标识码：0000000000", "示ICP备00000000号", "示公网安备"):
        assert expected in footer
    form = doc.cssselect("article form[role=search]")[0]
    assert form.get("action") == "/search/" and form.cssselect("input[name=q]")
    # Absolute links: the page answers for a missing address at any depth.
    links = {a.text_content(): a.get("href") for a in doc.cssselect("article nav a")}
    assert links["首页"] in ("/", "/.")
    for column in ("legislation", "supervision", "gazette", "bulletin"):
        assert f"/{column}/" in links.values()
    assert len([h for h in links.values() if h.count("/") == 2]) == 11 + 3  # columns, more


def test_missing_footer_settings_are_a_configuration_error(tmp_path: Path) -> None:
    make_site(tmp_path, {"news/2026/a.md": article()})
    config = (tmp_path / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace(f"    icp: {FOOTER['icp']}\n", "").replace(
        f"    phone: {FOOTER['phone']}\n", ""
    )
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    for command in ("check", "build"):
        result = congress(command, "--now", NOW, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert "extra.footer.icp" in result.stderr and "缺少ICP备案号" in result.stderr
        assert "extra.footer.phone" in result.stderr and "Traceback" not in result.stderr


CONSULTATION = {
    "deadline": "2026-12-20T17:00:00+08:00",
    "channels": {
        "email": "fgw@example.gov.cn",
        "post": "测试市人民路1号",
        "url": "https://www.example.gov.cn/zqyj/",
    },
}


def test_consultation_state_is_computed_at_build_time(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {
            "news/2026/draft-law.md": article(
                uid="2026-1120-00000a", kind="consultation", consultation=CONSULTATION
            ),
            "news/2026/feedback.md": approve_later(),
        },
    )

    def box(now: str) -> str:
        assert congress("build", "--now", now, cwd=tmp_path).returncode == 0
        doc = lxml.html.parse(str(tmp_path / "site/news/2026/draft-law/index.html")).getroot()
        return str(doc.cssselect(".cg-consultation")[0].text_content())

    open_box = box(NOW)
    assert (
        "征求意见中" in open_box
        and "2026-12-20 17:00" in open_box
        and "fgw@example.gov.cn" in open_box
    )
    closed_box = box("2026-12-21T09:00:00+08:00")
    assert "已截止" in closed_box and "意见采纳情况将在整理后另行公布" in closed_box
    after_feedback = box("2027-01-06T09:00:00+08:00")
    assert "意见采纳情况：关于草案意见采纳情况的说明" in " ".join(after_feedback.split())


def approve_later() -> str:
    return article(
        uid="2026-1120-00000b",
        title="关于草案意见采纳情况的说明",
        date="2027-01-05T10:00:00+08:00",
        feedback_for="2026-1120-00000a",
    )


def test_search_can_be_switched_off(tmp_path: Path) -> None:
    make_site(tmp_path, {"news/2026/a.md": article()}, search=False)
    assert congress("build", "--now", NOW, cwd=tmp_path).returncode == 0
    assert not (tmp_path / "site/pagefind").exists()
    assert not (tmp_path / "site/search").exists()
    for page in ("index.html", "404.html"):
        assert 'role="search"' not in (tmp_path / "site" / page).read_text(encoding="utf-8")
