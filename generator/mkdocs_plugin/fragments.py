"""Render-once page fragments, in the manner of Hugo's `partialCached`.

mkdocs-material renders the navigation twice on every page (the tabs and the drawer), and
on a news archive that is a third of the build: 10,000 article pages, one navigation. An
article sits outside the navigation, so what its navigation shows depends only on where the
page lives: links are relative, and every link in these fragments points at the home page, a
column or an asset, one directory deep at most. `{% call congress_fragment("nav") %}` therefore
renders its body once per (depth, first path segment) and reuses the HTML; a page that is in
the navigation (home, a column's first page), whose own entry is highlighted, renders afresh.

The same holds for what every page repeats around its own content (issue 21's profile):
material's stylesheets and scripts, the configuration block, the national footer and the
header's logo, search box and 长者模式 switch. The header's page title is not in a fragment.
tests/site/test_incremental.py builds a site with every fragment rendered afresh and compares.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup


class Fragments:
    """The `congress_fragment` template global; one instance per build."""

    def __init__(self) -> None:
        self._done: dict[tuple[str, int, str], Markup] = {}
        self._shallow: bool | None = None  # every navigation link at most one directory deep

    @pass_context
    def __call__(self, context: Context, name: str, *, caller: Callable[[], str]) -> Markup:
        key = self._key(context, name)
        if key is None:
            return Markup(caller())
        html = self._done.get(key)
        if html is None:
            html = self._done[key] = Markup(caller())
        return html

    def _key(self, context: Context, name: str) -> tuple[str, int, str] | None:
        page, nav = context.get("page"), context.get("nav")
        if page is None or nav is None or any(item.active for item in nav.items):
            return None
        if self._shallow is None:
            self._shallow = all(_depth(url) <= 1 for url in _urls(nav.items))
        if not self._shallow:
            return None
        url = page.url.lstrip("/")
        parts = url.split("/")
        # A link's relative form depends on the page's depth and, for a link one directory
        # deep, on whether the page shares that directory.
        return name, url.count("/"), parts[0] if len(parts) > 1 else ""


def _urls(items: list[Any]) -> list[str]:
    urls: list[str] = []
    for item in items:
        if getattr(item, "url", None) is not None:
            urls.append(item.url)
        urls.extend(_urls(getattr(item, "children", None) or []))
    return urls


def _depth(url: str) -> int:
    if "://" in url:
        return 0  # an external link is written as it is
    return url.strip("/").count("/") + 1 if url.strip("/") else 0
