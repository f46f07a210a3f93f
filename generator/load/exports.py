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
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from generator.core.config import Site

MAX_BYTES = 16 * 1024 * 1024
CHANNELS = {"wechat": "公众号导出", "wechat-draft": "公众号草稿", "longimage": "长图"}


@dataclass(frozen=True)
class Export:
    channel: str
    uid: str
    title: str
    url: str
    digest: str
    at: str  # ISO 8601
    media_id: str = ""  # a WeChat draft's id

    @property
    def label(self) -> str:
        return CHANNELS.get(self.channel, self.channel)


def ledger_path(site: Site) -> Path:
    return site.root / site.congress.exports


def record(site: Site, entry: Export) -> None:
    """Append one record (a single write of one line: appends of whole lines do not mix)."""
    path = ledger_path(site)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(asdict(entry), ensure_ascii=False, sort_keys=True) + "\n"
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


def exports(site: Site) -> tuple[list[Export], int]:
    """Every record, oldest first, and the number of lines that were not records."""
    path = ledger_path(site)
    try:
        if path.is_symlink() or not path.is_file():
            return [], 0
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError:
        return [], 0
    bad = 1 if len(data) > MAX_BYTES else 0
    found: list[Export] = []
    for raw in data[:MAX_BYTES].splitlines():
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
            entry = Export(
                **{k: str(item[k]) for k in ("channel", "uid", "title", "url")},
                digest=str(item.get("digest", "")),
                at=str(item["at"]),
                media_id=str(item.get("media_id", "")),
            )
            datetime.fromisoformat(entry.at)
        except (ValueError, TypeError, KeyError, AttributeError, UnicodeDecodeError):
            bad += 1
            continue
        found.append(entry)
    return found, bad
