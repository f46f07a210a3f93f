"""The notice-board poster (generator/channels/poster.py) rendered by the real WeasyPrint with
the theme's files, read back with poppler (pdfinfo, pdftotext, pdffonts, pdftoppm) and zbarimg:
one page of the paper's size, the text as approved, the QR code leading to exactly the right
address, fonts embedded, byte-identical renders, nothing fetched, and findings instead of
tracebacks."""

from __future__ import annotations

import http.server
import importlib.util
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from generator.channels.poster import (
    CLOSED,
    OPEN,
    PENDING,
    Consultation,
    Poster,
    PosterError,
    render,
)
from tests.browser.conftest import require
from tests.qr import decode_qr
from tests.sitekit import ROOT

THEME = ROOT / "themes" / "congress" / "channels"
TEMPLATE = (THEME / "poster.html").read_text(encoding="utf-8")
CSS = (THEME / "poster.css").read_text(encoding="utf-8")
MARK = (THEME / "mark.svg").read_bytes()
POINTS = {"A4": (595, 842), "A3": (842, 1191)}
BLUE = (0, 0, 255)

URL = "https://rd.example.gov.cn/consultations/2026/2026-1120-wuye/"
FEEDBACK_URL = "https://rd.example.gov.cn/news/2027/2027-0110-wuye-caina/"
NEWS = Poster(
    site_name="示例市人大常委会",
    column="工作动态",
    title="市人大常委会开展物业管理条例执法检查",
    summary="执法检查组深入街道、社区和物业服务企业，听取业主、物业服务企业和基层干部的意见建议，"
    "推动条例各项规定落地见效。",
    date_text="2026年11月18日",
    url="https://rd.example.gov.cn/supervision/2026/2026-1118-zhifa/",
)
ARTICLE = Poster(
    site_name="示例市人大常委会",
    column="立法征求意见",
    title="《示例市物业管理条例（修订草案）》公开征求意见",
    summary="修订草案经市人大常委会会议初次审议，现全文公布，公开征求意见。"
    "重点听取业主大会和业主委员会建设、物业服务收费、专项维修资金使用等方面的意见。",
    date_text="2026年11月20日",
    url=URL,
)
OPEN_CONSULTATION = Consultation(
    status=OPEN,
    deadline_text="2026年12月20日 17:00",
    email="fgw@rd.example.gov.cn",
    post="示例市人民路100号市人大常委会法制工作委员会（邮编：000100）",
    url="https://hudong.rd.example.gov.cn/zqyj/",
)
FEEDBACK_TITLE = "关于《示例市物业管理条例（修订草案）》征求意见采纳情况的反馈"
CASES = {
    "news": NEWS,
    "open": replace(ARTICLE, consultation=OPEN_CONSULTATION),
    "closed-feedback": replace(
        ARTICLE,
        consultation=replace(
            OPEN_CONSULTATION,
            status=CLOSED,
            feedback_title=FEEDBACK_TITLE,
            feedback_url=FEEDBACK_URL,
        ),
    ),
    "closed": replace(ARTICLE, consultation=replace(OPEN_CONSULTATION, status=CLOSED)),
}


def tool(name: str) -> str:
    path = f"/usr/bin/{name}"
    require(path, name, "apt-get install poppler-utils")
    return path


def run(*args: str | Path) -> str:
    result = subprocess.run(
        [tool(str(args[0])), *map(str, args[1:])], capture_output=True, timeout=120, check=True
    )
    return result.stdout.decode("utf-8")


def info(pdf: Path) -> dict[str, str]:
    return {
        key.strip(): value.strip()
        for key, _, value in (line.partition(":") for line in run("pdfinfo", pdf).splitlines())
    }


def text(pdf: Path) -> str:
    """The page's text with all white space removed (lines break anywhere in Chinese)."""
    return re.sub(r"\s+", "", run("pdftotext", "-layout", pdf, "-"))


def qr_codes(pdf: Path) -> list[str]:
    prefix = pdf.with_suffix("")
    run("pdftoppm", "-r", "150", "-png", "-singlefile", pdf, prefix)
    return decode_qr(prefix.with_suffix(".png"))


def squeeze(value: str) -> str:
    return re.sub(r"\s+", "", value)


