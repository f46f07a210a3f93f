"""The long image (generator/channels/longimage.py) from hand-made export folders, rendered by
the real Chromium: widths, part counts and heights, cuts between blocks, the QR code read back
with zbarimg, byte-identical renders, no network, and findings instead of tracebacks."""

from __future__ import annotations

import http.server
import itertools
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from generator.channels import chromium
from generator.channels.longimage import LongImage, LongImageError, draw, render
from tests.browser.conftest import require
from tests.channels.exports import CSS, URL, export, para, text
from tests.qr import decode_qr

BLUE = (0, 0, 255)


@pytest.fixture
def has_chromium() -> None:
    require(
        os.environ.get("CONGRESS_CHROMIUM", "/usr/bin/chromium"),
        "Chromium",
        "apt-get install chromium",
    )


def rows(part: Path, which: int) -> list[tuple[int, int, int]]:
    with Image.open(part) as im:
        rgb = im.convert("RGB")
        return [rgb.getpixel((x, which % rgb.height)) for x in range(rgb.width)]  # type: ignore[misc]


def plain(row: list[tuple[int, int, int]]) -> bool:
    """A row of the page's white ground (JPEG noise allowed): nothing drawn across it."""
    return all(min(pixel) >= 225 for pixel in row)


def sizes(result: LongImage) -> list[tuple[int, int]]:
    out = []
    for part in result.parts:
        with Image.open(part) as im:
            out.append(im.size)
    return out


# Findings, before any browser is started.


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (lambda f: (f / "meta.json").unlink(), "缺少 meta.json"),
        (lambda f: (f / "article.html").unlink(), "缺少 article.html"),
        (lambda f: (f / "meta.json").write_text("{", encoding="utf-8"), "JSON"),
        (lambda f: (f / "meta.json").write_text("[]", encoding="utf-8"), "JSON 对象"),
        (lambda f: (f / "article.html").write_bytes(b"\xff\xfe<html>"), "UTF-8"),
        (
            lambda f: (f / "article.html").write_text(
                "<html><body><section>a</section><p>b</p></body></html>", encoding="utf-8"
            ),
            "只含一个 <section>",
        ),
        (
            lambda f: (f / "meta.json").write_text(
                json.dumps({"title": "t", "site_name": "s", "content_source_url": URL}),
                encoding="utf-8",
            ),
            "column",
        ),
    ],
)
def test_a_broken_export_folder_is_a_finding(tmp_path: Path, damage: object, words: str) -> None:
    folder = export(tmp_path / "x", para(100, "#eee"))
    damage(folder)  # type: ignore[operator]
    with pytest.raises(LongImageError) as caught:
        render(folder, tmp_path / "out", css=CSS)
    assert caught.value.finding.code == "LONGIMAGE-FOLDER"
    assert words in caught.value.finding.message
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "https://", "https://a.cn/x y", "ftp://a/"])
def test_an_address_that_is_not_a_web_address_is_refused(tmp_path: Path, url: str) -> None:
    folder = export(tmp_path / "x", para(100, "#eee"), url=url)
    with pytest.raises(LongImageError) as caught:
        render(folder, tmp_path / "out", css=CSS)
    assert caught.value.finding.code == "LONGIMAGE-FOLDER"


def test_a_missing_chromium_is_a_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONGRESS_CHROMIUM", "/nonexistent")
    folder = export(tmp_path / "x", para(100, "#eee"))
    with pytest.raises(LongImageError) as caught:
        render(folder, tmp_path / "out", css=CSS)
    finding = caught.value.finding
    assert finding.code == "LONGIMAGE-NO-CHROMIUM"
    assert "/nonexistent" in finding.message
    assert "apt-get install chromium" in finding.hint and "CONGRESS_CHROMIUM" in finding.hint


def test_a_program_that_is_not_chromium_is_a_render_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONGRESS_CHROMIUM", "/bin/true")
    folder = export(tmp_path / "x", para(100, "#eee"))
    with pytest.raises(LongImageError) as caught:
        render(folder, tmp_path / "out", css=CSS)
    assert caught.value.finding.code == "LONGIMAGE-RENDER"
    assert not (tmp_path / "out").exists()


