"""The print edition (generator/channels/printing.py) from hand-made editions, laid out by the
real WeasyPrint and read back with poppler and pypdf: the table of contents in order with the
pages where the articles start, running headers and page numbers, fonts embedded, the page size,
PDF/A-3b and the metadata, pictures at their own resolution, a table over several pages, byte-
identical renders, nothing fetched from the network or outside the allowed pictures, and
findings instead of tracebacks."""

from __future__ import annotations

import http.server
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.channels import printchild
from generator.channels.printing import (
    Edition,
    PrintArticle,
    Printed,
    PrintError,
    draw,
    render,
)
from generator.channels.printpage import prepare_body
from tests.browser.conftest import require
from tests.channels.editions import (
    ALLOWED,
    BADGE,
    CSS,
    ESCAPE,
    HEADER,
    PHOTO,
    SECRET,
    TEMPLATE,
    articles,
    edition,
    fonts,
    images,
    info,
    page_texts,
    para,
    pictures,
    squeeze,
)

weasy = pytest.mark.print


def need_weasyprint() -> None:
    """Skip without WeasyPrint, or fail in CI (where `make test` installs it)."""
    import importlib.util

    if importlib.util.find_spec("weasyprint") is None:
        require("/nonexistent/weasyprint", "weasyprint", "pip install 'congress-site[print]'")


class Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str]

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[int, list[str]]]:
    """A local web server that records every request (none must arrive)."""
    hits: list[str] = []
    handler = type("Handler", (Recorder,), {"hits": hits})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1], hits
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def printed(
    tmp_path_factory: pytest.TempPathFactory, server: tuple[int, list[str]]
) -> tuple[Edition, Path, Printed, list[str], str]:
    """The five-article edition, rendered once: its edition, PDF file, render, what was said,
    and the stylesheet (the theme's, with resources on the local server)."""
    need_weasyprint()
    port = server[0]
    base = tmp_path_factory.mktemp("edition") / "site"
    pictures(base)
    css = (
        f"@import url(http://127.0.0.1:{port}/import.css);\n"
        + CSS
        + (
            f"@font-face {{ font-family: Remote; src: url(http://127.0.0.1:{port}/font.woff); }}\n"
            f".cg-cover {{ background: url(http://127.0.0.1:{port}/cover.png); }}\n"
        )
    )
    said: list[str] = []
    ed = edition(articles(port))
    result = draw(ed, base=base, allowed=ALLOWED, template=TEMPLATE, css=css, say=said.append)
    pdf = base.parent / "edition.pdf"
    pdf.write_bytes(result.pdf)
    return ed, pdf, result, said, css


@pytest.fixture(scope="module")
def texts(printed: tuple[Edition, Path, Printed, list[str], str]) -> list[str]:
    return page_texts(printed[1])


def toc_numbers(ed: Edition, toc: str) -> list[int]:
    """The page number after each title on the contents page, in the edition's order (the
    search goes on from the previous entry, so an entry out of order is not found)."""
    flat, numbers, at = squeeze(toc), [], 0
    for article in ed.articles:
        found = re.compile(re.escape(squeeze(article.title)) + r"\.*(\d+)").search(flat, at)
        assert found, f"{article.title} not in the contents after position {at}: {flat}"
        numbers.append(int(found.group(1)))
        at = found.end()
    return numbers


# The contents, the pages and the running furniture.


@weasy
def test_contents_list_every_title_in_order_with_the_page_it_starts_on(
    printed: tuple[Edition, Path, Printed, list[str], str], texts: list[str]
) -> None:
    ed, _, result, _, _ = printed
    assert result.pages == len(texts)
    assert "目录" in squeeze(texts[1])
    numbers = toc_numbers(ed, texts[1])
    assert numbers == sorted(numbers) and numbers[0] == 3
    for article, number in zip(ed.articles, numbers, strict=True):
        page = squeeze(texts[number - 1])
        # The page begins with the running header, then the title: the article starts here.
        assert page.startswith(HEADER + squeeze(article.title)), (number, page[:80])
        if number - 1 > 2:  # the page before (not the contents) does not hold it
            assert squeeze(article.title) not in squeeze(texts[number - 2])
    # The table of 90 rows runs over several pages: the next article starts well after it.
    assert numbers[2] - numbers[1] >= 3


