"""Progress of long work (issue 16, point 9): a live bar at a terminal, a bounded number of
plain lines in a log, nothing with --quiet, and nothing on stdout."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.corpus import write_corpus
from tests.sitekit import NOW, congress

pytestmark = pytest.mark.site

PLAIN = re.compile(r"^进度 (\S+)：(\d+)/(\d+)（\d+%）")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("progress") / "site"
    write_corpus(300, root)
    return root


def _progress_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("进度 ")]


def test_check_and_build_in_a_log_show_a_bounded_number_of_progress_lines(corpus: Path) -> None:
    checked = congress("check", "--now", NOW, "--json", "--no-cache", cwd=corpus)
    lines = _progress_lines(checked.stderr)
    phases = {PLAIN.match(line).group(1) for line in lines}  # type: ignore[union-attr]
    assert phases == {"读取稿件", "检查稿件"}, lines
    # At every tenth of each phase and once at its end: never one line per article.
    assert 4 <= len(lines) <= 2 * 11, lines
    assert any("完成" in line and "/300" in line for line in lines)
    assert json.loads(checked.stdout)["summary"]["published"] > 0  # stdout is the JSON alone
    built = congress("build", "--now", NOW, "--site-dir", str(corpus / "out"), cwd=corpus)
    assert built.returncode in (0, 1), built.stderr
    lines = _progress_lines(built.stderr)
    phases = {PLAIN.match(line).group(1) for line in lines}  # type: ignore[union-attr]
    assert {"读取稿件", "检查稿件", "转换正文", "生成页面"} <= phases, lines
    assert len(lines) <= 4 * 11, lines


def test_quiet_shows_no_progress(corpus: Path) -> None:
    checked = congress("check", "--now", NOW, "--json", "--quiet", cwd=corpus)
    plain = congress("check", "--now", NOW, "--json", cwd=corpus)
    assert _progress_lines(checked.stderr) == [] and checked.stderr == ""
    assert json.loads(checked.stdout) == json.loads(plain.stdout)
    audited = congress("audit", "--now", NOW, "--json", "-q", cwd=corpus)
    assert _progress_lines(audited.stderr) == []


def test_a_small_newsroom_in_a_log_shows_no_progress(corpus: Path) -> None:
    one = sorted((corpus / "content").rglob("*.md"))[0]
    reviewed = congress("review", str(one), "--stage", "first", "--by", "nobody", cwd=corpus)
    assert _progress_lines(reviewed.stderr) == []


def test_a_terminal_shows_the_live_bar(corpus: Path) -> None:
    """The command's stderr is a pseudo-terminal: rich draws the bar there (cursor movement,
    phase, count), and clears it when the phase ends."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", "check", "--now", NOW, "--no-cache", "--json"],
        cwd=corpus,
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env={**os.environ, "COLUMNS": "120", "TERM": "xterm"},
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process ended
            break
        if not chunk:
            break
        seen += chunk
    assert proc.wait(timeout=300) in (0, 1)
    os.close(leader)
    text = seen.decode("utf-8", errors="replace")
    assert "检查稿件" in text and "读取稿件" in text, text[-2000:]
    assert re.search(r"\d+/300", text), text[-2000:]
    assert "\x1b[" in text  # drawn in place, not printed line after line
    assert "进度 " not in text  # the plain log lines are for non-terminals only