@pytest.fixture(scope="module", autouse=True)
def libraries() -> None:
    for name in ("weasyprint", "segno"):
        if importlib.util.find_spec(name) is None:
            message = f"{name} is not installed: pip install -e '.[print]'"
            if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
                pytest.fail(message)
            pytest.skip(message)


def write(tmp: Path, poster: Poster, name: str = "poster", **kw: object) -> Path:
    options: dict[str, object] = {"template": TEMPLATE, "css": CSS, "mark": MARK, **kw}
    pdf = tmp / f"{name}.pdf"
    pdf.write_bytes(render(poster, **options))  # type: ignore[arg-type]
    return pdf


@pytest.fixture(scope="module")
def posters(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The four kinds of poster on A4, rendered once for the tests that read them."""
    folder = tmp_path_factory.mktemp("posters")
    return {name: write(folder, poster, name) for name, poster in CASES.items()}


# What every poster shows.


@pytest.mark.parametrize("name", list(CASES))
def test_one_a4_page_with_the_title_date_and_site_and_the_pdf_metadata(
    posters: dict[str, Path], name: str
) -> None:
    poster, pdf = CASES[name], posters[name]
    meta = info(pdf)
    assert meta["Pages"] == "1"
    width, height = (float(v) for v in meta["Page size"].split()[0:3:2])
    assert (round(width), round(height)) == POINTS["A4"]
    assert meta["Title"] == poster.title
    assert meta["Author"] == poster.site_name
    # Fixed dates: the article's (pdfinfo shows them in its own words, in UTC).
    assert "Nov" in meta["CreationDate"] and "2026" in meta["CreationDate"]
    assert meta["ModDate"] == meta["CreationDate"]
    words = text(pdf)
    for value in (poster.title, poster.date_text, poster.site_name, poster.column):
        assert squeeze(value) in words, value
    assert squeeze(poster.summary) in words  # approved text whole


@pytest.mark.parametrize("name", list(CASES))
def test_fonts_are_embedded_noto_cjk(posters: dict[str, Path], name: str) -> None:
    rows = run("pdffonts", posters[name]).splitlines()[2:]
    assert rows
    for row in rows:
        assert row.split()[-5] == "yes", row  # the "emb" column
    names = " ".join(row.split()[0] for row in rows)
    assert "Noto-Sans-CJK-SC" in names and "Noto-Serif-CJK-SC" in names


@pytest.mark.parametrize(
    ("name", "target"),
    [("news", NEWS.url), ("open", URL), ("closed-feedback", FEEDBACK_URL), ("closed", URL)],
)
def test_the_qr_code_decodes_to_exactly_the_address(
    posters: dict[str, Path], name: str, target: str
) -> None:
    assert qr_codes(posters[name]) == [target]
    assert target in run("pdftotext", posters[name], "-")  # printed under it in small type


# Consultations.


def test_an_open_consultation_shows_the_deadline_and_every_channel(
    posters: dict[str, Path],
) -> None:
    words = text(posters["open"])
    assert squeeze(f"意见截止：{OPEN_CONSULTATION.deadline_text}") in words
    assert OPEN in words and "已截止" not in words
    for label, value in (
        ("信函", OPEN_CONSULTATION.post),
        ("电子邮件", OPEN_CONSULTATION.email),
        ("网上提交", OPEN_CONSULTATION.url),
    ):
        assert label in words and squeeze(value) in words
    assert "扫码阅读全文" in words


def test_a_closed_consultation_says_so_and_leads_to_its_feedback(
    posters: dict[str, Path],
) -> None:
    words = text(posters["closed-feedback"])
    assert "已截止" in words and "本次征求意见已于" in words
    assert squeeze(OPEN_CONSULTATION.deadline_text) in words
    assert squeeze(FEEDBACK_TITLE) in words
    assert "扫码查看意见采纳情况" in words and "扫码阅读全文" not in words
    # The channels are no longer offered.
    assert OPEN_CONSULTATION.email not in words and "网上提交" not in words


def test_a_closed_consultation_without_feedback_says_it_will_come(
    posters: dict[str, Path],
) -> None:
    words = text(posters["closed"])
    assert "已截止" in words and "另行公布" in words
    assert "扫码阅读全文" in words and "采纳情况已经公布" not in words


def test_feedback_without_a_title_is_still_where_the_code_leads(tmp_path: Path) -> None:
    closed = replace(OPEN_CONSULTATION, status=CLOSED, feedback_url=FEEDBACK_URL)
    pdf = write(tmp_path, replace(ARTICLE, consultation=closed))
    words = text(pdf)
    assert "已截止" in words and "意见采纳情况已经公布" in words and "另行公布" not in words
    assert qr_codes(pdf) == [FEEDBACK_URL]


def test_a_consultation_not_yet_open_says_when_it_opens(tmp_path: Path) -> None:
    pending = replace(OPEN_CONSULTATION, status=PENDING, opens_text="2026年11月25日 09:00")
    pdf = write(tmp_path, replace(ARTICLE, consultation=pending))
    words = text(pdf)
    assert PENDING in words and squeeze("开始时间：2026年11月25日 09:00") in words
    assert squeeze(f"意见截止：{pending.deadline_text}") in words
    assert info(pdf)["Pages"] == "1"


# Paper, reproducibility, length.


def test_a3_scales_the_same_poster(tmp_path: Path, posters: dict[str, Path]) -> None:
    pdf = write(tmp_path, replace(CASES["open"], size="A3"))
    meta = info(pdf)
    width, height = (float(v) for v in meta["Page size"].split()[0:3:2])
    assert meta["Pages"] == "1" and (round(width), round(height)) == POINTS["A3"]
    assert text(pdf) == text(posters["open"])  # the same lines, larger
    assert qr_codes(pdf) == [URL]


def test_two_renders_are_byte_identical(tmp_path: Path, posters: dict[str, Path]) -> None:
    again = write(tmp_path, CASES["closed-feedback"])
    assert again.read_bytes() == posters["closed-feedback"].read_bytes()


def test_a_long_title_is_set_smaller_never_cut(tmp_path: Path) -> None:
    title = ("关于示例市物业管理条例修订草案公开征求意见和听取意见建议的公告" * 5)[:100]
    pdf = write(tmp_path, replace(CASES["open"], title=title))
    assert info(pdf)["Pages"] == "1"
    words = text(pdf)
    assert squeeze(title) in words and squeeze(ARTICLE.summary) in words
    assert qr_codes(pdf) == [URL]


@pytest.mark.parametrize("title_length", [200])
def test_a_very_long_title_is_one_page_or_refused(tmp_path: Path, title_length: int) -> None:
    title = ("关于示例市物业管理条例修订草案公开征求意见的公告" * 10)[:title_length]
    try:
        pdf = write(tmp_path, replace(CASES["open"], title=title))
    except PosterError as exc:
        assert exc.finding.code == "POSTER-TOO-LONG"
    else:
        assert info(pdf)["Pages"] == "1" and squeeze(title) in text(pdf)


def test_a_summary_that_cannot_fit_is_refused_not_cut(tmp_path: Path) -> None:
    with pytest.raises(PosterError) as caught:
        write(tmp_path, replace(NEWS, summary=NEWS.summary * 60))
    assert caught.value.finding.code == "POSTER-TOO-LONG"
    assert "最小字号" in caught.value.finding.message
    assert not (tmp_path / "poster.pdf").exists()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"summary": "很" * 6000}, "摘要长 6000 个字符"),
        ({"url": "https://rd.example.gov.cn/" + "a" * 600}, "稿件网址长"),
    ],
)
def test_text_beyond_the_bounds_is_refused_before_layout(
    tmp_path: Path, change: dict[str, str], words: str
) -> None:
    with pytest.raises(PosterError) as caught:
        write(tmp_path, replace(NEWS, **change))  # type: ignore[arg-type]
    assert caught.value.finding.code == "POSTER-TOO-LONG"
    assert words in caught.value.finding.message


def test_without_a_mark_the_band_has_the_name_alone(tmp_path: Path) -> None:
    pdf = write(tmp_path, NEWS, mark=None)
    assert info(pdf)["Pages"] == "1" and "示例市人大常委会" in text(pdf)
    assert qr_codes(pdf) == [NEWS.url]


# Nothing fetched.


@pytest.fixture
def web() -> Iterator[tuple[str, list[str]]]:
    """A web server on loopback that records every request it gets."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_markup_in_the_title_and_summary_is_text_and_fetches_nothing(
    tmp_path: Path, web: tuple[str, list[str]]
) -> None:
    base, seen = web
    title = f'<img src="{base}/title.png">关于征求意见的公告'
    summary = (
        f'<p style="background:url({base}/bg.png)">摘要</p>'
        f'<link rel="stylesheet" href="{base}/s.css">'
    )
    pdf = write(tmp_path, replace(CASES["open"], title=title, summary=summary))
    assert seen == []
    words = text(pdf)
    assert squeeze(title) in words and squeeze(summary) in words  # shown as the characters
    assert info(pdf)["Title"] == title
    assert qr_codes(pdf) == [URL]


