"""The export folder checked before anything is sent (generator/channels/draft.py): paths
that leave the folder, symbolic links, files changed since the export, WeChat's limits."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.channels.wechatkit import CROP_1, TITLE, Run, export, picture
from tests.wechatserver import WechatServer


def test_no_cover_no_draft(tmp_path: Path, server: WechatServer) -> None:
    Run(tmp_path, server).fails(export(tmp_path, cover=False), "WECHAT-PUSH-NO-COVER")
    assert server.requests == []


def _symlinked_image(folder: Path) -> None:
    target = folder.parent / "outside.jpg"
    (folder / "images" / "01.jpg").rename(target)
    (folder / "images" / "01.jpg").symlink_to(target)


def _symlinked_images_folder(folder: Path) -> None:
    target = folder.parent / "outside"
    (folder / "images").rename(target)
    (folder / "images").symlink_to(target)


def _huge_image(folder: Path) -> None:
    (folder / "images" / "01.jpg").write_bytes(b"\xff\xd8\xff" + b"\0" * (1 << 20))


def _long_html(folder: Path) -> None:
    html = (folder / "article.html").read_text(encoding="utf-8")
    (folder / "article.html").write_text(html.replace("（完）", "字" * 20_000), encoding="utf-8")


def _replace(name: str, old: str, new: str) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        text = (folder / name).read_text(encoding="utf-8")
        (folder / name).write_text(text.replace(old, new), encoding="utf-8")

    return change


@pytest.mark.parametrize(
    ("spoil", "code"),
    [
        pytest.param(
            _replace("article.html", "images/02.png", "../outside.png"),
            "WECHAT-PUSH-IMAGE",
            id="parent",
        ),
        pytest.param(
            _replace("article.html", "images/02.png", "images/../../x.png"),
            "WECHAT-PUSH-IMAGE",
            id="escape",
        ),
        pytest.param(
            _replace("article.html", "images/02.png", "/etc/passwd.png"),
            "WECHAT-PUSH-IMAGE",
            id="absolute",
        ),
        pytest.param(
            _replace("article.html", "images/02.png", "https://evil.test/a.png"),
            "WECHAT-PUSH-IMAGE",
            id="remote",
        ),
        pytest.param(
            _replace("article.html", "images/02.png", "images/03.png"),
            "WECHAT-PUSH-IMAGE",
            id="missing",
        ),
        pytest.param(_symlinked_image, "WECHAT-PUSH-IMAGE", id="symlink"),
        pytest.param(_symlinked_images_folder, "WECHAT-PUSH-IMAGE", id="symlinked-folder"),
        pytest.param(_huge_image, "WECHAT-PUSH-IMAGE", id="one-megabyte"),
        pytest.param(
            lambda f: (f / "images" / "02.png").write_bytes(picture("PNG", 99)),
            "WECHAT-PUSH-IMAGE",
            id="changed",
        ),
        pytest.param(
            lambda f: (f / "images" / "02.png").write_bytes(picture("GIF", 3)),
            "WECHAT-PUSH-IMAGE",
            id="not-png",
        ),
        pytest.param(_replace("meta.json", TITLE, "题" * 65), "WECHAT-PUSH-META", id="title"),
        pytest.param(
            _replace("meta.json", "听取居民", "听" * 120), "WECHAT-PUSH-META", id="digest"
        ),
        pytest.param(_replace("meta.json", CROP_1, "0.5_0_0.2_1"), "WECHAT-PUSH-META", id="crop"),
        pytest.param(
            lambda f: (f / "meta.json").write_text("{"), "WECHAT-PUSH-META", id="meta-json"
        ),
        pytest.param(
            _replace("article.html", "</section>", "</section><p>x</p>"),
            "WECHAT-PUSH-HTML",
            id="two-roots",
        ),
        pytest.param(
            _replace("article.html", "（完）", "<script>alert(1)</script>"),
            "WECHAT-PUSH-HTML",
            id="script",
        ),
        pytest.param(_long_html, "WECHAT-PUSH-HTML", id="20000-characters"),
        pytest.param(
            lambda f: (f / "cover.jpg").write_bytes(picture("PNG", 1)),
            "WECHAT-PUSH-IMAGE",
            id="cover-png",
        ),
    ],
)
def test_a_folder_off_the_contract_is_refused_before_anything_is_sent(
    tmp_path: Path, server: WechatServer, spoil: Callable[[Path], None], code: str
) -> None:
    folder = export(tmp_path)
    spoil(folder)
    error = Run(tmp_path, server).fails(folder, code)
    assert server.requests == []
    assert re.search(r"[\u4e00-\u9fff]", error.finding.message)


def test_a_folder_that_is_a_symlink_or_missing_is_refused(
    tmp_path: Path, server: WechatServer
) -> None:
    folder = export(tmp_path)
    (tmp_path / "link").symlink_to(folder)
    Run(tmp_path, server).fails(tmp_path / "link", "WECHAT-PUSH-FOLDER")
    Run(tmp_path, server).fails(tmp_path / "nowhere", "WECHAT-PUSH-FOLDER")
    assert server.requests == []