@weasy
def test_contents_entries_link_to_the_article_pages(
    printed: tuple[Edition, Path, Printed, list[str], str], texts: list[str]
) -> None:
    import pypdf

    ed, pdf, _, _, _ = printed
    reader = pypdf.PdfReader(pdf)
    targets = []
    for annot in reader.pages[1].get("/Annots", []):
        link = annot.get_object()
        if link.get("/Subtype") != "/Link":
            continue
        dest = link.get("/Dest") or link["/A"]["/D"]
        if isinstance(dest, (str, bytes)) or not isinstance(dest, list):
            dest = reader.named_destinations[str(dest)]
            targets.append(reader.get_destination_page_number(dest) + 1)
        else:
            targets.append(reader.get_page_number(dest[0].get_object().indirect_reference) + 1)
    assert sorted(set(targets)) == toc_numbers(ed, texts[1])


@weasy
def test_running_header_and_page_numbers_except_on_the_cover(texts: list[str]) -> None:
    cover = squeeze(texts[0])
    assert "《示例市人民代表大会常务委员会公报》" in cover
    assert "2026年第6号" in cover and "总第188号" in cover
    assert "2026年11月10日" in cover and "主办单位：示例市人民代表大会常务委员会办公室" in cover
    assert not cover.startswith("常委会公报") and "—1—" not in cover
    for number, text in enumerate(texts[1:], start=2):
        lines = [line for line in text.splitlines() if line.strip()]
        assert squeeze(lines[0]) == HEADER, lines[0]
        assert squeeze(lines[-1]) == f"—{number}—", lines[-1]


@weasy
def test_each_article_shows_its_date_source_and_authors(
    printed: tuple[Edition, Path, Printed, list[str], str], texts: list[str]
) -> None:
    ed = printed[0]
    for article, number in zip(ed.articles, toc_numbers(ed, texts[1]), strict=True):
        page = squeeze(texts[number - 1])
        assert article.date_text in page
        assert (f"来源：{article.source}" in page) == bool(article.source)
        assert (f"作者：{article.authors}" in page) == bool(article.authors)


@weasy
def test_a_long_table_breaks_between_rows_and_repeats_its_head(
    printed: tuple[Edition, Path, Printed, list[str], str], texts: list[str]
) -> None:
    ed = printed[0]
    first, after = toc_numbers(ed, texts[1])[1:3]
    pages = [squeeze(t) for t in texts[first - 1 : after - 1]]
    with_rows = [p for p in pages if "示例市某某条例修正案" in p]
    assert len(with_rows) >= 3
    for page in with_rows:
        assert "序号立法项目提请时间起草单位" in page  # the head, on every page of the table
    for i in range(1, 91):
        row = f"{i}第{i}项示例市某某条例修正案（草案）2026年{i % 12 + 1}月法制工作委员会"
        assert sum(row in page for page in with_rows) == 1, f"row {i} split or lost"


# Fonts, size, PDF/A and metadata.


@weasy
def test_every_font_is_embedded(printed: tuple[Edition, Path, Printed, list[str], str]) -> None:
    table = fonts(printed[1])
    assert table, "no fonts"
    assert all(f["emb"] == "yes" for f in table), table
    names = " ".join(f["name"] for f in table)
    assert "Noto-Serif-CJK-SC" in names and "Noto-Sans-CJK-SC" in names
    assert "CJK-JP" not in names  # lang=zh-CN: the SC faces, not the Japanese ones


@weasy
def test_the_page_is_16kai(printed: tuple[Edition, Path, Printed, list[str], str]) -> None:
    size = info(printed[1])["Page size"]
    width, height = (float(v) for v in re.findall(r"[\d.]+", size)[:2])
    assert abs(width - 185 / 25.4 * 72) < 0.1 and abs(height - 260 / 25.4 * 72) < 0.1
    assert (round(width, 2), round(height, 2)) == (524.41, 737.01)


