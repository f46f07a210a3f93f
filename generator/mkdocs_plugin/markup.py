"""mkdocs-material's own markup, corrected where the Nu HTML Checker finds it invalid.

material's base.html writes `autocomplete="off"` on its two toggle checkboxes (the drawer and
search), outside any template block, so no override reaches it: HTML allows `autocomplete` on
text-like inputs only. It is there so that Firefox does not restore a toggle's state on
reload; assets/congress.js clears the toggles on page show instead. An exact replacement: if
material changes the line, nothing is replaced and the checker test (tests/browser) says so.
"""

from __future__ import annotations

TOGGLES = ("drawer", "search")
INVALID = tuple(
    (
        f'data-md-toggle="{name}" type="checkbox" id="__{name}" autocomplete="off">',
        f'data-md-toggle="{name}" type="checkbox" id="__{name}">',
    )
    for name in TOGGLES
)


def valid_markup(html: str) -> str:
    """The page with material's invalid attributes left out."""
    for old, new in INVALID:
        html = html.replace(old, new, 1)
    return html
