"""`congress archive serve`: pywb replays the web archive in Chromium as it was published.

An illustrated article is published (T1), corrected (T2) and withdrawn (T3); the replay of the
first publication shows the first text with its picture, read from the archive through pywb,
the second the corrected text, the third the withdrawal notice, whatever the content is today.
The command refuses what it cannot do with a finding, and leaves no pywb process behind."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.archive.replay import ReplayError, interpreter
from tests.browser.conftest import free_port
from tests.browser.replaykit import (
    SITE,
    STAMPS,
    URL,
    V1,
    V2,
    Serving,
    fetch,
    history_site,
    serving,
)
from tests.sitekit import ROOT, article, congress, make_site

pytestmark = pytest.mark.browser


def require_pywb() -> None:
    try:
        interpreter(ROOT)
        return
    except ReplayError:
        pass
    message = "pywb not installed (make .venv-archive/.installed-stamp, or the [archive] extra)"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{message}: the Makefile installs it")
    pytest.skip(message)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_pywb()
    return history_site(tmp_path_factory.mktemp("replay") / "site")


@pytest.fixture(scope="module")
def replay(history: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serving]:
    tmp = tmp_path_factory.mktemp("replay-tmp")
    at = ("--at", "2026-11-22T09:00:00+08:00")
    with serving(history, free_port(), "news/2026/x/", *at, tmp=tmp) as s:
        made = list(tmp.iterdir())
        assert [p.name[:16] for p in made] == ["congress-replay-"]
        config = (made[0] / "config.yaml").read_text(encoding="utf-8")
        assert str(made[0] / "archive" / "index.cdxj") in config
        yield s
    assert "Traceback" not in "".join(s.output)
    assert "网页归档回放已停止" in "".join(s.output)
    assert list(tmp.iterdir()) == []  # pywb's configuration removed with it
    assert not list((history / "archive").glob("**/*.tmp"))


def test_serve_prints_the_address_of_the_version_public_at_the_time(replay: Serving) -> None:
    said = "".join(replay.output)
    assert replay.replay(URL, STAMPS[0]) in said
    assert "北京时间 2026-11-21 09:00:00 发布时的样子" in said
    assert replay.replay(URL, "*") in said
    assert "Ctrl+C" in said


def page_in_replay(browser: object, replay: Serving, stamp: str) -> tuple[object, object, list]:
    """The framed replay (pywb's banner above the page) as a person opens it: the page, the
    archived page's frame, and every request that did not go to pywb."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    elsewhere: list[str] = []
    page.on("request", lambda r: r.url.startswith(replay.base) or elsewhere.append(r.url))
    page.goto(replay.replay(URL, stamp), wait_until="networkidle")
    frame = next(f for f in page.frames if f"/site/{stamp}mp_/{URL}" in f.url)
    frame.wait_for_selector("article img", state="attached")
    frame.wait_for_function("() => [...document.images].every(i => i.complete)")
    return page, frame, elsewhere


def test_the_first_version_replays_with_its_picture(browser: object, replay: Serving) -> None:
    page, frame, elsewhere = page_in_replay(browser, replay, STAMPS[0])
    try:
        text = frame.inner_text("article")  # type: ignore[attr-defined]
        assert V1 in text
        assert V2 not in text
        image = frame.eval_on_selector(  # type: ignore[attr-defined]
            "article img", "i => [i.naturalWidth, i.naturalHeight, i.currentSrc]"
        )
        assert image[:2] == [320, 160]
        assert image[2] == replay.replay(SITE + "assets/lianxidian.png", STAMPS[0], "im_")
        assert elsewhere == []
    finally:
        page.context.close()  # type: ignore[attr-defined]


def test_the_corrected_version_replays_at_its_own_time(browser: object, replay: Serving) -> None:
    # The picture did not change: the second publication holds a revisit record of it,
    # which pywb resolves to the first capture's bytes.
    page, frame, elsewhere = page_in_replay(browser, replay, STAMPS[1])
    try:
        text = frame.inner_text("article")  # type: ignore[attr-defined]
        assert V2 in text
        assert V1 not in text
        assert "立法联系点数量由十二个更正为十四个。" in text
        width = frame.eval_on_selector("article img", "i => i.naturalWidth")  # type: ignore[attr-defined]
        assert width == 320
        assert elsewhere == []
    finally:
        page.context.close()  # type: ignore[attr-defined]


def test_the_withdrawal_replays_as_the_notice_the_public_saw(replay: Serving) -> None:
    status, headers, body = fetch(replay.replay(URL, STAMPS[2], "mp_"))
    assert status == 200
    text = body.decode("utf-8")
    assert "所涉数据正在重新核实。" in text
    assert V2 not in text
    assert V1 not in text
    # The archived policy is kept for the record; pywb serves its own, which lets its
    # replay scripts run around the archived page.
    assert "default-src 'self'" in headers["X-Archive-Orig-Content-Security-Policy"]
    assert "'unsafe-inline'" in headers["Content-Security-Policy"]
    assert headers["Memento-Datetime"] == "Wed, 25 Nov 2026 01:00:00 GMT"


def test_a_capture_is_served_byte_for_byte(history: Path, replay: Serving) -> None:
    status, headers, body = fetch(replay.replay(SITE + "assets/lianxidian.png", STAMPS[0], "id_"))
    assert status == 200
    assert headers["Content-Type"] == "image/png"
    assert body == (history / "content/assets/lianxidian.png").read_bytes()


# What the command refuses, each with a finding and no traceback.


def refused(done: subprocess.CompletedProcess[str], code: str, exit_code: int) -> None:
    assert done.returncode == exit_code, done.stdout + done.stderr
    assert f"[{code}]" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_without_pywb_the_extra_is_named(history: Path, tmp_path: Path) -> None:
    shadow = tmp_path / "shadow" / "pywb"  # an empty package in front of the real one
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(shadow.parent)}
    env.pop("CONGRESS_PYWB_PYTHON", None)
    done = congress("archive", "serve", "--port", str(free_port()), cwd=history, env=env)
    refused(done, "ARCHIVE-REPLAY-MISSING", 2)
    assert ".[archive]" in done.stderr


