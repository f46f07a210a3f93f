"""Replaying the web archive with pywb, Webrecorder's replay system (`congress archive serve`).

pywb runs as a child process over the archive as it is: one collection, `site`, whose index is
the archive's own index.cdxj (kept by generator/archive/sync.py) and whose WARC files are read
where they lie. Its configuration is generated into a temporary folder, together with a link
to the archive folder, so that no path of the archive is ever read by pywb as a template
(`{coll}`, `*`, `${VAR}` mean something in its paths); nothing is copied, and pywb is started
without recording, proxy mode, live web or auto-indexing: it writes nothing into the archive.

The child ends with this process: it asks the kernel to be killed when its parent ends
(generator/build/children.py), runs in its own session so that a Ctrl+C at the terminal
reaches this process only (which then stops it, bounded), and a child that dies on its own
ends the command with a finding and the last lines of its log.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from generator.archive.records import timestamp
from generator.archive.store import Archive
from generator.build.children import bound_to_me, stop
from generator.core.clock import china
from generator.core.findings import Code, Finding, Severity
from generator.core.hosts import url_host

COLLECTION = "site"
STARTUP_SECONDS = 60.0  # pywb imports gevent and its templates: a few seconds on a slow runner
LOG_LINES = 15

ARCHIVE_REPLAY_MISSING = Code(
    "ARCHIVE-REPLAY-MISSING",
    Severity.ERROR,
    "未安装网页归档回放工具 pywb（{problem}）。",
    "在项目目录运行 make .venv-archive/.installed-stamp（pywb 装在它自己的环境中），"
    "或 pip install -e '.[archive]'；也可用 CONGRESS_PYWB_PYTHON 指定装有 pywb 的 Python。",
)
ARCHIVE_REPLAY_EMPTY = Code(
    "ARCHIVE-REPLAY-EMPTY",
    Severity.ERROR,
    "网页归档 {path} 中还没有任何一次发布，无可回放。",
    "网站发布（congress build 构建 mkdocs.yml 中的 site_dir）后会自动写入归档。",
)
ARCHIVE_REPLAY_BEFORE = Code(
    "ARCHIVE-REPLAY-BEFORE",
    Severity.ERROR,
    "{at} 时网站尚未发布：网页归档中最早的一次发布在 {first}（北京时间）。",
    "--at 给出此后的时间，或不加 --at 回放最近一次发布。",
)
ARCHIVE_REPLAY_REMOTE = Code(
    "ARCHIVE-REPLAY-REMOTE",
    Severity.ERROR,
    "拒绝回放：{host} 不是本机地址，网络上的其他计算机也能看到归档（包括已撤回、已下线的稿件）。",
    "用 --bind 127.0.0.1；确需他人访问时加 --allow-remote。",
)
ARCHIVE_REPLAY_ADDRESS = Code(
    "ARCHIVE-REPLAY-ADDRESS",
    Severity.ERROR,
    "网页归档回放无法在 {address} 上监听：{problem}",
    "换一个端口（如 --port 8081），或先停止占用该端口的程序。",
)
ARCHIVE_REPLAY_FAILED = Code(
    "ARCHIVE-REPLAY-FAILED",
    Severity.ERROR,
    "网页归档回放服务（pywb）未能运行：{problem}",
    "按上面 pywb 的输出检查其安装（pip install -e '.[archive]'）后重试。",
)


class ReplayError(Exception):
    """The replay cannot start or went down: a Chinese finding and the exit code."""

    def __init__(self, finding: Finding, exit_code: int = 1, log: str = "") -> None:
        super().__init__(finding.message)
        self.finding = finding
        self.exit_code = exit_code
        self.log = log


PYWB_PYTHON = "CONGRESS_PYWB_PYTHON"
# pywb pins old releases of pyOpenSSL (and so of cryptography), Werkzeug and redis: the
# Makefile keeps it in its own environment, beside the project, so that the signatures are
# checked with a current cryptography. Any interpreter that has it will do.
ARCHIVE_VENV = ".venv-archive"
_ASK = "import importlib.metadata as m, pywb.apps.cli; print(m.version('pywb'))"


def interpreter(root: Path) -> tuple[str, str]:
    """A Python that has pywb, and pywb's version: CONGRESS_PYWB_PYTHON, this one, the
    .venv-archive beside this one's environment (as the Makefile makes them), or the site's;
    ReplayError (exit 2) when none has a usable pywb."""
    named = os.environ.get(PYWB_PYTHON)
    beside = Path(sys.prefix).parent / ARCHIVE_VENV / "bin" / "python"
    here = root / ARCHIVE_VENV / "bin" / "python"
    candidates = [named] if named else [sys.executable, str(beside), str(here)]
    problem = "找不到 pywb 模块"
    for python in candidates:
        if not Path(python).is_file():
            continue
        try:
            done = subprocess.run(
                [python, "-P", "-c", _ASK],
                check=False,
                capture_output=True,
                text=True,
                timeout=120,
                stdin=subprocess.DEVNULL,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        version = done.stdout.strip()
        if done.returncode != 0 or not version:
            continue
        if not version.startswith("2."):
            problem = f"已安装的是 {version}，本工具按 pywb 2.x 生成配置"
            continue
        return python, version
    raise ReplayError(ARCHIVE_REPLAY_MISSING.at("", None, problem=problem), 2)


def publications(archive: Archive) -> list[str]:
    """The 14-digit timestamp of every publication in the archive (its WARC files' names)."""
    stamps = {w.rsplit("/", 1)[-1].split(".", 1)[0] for w in archive.warcs()}
    return sorted(s for s in stamps if len(s) == 14 and s.isdigit())


def moment(archive: Archive, at: datetime | None, shown: str) -> str:
    """The publication that was public at `at` (the latest at or before it; the latest of all
    without `at`). pywb replays the capture *closest* to an address's time, before or after:
    an address at a publication's own time shows exactly what that publication served."""
    stamps = publications(archive)
    if not stamps:
        path = str(archive.root)
        raise ReplayError(ARCHIVE_REPLAY_EMPTY.at(path, None, path=shown), 1)
    if at is None:
        return stamps[-1]
    cut = timestamp(at)
    earlier = [s for s in stamps if s <= cut]
    if not earlier:
        first = f"{moment_of(stamps[0]):%Y-%m-%d %H:%M:%S}"
        shown_at = f"{china(at):%Y-%m-%d %H:%M:%S}"
        raise ReplayError(ARCHIVE_REPLAY_BEFORE.at("", None, at=shown_at, first=first), 1)
    return earlier[-1]


def moment_of(stamp: str) -> datetime:
    """A 14-digit UTC timestamp as China time."""
    return china(datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC))


