"""Feed content: the HTML mkdocs rendered for the page, made safe and self-contained.

Media outlets republish it, so every link and image URL is absolute, and raw HTML that an
editor put in Markdown is sanitized (nh3): no script, no event attributes, no iframes except
players on the configured video hosts.
"""

from __future__ import annotations

import copy
import html
import re
from urllib.parse import urlsplit

import nh3

_IFRAME = re.compile(r"<iframe\b[^>]*>.*?</iframe\s*>|<iframe\b[^>]*/?>", re.IGNORECASE | re.DOTALL)
_SRC = re.compile(r"""\bsrc\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)

_TAGS = nh3.ALLOWED_TAGS | {"iframe", "video", "audio", "source", "picture"}
_ATTRIBUTES = copy.deepcopy(nh3.ALLOWED_ATTRIBUTES)
_ATTRIBUTES["a"] |= {"title"}
_ATTRIBUTES["img"] |= {"title"}
_ATTRIBUTES["iframe"] = {"src", "width", "height", "title", "allowfullscreen"}
_ATTRIBUTES["video"] = {"src", "poster", "controls", "width", "height"}
_ATTRIBUTES["audio"] = {"src", "controls"}
_ATTRIBUTES["source"] = {"src", "type"}


def _keep_allowed_iframes(text: str, hosts: frozenset[str]) -> str:
    def keep(match: re.Match[str]) -> str:
        src = _SRC.search(match.group(0))
        host = urlsplit(html.unescape(src.group(1))).hostname if src else None
        return match.group(0) if host in hosts else ""

    return _IFRAME.sub(keep, text)


def feed_html(rendered: str, page_url: str, video_hosts: frozenset[str] = frozenset()) -> str:
    """Sanitized HTML with every relative URL resolved against the page's absolute URL."""
    text = _keep_allowed_iframes(rendered, video_hosts)
    return nh3.clean(
        text,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        url_relative=("rewrite_with_base", page_url),
        link_rel=None,
        strip_comments=True,
    ).strip()
