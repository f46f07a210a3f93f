"""The HTML and CSS of a print edition: the office's Jinja2 template filled in, each article's
body cleaned again and made to live beside the others in one document.

An article body arrives as the site renders it (sanitized), but it is treated as hostile all the
same: it goes through the site's HTML allowlist once more (generator/derive/sanitize.py, with no
frame hosts: a printed page shows no player), and then

- every `id` gets the article's prefix (`a3-`), and every `href="#…"` with it: two articles
  both have a footnote `fn:1`, and in one document the second one's links would land in the
  first; the template's anchors (`article-3`) can then never be taken by a body's id;
- a link that is neither internal nor absolute (http, https, mailto, tel) loses its `href`:
  resolved against the virtual root it would point nowhere (the text stays);
- pictures keep their `src`: a relative one is resolved against a virtual folder that the
  child's fetcher maps onto `base` (printchild.ROOT), so that nothing in the PDF depends on
  where `base` is on the disk (WeasyPrint names an image by its URL's hash).

The office's template sees `edition`, `articles` (anchor, uid, title, date_text, source, authors,
body), `title`, `created` and `lang`; autoescaped, in Jinja2's sandbox.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from generator.channels.printedition import Edition
from generator.derive.sanitize import policy

LANG = "zh-CN"  # fontconfig then picks the SC faces of Noto CJK, not the JP ones
_ABSOLUTE = re.compile(r"^(?:https?|mailto|tel):", re.IGNORECASE)
# A family name as fontconfig knows it: letters (CJK too), digits, spaces, a few marks.
_FAMILY = re.compile(r"^[\w .\-+&]{1,100}$")


class TemplateProblem(Exception):
    """The template could not be filled in; the message says where, in Chinese."""


class SizeProblem(Exception):
    """The edition is over a bound (page size, article count, body size)."""


@dataclass(frozen=True)
class Item:
    """One article as the template sees it."""

    anchor: str
    uid: str
    title: str
    date_text: str
    source: str
    authors: str
    body: Any  # markupsafe.Markup: the cleaned body, inserted as it is


def prepare_body(html: str, prefix: str) -> str:
    """The body cleaned by the site's allowlist, its ids prefixed, its links made safe and the
    layout's own classes (`cg-…`, the template's) taken off it: `{: .cg-cover }` in an article
    must not make a cover page of its own, nor blank the running header after it."""
    import lxml.html

    clean = policy().page(html)
    if not clean.strip():
        return ""
    root = lxml.html.fragment_fromstring(clean, create_parent="div")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        classes = element.get("class")
        if classes is not None:
            kept = [c for c in classes.split() if not c.startswith("cg-")]
            if kept:
                element.set("class", " ".join(kept))
            else:
                del element.attrib["class"]
        ident = element.get("id")
        if ident is not None:
            element.set("id", prefix + ident)
        href = element.get("href")
        if element.tag == "a" and href is not None:
            href = href.strip()
            if href.startswith("#") and len(href) > 1:
                element.set("href", "#" + prefix + href[1:])
            elif not _ABSOLUTE.match(href):
                del element.attrib["href"]
    text: str = lxml.html.tostring(root, encoding="unicode")
    return text[len("<div>") : -len("</div>")]


def page_css(edition: Edition) -> str:
    """The stylesheet that follows the office's: the page size and the two families as CSS
    variables (`--cg-body-font`, `--cg-heading-font`) that edition.css uses."""
    return (
        f"@page {{ size: {edition.page_width_mm:g}mm {edition.page_height_mm:g}mm; }}\n"
        f":root {{ --cg-body-font: {_family(edition.body_font)}, serif;"
        f" --cg-heading-font: {_family(edition.heading_font)}, sans-serif; }}\n"
    )


def _family(name: str) -> str:
    if not _FAMILY.match(name):
        raise SizeProblem(f"字体名称“{name[:40]}”无效（只能含文字、数字、空格和 .-+&）")
    return f'"{name}"'


def document(edition: Edition, template: str, title: str, created: str) -> str:
    """The edition's HTML: the template filled in (TemplateProblem when it cannot be)."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment
    from markupsafe import Markup

    items = [
        Item(
            anchor=f"article-{n}",
            uid=a.uid,
            title=a.title,
            date_text=a.date_text,
            source=a.source,
            authors=a.authors,
            body=Markup(prepare_body(a.body_html, f"a{n}-")),
        )
        for n, a in enumerate(edition.articles, start=1)
    ]
    env = SandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)
    try:
        return env.from_string(template).render(
            edition=edition, articles=items, title=title, created=created, lang=LANG
        )
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateProblem(f"第 {exc.lineno} 行：{exc.message}") from None
    except jinja2.TemplateError as exc:  # undefined names, the sandbox's refusals
        raise TemplateProblem(f"{type(exc).__name__}：{exc}") from None
    except (TypeError, ValueError, AttributeError, LookupError, ArithmeticError) as exc:
        raise TemplateProblem(f"{type(exc).__name__}：{exc}") from None
