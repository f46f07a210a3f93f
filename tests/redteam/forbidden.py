"""What no page may contain, checked on the parsed HTML (lxml) of a built page."""

from __future__ import annotations

from urllib.parse import urlsplit

import lxml.html

# The theme's own scripts (all from files, none inline) and its search forms.
THEME_SCRIPTS = ("congress-base.js", "congress-early.js", "congress.js", "search.js", "bundle.")
THEME_FORMS = ("cg-search-box", "cg-search-page")
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "poster", "data", "xlink:href")


def forbidden(html: bytes | str, frame_hosts: frozenset[str] = frozenset()) -> list[str]:
    """Every construct in the page that could run script, navigate or frame elsewhere."""
    doc = lxml.html.document_fromstring(html)
    found: list[str] = []
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue  # comments, processing instructions
        tag = el.tag.lower().rpartition("}")[2]
        found += _element(el, tag, frame_hosts)
        for name, value in el.attrib.items():
            low = name.lower()
            if low.startswith("on"):
                found.append(f"<{tag} {name}>")
            url = value.strip().lower().replace("\t", "")
            if low in URL_ATTRIBUTES and url.startswith(BAD_SCHEMES):
                found.append(f"<{tag} {name}={value[:30]}>")
        if "pwn" in (el.get("class") or "").split():
            found.append(f"<{tag} class=pwn>")
    return found


def _theme_qr(el: lxml.html.HtmlElement, tag: str) -> bool:
    """The QR code of the page's address the theme prints at an article's end
    (generator/derive/address.py): in its own block after the body, never inside it."""
    parent = el.getparent()
    return (
        tag == "svg"
        and el.get("class") == "cg-qr"
        and parent is not None
        and "cg-printed" in (parent.get("class") or "").split()
        and not any(
            "cg-article__body" in (a.get("class") or "").split() for a in el.iterancestors()
        )
    )


def _element(el: lxml.html.HtmlElement, tag: str, frame_hosts: frozenset[str]) -> list[str]:
    if tag == "script":
        src = el.get("src") or ""
        if el.get("type") == "application/json" and el.get("id") == "__config":
            return []  # material's configuration: data, never run
        if not src or not any(name in src for name in THEME_SCRIPTS):
            return [f"<script src={src!r}> {(el.text or '')[:30]!r}"]
        return []
    if tag in ("meta",) and el.get("http-equiv"):
        return [f"<meta http-equiv={el.get('http-equiv')}>"]
    if tag in ("base", "object", "embed", "applet", "frame", "frameset"):
        return [f"<{tag}>"]
    if tag in ("svg", "math", "style") and _in_content(el) and not _theme_qr(el, tag):
        return [f"<{tag}> in the content"]  # the theme's icons are outside it
    if tag in ("form", "input", "select", "textarea") and _in_content(el):
        form = el if tag == "form" else next(el.iterancestors("form"), None)
        if form is None or not set((form.get("class") or "").split()) & set(THEME_FORMS):
            return [f"<{tag}>"]
        return []
    if tag == "iframe":
        parts = urlsplit(el.get("src") or "")
        if parts.scheme != "https" or parts.hostname not in frame_hosts:
            return [f"<iframe src={el.get('src')}>"]
    return []


def _in_content(el: lxml.html.HtmlElement) -> bool:
    """Inside the page's content area (where the article and the listings are)."""
    chain = [el, *el.iterancestors()]
    return any("md-content" in (a.get("class") or "").split() for a in chain)
