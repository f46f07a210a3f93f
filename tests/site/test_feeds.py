"""Feeds for media outlets, parsed with feedparser (RSS, Atom) and as JSON Feed 1.1."""

from __future__ import annotations

import json
import re
from pathlib import Path

import feedparser
import lxml.etree
import lxml.html
import pytest

from generator.derive.feeds.content import feed_html
from tests.sitekit import NOW, ROOT, article, congress, make_site

pytestmark = pytest.mark.site

FEED_FILES = re.compile(r"\.(rss|atom|json)$")


def check_json(root: Path) -> dict[str, object]:
    result = congress("check", "--json", "--now", NOW, cwd=root)
    return dict(json.loads(result.stdout))


def parse(path: Path) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(path.read_bytes())
    assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
    return parsed


def test_every_feed_parses_with_the_right_entries_newest_first(sample_site: Path) -> None:
    public = [a for a in check_json(ROOT)["articles"] if a["state"] == "published"]  # type: ignore[union-attr]
    feeds = sorted(p for p in (sample_site / "feeds").iterdir() if p.suffix in (".rss", ".atom"))
    assert len(feeds) == 2 * 12  # all + 11 columns
    for path in feeds:
        scope = path.stem
        expected = [a for a in public if scope == "all" or a["url"].startswith(f"{scope}/")]
        d = parse(path)
        assert len(d.entries) == min(50, len(expected)), path.name
        dates = [e.published_parsed for e in d.entries]
        assert dates == sorted(dates, reverse=True)
        for e in d.entries:
            assert e.id.startswith("tag:www.shilirenda.gov.cn,2026:")
            assert e.link.startswith("https://www.shilirenda.gov.cn/")
            html = e.content[0].value
            assert len(html) > len(e.summary)
            for url in re.findall(r'(?:href|src)="([^"]+)"', html):
                assert url.startswith(("https://", "http://", "mailto:", "tel:")), (path.name, url)
            assert "原文链接" in html


def test_rss_items_carry_creators_source_categories_and_media(sample_site: Path) -> None:
    d = parse(sample_site / "feeds/video.rss")
    first = d.entries[0]
    assert first.get("author")  # dc:creator: RSS authors have no e-mail
    assert any(t.term == "人大视点" for t in first.tags)
    assert first.enclosures[0].type == "video/mp4"
    assert int(first.enclosures[0].length) > 0
    assert {m["medium"] for m in first.media_content} == {"image", "video"}
    rss = (sample_site / "feeds/video.rss").read_text(encoding="utf-8")
    assert "<dc:source>" in rss


def test_atom_entries_have_one_alternate_link_and_typed_enclosures(sample_site: Path) -> None:
    d = parse(sample_site / "feeds/video.atom")
    for e in d.entries:
        rels = [link.rel for link in e.links]
        assert rels.count("alternate") == 1
        assert all(enc.get("type") and enc.get("length") for enc in e.enclosures)
    assert d.entries[0].content[0].type == "text/html"