def test_a_browser_that_never_answers_is_given_up_on_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hang = tmp_path / "hang.sh"
    hang.write_text("#!/bin/sh\nexec sleep 120\n", encoding="utf-8")
    hang.chmod(0o755)
    monkeypatch.setenv("CONGRESS_CHROMIUM", str(hang))
    monkeypatch.setattr(chromium, "LAUNCH_TIMEOUT_MS", 2000)
    folder = export(tmp_path / "x", para(100, "#eee"))
    with pytest.raises(LongImageError) as caught:
        render(folder, tmp_path / "out", css=CSS)
    assert caught.value.finding.code == "LONGIMAGE-RENDER"
    assert "2000ms" in caught.value.finding.message


@pytest.mark.parametrize(("width", "max_height"), [(100, 4000), (5000, 4000), (1080, 50)])
def test_sizes_out_of_range_are_a_finding(tmp_path: Path, width: int, max_height: int) -> None:
    folder = export(tmp_path / "x", para(100, "#eee"))
    with pytest.raises(LongImageError) as caught:
        render(folder, tmp_path / "out", css=CSS, width=width, max_height=max_height)
    assert caught.value.finding.code == "LONGIMAGE-SIZE"


def test_a_destination_that_is_a_file_is_a_finding(tmp_path: Path) -> None:
    folder = export(tmp_path / "x", para(100, "#eee"))
    (tmp_path / "out").write_text("not a folder", encoding="utf-8")
    with pytest.raises(LongImageError) as caught:
        render(folder, tmp_path / "out", css=CSS)
    assert caught.value.finding.code == "LONGIMAGE-WRITE"


# Rendered by Chromium.


@pytest.mark.browser
@pytest.mark.usefixtures("has_chromium")
def test_parts_are_cut_between_blocks_and_no_taller_than_asked(tmp_path: Path) -> None:
    colours = ["#c8d8f0", "#f0d8c8", "#d0f0c8", "#e8c8f0"]
    # Each block is 480 CSS px (960 output px at 1080): no two fit in 1000 px, nor the header
    # or the foot with one of them, so each is a part of its own.
    folder = export(tmp_path / "x", "".join(para(480, c) for c in colours))
    said: list[str] = []
    result = draw(folder, tmp_path / "out", css=CSS, max_height=1000, say=said.append)
    assert [p.name for p in result.parts] == [f"{n:02d}.jpg" for n in range(1, 7)]
    assert all(w == 1080 and h <= 1000 for w, h in sizes(result))
    assert sum(h for _, h in sizes(result)) == result.height
    # The measured blocks: header, the four paragraphs, the foot; no cut inside any.
    assert len(result.blocks) == 6
    assert [b - t for t, b in result.blocks[1:5]] == [960] * 4
    for cut in result.bounds[1:-1]:
        assert not any(top < cut < bottom for top, bottom in result.blocks), cut
    # And the rows on both sides of every cut are the page's white ground.
    for upper, lower in itertools.pairwise(result.parts):
        assert plain(rows(upper, -1)) and plain(rows(lower, 0))
    assert any("6 张" in line for line in said)


@pytest.mark.browser
@pytest.mark.usefixtures("has_chromium")
def test_an_overlong_paragraph_is_cut_between_lines_and_an_overlong_picture_at_the_limit(
    tmp_path: Path,
) -> None:
    tall = '<div style="height:1400px;background:#3060c0"></div>'  # 2800 output px
    folder = export(tmp_path / "x", text(30) + tall)
    result = draw(folder, tmp_path / "out", css=CSS, max_height=1200)
    heights = [h for _, h in sizes(result)]
    assert max(heights) <= 1200
    (paragraph, _), (picture, picture_end) = result.blocks[1], result.blocks[2]
    inside_text = [c for c in result.bounds if paragraph < c < result.blocks[1][1]]
    assert len(inside_text) >= 2  # the paragraph is taller than two parts
    page = Image.new("RGB", (1080, result.height))
    y = 0
    for part in result.parts:
        with Image.open(part) as im:
            page.paste(im, (0, y))
            y += im.height
    for cut in inside_text:  # between two lines: no ink on the rows at the cut
        assert plain([page.getpixel((x, cut)) for x in range(1080)])  # type: ignore[misc]
        assert plain([page.getpixel((x, cut - 1)) for x in range(1080)])  # type: ignore[misc]
    inside_picture = [c for c in result.bounds if picture < c < picture_end]
    assert inside_picture and all(b - a == 1200 for a, b in itertools.pairwise(inside_picture))
    assert 1200 in heights


