"""`congress wechat`: every public article of the sample exported, read back as WeChat's editor
would see it (lxml), and compared with the page of a real build of the same newsroom."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import lxml.html
import pytest
from PIL import Image

from generator.channels.wechathtml import MEDIA_NOTE, PROPERTIES, TAGS
from tests.channels.sample import states
from tests.sitekit import NOW, congress

ARTICLE_URL = re.compile(r"^https://[^/]+/(.+/)$")


def _text(el: lxml.html.HtmlElement) -> str:
    return re.sub(r"\s+", "", el.text_content())


def _site_body(site: Path, url: str) -> lxml.html.HtmlElement:
    """The article body of the built page, as a reader sees its text: what the editor hid
    left out, players as the export words them."""
    match = ARTICLE_URL.match(url)
    assert match, url
    page = lxml.html.parse(str(site / match.group(1) / "index.html")).getroot()
    body = page.cssselect(".cg-article__body")[0]
    for el in body.xpath(".//*[@hidden]"):
        el.drop_tree()
    for q in body.iter("q"):  # as a browser shows it
        q.text = "“" + (q.text or "")
        q.append(lxml.html.Element("span"))
        q[-1].text = "”"
    for el in body.xpath(".//iframe|.//video|.//audio"):
        note = lxml.html.Element("p")
        note.text = MEDIA_NOTE
        el.addprevious(note)
        el.drop_tree()
    return body


def _folders(exported: Path) -> list[Path]:
    return sorted(p for p in exported.iterdir() if p.is_dir())


def test_the_exported_html_holds_only_what_wechat_keeps(exported: Path) -> None:
    for folder in _folders(exported):
        doc = lxml.html.parse(str(folder / "article.html")).getroot()
        assert not doc.xpath("//style|//script|//link|//iframe|//object|//form"), folder
        body = doc.find("body")
        assert len(body) == 1 and body[0].tag == "section", folder
        for el in body[0].iter():
            if not isinstance(el.tag, str):
                continue
            assert el.tag in TAGS, (folder, el.tag)
            names = set(el.attrib)
            assert not names & {"class", "id"}, (folder, el.tag, names)
            assert not [n for n in names if n.startswith("on")], (folder, names)
            style = el.get("style", "")
            assert "url(" not in style and "@" not in style and "expression" not in style
            for declaration in filter(None, (d.strip() for d in style.split(";"))):
                assert declaration.split(":", 1)[0].strip() in PROPERTIES, declaration
        for img in body.iter("img"):
            src = img.get("src")
            assert re.fullmatch(r"images/\d\d\.(jpg|png)", src), src
            file = folder / src
            assert file.is_file() and file.stat().st_size < 1024 * 1024
            with Image.open(file) as picture:
                assert picture.width <= 1080
                assert not picture.info.get("exif")


def test_the_exported_text_is_the_text_of_the_site_page(exported: Path, sample_site: Path) -> None:
    compared = 0
    for folder in _folders(exported):
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        root = lxml.html.parse(str(folder / "article.html")).getroot().find("body")[0]
        body = root[-2]  # corrections and consultation first, the source and 阅读原文 last
        expected = _text(_site_body(sample_site, meta["content_source_url"]))
        assert _text(body) == expected, folder.name
        foot = _text(root[-1])
        assert f"阅读原文：{meta['content_source_url']}" in foot
        if meta["source"]:
            assert f"来源：{meta['source']}" in foot
        compared += 1
    assert compared >= 30


def test_meta_images_and_covers(exported: Path) -> None:
    with_cover = 0
    for folder in _folders(exported):
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        assert meta["uid"] == folder.name
        assert len(meta["title"]) <= 64 and len(meta["digest"]) <= 120
        assert meta["approval_digest"].startswith("sha256:")
        assert meta["judged_at"] == "2026-11-28T12:00:00+08:00"  # --now
        assert datetime.fromisoformat(meta["exported_at"]).tzinfo is not None  # the clock
        html = (folder / "article.html").read_text(encoding="utf-8")
        assert [i["file"] for i in meta["images"]] == sorted(
            dict.fromkeys(re.findall(r'src="(images/[^"]+)"', html))
        )
        files = sorted(p.name for p in (folder / "images").iterdir())
        assert files == [Path(i["file"]).name for i in meta["images"]]
        if meta["cover"] is None:
            assert not (folder / "cover-235.jpg").exists()
            continue
        with_cover += 1
        with Image.open(folder / "cover-235.jpg") as wide, Image.open(folder / "cover-1.jpg") as sq:
            assert wide.size == (900, 383)
            assert sq.width == sq.height and sq.width <= 900
        for key in ("crop_235_1", "crop_1_1"):
            values = [float(v) for v in meta["cover"][key].split("_")]
            assert len(values) == 4 and all(0 <= v <= 1 for v in values)
    assert with_cover >= 3


def test_an_export_is_the_same_bytes_again(exported: Path, sample_copy: Path) -> None:
    first = _folders(exported)[0]
    again = sample_copy.parent / "again"
    result = congress("wechat", first.name, "--out", str(again), "--now", NOW, cwd=sample_copy)
    assert result.returncode == 0, result.stderr
    second = again / first.name
    names = sorted(p.relative_to(first).as_posix() for p in first.rglob("*") if p.is_file())
    assert names == sorted(
        p.relative_to(second).as_posix() for p in second.rglob("*") if p.is_file()
    )
    for name in names:
        if name != "meta.json":
            assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_the_clipboard_html_carries_its_pictures(exported: Path, sample_copy: Path) -> None:
    folder = next(
        f for f in _folders(exported) if (f / "images").iterdir() and any((f / "images").iterdir())
    )
    result = congress("wechat", folder.name, "--clipboard-html", "--now", NOW, cwd=sample_copy)
    assert result.returncode == 0, result.stderr
    doc = lxml.html.document_fromstring(result.stdout)
    sources = [img.get("src") for img in doc.iter("img")]
    assert sources and all(s.startswith("data:image/") for s in sources)
    saved = (folder / "article.html").read_text(encoding="utf-8")
    assert _text(doc.find("body")) == _text(lxml.html.document_fromstring(saved).find("body"))


@pytest.mark.parametrize("state", ["pending", "scheduled", "expired", "withdrawn"])
def test_an_article_that_is_not_public_is_refused(
    state: str, sample_copy: Path, tmp_path: Path
) -> None:
    uid = next(u for u, s in states(sample_copy).items() if s == state)
    result = congress("wechat", uid, "--out", str(tmp_path), "--now", NOW, cwd=sample_copy)
    assert result.returncode == 1
    assert "[EXPORT-NOT-PUBLIC]" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / uid).exists()


def test_an_unknown_article_is_named(sample_copy: Path, tmp_path: Path) -> None:
    result = congress("wechat", "no-such-uid", "--out", str(tmp_path), cwd=sample_copy)
    assert result.returncode == 1 and "[EXPORT-UNKNOWN]" in result.stderr
    assert "no-such-uid" in result.stderr
