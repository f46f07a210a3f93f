"""`congress serve`: the preview shows unpublished articles, each with a banner and checklist."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sitekit import NOW, approve, article, draft, make_site

pytestmark = pytest.mark.site


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode("utf-8"))


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[str]:
    make_site(
        tmp_path,
        {
            "news/2026/public.md": article(uid="2026-1120-000001", title="已发布稿件"),
            "news/2026/pending.md": approve(
                draft(uid="2026-1120-000002", title="待审稿件"), skip=("secrecy", "final")
            ),
            "news/2026/wrong.md": approve(
                draft(uid="2026-1120-000003", title="签错稿件"), final="proc"
            ),
        },
    )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--now", NOW, "-a", f"127.0.0.1:{port}"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(150):
            try:
                fetch(base)
                break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None:
                    pytest.fail(f"serve exited: {server.stdout.read() if server.stdout else ''}")
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_preview_shows_unpublished_articles_with_banner_and_checklist(preview: str) -> None:
    pending = fetch(preview + "news/2026/pending/")
    assert "未经审核，不得公开发布" in pending
    assert "当前状态：待审" in pending
    assert "✔</span> 初审" in pending and "✘</span> 保密审查：未签署" in pending
    assert "✘</span> 终审：未签署" in pending
    wrong = fetch(preview + "news/2026/wrong/")
    assert "当前状态：无效" in wrong and "GATE-FINAL-ROLE" in wrong
    public = fetch(preview + "news/2026/public/")
    assert "未经审核" not in public
    listing = fetch(preview + "news/")
    assert (
        "已发布稿件" in listing and "待审稿件" not in listing
    )  # listings show what would be public