@weasy
def test_pdfa_3b_is_declared_with_an_output_intent(
    printed: tuple[Edition, Path, Printed, list[str], str],
) -> None:
    import pypdf

    reader = pypdf.PdfReader(printed[1])
    assert reader.pdf_header == "%PDF-1.7"
    xmp = reader.xmp_metadata
    assert xmp is not None
    ids = xmp.rdf_root.getElementsByTagNameNS("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "*")
    declared = {
        (a.localName, a.value)
        for node in ids
        for a in (node.attributes.values() if node.attributes else [])
        if a.namespaceURI == "http://www.aiim.org/pdfa/ns/id/"
    }
    assert declared == {("part", "3"), ("conformance", "B")}
    intents = reader.trailer["/Root"]["/OutputIntents"]
    assert intents[0].get_object()["/S"] == "/GTS_PDFA1"


@weasy
def test_title_author_subject_keywords_and_the_editions_date(
    printed: tuple[Edition, Path, Printed, list[str], str],
) -> None:
    import pypdf

    reader = pypdf.PdfReader(printed[1])
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "《示例市人民代表大会常务委员会公报》2026年第6号"
    assert meta.author == "示例市人民代表大会常务委员会办公室"
    assert meta.subject == "示例市人民代表大会常务委员会公报2026年第6号"
    assert meta["/Keywords"] == "常委会公报, 人大, 立法"
    assert meta["/CreationDate"] == meta["/ModDate"] == "D:20261110000000+08'00"
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert xmp.dc_title == {"x-default": meta.title}
    assert xmp.dc_creator == [meta.author]
    assert xmp.pdf_keywords == "常委会公报, 人大, 立法"
    assert xmp.xmp_create_date.isoformat() == "2026-11-09T16:00:00"  # 00:00 in Beijing, UTC
    assert reader.trailer["/Root"]["/Lang"] == "zh-CN"


@weasy
def test_two_renders_are_byte_identical_wherever_the_pictures_are(
    printed: tuple[Edition, Path, Printed, list[str], str], tmp_path: Path
) -> None:
    import pypdf

    ed, pdf, _, _, css = printed
    moved = tmp_path / "elsewhere" / "copy"
    shutil.copytree(pdf.parent / "site", moved, symlinks=True)
    again = render(ed, base=moved, allowed=ALLOWED, template=TEMPLATE, css=css)
    assert again == pdf.read_bytes()
    ids = pypdf.PdfReader(pdf).trailer["/ID"]
    assert ids[0] == ed.identifier  # fixed by the edition; the second half hashes the content


# Pictures: embedded at their resolution, or not at all.


@weasy
def test_pictures_are_embedded_at_their_own_resolution_never_enlarged(
    printed: tuple[Edition, Path, Printed, list[str], str], texts: list[str]
) -> None:
    ed = printed[0]
    drawn = images(printed[1])
    sizes = sorted((int(i["width"]), int(i["height"])) for i in drawn)
    assert sizes == [(120, 80), (1200, 800)], drawn  # the SVG is drawn as vectors
    photo = next(i for i in drawn if i["width"] == "1200")
    badge = next(i for i in drawn if i["width"] == "120")
    # 1200 px across the 145 mm column: about 210 ppi; the badge at its CSS size, 96 ppi.
    assert 200 <= int(photo["x-ppi"]) <= 220
    assert int(badge["x-ppi"]) == 96
    station = toc_numbers(ed, texts[1])[2]
    assert int(photo["page"]) in (station, station + 1)


@weasy
def test_nothing_is_fetched_from_the_network_or_outside_the_allowed_pictures(
    printed: tuple[Edition, Path, Printed, list[str], str], server: tuple[int, list[str]]
) -> None:
    _, _, result, said, _ = printed
    assert server[1] == []  # the local server saw no request (the font face not even asked)
    refused = dict(result.refused)
    port = server[0]
    for url in (
        f"http://127.0.0.1:{port}/picture.png",
        f"https://127.0.0.1:{port}/tls.png",
        f"http://127.0.0.1:{port}/import.css",
        f"http://127.0.0.1:{port}/cover.png",
    ):
        assert "不在本期目录内" in refused[url], url
    assert refused[SECRET] == "不在可用图片之列"
    assert refused["file:///etc/hostname"].startswith("不在本期目录内")
    assert "目录以外" in refused[ESCAPE]
    assert not any("README" in path for path in refused)  # the sanitizer dropped the file: src
    assert {PHOTO, BADGE}.isdisjoint(refused)
    assert f"未嵌入 {SECRET}：不在可用图片之列" in said
    # A direction override in a picture's name is written out, not acted on by the terminal.
    assert refused["x\u202egnp.exe"] == "不在可用图片之列"
    assert "未嵌入 x\\u202egnp.exe：不在可用图片之列" in said
    assert not any("\u202e" in line for line in said)


def test_a_picture_must_be_what_its_name_says(tmp_path: Path) -> None:
    """PostScript named photo.jpg never reaches Pillow (which would hand it to Ghostscript)."""
    (tmp_path / "photo.jpg").write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\nshowpage\n")
    (tmp_path / "x.svg").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "ok.png").write_bytes(b"\x89PNG\r\n\x1a\n....")
    (tmp_path / "fifo.png").parent.mkdir(exist_ok=True)
    import os

    os.mkfifo(tmp_path / "fifo.png")
    allowed = frozenset({"photo.jpg", "x.svg", "ok.png", "fifo.png", "missing.png", "a.ps"})
    root = "file:///congress-print/"

    def why(name: str) -> str:
        url = name if name.startswith("data:") else root + name
        try:
            printchild.read_allowed(url, tmp_path, allowed)
        except printchild.Refused as exc:
            return str(exc)
        return ""

    assert why("photo.jpg") == "内容不是 .jpg 图片"
    assert why("x.svg") == "内容不是 SVG 图片"
    assert why("ok.png") == ""
    assert why("ok.png?x=1#y") == ""
    assert why("fifo.png") == "不是普通文件"
    assert why("missing.png") == "不存在或指向本期目录以外"
    assert why("a.ps") == "不是可用的图片格式（.ps）"
    assert why("%2E%2E/ok.png") == "不在可用图片之列"
    assert why("data:image/png;base64,AAAA").startswith("不在本期目录内")


