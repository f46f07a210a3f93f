"""An article's HTML as WeChat's editor keeps it: every style inline, only the tags it accepts.

The 公众号 editor (and the draft API) drops `<style>`, classes, ids, scripts, outside images and
links to anything but other WeChat articles. So the site's sanitized body is changed here in
the few ways WeChat forces, and in no other way:

- what the editor hid (`hidden`) is left out: WeChat would drop the attribute and show it;
- players (`iframe`, `video`, `audio`) become one line pointing to 阅读原文;
- links keep their text, lose the link (WeChat removes it anyway); their addresses are listed
  under 文中链接 at the foot, in plain text;
- images become the numbered local files of the export (`images/01.jpg`), or are left out
  when they cannot be (a picture on another host: WeChat filters outside images).

The theme's `channels/wechat.html` lays the article out (corrections, consultation, body,
source, 阅读原文) with classes that `channels/wechat.css` styles; css-inline moves every rule
into `style` attributes, then nh3 keeps only the tags, attributes and CSS properties the
editor accepts, so nothing the theme writes can smuggle in more.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import nh3
from lxml import html as lxml_html
from lxml.etree import ParserError

from generator.load.refs import resolve

MEDIA_NOTE = "（此处为音视频，请点击文末“阅读原文”观看）"

# What WeChat's editor keeps (its paste filter and the draft API's content rules).
TAGS = frozenset(
    {"section", "p", "span", "strong", "b", "em", "i", "u", "s", "del", "ins", "br", "hr"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "code"}
    | {"table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "img", "sup", "sub"}
)
ATTRIBUTES = {
    "*": {"style"},
    "img": {"src", "alt"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "ol": {"start"},
}
# CSS properties a style may keep: layout and type, nothing that positions, fetches or animates.
PROPERTIES = frozenset(
    {"color", "background-color", "font-size", "font-weight", "font-style", "font-family"}
    | {"line-height", "letter-spacing", "text-align", "text-indent", "text-decoration"}
    | {"margin", "margin-top", "margin-right", "margin-bottom", "margin-left"}
    | {"padding", "padding-top", "padding-right", "padding-bottom", "padding-left"}
    | {"border", "border-top", "border-right", "border-bottom", "border-left"}
    | {"border-color", "border-style", "border-width", "border-radius", "border-collapse"}
    | {"width", "max-width", "height", "display", "vertical-align", "word-break"}
    | {"overflow-wrap", "white-space", "list-style-type", "box-sizing"}
)
_MEDIA = ("iframe", "video", "audio")
# Elements the editor drops but whose content (and look) must stay: renamed to one it keeps,
# with a class `wx-<old tag>` for the stylesheet (a figure's caption is `.wx-figcaption`).
_BLOCKS = ("div", "figure", "article", "aside", "header", "footer", "main", "nav", "dl")
_PARAGRAPHS = ("figcaption", "dt", "dd", "summary", "address")
_INLINE = ("mark", "small", "abbr", "kbd", "var", "samp", "cite", "q", "time", "big", "dfn")
_RENAMED = (
    dict.fromkeys((*_BLOCKS, "details"), "section")
    | dict.fromkeys(_PARAGRAPHS, "p")
    | dict.fromkeys(_INLINE, "span")
)


@dataclass(frozen=True)
class Link:
    text: str
    url: str


@dataclass(frozen=True)
class Body:
    html: str  # the body, WeChat's way, still with the site's classes (for the stylesheet)
    links: tuple[Link, ...]
    reordered: bool = False  # the page sets a text direction (bdo, bdi, dir) WeChat drops


def wechat_body(html: str, page_url: str, picture: Callable[[str], str | None]) -> Body:
    """The site's sanitized body turned into what WeChat keeps (see the module docstring).
    `picture(src)` gives the export's file for an image source as the page wrote it, or None."""
    try:
        root = lxml_html.fragment_fromstring(html or "<p></p>", create_parent="section")
    except ParserError:
        return Body("", ())
    for el in list(root.iter()):
        if el.getparent() is not None and el.get("hidden") is not None:
            _drop(el)
    for el in list(root.iter(*_MEDIA)):
        if el.getparent() is not None:
            note = lxml_html.Element("p")
            note.text, note.tail = MEDIA_NOTE, el.tail
            el.getparent().replace(el, note)
    # WeChat keeps no `dir` and no bdo: text the page shows reordered would read otherwise.
    reordered = bool(root.xpath(".//bdo|.//bdi|.//*[@dir]"))
    _own_classes_and_quotes(root)
    links = _unlinked(root, page_url)
    for img in list(root.iter("img")):
        local = picture(img.get("src") or "")
        if local is None:
            _drop(img)
            continue
        alt = img.get("alt") or ""
        img.attrib.clear()
        img.set("src", local)
        img.set("alt", alt)
    for el in root.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _RENAMED:
            el.tag = _RENAMED[tag]
            el.set("class", f"{el.get('class', '')} wx-{tag}".strip())
    inner = (root.text or "") + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in root
    )
    return Body(inner, links, reordered)


