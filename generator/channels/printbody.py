"""An article's body for print (editions, generator/channels/printing.py): the site's
sanitized HTML with each picture pointing at its file in the newsroom, links made absolute,
players replaced by a line, and what the editor hid left out."""

from __future__ import annotations

import posixpath

from lxml import html as lxml_html
from lxml.etree import ParserError

from generator.channels.wechathtml import local_source
from generator.core.config import Site

PRINT_MEDIA_NOTE = "（此处为音视频，请访问网站观看）"


def print_body(html: str, article_url: str, assets: set[str], site: Site) -> str:
    """`html` (the page's body) for a printed page: `<img src>` become docs paths of
    published files (others are left out), `<a href>` absolute addresses."""
    try:
        root = lxml_html.fragment_fromstring(html or "<p></p>", create_parent="section")
    except ParserError:
        return ""
    for el in list(root.iter()):
        if isinstance(el.tag, str) and el.get("hidden") is not None and el.getparent() is not None:
            el.drop_tree()
    _without_layout_classes(root)
    for el in list(root.iter("iframe", "video", "audio")):
        if el.getparent() is not None:
            note = lxml_html.Element("p")
            note.text, note.tail = PRINT_MEDIA_NOTE, el.tail
            el.getparent().replace(el, note)
    for img in list(root.iter("img")):
        path = local_source(img.get("src") or "", article_url)
        if path is None or path not in assets:
            img.drop_tree()
        else:
            img.set("src", path)
    for a in root.iter("a"):
        href = a.get("href")
        if href and not href.startswith("#"):
            a.set("href", site.absolute(_page_relative(href, article_url)))
    return (root.text or "") + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in root
    )


def _without_layout_classes(root: lxml_html.HtmlElement) -> None:
    """The layout's classes (cg-…) are the theme's, never a body's: `{: .cg-cover }` in an
    article must not make its own cover page in the printed edition."""
    for el in root.iter():
        if isinstance(el.tag, str) and el.get("class") is not None:
            kept = [c for c in el.get("class", "").split() if not c.startswith("cg-")]
            if kept:
                el.set("class", " ".join(kept))
            else:
                del el.attrib["class"]


def _page_relative(href: str, article_url: str) -> str:
    """A link as the page wrote it, made site-relative (absolute ones kept)."""
    if ":" in href.split("/", 1)[0] or href.startswith("/"):
        return href
    joined = posixpath.normpath(posixpath.join(article_url, href))
    return joined + ("/" if href.endswith("/") else "")
