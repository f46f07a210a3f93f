"""`congress serve`: the preview shows unpublished articles, each with a banner and checklist."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sitekit import approve, article, draft, make_site, previewing

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
    with previewing(tmp_path, f"127.0.0.1:{port}", f"http://127.0.0.1:{port}/") as base:
        yield base


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


def test_preview_refuses_an_address_beyond_this_machine(tmp_path: Path) -> None:
    """The preview shows drafts: 0.0.0.0 (every interface) is refused with a code, exit 2,
    before anything listens."""
    make_site(tmp_path, {"news/2026/public.md": article(uid="2026-1120-000001")})
    port = free_port()
    done = subprocess.run(
        [sys.executable, "-m", "generator", "serve", "-a", f"0.0.0.0:{port}"],
        cwd=tmp_path,
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "[SERVE-REMOTE]" in done.stderr and "--allow-remote" in done.stderr
    assert "Traceback" not in done.stderr


def test_preview_on_a_remote_address_only_when_asked_and_with_a_warning(tmp_path: Path) -> None:
    make_site(tmp_path, {"news/2026/public.md": article(uid="2026-1120-000001")})
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--allow-remote", "-a", f"0.0.0.0:{port}"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "FORCE_COLOR": "1"},
    )
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        assert "警告 [SERVE-REMOTE]" in first and f"0.0.0.0:{port}" in first
        for _ in range(150):  # and it does serve
            try:
                fetch(f"http://127.0.0.1:{port}/")
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, server.stdout.read()
                time.sleep(0.2)
        else:
            pytest.fail("serve --allow-remote did not answer")
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_preview_on_loopback_needs_no_flag() -> None:
    from generator.core.hosts import loopback as _loopback_only

    assert _loopback_only("127.0.0.1") and _loopback_only("::1") and _loopback_only("localhost")
    assert not _loopback_only("0.0.0.0") and not _loopback_only("::")
    assert not _loopback_only("192.0.2.1")


def test_every_rebuild_of_the_preview_judges_at_its_now(tmp_path: Path) -> None:
    """`serve --now` reaches the plugin through the command's request, which every rebuild
    (mkdocs loads the configuration again) takes up, not through the environment."""
    late = "2199-01-01T00:00:00+08:00"
    expiring = article(
        uid="2026-1120-000004", title="到期稿件", expires_at="2198-01-01T00:00:00+08:00"
    )
    make_site(tmp_path, {"news/2026/expiring.md": expiring})
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    env = {k: v for k, v in os.environ.items() if k != "CONGRESS_NOW"}
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--now", late, "-a", f"127.0.0.1:{port}"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        page = _wait_for(server, base + "news/2026/expiring/")
        assert "当前状态：已过期" in page
        (tmp_path / "content/news/2026/added.md").write_text(
            draft(uid="2026-1120-000005", title="新增稿件"), encoding="utf-8"
        )
        assert "新增稿件" in _wait_for(server, base + "news/2026/added/")  # rebuilt
        assert "当前状态：已过期" in fetch(base + "news/2026/expiring/")
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_for(server: subprocess.Popen[bytes], url: str) -> str:
    for _ in range(300):  # a slow machine builds the preview first
        try:
            return fetch(url)
        except (urllib.error.URLError, ConnectionError):
            assert server.poll() is None, "serve exited"
            time.sleep(0.2)
    pytest.fail(f"no answer at {url}")
