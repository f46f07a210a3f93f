"""How a failed command ends: at once, with a Chinese message and a stable code.

Every failure of `congress build` ends here; nothing waits for a helper process on the way
out (they end with the build: generator/build/children.py), and the exit skips the interpreter's
own teardown, which would wait for every queue to drain.
"""

from __future__ import annotations

import errno
import logging
import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from generator.core.findings import Finding
from generator.core.invisible import terminal_safe

# "No space left on device" and "Disk quota exceeded", from Python, Pagefind or SQLite.
_DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
_DISK_WORDS = ("No space left on device", "os error 28", "database or disk is full")


def leave(code: int) -> NoReturn:
    """End a command that has written and closed everything, without releasing its heap
    object by object: for a 10,000-article build that took 2-3 s at exit (as mypy does)."""
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(code)


def disk_full(exc: BaseException) -> bool:
    """Whether `exc`, or an error it was raised from, is a full disk."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        code = getattr(current, "errno", None)
        if code in _DISK_ERRNOS or any(w in str(current) for w in _DISK_WORDS):
            return True
        current = current.__cause__ or current.__context__
    return False


def build_failed(exc: BaseException, target: Path, *, swapped: bool = False) -> NoReturn:
    """Report why a build did not go live, and exit 1."""
    from generator.build.removal import MassRemoval
    from generator.build.run import Unverified

    say = _say
    if isinstance(exc, Unverified):
        say("构建结果未通过发布前检查 [BUILD-VERIFY]：")
        for problem in exc.problems:
            say(f"    {problem}")
    elif isinstance(exc, MassRemoval):
        _mass_removal(exc)
    elif disk_full(exc):
        say(f"构建失败 [BUILD-DISK-FULL]：磁盘空间不足（{exc}）")
        say("    建议：清理构建目录所在磁盘或扩大空间后重新构建。")
    else:
        say(f"构建失败 [BUILD-FAILED]：{exc}")
    if swapped:
        say(f"新站点已替换 {target}，但发布登记未能写入：发布脚本不会部署本次构建。")
    else:
        say(f"原有站点 {target} 未改动。")
    leave(1)


def usage_failed(f: Finding, what: str = "用法错误") -> NoReturn:
    """The command cannot start as asked (exit 2): an environment variable, the engine, a key."""
    _say(terminal_safe(f"{what} [{f.code}]：{f.message}"))
    _say(f"    建议：{f.hint}")
    sys.exit(2)


def config_failed(findings: list[Finding]) -> NoReturn:
    """The site's configuration is wrong (exit 2)."""
    for f in findings:
        _say(terminal_safe(f"配置错误 {f.location()} [{f.code}] {f.message}"))
        if f.hint:
            _say(terminal_safe(f"    建议：{f.hint}"))
    sys.exit(2)


def registry_reported(findings: list[Finding], *, refuse: bool, warn: bool = True) -> None:
    """Say what is wrong with the staff registry's signature (its warnings too, with `warn`);
    with `refuse` (a build), an error ends the command (exit 1) before anything is built:
    the live site stays."""
    for f in findings:
        if not (f.is_error or warn):
            continue
        _say(terminal_safe(f"{f.severity.label} {f.location()} [{f.code}] {f.message}"))
        if f.hint:
            _say(terminal_safe(f"    建议：{f.hint}"))
    if refuse and any(f.is_error for f in findings):
        _say(
            "人员名录未通过登记员签名验证，本次不发布任何内容，现有站点未改动 [REGISTRY-REFUSED]。"
        )
        leave(1)


def serve_failed(exc: BaseException, address: str | None) -> NoReturn:
    """The preview server could not start (exit 2: the address or the configuration)."""
    where = address or "127.0.0.1:8000"
    if isinstance(exc, OSError):
        _say(f"预览服务器无法启动 [SERVE-FAILED]：地址 {where} 不可用（{exc.strerror or exc}）")
        _say("    建议：换一个端口或地址，如 congress serve -a 127.0.0.1:8001。")
    else:
        _say(f"预览服务器无法启动 [SERVE-FAILED]：{exc}")
        _say("    建议：检查 -a 地址（写成 127.0.0.1:8000）和 mkdocs.yml。")
    leave(2)


def _mass_removal(exc: BaseException) -> None:
    from generator.build.removal import MassRemoval

    assert isinstance(exc, MassRemoval)
    n, live = len(exc.removed), exc.live
    shown = "、".join(f"/{u}" for u in exc.removed[:5]) + ("等" if n > 5 else "")
    _say(
        f"构建未上线 [BUILD-MASS-REMOVAL]：本次构建将下线线上 {live} 篇公开稿件中的 {n} 篇"
        f"（{n / live:.0%}，上限 {exc.share:.0%}）：{shown}"
    )
    _say(
        "    建议：先核对系统时间和 --now 是否正确、稿件是否被误删；"
        "确需下线时用 congress build --allow-removal 重新构建。"
    )


def _say(line: str) -> None:
    click.echo(line, err=True)
