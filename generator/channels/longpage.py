"""The long image's page: an export folder read and checked, and the HTML made of it.

`read_export` reads meta.json and article.html (bounded, UTF-8, the body's one <section>);
`page` writes the document Chromium lays out: the theme's CSS, a header, the section as
exported (less elements an article never has) and a foot with the QR code of the article's
address. The classes the theme styles are all `cg-long…`
(themes/congress/channels/longimage.css).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_META = 1 << 20
MAX_ARTICLE = 10 << 20
MAX_URL = 2000
QR_CSS = 120  # the QR code's size on the page, about, in CSS px
QR_BORDER = 4  # the quiet zone, in modules
# Elements the export never contains and the page must not get from it (JavaScript is off and
# the network closed anyway): they could restyle, reload or frame the page.
UNWANTED = ("script", "style", "link", "meta", "base", "iframe", "frame", "frameset", "object",
            "embed", "template", "noscript", "form")  # fmt: skip
# Nothing loads but images, from data: URLs and files (the browser's routing narrows file: to
# the export folder); no script runs.
POLICY = "default-src 'none'; img-src data: file:; style-src 'unsafe-inline'"
TEXT_FIELDS = ("title", "site_name", "content_source_url", "column", "date_text", "source")
REQUIRED = ("title", "site_name", "content_source_url")


class BadExport(Exception):
    """The folder is not a usable export; the message (Chinese) says what is wrong."""


@dataclass(frozen=True)
class Export:
    """What the page shows of one export folder."""

    folder: Path  # resolved
    title: str
    site_name: str
    column: str
    date_text: str
    source: str
    url: str  # content_source_url, what the QR code encodes
    section: str  # the root <section>'s outer HTML


def read_export(folder: Path) -> Export:
    """meta.json and article.html of an export folder, checked; BadExport otherwise."""
    if not folder.is_dir():
        raise BadExport(f"{folder} 不是目录")
    try:
        meta = json.loads(_read(folder / "meta.json", MAX_META).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadExport(f"meta.json 不是合法的 UTF-8 JSON（{exc}）") from None
    if not isinstance(meta, dict):
        raise BadExport("meta.json 不是 JSON 对象")
    fields: dict[str, str] = {}
    for key in TEXT_FIELDS:
        value = meta.get(key)
        if not isinstance(value, str) or (key in REQUIRED and not value.strip()):
            raise BadExport(f"meta.json 缺少字段 {key} 或其值不是文字")
        fields[key] = value.strip()
    url = fields["content_source_url"]
    if not re.fullmatch(r"https?://[^\s/?#]+\S*", url) or len(url) > MAX_URL:
        raise BadExport("meta.json 的 content_source_url 不是 http(s) 网址")
    if not url.isprintable():
        raise BadExport("meta.json 的 content_source_url 含控制字符")
    try:
        text = _read(folder / "article.html", MAX_ARTICLE).decode("utf-8")
    except UnicodeDecodeError:
        raise BadExport("article.html 不是 UTF-8 编码") from None
    return Export(
        folder=folder.resolve(),
        title=fields["title"],
        site_name=fields["site_name"],
        column=fields["column"],
        date_text=fields["date_text"],
        source=fields["source"],
        url=url,
        section=_section(text),
    )


def page(export: Export, css: str, qr_img: str) -> str:
    """The whole page: the theme's CSS, a header, the article's section and the foot."""
    e = html.escape
    brand = f'<span class="cg-long__site">{e(export.site_name)}</span>'
    if export.column:
        brand += f'<span class="cg-long__column">{e(export.column)}</span>'
    meta = [f'<span class="cg-long__date">{e(export.date_text)}</span>'] if export.date_text else []
    if export.source:
        meta.append(f'<span class="cg-long__source">来源：{e(export.source)}</span>')
    style = css.replace("</", "<\\/")  # the theme cannot close its <style> element
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">'
        f'<base href="{e(export.folder.as_uri())}/">'
        f"<title>{e(export.title)}</title>"
        f"<style>{style}</style></head>"
        '<body><main class="cg-long">'
        f'<header class="cg-long__head"><p class="cg-long__brand">{brand}</p>'
        f'<h1 class="cg-long__title">{e(export.title)}</h1>'
        f'<p class="cg-long__meta">{"".join(meta)}</p></header>'
        f'<div class="cg-long__body">{export.section}</div>'
        f'<footer class="cg-long__foot">{qr_img}'
        '<p class="cg-long__scan">扫码阅读原文</p>'
        f'<p class="cg-long__name">{e(export.site_name)}</p></footer>'
        "</main></body></html>"
    )


def qr(segno: Any, url: str, scale: float) -> str:
    """The <img> of the QR code of exactly `url`: one PNG pixel a module, shown a whole number
    of output pixels a module (about QR_CSS CSS px), pixelated so its edges stay sharp."""
    code = segno.make(url, error="m", micro=False, encoding=None if url.isascii() else "utf-8")
    modules = code.symbol_size(scale=1, border=QR_BORDER)[0]
    per_module = max(3, round(QR_CSS * scale / modules))
    size = f"{per_module * modules / scale:.4f}px"
    uri = code.png_data_uri(scale=1, border=QR_BORDER, dark="#000", light="#fff")
    return (
        f'<img class="cg-long__qr" src="{uri}" alt="原文链接二维码" '
        f'style="width:{size};height:{size};image-rendering:pixelated">'
    )


def _read(path: Path, limit: int) -> bytes:
    """A regular file's bytes, at most `limit` of them."""
    try:
        if not path.is_file():
            raise BadExport(f"缺少 {path.name}")
        with path.open("rb") as f:
            data = f.read(limit + 1)
    except OSError as exc:
        raise BadExport(f"无法读取 {path.name}（{exc.strerror or exc}）") from None
    if len(data) > limit:
        raise BadExport(f"{path.name} 超过 {limit >> 20} MB")
    return data


def _section(text: str) -> str:
    """The outer HTML of the body's only child, a <section>, without elements that do not
    belong in an article."""
    import lxml.etree
    import lxml.html

    try:
        root = lxml.html.document_fromstring(text)
    except (lxml.etree.LxmlError, ValueError) as exc:
        raise BadExport(f"article.html 无法解析（{exc}）") from None
    body = root.find("body")
    children = [] if body is None else [c for c in body if isinstance(c.tag, str)]
    if len(children) != 1 or children[0].tag != "section":
        raise BadExport("article.html 的 <body> 应当只含一个 <section>")
    section = children[0]
    for element in list(section.iter(*UNWANTED)):
        element.drop_tree()
    return str(lxml.html.tostring(section, encoding="unicode", method="html", with_tail=False))
