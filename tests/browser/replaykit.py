"""A small site with an illustrated article published, corrected and withdrawn, its web archive,
and `congress archive serve` (pywb) over it: shared by tests/browser/test_archive_replay.py and
the README's picture (tests/browser/replayshots.py)."""

from __future__ import annotations

import os
import signal
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.sitekit import approve, article, congress, draft, make_site, seal_files

T1 = "2026-11-21T09:00:00+08:00"
T2 = "2026-11-23T09:00:00+08:00"
T3 = "2026-11-25T09:00:00+08:00"
STAMPS = ("20261121010000", "20261123010000", "20261125010000")  # T1, T2, T3 in UTC
SITE = "https://www.example.gov.cn/"
URL = SITE + "news/2026/x/"
TITLE = "全市立法联系点建设情况"
V1 = "第一版正文：全市共有立法联系点十二个。"
V2 = "更正后的正文：全市共有立法联系点十四个。"
BODY = (
    "{text}\n\n![基层立法联系点座谈会现场](../../assets/lianxidian.png)\n\n联系点听取群众意见。\n"
)
CORRECTION = [{"at": "2026-11-22T10:00:00+08:00", "note": "立法联系点数量由十二个更正为十四个。"}]
WITHDRAWN = {"at": "2026-11-24T10:00:00+08:00", "reason": "所涉数据正在重新核实。"}
OTHER = {"news/2026/y.md": article("另一篇稿件的正文。\n", uid="2026-1120-bbbbbb", title="另一篇")}


def png(width: int, height: int) -> bytes:
    """A real picture (stripes of the site's red and gold), without an imaging library."""
    rows = b"".join(
        b"\x00"
        + b"".join(
            bytes((178, 34, 34) if (x // 20 + y // 20) % 2 else (230, 184, 0)) for x in range(width)
        )
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


IMAGE = png(320, 160)


def build(root: Path, now: str) -> None:
    done = congress("build", "--now", now, cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr


def history_site(root: Path) -> Path:
    """Published at T1 (V1), corrected at T2 (V2), withdrawn with a notice at T3; the archive
    holds the three publications. No web fonts from another origin, as the sample site."""
    body = BODY.format(text=V1)
    root = make_site(
        root,
        {"news/2026/x.md": article(body, title=TITLE), **OTHER},
        assets={"assets/lianxidian.png": IMAGE},
    )
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("  language: zh\n", "  language: zh\n  font: false\n", 1)
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    source = root / "content/news/2026/x.md"
    build(root, T1)
    corrected = BODY.format(text=V2)
    source.write_text(article(corrected, title=TITLE, corrections=CORRECTION), encoding="utf-8")
    seal_files(root)
    build(root, T2)
    gone = draft(corrected, title=TITLE, corrections=CORRECTION, withdrawn=WITHDRAWN)
    source.write_text(approve(gone), encoding="utf-8")
    seal_files(root)
    build(root, T3)
    assert len(list((root / "archive").glob("*/*.warc.gz"))) == 3
    return root


@dataclass
class Serving:
    process: subprocess.Popen[str]
    base: str  # http://127.0.0.1:port/
    output: list[str]

    def replay(self, url: str, stamp: str, mod: str = "") -> str:
        return f"{self.base}site/{stamp}{mod}/{url}"


@contextmanager
def serving(root: Path, port: int, *args: str, tmp: Path | None = None) -> Iterator[Serving]:
    """`congress archive serve` for the site in `root` on `port`, waited for; stopped (SIGINT,
    as Ctrl+C) after, and no process of it left behind. `tmp`: its temporary folder's place."""
    env = {**os.environ, "TMPDIR": str(tmp)} if tmp is not None else None
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "archive", "serve", "--port", str(port), *args],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    served = Serving(process, f"http://127.0.0.1:{port}/", [])
    try:
        _wait(served)
        yield served
    finally:
        children = descendants(process.pid)
        process.send_signal(signal.SIGINT)
        try:
            rest = process.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            process.kill()
            rest = process.communicate()[0]
        served.output.append(rest)
        for pid in children:
            assert not alive(pid), f"pywb (pid {pid}) outlived `congress archive serve`"


def _wait(served: Serving) -> None:
    """Until the command says where to look (it does once pywb answers)."""
    assert served.process.stdout is not None
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        line = served.process.stdout.readline()
        if not line:
            raise AssertionError("serve ended: " + "".join(served.output))
        served.output.append(line)
        if "Ctrl+C" in line:
            return
    raise AssertionError("serve did not start: " + "".join(served.output))


def descendants(pid: int) -> list[int]:
    """Every process under `pid` (from /proc), children first."""
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            kids = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            continue
        found += [int(k) for k in kids]
        todo += [int(k) for k in kids]
    return found


def alive(pid: int) -> bool:
    """Whether `pid` still runs (a zombie waiting for its parent's wait counts as ended)."""
    for _ in range(50):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return False
        if state in ("Z", "X"):
            return False
        time.sleep(0.1)
    return True


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    """GET without a proxy and without compression: status, headers, body."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=30) as answer:
            return answer.status, dict(answer.headers.items()), answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers.items()), exc.read()
