"""The record of what left the site through another channel (`editorial/exports.jsonl`).

Every export (`congress wechat`, its draft upload, `congress longimage`) appends one JSON line:
the channel, the article's uid, title and URL, the digest its final sign-off bound, and the
time. The office commits the file with the newsroom, so that `congress audit` can name an
article that was exported and has since been withdrawn, or changed on the site, and the 公众号
must follow (已在公众号导出，网站已撤稿：请同步处理).

The file is read bounded (`MAX_BYTES`); a line that is not a record is skipped and counted,
never a reason to fail the audit.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from generator.core.config import Site

MAX_BYTES = 16 * 1024 * 1024
CHANNELS = {
    "wechat": "公众号导出",
    "wechat-draft": "公众号草稿",
    "longimage": "长图",
    "poster": "海报",
}


@dataclass(frozen=True)
class Export:
    channel: str
    uid: str
    title: str
    url: str
    digest: str
    at: str  # ISO 8601
    media_id: str = ""  # a WeChat draft's id
    judged_at: str = ""  # the moment the gate judged the article at (--now), ISO 8601

    @property
    def label(self) -> str:
        return CHANNELS.get(self.channel, self.channel)


def ledger_path(site: Site) -> Path:
    return site.root / site.congress.exports


class LedgerError(Exception):
    """The record cannot be written: the reason, in Chinese."""


def record(site: Site, entry: Export) -> None:
    """Append one record (a single write of one line: appends of whole lines do not mix).
    Only to a regular file: never through a link, never blocking on a pipe."""
    path = ledger_path(site)
    line = json.dumps(asdict(entry), ensure_ascii=False, sort_keys=True) + "\n"
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK | os.O_NOFOLLOW
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        raise LedgerError(f"{exc.strerror or exc}（符号链接或无法写入）") from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise LedgerError("不是普通文件")
        os.write(fd, line.encode("utf-8"))
    except OSError as exc:
        raise LedgerError(exc.strerror or str(exc)) from exc
    finally:
        os.close(fd)


def writable(site: Site) -> str | None:
    """Why a record could not be appended now (None if it can): asked before an export."""
    path = ledger_path(site)
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        return exc.strerror or str(exc)
    if not stat.S_ISREG(mode):
        return "是符号链接" if stat.S_ISLNK(mode) else "不是普通文件"
    return None if os.access(path, os.W_OK) else "没有写权限"


@dataclass(frozen=True)
class Ledger:
    entries: list[Export]
    bad: int  # lines that are not records
    problem: str = ""  # why the file could not be read at all


def exports(site: Site) -> Ledger:
    """Every record, oldest first. A file over MAX_BYTES is read from its end (records are
    appended: the newest matter), its first, cut line skipped."""
    path = ledger_path(site)
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return Ledger([], 0)
    except OSError as exc:
        return Ledger([], 0, exc.strerror or str(exc))
    if not stat.S_ISREG(mode):
        return Ledger([], 0, "是符号链接" if stat.S_ISLNK(mode) else "不是普通文件")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_BYTES:
                fh.seek(size - MAX_BYTES)
            data = fh.read(MAX_BYTES)
    except OSError as exc:
        return Ledger([], 0, exc.strerror or str(exc))
    lines = data.splitlines()
    if size > MAX_BYTES and lines:
        lines = lines[1:]  # begun before the part read
    found: list[Export] = []
    bad = 0
    for raw in lines:
        if not raw.strip():
            continue
        entry = _entry(raw)
        if entry is None:
            bad += 1
        else:
            found.append(entry)
    return Ledger(found, bad)


def _entry(raw: bytes) -> Export | None:
    try:
        item = json.loads(raw)
        if not isinstance(item, dict):
            return None
        entry = Export(
            **{k: str(item[k]) for k in ("channel", "uid", "title", "url", "at")},
            digest=str(item.get("digest", "")),
            media_id=str(item.get("media_id", "")),
            judged_at=str(item.get("judged_at", "")),
        )
        datetime.fromisoformat(entry.at)
    except (ValueError, TypeError, KeyError, RecursionError, UnicodeDecodeError):
        return None
    return entry
