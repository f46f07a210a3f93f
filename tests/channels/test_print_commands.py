"""`congress poster` and `congress print` on the sample newsroom (a copy: exports append to its
own record): posters' QR codes read back with zbarimg, the gazette's PDF with poppler."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.conftest import require
from tests.channels.sample import states
from tests.qr import decode_qr
from tests.sitekit import NOW, congress

pytestmark = pytest.mark.print

CLOSED = "2026-0915-424ccc"  # 养老服务条例: closed at NOW, its feedback published
FEEDBACK_URL = (
    "https://www.shilirenda.gov.cn/consultations/2026/yanglao-tiaoli-yijian-caina-qingkuang/"
)


def _tool(name: str) -> str:
    path = shutil.which(name) or f"/usr/bin/{name}"
    require(path, name, "apt-get install poppler-utils")
    return path


def _text(pdf: Path) -> str:
    done = subprocess.run(
        [_tool("pdftotext"), "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout


def _png(pdf: Path, tmp: Path) -> Path:
    subprocess.run(
        [_tool("pdftoppm"), "-r", "150", "-png", "-singlefile", str(pdf), str(tmp / "page")],
        check=True,
        timeout=60,
    )
    return tmp / "page.png"


def test_posters_of_the_open_consultations_and_of_a_closed_one(
    sample_copy: Path, tmp_path: Path
) -> None:
    out = tmp_path / "posters"
    result = congress(
        "poster", "--open-consultations", CLOSED, "--now", NOW, "--out", str(out), cwd=sample_copy
    )
    assert result.returncode == 0, result.stderr
    check = json.loads(congress("check", "--json", "--now", NOW, cwd=sample_copy).stdout)
    urls = {a["uid"]: a["url"] for a in check["articles"]}
    made = sorted(p.stem for p in out.glob("*.pdf"))
    assert CLOSED in made and len(made) >= 2
    for uid in made:
        pdf = out / f"{uid}.pdf"
        codes = decode_qr(_png(pdf, tmp_path))
        if uid == CLOSED:
            assert "已截止" in _text(pdf)
            assert codes == [FEEDBACK_URL]  # after the deadline: to the feedback article
        else:
            assert "意见截止" in _text(pdf)
            assert codes == [f"https://www.shilirenda.gov.cn/{urls[uid]}"]
    ledger = (sample_copy / "editorial/exports.jsonl").read_text(encoding="utf-8")
    assert '"channel": "poster"' in ledger


def test_a_poster_of_an_article_that_is_not_public_is_refused(
    sample_copy: Path, tmp_path: Path
) -> None:
    pending = next(u for u, s in states(sample_copy).items() if s == "pending")
    result = congress("poster", pending, "--now", NOW, "--out", str(tmp_path), cwd=sample_copy)
    assert result.returncode == 1 and "[EXPORT-NOT-PUBLIC]" in result.stderr
    assert not list(tmp_path.glob("*.pdf"))


def test_the_sample_gazette_prints_its_articles_in_order(sample_copy: Path, tmp_path: Path) -> None:
    result = congress(
        "print",
        "editions/gazette/2026-06.yml",
        "--now",
        NOW,
        "--out",
        str(tmp_path),
        cwd=sample_copy,
    )
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "gazette/2026-06.pdf"
    text = _text(pdf)
    titles = [
        "市十七届人大常委会第三十二次会议举行",
        "市人大常委会举行新闻发布会介绍第三十三次会议主要议程",
        "文明养犬有法可依",
        "市十七届人大常委会第三十一次会议闭幕",
    ]
    contents = text[text.index("目") :]
    positions = [contents.index(t) for t in titles]
    assert positions == sorted(positions)
    fonts = subprocess.run(
        [_tool("pdffonts"), str(pdf)], capture_output=True, text=True, check=True, timeout=60
    ).stdout.splitlines()[2:]
    assert fonts and all(" yes " in line for line in fonts)  # every font embedded


@pytest.mark.parametrize(
    "args", [("print", "editions/gazette/2026-06.yml"), ("poster", CLOSED)], ids=["print", "poster"]
)
def test_an_output_folder_that_is_a_link_is_refused(
    sample_copy: Path, tmp_path: Path, args: tuple[str, str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "link").symlink_to(elsewhere)
    result = congress(*args, "--now", NOW, "--out", str(tmp_path / "link"), cwd=sample_copy)
    assert result.returncode == 2 and "[WECHAT-OUT]" in result.stderr
    assert list(elsewhere.iterdir()) == []
