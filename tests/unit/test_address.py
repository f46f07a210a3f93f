"""The address and QR code printed at the end of an article page (generator/derive/address.py):
the exact address a browser has, a code that reads back as it, an SVG the page can carry."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import segno

from generator.core.config import load_site
from generator.derive.address import QR_BORDER, QR_MASK, print_link, qr_svg, web_address
from tests.qr import decode_qr
from tests.sitekit import ROOT


def _site(url: str):  # type: ignore[no-untyped-def]
    return dataclasses.replace(load_site(ROOT / "mkdocs.yml"), site_url=url)


def test_the_address_is_percent_encoded_as_a_browser_sends_it() -> None:
    assert web_address("https://x.cn/新闻/a b/") == "https://x.cn/%E6%96%B0%E9%97%BB/a%20b/"
    assert web_address("https://x.cn/a%20b/?q=1#top") == "https://x.cn/a%20b/?q=1#top"


def test_an_article_page_gets_its_absolute_address() -> None:
    link = print_link(_site("https://www.shilirenda.gov.cn/"), "news/2026/通报 一/")
    assert link is not None
    assert link.url == "https://www.shilirenda.gov.cn/news/2026/%E9%80%9A%E6%8A%A5%20%E4%B8%80/"
    assert link.qr == qr_svg(link.url)
    below = print_link(_site("https://example.org/renda"), "news/2026/a/")
    assert below is not None and below.url == "https://example.org/renda/news/2026/a/"


@pytest.mark.parametrize("url", ["", "/", "renda/", "file:///srv/site/"])
def test_without_an_absolute_site_url_nothing_is_printed(url: str) -> None:
    assert print_link(_site(url), "news/2026/a/") is None


def _modules(svg: str) -> set[tuple[int, int]]:
    """The dark modules the path draws (relative moves, horizontal runs)."""
    d = re.search(r' d="M0 \.5((?:m-?\d+ -?\d+h\d+)*)"', svg)
    assert d is not None, svg[:200]
    x = y = 0
    dark = set()
    for dx, dy, run in re.findall(r"m(-?\d+) (-?\d+)h(\d+)", d.group(1)):
        x, y = x + int(dx), y + int(dy)
        dark |= {(x + i - QR_BORDER, y - QR_BORDER) for i in range(int(run))}
        x += int(run)
    return dark


def test_the_svg_draws_exactly_segnos_code() -> None:
    address = "https://www.shilirenda.gov.cn/consultations/2026/dianzi-zixingche-tiaoli/"
    code = segno.make(address, error="m", micro=False, mask=QR_MASK, boost_error=False)
    expected = {(x, y) for y, row in enumerate(code.matrix) for x, bit in enumerate(row) if bit}
    svg = qr_svg(address)
    assert _modules(svg) == expected
    size = len(code.matrix) + 2 * QR_BORDER
    assert svg.startswith(f'<svg class="cg-qr" viewBox="0 0 {size} {size}" aria-hidden="true">')
    assert "<title>本文网址二维码</title>" in svg
    assert "<?xml" not in svg and "style" not in svg and "width" not in svg  # the CSS sizes it
    assert svg.endswith("</svg>")
    assert len(svg) < 4000


def test_the_code_reads_back_as_the_address(tmp_path: Path) -> None:
    import cairosvg

    address = web_address("https://www.shilirenda.gov.cn/news/2026/人大代表 进社区/")
    svg = qr_svg(address).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    png = tmp_path / "qr.png"
    cairosvg.svg2png(
        bytestring=svg.encode(), write_to=str(png), output_width=400, background_color="white"
    )
    assert decode_qr(png) == [address]