def test_a_theme_that_asks_for_the_network_or_a_file_gets_nothing(
    tmp_path: Path, web: tuple[str, list[str]]
) -> None:
    base, seen = web
    blue = tmp_path / "blue.png"
    Image.new("RGB", (300, 300), BLUE).save(blue)
    template = TEMPLATE.replace(
        "</head>",
        f'<link rel="stylesheet" href="{base}/theme.css">'
        f'<link rel="attachment" href="{base}/attached.pdf"></head>',
    ).replace(
        '<main class="poster__main" id="poster-main">',
        '<main class="poster__main" id="poster-main">'
        f'<img src="{base}/photo.png" style="width:40mm;height:40mm">'
        f'<img src="{blue.as_uri()}" style="width:40mm;height:40mm">'
        '<img src="blue.png" style="width:40mm;height:40mm">',
    )
    css = (
        f'@import url("{base}/import.css");\n'
        f"@font-face {{ font-family: Remote; src: url({base}/font.woff2); }}\n"
        f".poster__title {{ font-family: Remote, serif; }}\n"
        f".poster__main {{ background: url({base}/bg.png), url({blue.as_uri()}); }}\n" + CSS
    )
    mark = MARK.replace(
        b"</svg>",
        f'<image href="{base}/mark.png" width="120" height="120"/>'
        f'<image href="{blue.as_uri()}" width="120" height="120"/></svg>'.encode(),
    )
    pdf = write(tmp_path, NEWS, template=template, css=css, mark=mark)
    assert seen == []
    assert info(pdf)["Pages"] == "1"
    run("pdftoppm", "-r", "40", "-png", "-singlefile", pdf, tmp_path / "low")
    with Image.open(tmp_path / "low.png") as im:
        colours: list[tuple[int, int, int]] = [
            c
            for _, c in im.convert("RGB").getcolors(1 << 24) or []  # type: ignore[misc]
        ]
    assert not any(b > 200 and r < 60 and g < 60 for r, g, b in colours)  # nothing blue
    assert qr_codes(pdf) == [NEWS.url]


