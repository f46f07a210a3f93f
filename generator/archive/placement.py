"""Where each WARC file lies, checked against what it holds: a file is named by its
publication's time (`<YYYY>/<14-digit UTC timestamp>.warc.gz`, the year in China time), and
no record is in two files.

Replay (`congress archive serve --at`) finds publications by their files' names and transfer
packages take a year's files by their folder: a file copied or renamed by hand would be
replayed or packaged as another time, and a copy under another name holds every record twice
(a WARC-Record-ID is unique, ISO 28500 §5.2). The WARC files themselves are the record, so
such a file is reported, never "corrected" here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from generator.archive.records import timestamp
from generator.core.clock import china
from generator.core.findings import Code, Finding, Severity

ARCHIVE_MISNAMED = Code(
    "ARCHIVE-MISNAMED",
    Severity.ERROR,
    "归档文件 {path} 的名称与其中记录的发布时间 {date} 不符（应为 {expected}）。",
    "归档文件按发布时间命名（UTC，14 位数字）、按北京时间的年份分目录，回放和移交包都据此"
    "认定发布时间：被改名或放错目录的文件，请从归档存储取回原文件替换，再运行 "
    "congress archive reindex。",
)
ARCHIVE_DUPLICATE = Code(
    "ARCHIVE-DUPLICATE",
    Severity.ERROR,
    "归档文件 {path} 中有 {count} 条记录与 {other} 中的记录重复（记录编号相同）。",
    "同一次发布的记录出现在两个文件中（文件被复制或改名）：保留名称与发布时间相符的那个，"
    "删除另一个后运行 congress archive reindex。",
)


class Read(Protocol):
    """A WARC file read through (verify.Checked)."""

    name: str
    dates: list[str]  # the WARC-Date of each warcinfo record
    ids: list[str]  # every record's WARC-Record-ID


def placement_findings(checked: Iterable[Read], prefix: str = "") -> list[Finding]:
    """Every file misnamed for its publication, and every record id already seen (files in
    order; `prefix`: the folder the names begin with, `data/` in a package)."""
    found: list[Finding] = []
    seen: dict[str, str] = {}
    for c in checked:
        found += _misnamed(c, c.name.removeprefix(prefix))
        twice: Counter[str] = Counter()
        for rid in c.ids:
            if rid in seen:
                twice[seen[rid]] += 1
            else:
                seen[rid] = c.name
        found += [
            ARCHIVE_DUPLICATE.at(c.name, None, path=c.name, count=n, other=other)
            for other, n in sorted(twice.items())
        ]
    return found


def _misnamed(c: Read, name: str) -> list[Finding]:
    if not c.dates:
        return []  # no warcinfo record: reported as malformed
    try:
        at = datetime.fromisoformat(c.dates[0].replace("Z", "+00:00"))
        if at.tzinfo is None:
            return []
    except ValueError:
        return []
    expected = f"{china(at).year}/{timestamp(at)}.warc.gz"
    if name == expected:
        return []
    date = china(at).isoformat(timespec="seconds")
    return [ARCHIVE_MISNAMED.at(c.name, None, path=c.name, date=date, expected=expected)]
