"""Export folders made by hand to the contract of `congress wechat` (COMMON17.md), and one
push's surroundings, for the WeChat draft upload's tests."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from generator.channels import wechatapi
from generator.channels.wechaterror import WechatError
from tests.wechatserver import APPID, SECRET, WechatServer

TOKEN = "/cgi-bin/stable_token"
UPLOADIMG = "/cgi-bin/media/uploadimg"
MATERIAL = "/cgi-bin/material/add_material"
DRAFT = "/cgi-bin/draft/add"
TITLE = "市人大常委会开展物业管理条例执法检查"
CROP_235 = "0_0.120370_1_0.564815"
CROP_1 = "0.166667_0_0.833333_1"


def picture(kind: str, shade: int, size: tuple[int, int] = (48, 32)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (shade, 90, 200 - shade)).save(out, format=kind)
    return out.getvalue()


def export(
    root: Path,
    *,
    images: tuple[str, ...] = ("01.jpg", "02.png"),
    srcs: tuple[str, ...] | None = None,
    cover: bool = True,
    **meta_fields: Any,
) -> Path:
    """An export folder made by hand to the contract of `congress wechat` (COMMON17.md)."""
    folder = root / "2026-1128-7f3a9c"
    (folder / "images").mkdir(parents=True)
    entries = []
    for number, name in enumerate(images):
        data = picture("JPEG" if name.endswith(".jpg") else "PNG", 40 * number)
        (folder / "images" / name).write_bytes(data)
        sha = hashlib.sha256(data).hexdigest()
        entries.append({"file": f"images/{name}", "sha256": sha, "width": 48, "height": 32})
    if srcs is None:
        srcs = tuple(f"images/{name}" for name in images)
    figures = "".join(
        f'<p style="text-align:center"><img src="{src}" alt="图{n}" style="width:100%"></p>'
        for n, src in enumerate(srcs, 1)
    )
    section = (
        '<section style="font-size:16px;line-height:1.75">'
        '<p style="margin:0 0 1em">10月28日，检查组到“幸福里”小区实地查看物业服务情况。</p>'
        f"{figures}<p>（完）😀</p></section>"
    )
    (folder / "article.html").write_text(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{TITLE}</title></head><body>{section}</body></html>",
        encoding="utf-8",
    )
    cover_meta = None
    if cover:
        (folder / "cover.jpg").write_bytes(picture("JPEG", 7, (216, 108)))
        (folder / "cover-235.jpg").write_bytes(picture("JPEG", 8, (90, 38)))
        (folder / "cover-1.jpg").write_bytes(picture("JPEG", 9, (40, 40)))
        cover_meta = {"file": "cover.jpg", "crop_235_1": CROP_235, "crop_1_1": CROP_1}
    meta = {
        "title": TITLE,
        "author": "王敏 刘洋",
        "digest": "市人大常委会执法检查组深入小区，听取居民对物业服务的意见。",
        "content_source_url": "https://www.example.gov.cn/supervision/2026/inspection/",
        "uid": "2026-1128-7f3a9c",
        "approval_digest": "sha256:" + "0" * 64,
        "exported_at": "2026-11-28T10:05:00+08:00",
        "date": "2026-11-28T09:30:00+08:00",
        "date_text": "2026-11-28 09:30",
        "source": "示例市人大常委会办公室",
        "site_name": "示例市人大",
        "column": "监督工作",
        "images": entries,
        "cover": cover_meta,
        **meta_fields,
    }
    (folder / "meta.json").write_text(
        json.dumps(meta, ensure_ascii=False, sort_keys=True, indent=2), encoding="utf-8"
    )
    return folder


class Run:
    """One push's surroundings: its environment, token cache, sleeps and progress lines."""

    def __init__(self, tmp_path: Path, server: WechatServer, **env: str) -> None:
        self.env = {
            "WECHAT_APPID": APPID,
            "WECHAT_SECRET": SECRET,
            "WECHAT_API_BASE": server.base,
            **env,
        }
        self.cache = tmp_path / "cache" / "congress-site"
        self.sleeps: list[float] = []
        self.lines: list[str] = []

    def push(self, folder: Path) -> str:
        return wechatapi.push(
            folder,
            env=self.env,
            cache_dir=self.cache,
            sleep=self.sleeps.append,
            say=self.lines.append,
        )

    def fails(self, folder: Path, code: str) -> WechatError:
        with pytest.raises(WechatError) as caught:
            self.push(folder)
        assert caught.value.finding.code == code, caught.value.finding
        return caught.value