def test_json_feed_has_the_required_fields(sample_site: Path) -> None:
    for path in (sample_site / "feeds").glob("*.json"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert doc["version"] == "https://jsonfeed.org/version/1.1"
        assert doc["title"] and isinstance(doc["items"], list)
        assert doc["feed_url"] == f"https://www.shilirenda.gov.cn/feeds/{path.name}"
        assert doc["home_page_url"].startswith("https://www.shilirenda.gov.cn/")
        for item in doc["items"]:
            assert isinstance(item["id"], str) and item["id"].startswith("tag:")
            assert item["content_html"] and item["url"].startswith("https://")
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", item["date_published"])
            assert all(a["name"] for a in item["authors"])


def test_opml_lists_every_feed_with_its_title(sample_site: Path) -> None:
    tree = lxml.etree.parse(str(sample_site / "feeds/index.opml"))
    outlines = tree.findall(".//outline[@xmlUrl]")
    urls = {o.get("xmlUrl") for o in outlines}
    files = {
        f"https://www.shilirenda.gov.cn/feeds/{p.name}"
        for p in (sample_site / "feeds").iterdir()
        if FEED_FILES.search(p.name)
    }
    assert urls == files
    assert all(o.get("title") and o.get("text") for o in outlines)


def test_feeds_page_lists_every_feed_ready_to_copy(sample_site: Path) -> None:
    page = lxml.html.parse(str(sample_site / "feeds/index.html")).getroot()
    shown = {code.text_content() for code in page.cssselect("a.cg-feed-url code")}
    files = {
        f"https://www.shilirenda.gov.cn/feeds/{p.name}"
        for p in (sample_site / "feeds").iterdir()
        if FEED_FILES.search(p.name)
    }
    assert shown == files
    assert "致媒体同行" in page.text_content()


def test_every_page_head_links_the_site_feeds_and_its_column_feeds(sample_site: Path) -> None:
    def alternates(url: str) -> set[str]:
        doc = lxml.html.parse(str(sample_site / url / "index.html")).getroot()
        return {link.get("href") for link in doc.cssselect('head link[rel="alternate"]')}

    base = "https://www.shilirenda.gov.cn/feeds/"
    site_feeds = {base + "all.rss", base + "all.atom", base + "all.json"}
    assert alternates("") == site_feeds
    assert alternates("tags") == site_feeds
    column = {base + "supervision.rss", base + "supervision.atom", base + "supervision.json"}
    assert alternates("supervision") == site_feeds | column
    assert alternates("supervision/2026/zhongyuan-gongzuo-pingyi") == site_feeds | column


def build_ids(root: Path, now: str = NOW) -> dict[str, str]:
    result = congress("build", "--now", now, cwd=root)
    assert result.returncode == 0, result.stderr
    return {e.id: e.title for e in parse(root / "site/feeds/all.atom").entries}


def test_ids_survive_a_change_of_title_date_and_url(tmp_path: Path) -> None:
    make_site(tmp_path, {"news/2026/a.md": article(uid="2026-1120-0000aa", title="原标题")})
    before = build_ids(tmp_path)
    (tmp_path / "content/news/2026/a.md").unlink()
    changed = article(uid="2026-1120-0000aa", title="新标题", date="2026-11-21T09:00:00+08:00")
    (tmp_path / "content/news/2026/renamed.md").write_text(changed, encoding="utf-8")
    after = build_ids(tmp_path)
    assert list(before) == list(after) == ["tag:www.example.gov.cn,2026:2026-1120-0000aa"]
    assert list(after.values()) == ["新标题"]


def test_a_correction_moves_updated_and_a_withdrawal_removes_the_item(tmp_path: Path) -> None:
    correction = {"at": "2026-11-22T08:00:00+08:00", "note": "第二段数据有误，已更正。"}
    make_site(
        tmp_path,
        {
            "news/2026/a.md": article(uid="2026-1120-0000aa", corrections=[correction]),
            "news/2026/b.md": article(
                uid="2026-1120-0000bb",
                withdrawn={"at": "2026-11-25T10:00:00+08:00", "reason": "核实中"},
            ),
        },
        staff=None,
    )
    assert congress("build", "--now", NOW, cwd=tmp_path).returncode == 0
    d = parse(tmp_path / "site/feeds/all.atom")
    (entry,) = d.entries
    assert entry.id.endswith("0000aa")
    assert entry.published.startswith("2026-11-20T10:00:00")
    assert entry.updated.startswith("2026-11-22T08:00:00")
    assert "更正" in entry.content[0].value
    j = json.loads((tmp_path / "site/feeds/all.json").read_text(encoding="utf-8"))
    assert [i["id"][-6:] for i in j["items"]] == ["0000aa"]
    assert j["items"][0]["date_modified"] == "2026-11-22T08:00:00+08:00"


def test_feed_item_count_is_configurable_and_feeds_off_means_no_files(tmp_path: Path) -> None:
    articles = {
        f"news/2026/a{n}.md": article(
            uid=f"2026-1120-0000{n:02d}", date=f"2026-11-{10 + n}T10:00:00+08:00"
        )
        for n in range(5)
    }
    columns = [
        {"id": "news", "name": "要闻"},
        {"id": "notices", "name": "通知公告", "feeds": False},
    ]
    make_site(tmp_path, articles, columns=columns, feeds={"limit": 2})
    assert congress("build", "--now", NOW, cwd=tmp_path).returncode == 0
    d = parse(tmp_path / "site/feeds/news.rss")
    assert [e.id[-2:] for e in d.entries] == ["04", "03"]
    assert not (tmp_path / "site/feeds/notices.rss").exists()


def test_two_builds_are_byte_identical_and_ignore_the_clock(tmp_path: Path) -> None:
    make_site(tmp_path, {"news/2026/a.md": article()})
    assert congress("build", "--now", NOW, cwd=tmp_path).returncode == 0
    first = {p.name: p.read_bytes() for p in (tmp_path / "site/feeds").iterdir()}
    assert congress("build", "--now", "2027-03-01T00:00:00+08:00", cwd=tmp_path).returncode == 0
    second = {p.name: p.read_bytes() for p in (tmp_path / "site/feeds").iterdir()}
    assert first == second
    assert b"Fri, 20 Nov 2026 10:00:00 +0800" in first["all.rss"]  # lastBuildDate = newest entry


def test_raw_html_is_sanitized_in_feed_content() -> None:
    raw = (
        '<p onclick="steal()">正文<a href="../x/">相对链接</a>'
        '<img src="../../i.png" onerror="x()" alt="图"></p>'
        "<script>alert(1)</script><style>p{}</style>"
        '<iframe src="https://evil.example/p"></iframe>'
        '<iframe src="https://player.example.gov.cn/v/1" width="640"></iframe>'
        '<a href="javascript:alert(1)">坏链接</a>'
    )
    out = feed_html(
        raw, "https://www.example.gov.cn/news/2026/a/", frozenset({"player.example.gov.cn"})
    )
    assert (
        "onclick" not in out and "onerror" not in out and "script" not in out and "alert" not in out
    )
    assert "evil.example" not in out
    assert '<iframe src="https://player.example.gov.cn/v/1" width="640"></iframe>' in out
    assert 'href="https://www.example.gov.cn/news/2026/x/"' in out
    assert 'src="https://www.example.gov.cn/news/i.png"' in out
    assert "javascript" not in out


# Issue 16: what independent validators and real feed readers found.

COLUMNS_WITH_VIDEO = [
    {"id": "news", "name": "要闻", "kind": "news"},
    {"id": "video", "name": "人大视点", "kind": "video"},
]
COVER_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="3"></svg>\n'


@pytest.fixture(scope="module")
def people_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two columns; a two-author video piece with a cover whose tags repeat the column's
    name, and a one-author news piece whose tag is the column's name."""
    root = tmp_path_factory.mktemp("people")
    video = article(
        uid="2026-1120-00000v",
        title="视频稿件",
        column="video",
        kind="video",
        authors=["王敏", "刘洋"],
        tags=["人大视点", "物业管理", "人大视点"],
        cover={"src": "../../assets/cover.svg", "alt": "封面"},
        video={"src": "https://media.example.gov.cn/v.mp4", "type": "video/mp4", "length": 1234},
    )
    news = article(uid="2026-1119-00000n", date="2026-11-19T10:00:00+08:00", tags=["要闻"])
    make_site(
        root,
        {"video/2026/v.md": video, "news/2026/n.md": news},
        columns=COLUMNS_WITH_VIDEO,
        assets={"assets/cover.svg": COVER_SVG},
    )
    result = congress("build", "--now", NOW, cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "site" / "feeds"


def test_a_tag_equal_to_the_column_name_is_one_category_in_every_format(
    people_site: Path,
) -> None:
    for name in ("all", "video"):
        rss = lxml.etree.parse(str(people_site / f"{name}.rss"))
        for item in rss.iter("item"):
            texts = [c.text for c in item.findall("category")]
            assert len(texts) == len(set(texts)), (name, texts)
        atom = parse(people_site / f"{name}.atom")
        for e in atom.entries:
            labels = [t.label for t in e.tags]
            assert len(labels) == len(set(labels)), (name, labels)
        doc = json.loads((people_site / f"{name}.json").read_text(encoding="utf-8"))
        for item in doc["items"]:
            assert len(item["tags"]) == len(set(item["tags"])), (name, item["tags"])
    video = json.loads((people_site / "video.json").read_text(encoding="utf-8"))["items"][0]
    assert video["tags"] == ["人大视点", "物业管理"]
    news = json.loads((people_site / "news.json").read_text(encoding="utf-8"))["items"][0]
    assert news["tags"] == ["要闻"]


def test_cover_and_video_are_separate_media_contents_never_one_group(people_site: Path) -> None:
    media = "{http://search.yahoo.com/mrss/}"
    for path in (people_site / "video.rss", people_site / "video.atom"):
        root = lxml.etree.parse(str(path)).getroot()
        assert list(root.iter(f"{media}group")) == [], path.name
        (entry,) = [
            e for e in root.iter() if e.tag in ("item", "{http://www.w3.org/2005/Atom}entry")
        ]
        contents = entry.findall(f"{media}content")
        assert [(c.get("medium"), c.get("type")) for c in contents] == [
            ("video", "video/mp4"),
            ("image", "image/svg+xml"),
        ]
        assert contents[1].get("fileSize") == str(len(COVER_SVG))


def test_each_author_once_per_entry_and_rss_carries_the_whole_byline(people_site: Path) -> None:
    atom = parse(people_site / "video.atom").entries[0]
    assert [a.name for a in atom.authors] == ["王敏", "刘洋"]  # <author> each, no dc:creator
    assert "dc:creator" not in (people_site / "video.atom").read_text(encoding="utf-8")
    rss = lxml.etree.parse(str(people_site / "video.rss"))
    creators = rss.findall(".//item/{http://purl.org/dc/elements/1.1/}creator")
    assert [c.text for c in creators] == ["王敏、刘洋"]
    assert parse(people_site / "video.rss").entries[0].author == "王敏、刘洋"
    doc = json.loads((people_site / "video.json").read_text(encoding="utf-8"))
    assert doc["items"][0]["authors"] == [{"name": "王敏"}, {"name": "刘洋"}]


def test_rss_self_link_is_typed_and_categories_are_alike_in_every_feed(people_site: Path) -> None:
    atom_ns = "{http://www.w3.org/2005/Atom}"
    seen: dict[tuple[str, str], set[str | None]] = {}
    for path in sorted(people_site.glob("*.rss")):
        root = lxml.etree.parse(str(path)).getroot()
        (self_link,) = [x for x in root.iter(f"{atom_ns}link") if x.get("rel") == "self"]
        assert self_link.get("type") == "application/rss+xml"
        for item in root.iter("item"):
            for c in item.findall("category"):
                seen.setdefault((item.findtext("guid") or "", c.text or ""), set()).add(
                    c.get("domain")
                )
    for path in sorted(people_site.glob("*.atom")):
        root = lxml.etree.parse(str(path)).getroot()
        (self_link,) = [x for x in root.findall(f"{atom_ns}link") if x.get("rel") == "self"]
        assert self_link.get("type") == "application/atom+xml"
        for entry in root.iter(f"{atom_ns}entry"):
            for c in entry.findall(f"{atom_ns}category"):
                key = (entry.findtext(f"{atom_ns}id") or "", "atom:" + (c.get("term") or ""))
                seen.setdefault(key, set()).add(c.get("scheme"))
    assert seen and all(len(domains) == 1 for domains in seen.values()), seen
    video = ("tag:www.example.gov.cn,2026:2026-1120-00000v", "人大视点")
    assert seen[video] == {"https://www.example.gov.cn/video/"}