# Findings, not tracebacks.


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"template": "{% if p.title %}<p>{{ p.title }}</p>"}, "poster.html 第"),
        ({"template": "<p>{{ p.subtitle }}</p>"}, "subtitle"),
        ({"template": "{{ p.__class__.__mro__ }}"}, "poster.html"),
        ({"mark": b"GIF89a not a mark"}, "标志文件"),
        ({"poster": replace(NEWS, size="A5")}, "A5"),
        ({"poster": replace(NEWS, url="javascript:alert(1)")}, "http(s)"),
        ({"poster": replace(NEWS, title="  ")}, "标题为空"),
        ({"poster": replace(ARTICLE, consultation=replace(OPEN_CONSULTATION, status="x"))}, "状态"),
    ],
)
def test_a_broken_theme_or_bad_data_is_a_render_finding(
    tmp_path: Path, change: dict[str, object], words: str
) -> None:
    options: dict[str, object] = {"template": TEMPLATE, "css": CSS, "mark": MARK, **change}
    poster = options.pop("poster", NEWS)
    with pytest.raises(PosterError) as caught:
        render(poster, where="content/x.md", **options)  # type: ignore[arg-type]
    finding = caught.value.finding
    assert finding.code == "POSTER-RENDER" and finding.path == "content/x.md"
    assert words in finding.message, finding.message


@pytest.mark.parametrize("package", ["weasyprint", "segno"])
def test_a_missing_library_is_a_finding_with_the_extra_to_install(
    monkeypatch: pytest.MonkeyPatch, package: str
) -> None:
    monkeypatch.setitem(sys.modules, package, None)  # import raises ImportError
    with pytest.raises(PosterError) as caught:
        render(NEWS, template=TEMPLATE, css=CSS, mark=MARK)
    finding = caught.value.finding
    assert finding.code == "POSTER-EXTRA" and package in finding.message
    assert "congress-site[print]" in finding.hint
    assert finding.path == NEWS.url