@pytest.mark.browser
@pytest.mark.usefixtures("has_chromium")
def test_the_qr_code_reads_back_as_the_address_and_renders_repeat_to_the_byte(
    tmp_path: Path,
) -> None:
    folder = export(tmp_path / "x", text(3) + '<p><img src="images/01.jpg" alt="a"></p>' + text(3))
    first = render(folder, tmp_path / "a", css=CSS, max_height=1500)
    second = render(folder, tmp_path / "b", css=CSS, max_height=1500)
    assert len(first) >= 2
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    assert decode_qr(first[-1]) == [URL]
    with Image.open(first[0]) as im:
        assert im.mode == "RGB" and im.format == "JPEG"
        assert not im.info.get("exif") and not im.info.get("icc_profile")
    # A render with fewer parts into the same folder leaves no part of the earlier one.
    again = render(folder, tmp_path / "a", css=CSS)
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == [p.name for p in again]


@pytest.mark.browser
@pytest.mark.usefixtures("has_chromium")
def test_a_width_of_750_gives_parts_750_pixels_wide_whatever_overflows(tmp_path: Path) -> None:
    wide = '<div style="width:2000px;height:40px"></div><pre>' + "x" * 300 + "</pre>"
    folder = export(tmp_path / "x", text(12) + '<p><img src="images/01.jpg" alt="a"></p>' + wide)
    parts = render(folder, tmp_path / "out", css=CSS, width=750, max_height=800)
    assert len(parts) >= 2
    for part in parts:
        with Image.open(part) as im:
            assert im.width == 750 and im.height <= 800
    assert decode_qr(parts[-1]) == [URL]


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


@pytest.mark.browser
@pytest.mark.usefixtures("has_chromium")
def test_nothing_is_fetched_from_the_network_or_from_outside_the_folder(
    tmp_path: Path, web: tuple[str, list[str]]
) -> None:
    base, seen = web
    Image.new("RGB", (400, 400), BLUE).save(tmp_path / "outside.png")
    hostile = (
        f'<p><img src="{base}/x.png" alt="n"></p>'
        f'<p style="background:url({base}/bg.png);height:40px">背景</p>'
        f'<link rel="stylesheet" href="{base}/s.css"><iframe src="{base}/frame"></iframe>'
        '<p><img src="../outside.png" alt="o"></p>'
        f'<p><img src="{(tmp_path / "outside.png").as_uri()}" alt="o"></p>'
        '<p><img src="images/02.png" alt="link"></p>'
        "<style>.cg-long__foot{display:none}</style>"
        "<script>document.body.innerHTML=''</script>"
        '<p><img src="images/01.jpg" alt="ok"></p>'
    )
    folder = export(tmp_path / "x", text(2) + hostile)
    (folder / "images" / "02.png").symlink_to(tmp_path / "outside.png")
    said: list[str] = []
    parts = render(folder, tmp_path / "out", css=CSS, say=said.append)
    assert seen == []
    colours: set[tuple[int, int, int]] = set()
    for part in parts:
        with Image.open(part) as im:
            colours |= {c for _, c in im.convert("RGB").getcolors(1 << 24) or []}  # type: ignore[misc]
    assert not any(b > 200 and r < 60 and g < 60 for r, g, b in colours)  # nothing blue
    assert any(r > 170 and g < 70 and b < 70 for r, g, b in colours)  # images/01.jpg is there
    assert decode_qr(parts[-1]) == [URL]  # the foot was not hidden
    assert any("已拦截" in line for line in said)


@pytest.mark.browser
@pytest.mark.usefixtures("has_chromium")
@pytest.mark.parametrize(
    ("body", "max_height", "words"),
    [
        ('<div style="height:45000px"></div>', 4000, "整页高"),
        (para(60, "#eee") * 150, 200, "张"),
    ],
)
def test_a_page_too_long_is_refused_before_any_part_is_written(
    tmp_path: Path, body: str, max_height: int, words: str
) -> None:
    folder = export(tmp_path / "x", body)
    with pytest.raises(LongImageError) as caught:
        render(folder, tmp_path / "out", css=CSS, max_height=max_height)
    assert caught.value.finding.code == "LONGIMAGE-TOO-LONG"
    assert words in caught.value.finding.message
    assert not (tmp_path / "out").exists()
