"""Export folders as `congress wechat` writes them (the contract in the channel's brief), made
by hand for the channel tests."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from tests.sitekit import ROOT

CSS = (ROOT / "themes" / "congress" / "channels" / "longimage.css").read_text(encoding="utf-8")
URL = "https://www.example-rd.gov.cn/supervision/2026/wuye-zhifa-jiancha/"
TEXT = (
    "11月27日，市人大常委会执法检查组深入部分街道和住宅小区，就《示例市物业管理条例》"
    "贯彻实施情况开展执法检查。检查组实地查看了小区公共区域、电梯和消防设施运行情况。"
)
RED = (200, 30, 30)


def export(folder: Path, body: str, *, url: str = URL, images: int = 1) -> Path:
    """An export folder as `congress wechat` writes it, the section holding `body`."""
    (folder / "images").mkdir(parents=True)
    listed = []
    for n in range(1, images + 1):
        name = f"images/{n:02d}.jpg"
        Image.new("RGB", (800, 450), RED).save(folder / name, quality=90)
        listed.append({"file": name, "sha256": "0" * 64, "width": 800, "height": 450})
    (folder / "article.html").write_text(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>T</title></head>'
        f'<body><section style="font-size:16px;line-height:1.8;color:#333">{body}</section>'
        "</body></html>",
        encoding="utf-8",
    )
    meta = {
        "title": "市人大常委会开展物业管理条例执法检查",
        "author": "王敏",
        "digest": "",
        "content_source_url": url,
        "uid": "2026-1128-7f3a9c",
        "approval_digest": "sha256:" + "0" * 64,
        "exported_at": "2026-11-28T10:00:00+08:00",
        "date": "2026-11-28T09:30:00+08:00",
        "date_text": "2026-11-28 09:30",
        "source": "示例市人大常委会办公室",
        "site_name": "示例市人大常委会",
        "column": "监督工作",
        "images": listed,
        "cover": None,
    }
    (folder / "meta.json").write_text(
        json.dumps(meta, ensure_ascii=False, sort_keys=True, indent=2), encoding="utf-8"
    )
    return folder


def para(height: int, colour: str) -> str:
    """A paragraph of a fixed CSS height on a coloured ground, text inside."""
    return f'<p style="height:{height}px;margin:0 0 24px;background:{colour}">{TEXT}</p>'


def text(lines: int) -> str:
    return f'<p style="margin:0 0 16px;text-indent:2em">{TEXT * lines}</p>'
