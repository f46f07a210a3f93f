"""`congress wechat` on hostile and awkward input: each bad article gets a finding, never a
traceback, never a half-written folder, and never takes the other articles down with it."""

from __future__ import annotations

import io
import json
import os
import struct
import zlib
from pathlib import Path

import lxml.html
from PIL import Image

from tests.sitekit import NOW, article, congress, make_site

WITHDRAWN = {"at": "2026-11-27T10:00:00+08:00", "reason": "数据核实中，暂予撤回。"}


def _png_bomb(width: int = 60_000, height: int = 60_000) -> bytes:
    """A PNG whose header claims 3.6 G pixels, with almost no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def _photo(width: int, height: int) -> bytes:
    """A noisy photo (hard to compress) with EXIF that says where it was taken."""
    image = Image.effect_noise((width, height), 80).convert("RGB")
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", quality=98, exif=exif)
    return out.getvalue()


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200" viewBox="0 0 400 200">'
    b'<rect width="400" height="200" fill="#b3121b"/><circle cx="200" cy="100" r="60" '
    b'fill="#fff"/></svg>'
)

BODY = """\
第一段，有<span hidden>编辑隐藏的文字</span>可见的文字。

![大照片](images/photo.jpg)

![图表](images/chart.svg)

详见[条例全文](https://www.example.gov.cn/laws/x/)。
"""


def _site(root: Path) -> Path:
    return make_site(
        root,
        {
            "news/2026/good.md": article(BODY, uid="2026-1120-aaaaa1", title="好稿件"),
            "news/2026/bomb.md": article(
                "正文。\n\n![图](images/bomb.png)\n", uid="2026-1120-aaaaa2", title="炸弹"
            ),
            "news/2026/long.md": article(uid="2026-1120-aaaaa3", title="长" * 65),
        },
        assets={
            "news/2026/images/photo.jpg": _photo(3000, 2000),
            "news/2026/images/chart.svg": SVG,
            "news/2026/images/bomb.png": _png_bomb(),
        },
    )


def test_one_bad_article_is_refused_and_the_others_are_exported(tmp_path: Path) -> None:
    root = _site(tmp_path / "site")
    out = tmp_path / "out"
    result = congress("wechat", "content", "--out", str(out), "--now", NOW, cwd=root)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "[WECHAT-IMAGE-UNREADABLE]" in result.stderr
    assert "[WECHAT-TITLE-LONG]" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["2026-1120-aaaaa1"]  # no half folder
    folder = out / "2026-1120-aaaaa1"
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    photo, chart = meta["images"]
    assert photo["file"] == "images/01.jpg" and photo["width"] == 1080
    assert chart["file"] == "images/02.png" and chart["width"] == 1080  # the SVG rasterized
    with Image.open(folder / "images/01.jpg") as picture:
        assert picture.size == (1080, 720)
        assert not picture.getexif()  # no camera, no place
    assert (folder / "images/01.jpg").stat().st_size < 1024 * 1024
    html = (folder / "article.html").read_text(encoding="utf-8")
    assert "编辑隐藏的文字" not in html
    doc = lxml.html.document_fromstring(html)
    assert not doc.xpath("//a"), "WeChat keeps no outside link"
    text = doc.text_content()
    assert "详见条例全文。" in text
    assert "条例全文：https://www.example.gov.cn/laws/x/" in text  # listed under 文中链接
    # The cover comes from the first picture of the body when the article names none.
    assert meta["cover"]["file"] == "cover.jpg"
    ledger = (root / "editorial" / "exports.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["uid"] for line in ledger] == ["2026-1120-aaaaa1"]


def test_an_edit_after_the_final_sign_off_voids_the_export(tmp_path: Path) -> None:
    root = _site(tmp_path / "site")
    path = root / "content/news/2026/good.md"
    path.write_text(path.read_text(encoding="utf-8").replace("第一段", "第1段"), encoding="utf-8")
    result = congress("wechat", "2026-1120-aaaaa1", "--out", str(tmp_path / "o"), cwd=root)
    assert result.returncode == 1
    assert "[EXPORT-NOT-PUBLIC]" in result.stderr and "终审后内容被修改" in result.stderr
    assert not (tmp_path / "o" / "2026-1120-aaaaa1").exists()


def test_an_output_folder_that_is_a_symlink_is_refused(tmp_path: Path) -> None:
    root = _site(tmp_path / "site")
    target = tmp_path / "elsewhere"
    target.mkdir()
    (tmp_path / "link").symlink_to(target)
    result = congress(
        "wechat", "2026-1120-aaaaa1", "--out", str(tmp_path / "link"), "--now", NOW, cwd=root
    )
    assert result.returncode == 2 and "[WECHAT-OUT]" in result.stderr
    assert list(target.iterdir()) == []


def test_the_audit_names_an_exported_article_withdrawn_since(tmp_path: Path) -> None:
    root = _site(tmp_path / "site")
    out = tmp_path / "out"
    assert congress("wechat", "2026-1120-aaaaa1", "--out", str(out), cwd=root).returncode == 0
    make_site(
        root,
        {
            "news/2026/good.md": article(
                BODY, uid="2026-1120-aaaaa1", title="好稿件", withdrawn=WITHDRAWN
            )
        },
    )
    with (root / "editorial" / "exports.jsonl").open("a", encoding="utf-8") as ledger:
        ledger.write("not a record\n")
    result = congress("audit", "--json", "--now", NOW, cwd=root)
    found = {f["code"]: f for f in json.loads(result.stdout)["findings"]}
    withdrawn = found["AUDIT-EXPORT-WITHDRAWN"]
    assert withdrawn["message"].startswith("已在公众号导出，网站已撤稿：请同步处理")
    assert withdrawn["path"] == "content/news/2026/good.md"
    assert found["AUDIT-EXPORT-LEDGER"]["message"].startswith("导出记录中有 1 行")


def test_the_audit_names_an_exported_article_changed_since(tmp_path: Path) -> None:
    root = _site(tmp_path / "site")
    assert (
        congress("wechat", "2026-1120-aaaaa1", "--out", str(tmp_path / "o"), cwd=root).returncode
        == 0
    )
    changed = BODY.replace("第一段", "第一段（更正后）")
    make_site(root, {"news/2026/good.md": article(changed, uid="2026-1120-aaaaa1", title="好稿件")})
    result = congress("audit", "--json", "--now", NOW, cwd=root)
    codes = [f["code"] for f in json.loads(result.stdout)["findings"]]
    assert "AUDIT-EXPORT-CHANGED" in codes and "AUDIT-EXPORT-WITHDRAWN" not in codes


def _drawing(text: str, family: str) -> bytes:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="60">'
        f'<text x="10" y="40" font-size="28" font-family="{family}">{text}</text></svg>'
    ).encode()


def test_chinese_in_a_drawing_is_drawn_not_boxed(tmp_path: Path) -> None:
    """CairoSVG has no glyph fallback: Chinese in `sans-serif` would be empty boxes, all
    alike. Drawn, four different characters differ from four characters no font has."""
    from generator.channels.pictures import picture

    shown = {}
    for name, text in {
        "chinese": "人大代表",
        "missing": "\U000f0001\U000f0002\U000f0003\U000f0004",
    }.items():
        for family in ("sans-serif", "Microsoft YaHei", "serif"):
            path = tmp_path / f"{name}-{family}.svg"
            path.write_bytes(_drawing(text, family))
            shown[name, family] = picture(path).data
    for family in ("sans-serif", "Microsoft YaHei", "serif"):
        assert shown["chinese", family] != shown["missing", family], family
    assert shown["chinese", "sans-serif"] != shown["chinese", "serif"]  # the serif kept


def test_a_moment_in_the_future_is_said_recorded_and_audited(tmp_path: Path) -> None:
    """`--now` decides what is public: a later moment would send an embargoed article early.
    The export says so, records the moment it judged at, and the audit lists it."""
    root = _site(tmp_path / "site")
    later = "2099-01-01T00:00:00+08:00"
    result = congress(
        "wechat", "2026-1120-aaaaa1", "--out", str(tmp_path / "o"), "--now", later, cwd=root
    )
    assert result.returncode == 0, result.stderr
    assert "[EXPORT-FUTURE]" in result.stderr
    ledger = (root / "editorial/exports.jsonl").read_text(encoding="utf-8")
    assert json.loads(ledger.splitlines()[-1])["judged_at"] == later
    audit = congress("audit", "--json", cwd=root)
    codes = [f["code"] for f in json.loads(audit.stdout)["findings"]]
    assert "AUDIT-EXPORT-EARLY" in codes


def test_a_draft_is_judged_at_the_real_time(tmp_path: Path) -> None:
    root = _site(tmp_path / "site")
    env = {**os.environ, "WECHAT_APPID": "wx0123456789abcdef", "WECHAT_SECRET": "a" * 32}
    result = congress(
        "wechat",
        "2026-1120-aaaaa1",
        "--push",
        "--now",
        "2026-11-28T12:00:00+08:00",
        "--out",
        str(tmp_path / "o"),
        cwd=root,
        env=env,
    )
    assert result.returncode == 2 and "[EXPORT-NOW]" in result.stderr
    assert not (tmp_path / "o").exists()


def test_a_ledger_that_cannot_be_written_stops_the_export_before_anything_leaves(
    tmp_path: Path,
) -> None:
    root = _site(tmp_path / "site")
    (root / "editorial/exports.jsonl").mkdir()
    result = congress("wechat", "2026-1120-aaaaa1", "--out", str(tmp_path / "o"), cwd=root)
    assert result.returncode == 2 and "[EXPORT-LEDGER]" in result.stderr
    assert not (tmp_path / "o").exists()
