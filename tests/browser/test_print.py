"""打印: an article page of the sample, behind nginx, printed to PDF by Chromium and read back
with poppler (pdftotext, pdfinfo, pdftoppm) and zbar: the article alone, on A4, ending with its
address and a QR code of exactly that address; and on screen, neither of them."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.conftest import Server, require
from tests.qr import decode_qr

pytestmark = pytest.mark.browser

POPPLER = "apt-get install poppler-utils"
LABEL = "本文网址（扫描二维码阅读网页版）："
A4 = (595.28, 841.89)  # points
# One with a 更正 notice, one with the consultation box and a cover picture.
ARTICLES = [
    "supervision/2026/wuye-zhifa-jiancha-shidi-jiancha/",
    "consultations/2026/dianzi-zixingche-tiaoli-zhengqiu-yijian/",
]


def _tool(name: str) -> str:
    path = shutil.which(name) or f"/usr/bin/{name}"
    require(path, name, POPPLER)
    return path


def _run(*args: str) -> str:
    result = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _words(text: str) -> str:
    """Text without whitespace: pdftotext breaks lines where the page did."""
    return re.sub(r"\s+", "", text)


@dataclass
class Printed:
    url: str  # the page's address as Chromium has it
    pdf: Path
    text: str  # pdftotext of the whole PDF
    dom: dict[str, object]  # what the page shows on screen, read before printing


@pytest.fixture(scope="module", params=ARTICLES)
def printed(
    request: pytest.FixtureRequest,
    browser: object,
    server: Server,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Printed]:
    pdftotext = _tool("pdftotext")
    context = browser.new_context(locale="zh-CN")  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        page.goto(server.base + request.param, wait_until="networkidle")
        dom = page.evaluate(
            """() => {
              const article = document.querySelector("article.md-content__inner");
              const all = (s) => [...document.querySelectorAll(s)];
              const text = (s) => all(s).map((e) => e.textContent.trim());
              return {
                title: document.querySelector(".cg-article__head h1").textContent.trim(),
                paragraphs: text(".cg-article__body > p"),
                editor: document.querySelector(".cg-editor").textContent.trim(),
                column: document.querySelector(".cg-article__column").textContent.trim(),
                tabs: text(".md-tabs__link"),
                article: article.textContent,
              };
            }"""
        )
        pdf = tmp_path_factory.mktemp("print") / "article.pdf"
        page.emulate_media(media="print")
        page.pdf(path=str(pdf), prefer_css_page_size=True)
        yield Printed(page.url, pdf, _run(pdftotext, str(pdf), "-"), dom)
    finally:
        context.close()


def test_the_article_is_printed_on_a4(printed: Printed) -> None:
    info = _run(_tool("pdfinfo"), str(printed.pdf))
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert size is not None, info
    width, height = float(size.group(1)), float(size.group(2))
    assert abs(width - A4[0]) < 1 and abs(height - A4[1]) < 1, info


def test_the_article_is_all_there(printed: Printed) -> None:
    words = _words(printed.text)
    dom = printed.dom
    assert _words(str(dom["title"])) in words
    assert _words(str(dom["column"])) in words
    assert "发布时间" in words
    paragraphs = [str(p) for p in dom["paragraphs"]]  # type: ignore[attr-defined]
    assert len(paragraphs) >= 2
    for paragraph in paragraphs:
        assert _words(paragraph) in words, paragraph[:40]
    assert _words(str(dom["editor"])) in words


def test_no_furniture_is_printed(printed: Printed) -> None:
    words = _words(printed.text)
    for furniture in (
        "站内搜索",  # the search box's label and placeholder
        "长者模式",  # the switch, in the header and in the footer
        "主办单位",  # the footer's identity
        "示ICP备00000000号",  # the footer's 备案号
        "网站标识码",
        "回到页面顶部",
        "跳转至",  # the skip link
    ):
        assert furniture not in words, furniture
    # The tabs: every column's name that the article itself does not mention.
    article = _words(str(printed.dom["article"]))
    tabs = [_words(str(t)) for t in printed.dom["tabs"]]  # type: ignore[attr-defined]
    others = [t for t in tabs if t and t not in article]
    assert len(others) >= 5, tabs
    for name in others:
        assert name not in words, name
    # Links are not written out after their text; the page's own address comes once, last.
    assert words.count(printed.url) == 1


def test_the_address_ends_the_printout(printed: Printed) -> None:
    assert printed.url.startswith("http://127.0.0.1:")
    assert _words(printed.text).endswith(LABEL + printed.url)


def test_the_qr_code_reads_as_the_address(printed: Printed, tmp_path: Path) -> None:
    pages = int(re.search(r"Pages:\s+(\d+)", _run(_tool("pdfinfo"), str(printed.pdf))).group(1))  # type: ignore[union-attr]
    _run(_tool("pdftoppm"), "-r", "150", "-png", str(printed.pdf), str(tmp_path / "page"))
    pictures = sorted(tmp_path.glob("page-*.png"))
    assert len(pictures) == pages
    assert decode_qr(pictures[-1]) == [printed.url]
    for picture in pictures[:-1]:  # one code, at the end
        assert decode_qr(picture) == []


@pytest.mark.parametrize("path", ARTICLES)
def test_on_screen_the_address_and_code_are_not_shown(visit, path: str) -> None:  # type: ignore[no-untyped-def]
    page = visit(path).page
    block = page.locator(".cg-printed")
    assert block.count() == 1
    assert not block.is_visible()
    qr = block.locator("svg.cg-qr")
    assert qr.get_attribute("aria-hidden") == "true"
    assert qr.locator("title").count() == 1
    assert qr.bounding_box() is None  # not laid out at all
    assert "本文网址" not in page.evaluate("document.body.innerText")
    assert block.locator("a").get_attribute("href") == page.url


def test_print_rules_keep_rows_and_headings_whole(browser: object, server: Server) -> None:
    """The rules a printed page is laid out by (Chromium's computed style in print media), on
    an article with a table, headings and a picture: rows not cut, a heading kept with what follows,
    pictures within the page, a serif body in black."""
    context = browser.new_context(locale="zh-CN")  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.goto(server.base + "press/2026/lifa-jihua-xinwen-fabuhui/", wait_until="networkidle")
        page.emulate_media(media="print")
        page.wait_for_timeout(500)  # material's colour transitions (125 ms) to end
        style = page.evaluate(
            """() => {
              const s = (sel) => getComputedStyle(document.querySelector(sel));
              return {
                row: s(".cg-article__body tr").breakInside,
                heading: s(".cg-article__body h2").breakAfter,
                font: s(".cg-article__body p").fontFamily,
                color: s(".cg-article__body p").color,
                link: s(".cg-article__column a").color,
                picture: s(".cg-article__body img").maxWidth,
              };
            }"""
        )
    finally:
        context.close()
    assert style["row"] == "avoid"
    assert style["heading"] == "avoid"
    assert style["font"].startswith('"Noto Serif CJK SC"')
    assert style["color"] == style["link"] == "rgb(0, 0, 0)"
    assert style["picture"] == "100%"