def test_an_empty_archive_is_a_finding(tmp_path: Path) -> None:
    require_pywb()
    root = make_site(tmp_path / "site", {"news/2026/x.md": article()})
    done = congress("archive", "serve", "--port", str(free_port()), cwd=root)
    refused(done, "ARCHIVE-REPLAY-EMPTY", 1)
    assert not (root / "archive").exists()


def test_a_time_before_the_first_publication_is_a_finding(history: Path) -> None:
    done = congress("archive", "serve", "--at", "2026-11-01T00:00:00+08:00", cwd=history)
    refused(done, "ARCHIVE-REPLAY-BEFORE", 1)
    assert "2026-11-21 09:00:00" in done.stderr


@pytest.mark.parametrize("bind", ["0.0.0.0", "192.0.2.1", "::"])
def test_an_address_beyond_this_machine_is_refused(history: Path, bind: str) -> None:
    done = congress("archive", "serve", "--bind", bind, cwd=history)
    refused(done, "ARCHIVE-REPLAY-REMOTE", 2)


def test_a_port_in_use_is_a_finding(history: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = congress("archive", "serve", "--port", str(port), cwd=history)
    refused(done, "ARCHIVE-REPLAY-ADDRESS", 2)


def test_pywb_ends_with_the_command_however_it_ends(history: Path, tmp_path: Path) -> None:
    """Killed outright (no chance to stop pywb), the command takes pywb with it; pywb dying
    on its own ends the command with a finding."""
    from tests.browser.replaykit import alive, descendants

    port = free_port()
    with serving(history, port, tmp=tmp_path) as s:
        pywb = descendants(s.process.pid)
        assert pywb
        s.process.kill()
        s.process.wait(timeout=10)
        for pid in pywb:
            assert not alive(pid)
    with serving(history, free_port(), tmp=tmp_path) as s:
        for pid in descendants(s.process.pid):
            os.kill(pid, 9)
        assert s.process.wait(timeout=30) == 1
    said = "".join(s.output)
    assert "[ARCHIVE-REPLAY-FAILED]" in said
    assert "被信号 9 终止" in said
    assert "Traceback" not in said


def test_ctrl_c_stops_the_replay_even_when_started_with_sigint_ignored(history: Path) -> None:
    import signal
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "archive", "serve", "--port", str(free_port())],
        cwd=history,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),  # noqa: PLW1509
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if "按 Ctrl+C 停止回放" in line:
                break
        process.send_signal(signal.SIGINT)
        rest = process.communicate(timeout=60)[0]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0
    assert "网页归档回放已停止" in rest
