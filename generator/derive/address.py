"""An article's address as a reader's browser has it, and its QR code: what a printed article
page ends with, so that a reader holding the paper can get back to the page.

The QR code is made at build time (segno) and written into the page as an inline `<svg>`: no
script makes it in the browser (the site's CSP allows none inline, and a printout must not
depend on one), and no extra file is fetched when printing. It is hidden on screen and shown in
print by the theme's stylesheet.

Cost (measured: README, 网站前端): segno spends most of its time choosing the mask, trying all
eight against the standard's penalty rules (5 of 6.2 ms per address). The mask only changes how
the code looks, every mask reads the same; a fixed one keeps a page's code at about 1.6 ms
(1.25 ms segno's encoding, 0.3 ms the path written here). Mask 2 was the standard's choice for
40 % of 300 addresses shaped like the site's, and its penalty within 18 % of the chosen mask's
for every one of them. Only pages rendered again pay: a rebuild keeps unchanged pages. A build
makes them on its second core while the gate reads and the pages convert (`made_ahead`,
mkdocs_plugin/once.py), so that the templates find them ready.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, urlsplit

from generator.core.config import Site

QR_MASK = 2
QR_BORDER = 4  # the quiet zone the standard asks for, in modules: part of the drawing
QR_TITLE = "本文网址二维码"
_RUN = re.compile(rb"\x01+")


@dataclass(frozen=True)
class PrintLink:
    """What a printed article page ends with."""

    url: str  # absolute, percent-encoded as a browser sends it
    qr: str  # an inline <svg> of the QR code of exactly `url`


def web_address(url: str) -> str:
    """The address as a browser sends it: a space or a Chinese file name percent-encoded
    (a QR code and the 阅读原文 link must hold a valid URL), what is already encoded kept."""
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~")


def print_link(site: Site, url: str) -> PrintLink | None:
    """The address of the page at the site-relative `url` and its QR code; None when the site
    has no absolute `site_url` (an address without a host reads nowhere from paper)."""
    address = web_link(site, url)
    return None if address is None else PrintLink(address, qr_svg(address))


def web_link(site: Site, url: str) -> str | None:
    """The address `print_link` gives the page at `url`, or None."""
    address = web_address(site.absolute(url))
    parts = urlsplit(address)
    return address if parts.scheme in ("http", "https") and parts.netloc else None


# QR codes made before they are asked for (`made_ahead`): by a second process while the pages
# convert, so that the pages' templates find them ready (mkdocs_plugin/__init__.py).
_AHEAD: dict[str, str] = {}


def made_ahead(codes: dict[str, str]) -> None:
    """Keep the QR codes (address → `qr_svg(address)`) made elsewhere for this build."""
    _AHEAD.clear()
    _AHEAD.update(codes)


def qr_svg(address: str) -> str:
    """The QR code of exactly `address` as a small inline SVG (`make_qr_svg`), made ahead or
    now."""
    ahead = _AHEAD.get(address)
    return ahead if ahead is not None else make_qr_svg(address)


@lru_cache(maxsize=4096)
def make_qr_svg(address: str) -> str:
    """The QR code of exactly `address` as a small inline SVG: one path of horizontal runs,
    sized by the stylesheet (a viewBox and no width or height), hidden from assistive
    technology (the address is printed beside it as text). Cached: `congress serve` renders
    the same pages again and again."""
    import segno

    code = segno.make(
        address,
        error="m",
        micro=False,
        mask=QR_MASK,
        boost_error=False,
        encoding=None if address.isascii() else "utf-8",
    )
    size = len(code.matrix) + 2 * QR_BORDER
    runs = []
    x0 = y0 = 0  # the pen (on the middle of a row of modules): moves are relative, shorter
    for y, row in enumerate(code.matrix, start=QR_BORDER):
        for run in _RUN.finditer(bytes(row)):
            x = run.start() + QR_BORDER
            runs.append(f"m{x - x0} {y - y0}h{run.end() - run.start()}")
            x0, y0 = run.end() + QR_BORDER, y
    path = "".join(runs)
    return (
        f'<svg class="cg-qr" viewBox="0 0 {size} {size}" aria-hidden="true">'
        f"<title>{QR_TITLE}</title>"
        f'<path stroke="#000" shape-rendering="crispEdges" d="M0 .5{path}"/></svg>'
    )