def test_bodies_are_cleaned_again_and_their_ids_kept_apart() -> None:
    html = (
        '<p id="x">见<a href="#fn:1">注</a>，<a href="../other/">另文</a>，'
        '<a href="https://example.org/a">外链</a>，<a href="javascript:alert(1)">脚本</a></p>'
        '<script>alert(1)</script><style>p{}</style><link rel="attachment" href="photo.jpg">'
        '<meta name="dcterms.created" content="1999"><base href="file:///etc/">'
        '<img src="data:image/png;base64,AAAA" alt="d"><img src="assets/x.png" alt="p">'
        '<iframe src="https://player.example/v"></iframe>'
        '<div class="footnote"><ol><li id="fn:1">注释</li></ol></div>'
    )
    out = prepare_body(html, "a2-")
    assert 'id="a2-x"' in out and 'id="a2-fn:1"' in out
    assert 'href="#a2-fn:1"' in out
    assert "../other/" not in out and "另文" in out
    assert 'href="https://example.org/a"' in out
    for gone in ("javascript", "<script", "<style", "<link", "<meta", "<base", "data:", "iframe"):
        assert gone not in out, gone
    assert 'src="assets/x.png"' in out


# Findings, not tracebacks.


def small(**changes: object) -> Edition:
    one = PrintArticle("one", "一篇稿件", "2026年11月10日", "", "", para(1))
    return edition((one,), **changes)


