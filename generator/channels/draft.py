"""One export folder (the contract of `congress wechat`), read and checked before anything is
sent: meta.json, article.html and the files they name, each read once, bounded, without
following a symbolic link and without leaving the folder.

`read_draft(folder)` gives a `Draft` or raises `WechatError`; `Draft.content(urls)` is the
root `<section>` (outer HTML) with each `images/NN.jpg` replaced by the URL WeChat gave it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import stat
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.etree
import lxml.html

from generator.channels.wechaterror import (
    WECHAT_PUSH_FOLDER,
    WECHAT_PUSH_HTML,
    WECHAT_PUSH_IMAGE,
    WECHAT_PUSH_META,
    WECHAT_PUSH_NO_COVER,
    WechatError,
)

TITLE_MAX = 64  # characters, as the export contract says (draft/add's page now says 32)
DIGEST_MAX = 120
AUTHOR_MAX = 64
URL_MAX = 1024  # draft/add: content_source_url under 1 KB
CONTENT_CHARS = 20_000  # draft/add: content under 20,000 characters and under 1 MB
CONTENT_BYTES = 1 << 20
INLINE_IMAGE_LIMIT = (1 << 20) - 1  # bytes, at most: uploadimg takes jpg/png under 1 MB
COVER_LIMIT = 10 << 20  # add_material type=image: 10 MB
META_MAX = 256 << 10
HTML_MAX = 4 << 20

_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | getattr(os, "O_NONBLOCK", 0)
_SAFE_PATH = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*)*")
_CROP = re.compile(r"(?:0(?:\.\d{1,6})?|1(?:\.0{1,6})?)(?:_(?:0(?:\.\d{1,6})?|1(?:\.0{1,6})?)){3}")
_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
_FORBIDDEN = {"script", "style", "iframe", "object", "embed", "form"}


@dataclass(frozen=True)
class Image:
    src: str  # as written in article.html / meta.json, relative to the folder
    name: str  # the file name sent in the multipart part
    data: bytes
    content_type: str


@dataclass(frozen=True)
class Draft:
    folder: Path
    title: str
    author: str
    digest: str
    content_source_url: str
    section: Any  # lxml.html.HtmlElement: the root <section>, never modified
    images: tuple[Image, ...]  # distinct, in document order
    cover: Image
    crop_235_1: str
    crop_1_1: str

    def content(self, urls: Mapping[str, str]) -> str:
        """The section's outer HTML with every image's src replaced by `urls[src]`."""
        section = copy.deepcopy(self.section)
        for img in section.iter("img"):
            img.set("src", urls[img.get("src")])
        html: str = lxml.html.tostring(section, encoding="unicode", with_tail=False)
        if len(html) >= CONTENT_CHARS or len(html.encode("utf-8")) >= CONTENT_BYTES:
            raise WechatError(
                WECHAT_PUSH_HTML.at(
                    str(self.folder / "article.html"),
                    why=f"正文有 {len(html)} 个字符（换成微信图片地址后），"
                    f"草稿接口要求少于 {CONTENT_CHARS} 个字符且小于 1MB",
                )
            )
        return html

    def article(self, content: str, thumb_media_id: str) -> dict[str, Any]:
        """draft/add's article: a 图文 (news) with comments closed."""
        return {
            "title": self.title,
            "author": self.author,
            "digest": self.digest,
            "content": content,
            "content_source_url": self.content_source_url,
            "thumb_media_id": thumb_media_id,
            "need_open_comment": 0,
            "only_fans_can_comment": 0,
            "pic_crop_235_1": self.crop_235_1,
            "pic_crop_1_1": self.crop_1_1,
        }