def config(folder: Path, archive_root: Path) -> dict[str, object]:
    """pywb's configuration for replaying `archive_root`, written to folder/config.yaml."""
    link = folder / "archive"
    link.symlink_to(archive_root.resolve(), target_is_directory=True)
    settings: dict[str, object] = {
        # No folder of collections: the one below is all there is, and nothing is
        # discovered, indexed or recorded.
        "collections_root": str(folder / "no-collections"),
        "enable_auto_colls": False,
        "collections": {
            COLLECTION: {
                "index": {"type": "file", "path": str(link / "index.cdxj")},
                "archive_paths": str(link) + "/",
            }
        },
        # pywb's banner above the page, naming the capture's time; its calendar of captures.
        "framed_replay": True,
        "enable_memento": True,
    }
    # As JSON, which YAML reads as it is: every string quoted, so that pywb's loader (which
    # expands ${VAR} in plain scalars) takes each path literally.
    text = "# Written by `congress archive serve` for this run only.\n"
    (folder / "config.yaml").write_text(text + json.dumps(settings, indent=2) + "\n", "utf-8")
    return settings


@dataclass
class Replay:
    process: subprocess.Popen[bytes]
    base: str  # http://host:port/
    folder: Path

    def address(self, url: str, stamp: str | None = None) -> str:
        """The replay address of `url` as of a publication (`*`: the list of its captures)."""
        return f"{self.base}{COLLECTION}/{stamp}/{url}" if stamp else f"{self.base}{COLLECTION}/"

    def log(self) -> str:
        try:
            lines = (self.folder / "pywb.log").read_text("utf-8", "replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-LOG_LINES:])

    def wait(self) -> int:
        """Until pywb ends: its exit code."""
        return self.process.wait()


@contextmanager
def replaying(archive_root: Path, host: str, port: int, python: str) -> Iterator[Replay]:
    """pywb serving the archive on host:port until the block ends (then stopped, bounded)."""
    _free(host, port)
    folder = Path(tempfile.mkdtemp(prefix="congress-replay-"))
    try:
        config(folder, archive_root)
        env = {**os.environ, "PYWB_CONFIG_FILE": str(folder / "config.yaml")}
        command = [
            python,
            "-P",  # not the working folder (the generated one) on the module path
            "-c",
            "import sys; from pywb.apps.cli import wayback; wayback(sys.argv[1:])",
            "--bind",
            host.strip("[]"),
            "--port",
            str(port),
        ]
        with open(folder / "pywb.log", "wb") as log:
            process = subprocess.Popen(
                command,
                cwd=folder,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl+C reaches this process, which stops pywb
                preexec_fn=bound_to_me(),  # noqa: PLW1509 (only prctl: children.py)
            )
        replay = Replay(process, f"http://{url_host(_local(host))}:{port}/", folder)
        try:
            _wait_ready(replay)
            yield replay
        finally:
            stop(process)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def ended(code: int) -> str:
    """How a process ended, in words: its exit code or the signal that killed it."""
    return f"被信号 {-code} 终止" if code < 0 else f"退出码 {code}"


def _free(host: str, port: int) -> None:
    """Refuse at once a port another program holds (pywb would only log it)."""
    try:
        family = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.bind((host.strip("[]"), port))
    except (OSError, UnicodeError) as exc:
        problem = str(getattr(exc, "strerror", None) or exc)
        found = ARCHIVE_REPLAY_ADDRESS.at(
            "", None, address=f"{url_host(host)}:{port}", problem=problem
        )
        raise ReplayError(found, 2) from None


def _local(host: str) -> str:
    """The address this machine reaches a server listening on `host` at."""
    name = host.strip("[]")
    return {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(name, name)


def _wait_ready(replay: Replay) -> None:
    """Until pywb answers with its list of collections, naming ours."""
    url = f"{replay.base}collinfo.json"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        code = replay.process.poll()
        if code is not None:
            problem = f"pywb 启动后即退出（{ended(code)}）"
            raise ReplayError(ARCHIVE_REPLAY_FAILED.at("", None, problem=problem), 1, replay.log())
        try:
            with opener.open(url, timeout=2) as answer:
                listed = json.loads(answer.read())
            if COLLECTION in listed.get("fixed", []):
                return
        except (OSError, ValueError, AttributeError):
            pass
        time.sleep(0.2)
    problem = f"pywb 在 {int(STARTUP_SECONDS)} 秒内没有应答"
    raise ReplayError(ARCHIVE_REPLAY_FAILED.at("", None, problem=problem), 1, replay.log())