@pytest.mark.parametrize(
    ("template", "words"),
    [
        ("{% for a in articles %}{{ a.title }", "第 1 行"),
        ("{{ nothing.here }}", "UndefinedError"),
        ("{{ edition.__class__.__mro__ }}", "SecurityError"),
    ],
)
def test_a_broken_template_is_a_finding(template: str, words: str, tmp_path: Path) -> None:
    with pytest.raises(PrintError) as caught:
        render(small(), base=tmp_path, allowed=frozenset(), template=template, css="")
    finding = caught.value.finding
    assert finding.code == "PRINT-TEMPLATE" and finding.is_error
    assert words in finding.message, finding.message


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"page_width_mm": 10.0}, "版面宽 10 毫米"),
        ({"page_height_mm": 5000.0}, "版面高 5000 毫米"),
        ({"articles": ()}, "没有稿件"),
        ({"body_font": 'X"; } @import url(http://x/)'}, "字体名称"),
    ],
)
def test_a_bad_edition_is_a_finding(changes: dict[str, object], words: str, tmp_path: Path) -> None:
    with pytest.raises(PrintError) as caught:
        render(small(**changes), base=tmp_path, allowed=frozenset(), template=TEMPLATE, css="")
    assert caught.value.finding.code == "PRINT-RENDER"
    assert words in caught.value.finding.message


def test_without_weasyprint_the_finding_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "weasyprint" else real(name)
    )
    with pytest.raises(PrintError) as caught:
        render(small(), base=tmp_path, allowed=frozenset(), template=TEMPLATE, css=CSS)
    assert caught.value.finding.code == "PRINT-EXTRA"
    assert "congress-site[print]" in caught.value.finding.hint


@pytest.mark.parametrize(
    ("module", "words"),
    [
        ("raise OSError(\"cannot load library 'libpango-1.0-0'\")\n", "libpango"),
        ("__version__ = '62.0'\n", "WeasyPrint 62.0 版本过旧"),
    ],
)
def test_weasyprint_that_cannot_work_is_the_same_finding(
    module: str, words: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WeasyPrint installed but Pango missing (the child's import fails), or too old."""
    need_weasyprint()
    fake = tmp_path / "fake" / "weasyprint"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(module)
    (fake / "urls.py").write_text("")
    monkeypatch.setenv("PYTHONPATH", str(fake.parent))
    with pytest.raises(PrintError) as caught:
        render(small(), base=tmp_path, allowed=frozenset(), template=TEMPLATE, css=CSS)
    assert caught.value.finding.code == "PRINT-EXTRA"
    assert words in caught.value.finding.message


@weasy
def test_a_picture_that_would_never_finish_is_stopped(tmp_path: Path) -> None:
    """Nested <use>: ten to the eleventh copies of one glyph; the child is killed in time."""
    need_weasyprint()
    levels = ['<defs><text id="l0">示</text>']
    for i in range(1, 12):
        uses = f'<use href="#l{i - 1}"/>' * 10
        levels.append(f'<g id="l{i}">{uses}</g>')
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
        + "".join(levels)
        + '</defs><use href="#l11"/></svg>'
    )
    (tmp_path / "bomb.svg").write_text(svg, encoding="utf-8")
    body = '<p><img src="bomb.svg" alt="x"></p>'
    bomb = edition((PrintArticle("b", "图", "2026年11月10日", "", "", body),))
    with pytest.raises(PrintError) as caught:
        render(
            bomb,
            base=tmp_path,
            allowed=frozenset({"bomb.svg"}),
            template=TEMPLATE,
            css=CSS,
            timeout=8,
        )
    assert caught.value.finding.code == "PRINT-RENDER"
    assert "超过 8 秒" in caught.value.finding.message


@weasy
def test_the_page_size_and_families_come_from_the_edition(tmp_path: Path) -> None:
    need_weasyprint()
    a4 = small(page_width_mm=210.0, page_height_mm=297.0, body_font="Noto Sans CJK SC")
    pdf = tmp_path / "a4.pdf"
    pdf.write_bytes(render(a4, base=tmp_path, allowed=frozenset(), template=TEMPLATE, css=CSS))
    size = info(pdf)["Page size"]
    assert re.findall(r"[\d.]+", size)[:2] == ["595.276", "841.89"]
    names = " ".join(f["name"] for f in fonts(pdf))
    assert "Serif" not in names and "Noto-Sans-CJK-SC" in names
