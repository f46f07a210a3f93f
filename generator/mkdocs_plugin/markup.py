"""mkdocs-material's own markup, corrected where the Nu HTML Checker finds it invalid.

material's base.html writes `autocomplete="off"` on its two toggle checkboxes (the drawer and
search), outside any template block, so no override reaches it: HTML allows `autocomplete` on
text-like inputs only. It is there so that Firefox does not restore a toggle's state on
reload; assets/congress.js clears the toggles on page show instead. An exact replacement: if
material changes the line, nothing is replaced and the checker test (tests/browser) says so.

The head's `<meta name="generator">` names mkdocs-material and the engine's version (MkDocs
1.6.1, or "ProperDocs 1.6.7"), whatever `extra.generator` says: it names congress-site
instead, so that both engines make the same bytes (engine.py) and the page tells the truth
about what decided its content. The theme pipes material's `site_meta` block through
`congress_generator`.
"""

from __future__ import annotations

import functools
import importlib.metadata
import re

from markupsafe import Markup

GENERATOR = re.compile(r'<meta name="generator" content="[^"]*">')

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


def generator_meta(head: str) -> Markup:
    """material's head block with its generator line naming congress-site and its version."""
    ours = f'<meta name="generator" content="congress-site {_version()}">'
    replaced, count = GENERATOR.subn(ours, str(head), count=1)
    return Markup(replaced if count else f"{head}\n      {ours}")


@functools.cache
def _version() -> str:
    """Looked up once: importlib.metadata scans every installed distribution (it was a
    quarter of a 2,500-article build when asked for on every page)."""
    return importlib.metadata.version("congress-site")