def _read(folder: Path, relative: str, limit: int, code: Any, src: str | None = None) -> bytes:
    """The bytes of `folder/relative`: a regular file inside the folder, reached without any
    symbolic link, at most `limit` bytes."""

    def refuse(why: str) -> WechatError:
        where = str(folder / relative)
        return WechatError(
            code.at(where, why=why) if src is None else code.at(where, src=src, why=why)
        )

    if not _SAFE_PATH.fullmatch(relative) or ".." in relative.split("/"):
        raise refuse(f"路径 {relative!r} 不是导出目录中的文件")
    path = folder
    for part in relative.split("/"):
        path = path / part
        try:
            info = path.lstat()
        except FileNotFoundError:
            raise refuse(f"{relative} 不存在") from None
        except OSError:
            raise refuse(f"{relative} 无法读取") from None
        if stat.S_ISLNK(info.st_mode):
            raise refuse(f"{relative} 经过符号链接，不读取")
    try:
        fd = os.open(path, _FLAGS)
    except OSError:
        raise refuse(f"{relative} 无法读取") from None
    with os.fdopen(fd, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise refuse(f"{relative} 不是普通文件")
        if info.st_size > limit:
            raise refuse(f"{relative} 有 {info.st_size} 字节，超过上限 {limit} 字节")
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise refuse(f"{relative} 超过上限 {limit} 字节")
    return data


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def _image(folder: Path, src: str, limit: int, types: Mapping[str, str]) -> Image:
    suffix = os.path.splitext(src)[1].lower()
    where = str(folder / src)
    if suffix not in types:
        raise WechatError(WECHAT_PUSH_IMAGE.at(where, src=src, why="只接受 " + "/".join(types)))
    data = _read(folder, src, limit, WECHAT_PUSH_IMAGE, src)
    kind = _sniff(data)
    if kind != types[suffix]:
        raise WechatError(
            WECHAT_PUSH_IMAGE.at(where, src=src, why=f"文件内容不是扩展名 {suffix} 所说的格式")
        )
    return Image(src=src, name=src.rsplit("/", 1)[-1], data=data, content_type=kind)


def _text(meta: Mapping[str, Any], key: str, limit: int, where: str, *, empty: bool) -> str:
    value = meta.get(key)
    if not isinstance(value, str):
        raise WechatError(WECHAT_PUSH_META.at(where, why=f"缺少字符串字段 {key}"))
    if not empty and not value.strip():
        raise WechatError(WECHAT_PUSH_META.at(where, why=f"{key} 为空"))
    if len(value) > limit:
        raise WechatError(
            WECHAT_PUSH_META.at(where, why=f"{key} 有 {len(value)} 个字符，上限 {limit}")
        )
    allowed = "\n" if key == "digest" else ""
    if any(unicodedata.category(c) == "Cc" and c not in allowed for c in value):
        raise WechatError(WECHAT_PUSH_META.at(where, why=f"{key} 含有控制字符"))
    return value


def _meta(folder: Path) -> dict[str, Any]:
    where = str(folder / "meta.json")
    raw = _read(folder, "meta.json", META_MAX, WECHAT_PUSH_META)
    try:
        meta = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise WechatError(WECHAT_PUSH_META.at(where, why="不是 UTF-8 编码的 JSON")) from None
    if not isinstance(meta, dict):
        raise WechatError(WECHAT_PUSH_META.at(where, why="不是 JSON 对象"))
    return meta


def _section(folder: Path) -> Any:
    where = str(folder / "article.html")
    raw = _read(folder, "article.html", HTML_MAX, WECHAT_PUSH_HTML)
    try:
        text = raw.decode("utf-8")
        doc = lxml.html.document_fromstring(text)
    except (UnicodeDecodeError, ValueError, lxml.etree.LxmlError):
        raise WechatError(WECHAT_PUSH_HTML.at(where, why="不是 UTF-8 编码的 HTML 文档")) from None
    body = doc.find("body")
    children = [] if body is None else [c for c in body if isinstance(c.tag, str)]
    stray = body is not None and (
        (body.text or "").strip() or any((c.tail or "").strip() for c in body)
    )
    if len(children) != 1 or children[0].tag != "section" or stray:
        raise WechatError(WECHAT_PUSH_HTML.at(where, why="<body> 中应当只有一个根 <section>"))
    section = children[0]
    for element in section.iter():
        if isinstance(element.tag, str) and element.tag in _FORBIDDEN:
            raise WechatError(WECHAT_PUSH_HTML.at(where, why=f"含有 <{element.tag}> 元素"))
    return section


def read_draft(folder: Path) -> Draft:
    """The export folder read and checked; nothing is sent anywhere."""
    try:
        info = folder.lstat()
    except OSError:
        raise WechatError(WECHAT_PUSH_FOLDER.at(str(folder), why=f"{folder} 不存在")) from None
    if not stat.S_ISDIR(info.st_mode):
        raise WechatError(
            WECHAT_PUSH_FOLDER.at(str(folder), why=f"{folder} 不是目录（或是符号链接）")
        )
    folder = folder.absolute()
    meta = _meta(folder)
    where = str(folder / "meta.json")
    title = _text(meta, "title", TITLE_MAX, where, empty=False)
    author = _text(meta, "author", AUTHOR_MAX, where, empty=True)
    digest = _text(meta, "digest", DIGEST_MAX, where, empty=True)
    source = _text(meta, "content_source_url", URL_MAX, where, empty=True)
    if source and not re.fullmatch(r"https?://[^\s\"'<>]+", source):
        raise WechatError(WECHAT_PUSH_META.at(where, why="content_source_url 不是网址"))

    cover, crops = _cover(folder, meta, where)
    section = _section(folder)
    images = _inline_images(folder, section, _listed(meta, where))
    draft = Draft(
        folder=folder,
        title=title,
        author=author,
        digest=digest,
        content_source_url=source,
        section=section,
        images=images,
        cover=cover,
        crop_235_1=crops[0],
        crop_1_1=crops[1],
    )
    draft.content(
        {image.src: image.src for image in images}
    )  # too long already before the URLs: say so now
    return draft


def _listed(meta: Mapping[str, Any], where: str) -> dict[str, str]:
    """meta.json's images: file -> sha256 (hex)."""
    entries = meta.get("images", [])
    if not isinstance(entries, list):
        raise WechatError(WECHAT_PUSH_META.at(where, why="images 不是列表"))
    listed: dict[str, str] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            raise WechatError(WECHAT_PUSH_META.at(where, why="images 的条目缺少 file"))
        listed[entry["file"]] = str(entry.get("sha256", "")).removeprefix("sha256:")
    return listed


def _cover(folder: Path, meta: Mapping[str, Any], where: str) -> tuple[Image, tuple[str, str]]:
    """The cover (draft/add requires one) and its two crops."""
    cover = meta.get("cover")
    if cover is None:
        raise WechatError(WECHAT_PUSH_NO_COVER.at(where))
    if not isinstance(cover, dict) or not isinstance(cover.get("file"), str):
        raise WechatError(WECHAT_PUSH_META.at(where, why="cover 应为 null 或含 file 的对象"))
    crops = (cover.get("crop_235_1"), cover.get("crop_1_1"))
    for name, crop in zip(("crop_235_1", "crop_1_1"), crops, strict=True):
        if not isinstance(crop, str) or not _crop_ok(crop):
            why = f"cover.{name} 应为 X1_Y1_X2_Y2（0 到 1 之间的小数）"
            raise WechatError(WECHAT_PUSH_META.at(where, why=why))
    image = _image(folder, cover["file"], COVER_LIMIT, {".jpg": "image/jpeg"})
    return image, (str(crops[0]), str(crops[1]))


def _inline_images(folder: Path, section: Any, listed: Mapping[str, str]) -> tuple[Image, ...]:
    """Each image the section shows, once, in document order, as meta.json lists it."""
    images: dict[str, Image] = {}
    for img in section.iter("img"):
        src = img.get("src")
        if src is None:
            raise WechatError(WECHAT_PUSH_IMAGE.at(str(folder), src="（无）", why="<img> 没有 src"))
        if src in images:
            continue
        if not src.startswith("images/"):
            why = "不是导出目录 images/ 下的图片"
            raise WechatError(WECHAT_PUSH_IMAGE.at(str(folder), src=src, why=why))
        image = _image(folder, src, INLINE_IMAGE_LIMIT, _TYPES)
        if listed.get(src) != hashlib.sha256(image.data).hexdigest():
            why = "与 meta.json 的 images 记录不符（文件被改动过）"
            raise WechatError(WECHAT_PUSH_IMAGE.at(str(folder / src), src=src, why=why))
        images[src] = image
    return tuple(images.values())


def _crop_ok(crop: str) -> bool:
    if not _CROP.fullmatch(crop):
        return False
    x1, y1, x2, y2 = (float(v) for v in crop.split("_"))
    return x1 < x2 and y1 < y2
