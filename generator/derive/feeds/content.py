"""Feed content: the HTML mkdocs rendered for the page, made safe and self-contained.

Media outlets republish it, so every link and image URL is absolute. The page HTML is
already sanitized for the site; the feed passes it through the same policy object
(generator/derive/sanitize.py) again, resolving relative URLs on the way.
"""

from __future__ import annotations

from generator.derive.sanitize import policy


def feed_html(rendered: str, page_url: str, video_hosts: frozenset[str] = frozenset()) -> str:
    """Sanitized HTML with every relative URL resolved against the page's absolute URL."""
    return policy(frozenset(video_hosts)).feed(rendered, page_url)