def _own_classes_and_quotes(root: lxml_html.HtmlElement) -> None:
    """The layout's classes (`wx-…`) are the theme's alone: an article's own are removed, so
    that a body cannot dress itself as an official 更正 box. The quotation marks a browser
    adds to `<q>` are written out (WeChat shows none)."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        classes = [c for c in (el.get("class") or "").split() if not c.startswith("wx-")]
        if el.get("class") is not None:  # the layout's own classes are the theme's alone
            if classes:
                el.set("class", " ".join(classes))
            else:
                del el.attrib["class"]
    for q in root.iter("q"):  # the quotation marks a browser adds to <q>, written out
        q.text = "“" + (q.text or "")
        if len(q):
            q[-1].tail = (q[-1].tail or "") + "”"
        else:
            q.text += "”"


def _unlinked(root: lxml_html.HtmlElement, page_url: str) -> tuple[Link, ...]:
    """Every link made plain text (its class kept for the stylesheet); the addresses."""
    links: list[Link] = []
    for a in list(root.iter("a")):
        href = (a.get("href") or "").strip()
        if href and not href.startswith("#"):
            url = urljoin(page_url, href)
            if urlsplit(url).scheme in ("http", "https", "mailto"):
                links.append(Link(a.text_content().strip() or url, url))
        a.tag = "span"
        for name in list(a.attrib):
            if name != "class":
                del a.attrib[name]
    return tuple(dict.fromkeys(links))


def _drop(el: lxml_html.HtmlElement) -> None:
    """Remove an element and what it holds, keeping the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def inline(document: str, css: str) -> str:
    """The laid-out article with the stylesheet moved into `style` attributes, then held to
    what WeChat keeps: no class, id, `<style>`, script or outside reference survives."""
    import css_inline

    inliner = css_inline.CSSInliner(
        keep_style_tags=False,
        keep_link_tags=False,
        keep_at_rules=False,
        load_remote_stylesheets=False,
    )
    styled = inliner.inline_fragment(document, css)
    return _STYLE.sub(
        _safe_style,
        nh3.clean(
            styled,
            tags=set(TAGS),
            attributes={k: set(v) for k, v in ATTRIBUTES.items()},
            clean_content_tags={"script", "style", "template", "noscript", "textarea", "title"},
            url_schemes={"http", "https"},
            link_rel=None,
            strip_comments=True,
            filter_style_properties=set(PROPERTIES),
        ),
    )


# A value that could fetch or compute something (url(), image-set(), expression(), var(),
# an escape or an at-rule): the declaration is dropped, whatever the stylesheet says.
_STYLE = re.compile(r'style="([^"]*)"')
_UNSAFE_VALUE = re.compile(r"url\(|image|expression|var\(|attr\(|\\|@|/\*", re.IGNORECASE)


def _safe_style(match: re.Match[str]) -> str:
    kept = [d for d in match[1].split(";") if d.strip() and not _UNSAFE_VALUE.search(d)]
    return f'style="{";".join(kept)}"' if kept else ""


def local_source(src: str, page_url: str) -> str | None:
    """The site-relative path an image source on a page points to (None for another host,
    or a path leaving the site): resolved against the page's URL, as a browser does, by the
    loader's own resolution (load/refs.py)."""
    return resolve(page_url + "index.html", src)
