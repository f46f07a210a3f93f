"""The other channels attacked (a red-team review of issue 17): each test states the invariant
it holds the code to, and each failed on the reviewed commit: Ghostscript run on a picture
named .jpg, a small SVG that hung CairoSVG, the export record as a link, a pipe, nested JSON
or over its limit, the approval digest of the text alone, bdo reordering, long images through
a symlink, a space in the address."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from generator.core.config import load_site
from generator.load import exports as ledger
from tests.browser.conftest import require
from tests.channels.exports import CSS, export, para
from tests.sitekit import NOW, article, congress, make_site

UID = "2026-1120-aaaaa1"


def _png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), colour).save(out, "PNG")
    return out.getvalue()


def _site(root: Path, picture: bytes = b"", name: str = "images/photo.png") -> Path:
    body = f"第一段。\n\n![照片]({name})\n\n最后一段。\n"
    return make_site(
        root,
        {"news/2026/a.md": article(body, uid=UID, title="稿件")},
        assets={f"news/2026/{name}": picture or _png((200, 0, 0))},
    )


def _run(root: Path, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """The real command with a hard time limit (a hang fails the test, never the suite)."""
    try:
        return subprocess.run(
            [sys.executable, "-m", "generator", *args],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"congress {args[0]} still running after {timeout:g} s")


# Pictures: Pillow must only decode what a browser shows; CairoSVG must finish.


def test_a_postscript_file_named_like_a_photo_is_never_run(tmp_path: Path) -> None:
    """Pillow opens by content: PostScript in `photo.jpg` goes to Ghostscript, which runs it
    (and may write files under the temporary folder, among other things)."""
    marker = tmp_path / "ran-by-ghostscript"
    eps = (
        "%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\n"
        f"({marker}) (w) file closefile\nnewpath 0 0 moveto 100 100 lineto stroke\nshowpage\n"
    ).encode()
    root = _site(tmp_path / "site", eps, "images/photo.jpg")
    result = congress("wechat", UID, "--out", str(tmp_path / "out"), "--now", NOW, cwd=root)
    assert not marker.exists(), "Ghostscript ran the article's picture"
    assert "[WECHAT-IMAGE-UNREADABLE]" in result.stderr  # not a JPEG: refused, never decoded


def _use_bomb(levels: int = 5, fan: int = 10) -> bytes:
    """A 1.4 kB static drawing (the gate passes it) that draws one line of text 10^5 times."""
    groups = ['<g id="l0"><text x="0" y="20" font-size="20">' + "人大代表" * 30 + "</text></g>"]
    for i in range(1, levels + 1):
        groups.append(f'<g id="l{i}">' + f'<use href="#l{i - 1}"/>' * fan + "</g>")
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="1000"><defs>'
        + "".join(groups)
        + f'</defs><use href="#l{levels}"/></svg>'
    ).encode()


def test_a_drawing_that_passes_the_gate_cannot_hang_the_export(tmp_path: Path) -> None:
    from generator.gate.rules.attachments import svg_activity

    bomb = _use_bomb()
    assert svg_activity(bomb) is None  # a "static drawing" for the gate and the site
    root = _site(tmp_path / "site", bomb, "images/chart.svg")
    result = _run(root, "wechat", UID, "--out", str(tmp_path / "out"), "--now", NOW, timeout=90)
    assert "Traceback" not in result.stderr
    assert "[WECHAT-IMAGE-UNREADABLE]" in result.stderr


# The ledger: a bad file is a finding, never a traceback or a hang, in wechat and in audit.


def _exported(root: Path, tmp_path: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return _run(root, "wechat", UID, "--out", str(tmp_path / "out"), "--now", NOW, timeout=timeout)


def test_a_ledger_that_is_a_symlink_is_a_finding_not_a_traceback(tmp_path: Path) -> None:
    root = _site(tmp_path / "site")
    target = tmp_path / "elsewhere.jsonl"
    target.write_text("", encoding="utf-8")
    (root / "editorial" / "exports.jsonl").symlink_to(target)
    result = _exported(root, tmp_path)
    assert "Traceback" not in result.stderr, result.stderr[-600:]
    assert target.read_text(encoding="utf-8") == ""
    audit = congress("audit", "--json", "--now", NOW, cwd=root)
    codes = [f["code"] for f in json.loads(audit.stdout)["findings"]]
    assert "AUDIT-EXPORT-LEDGER" in codes, "a ledger replaced by a link hides every export"


def test_a_ledger_that_is_a_named_pipe_does_not_hang_the_export(tmp_path: Path) -> None:
    root = _site(tmp_path / "site")
    os.mkfifo(root / "editorial" / "exports.jsonl")
    result = _exported(root, tmp_path, timeout=60)  # open(O_WRONLY) waits for a reader
    assert "Traceback" not in result.stderr


def test_a_deeply_nested_ledger_line_does_not_break_the_audit(tmp_path: Path) -> None:
    root = _site(tmp_path / "site")
    (root / "editorial" / "exports.jsonl").write_text(
        "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8"
    )
    result = congress("audit", "--json", "--now", NOW, cwd=root)
    assert "Traceback" not in result.stderr, result.stderr[-400:]
    codes = [f["code"] for f in json.loads(result.stdout)["findings"]]
    assert "AUDIT-EXPORT-LEDGER" in codes


def test_the_newest_records_are_read_when_the_ledger_outgrows_its_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records are appended: reading the first MAX_BYTES drops the newest ones, so padding the
    file hides every later export from the audit (with a warning of "1 line" unreadable)."""
    root = _site(tmp_path / "site")
    site = load_site(root / "mkdocs.yml")
    monkeypatch.setattr(ledger, "MAX_BYTES", 4096)
    path = ledger.ledger_path(site)
    path.write_text("x" * 5000 + "\n", encoding="utf-8")
    ledger.record(site, ledger.Export("wechat", "newest", "t", "https://x/", "", NOW))
    assert [e.uid for e in ledger.exports(site).entries] == ["newest"]


