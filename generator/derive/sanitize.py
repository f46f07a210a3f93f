"""The one HTML allowlist of the site: what an article body may contain on a page or in a feed.

Editors may write raw HTML in Markdown (tables, figures, a video player); everything else is
removed by nh3 (ammonia) with this policy, on the pages (generator/mkdocs_plugin, before the
search index and the build cache see the HTML) and in the feeds (generator/derive/feeds/content.py):
no script, no event attributes, no `javascript:`/`data:`/`vbscript:` URLs, no `<meta>`,
`<base>`, forms, `<object>`/`<embed>`, no `style` (the CSP forbids inline styles anyway), and
no `<iframe>` except players on the hosts the office configured (`embeds.frame_hosts`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import nh3

from generator.core.config import Site

URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})

# The theme needs ids (headings, footnotes) and classes (admonitions, attr_list, footnotes,
# permalinks) everywhere; media with safe sources; images with their layout hints.
# `hidden` is kept so that what the editor hid stays hidden: dropping the attribute would turn
# invisible (though approved) text into visible text without anyone deciding it.
_GENERIC = {"id", "class", "title", "lang", "dir", "hidden"}
_TAGS = nh3.ALLOWED_TAGS | {"iframe", "video", "audio", "source", "track", "picture"}
_ATTRIBUTES: dict[str, set[str]] = copy.deepcopy(nh3.ALLOWED_ATTRIBUTES)
_ATTRIBUTES["*"] = _GENERIC
_ATTRIBUTES["a"] = _ATTRIBUTES["a"] | {"download"}
_ATTRIBUTES["img"] = _ATTRIBUTES["img"] | {"loading", "decoding"}
_ATTRIBUTES["iframe"] = {"src", "width", "height", "allowfullscreen", "loading", "referrerpolicy"}
_ATTRIBUTES["video"] = {"src", "poster", "controls", "width", "height", "preload", "muted", "loop"}
_ATTRIBUTES["video"] |= {"playsinline"}
_ATTRIBUTES["audio"] = {"src", "controls", "preload", "loop"}
_ATTRIBUTES["source"] = {"src", "type", "media"}
_ATTRIBUTES["track"] = {"src", "kind", "srclang", "label", "default"}

# Elements removed with their content: the text of these is never shown as page text (raw
# text, fallback or inert content, form values), and nh3 would otherwise unwrap it into the page.
_CLEAN_CONTENT = frozenset(
    {"script", "style", "noscript", "textarea", "template", "select", "option", "optgroup"}
    | {"datalist", "noembed", "noframes", "xmp", "plaintext", "title"}
)

# nh3's output quotes every attribute with `"`, so a start tag is matched exactly here.
_IFRAME = re.compile(r'<iframe((?:\s+[^\s="]+(?:="[^"]*")?)*)\s*>.*?</iframe>', re.DOTALL)
_HAS_SRC = re.compile(r'\ssrc="')


class HtmlPolicy:
    """The allowlist, with the hosts whose players may be framed. One object per host set."""

    def __init__(self, frame_hosts: Iterable[str] = ()) -> None:
        self.frame_hosts = frozenset(h.lower() for h in frame_hosts)
        self._settings: dict[str, Any] = {
            "tags": _TAGS,
            "attributes": _ATTRIBUTES,
            "attribute_filter": self._filter,
            "clean_content_tags": _CLEAN_CONTENT,
            "url_schemes": URL_SCHEMES,
            "link_rel": None,
            "strip_comments": True,
        }
        self._page = nh3.Cleaner(**self._settings)

    def _filter(self, element: str, attribute: str, value: str) -> str | None:
        if element == "iframe" and attribute == "src":
            parts = urlsplit(value.strip())
            host = (parts.hostname or "").lower()
            return value if parts.scheme == "https" and host in self.frame_hosts else None
        return value

    def page(self, html: str) -> str:
        """The body as a page shows it: relative URLs kept."""
        return _drop_bare_iframes(self._page.clean(html))

    def feed(self, html: str, page_url: str) -> str:
        """The body as a feed carries it: every relative URL resolved against the page's."""
        try:
            out = nh3.clean(html, url_relative=("rewrite_with_base", page_url), **self._settings)
        except (
            ValueError
        ):  # a base nh3 cannot parse (a preview's odd address): keep URLs as they are
            out = self._page.clean(html)
        return _drop_bare_iframes(out).strip()


def _drop_bare_iframes(html: str) -> str:
    """An iframe whose source was refused goes entirely, not as an empty frame."""
    if "<iframe" not in html:
        return html
    return _IFRAME.sub(lambda m: m.group(0) if _HAS_SRC.search(m.group(1)) else "", html)


@cache
def policy(frame_hosts: frozenset[str] = frozenset()) -> HtmlPolicy:
    """The shared policy object for a set of hosts (pages and feeds use the same one)."""
    return HtmlPolicy(frame_hosts)


def site_policy(site: Site) -> HtmlPolicy:
    """The policy the site's configuration asks for (mkdocs.yml `embeds.frame_hosts`)."""
    return policy(frozenset(site.frame_hosts))