# What the export says it carries, and what the audit compares.


def test_the_approval_digest_is_the_one_the_final_sign_off_bound(tmp_path: Path) -> None:
    """The contract: meta.json's approval_digest is the digest the final sign-off bound (text
    and files). It is the text's digest alone, which no sign-off of an article with pictures
    carries."""
    root = _site(tmp_path / "site")
    out = tmp_path / "out"
    assert congress("wechat", UID, "--out", str(out), "--now", NOW, cwd=root).returncode == 0
    meta = json.loads((out / UID / "meta.json").read_text(encoding="utf-8"))
    text = (root / "content/news/2026/a.md").read_text(encoding="utf-8")
    final = next(line for line in text.splitlines() if line.strip().startswith("final:"))
    assert meta["approval_digest"] in final, "not the digest the final sign-off bound"


def test_a_picture_replaced_and_approved_again_is_named_by_the_audit(tmp_path: Path) -> None:
    """The ledger keeps the text's digest only: the same words with another picture, approved
    again, are never AUDIT-EXPORT-CHANGED, though the 公众号 still shows the old picture."""
    root = _site(tmp_path / "site")
    assert (
        congress("wechat", UID, "--out", str(tmp_path / "o"), "--now", NOW, cwd=root).returncode
        == 0
    )
    _site(root, _png((0, 0, 200)))  # the same words, another picture, approved again
    audit = congress("audit", "--json", "--now", NOW, cwd=root)
    codes = [f["code"] for f in json.loads(audit.stdout)["findings"]]
    assert "AUDIT-EXPORT-CHANGED" in codes


def test_text_the_page_shows_reordered_is_not_exported_in_another_order(tmp_path: Path) -> None:
    """`<bdo dir="rtl">9:1</bdo>` reads 1:9 on the site page (the site keeps bdo and dir); the
    export drops the element and WeChat shows 9:1. Either the order the page shows, or a
    finding: never a silent change of what the reader sees."""
    body = '表决结果：赞成与反对之比为 <bdo dir="rtl">9:1</bdo>。\n'
    root = make_site(tmp_path / "site", {"news/2026/a.md": article(body, uid=UID, title="表决")})
    out = tmp_path / "out"
    result = congress("wechat", UID, "--out", str(out), "--now", NOW, cwd=root)
    if result.returncode == 0:
        html = (out / UID / "article.html").read_text(encoding="utf-8")
        assert "1:9" in html or 'dir="rtl"' in html, "WeChat would show 9:1"


# Nothing written outside --out.


def test_longimage_never_writes_through_a_symlink_in_out(tmp_path: Path) -> None:
    require(os.environ.get("CONGRESS_CHROMIUM", "/usr/bin/chromium"), "Chromium")
    root = _site(tmp_path / "site")
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "05.jpg").write_bytes(b"someone else's file")
    out = tmp_path / "out"
    out.mkdir()
    (out / UID).symlink_to(victim)
    result = _run(root, "longimage", UID, "--out", str(out), "--now", NOW, timeout=180)
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in victim.iterdir()) == ["05.jpg"], "written outside --out"


def test_render_refuses_a_destination_that_is_a_symlink(tmp_path: Path) -> None:
    """The same at the library level, before Chromium starts (LONGIMAGE-WRITE)."""
    from generator.channels.longimage import LongImageError, render

    folder = export(tmp_path / "x", para(100, "#eee"))
    victim = tmp_path / "victim"
    victim.mkdir()
    (tmp_path / "link").symlink_to(victim)
    with pytest.raises(LongImageError) as caught:
        render(folder, tmp_path / "link", css=CSS)
    assert caught.value.finding.code == "LONGIMAGE-WRITE"
    assert list(victim.iterdir()) == []


def test_an_address_with_a_space_is_exported_as_a_web_address(tmp_path: Path) -> None:
    """A file name with a space is published (ART-SLUG is a warning), but meta.json gets the
    address with a raw space: longimage and --push then refuse the export the command just
    wrote, and the finding names a temporary folder already deleted."""
    root = make_site(
        tmp_path / "site", {"news/2026/人大 会议.md": article("正文。", uid=UID, title="空格")}
    )
    out = tmp_path / "out"
    assert congress("wechat", UID, "--out", str(out), "--now", NOW, cwd=root).returncode == 0
    meta = json.loads((out / UID / "meta.json").read_text(encoding="utf-8"))
    url = meta["content_source_url"]
    assert " " not in url, url
