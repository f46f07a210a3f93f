"""What `content/` holds: its regular files, found without following any link.

Content is regular files inside docs_dir and nothing else. A symbolic link is never followed
and never published, whatever it points to (a file outside the repository such as a deploy
key, a folder, itself, `/`): each is an error finding naming it. So are FIFOs, sockets and
devices (reading a FIFO would wait forever). Hidden names (`.x`) are skipped, as mkdocs skips
them, without a finding: editors' tools leave such files (Emacs lock links `.#x.md`).

Article files are recognised by one rule, `is_article_name`: a Markdown suffix in any case.
Only the lower-case spelling is rendered by mkdocs, so another case is an error finding on
the article (`ART-SUFFIX`) rather than a file mkdocs would copy raw as an attachment.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from generator.core.findings import Code, Finding, Severity

E = Severity.ERROR

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkdn", ".mkd"})

CONTENT_SYMLINK = Code(
    "CONTENT-SYMLINK",
    E,
    "稿件目录中有符号链接 {src}（指向 {target}）：不会被读取，也不会发布",
    "content/ 中只能放普通文件：删除这个链接，把需要的文件本身复制进来并随稿件送审。",
)
CONTENT_SPECIAL = Code(
    "CONTENT-SPECIAL",
    E,
    "稿件目录中的 {src} 不是普通文件（{kind}）：不会被读取，也不会发布",
    "content/ 中只能放普通文件：删除它。",
)
ASSET_TOO_LARGE = Code(
    "ASSET-TOO-LARGE",
    E,
    "稿件使用的文件 {file} 有 {size} MB，超过上限 {limit} MB：不会发布",
    "压缩或拆分文件，或改为链接到外部存储；上限由 mkdocs.yml 中 congress 的 max_file_mb 设定。",
)
CONTENT_UNREADABLE = Code(
    "CONTENT-UNREADABLE",
    E,
    "无法读取稿件目录 {src}：{problem}",
    "检查目录权限。",
)


def is_article_name(name: str) -> bool:
    """The one rule for article files: a Markdown suffix, in any case (`x.MD` is one)."""
    return os.path.splitext(name)[1].lower() in MARKDOWN_SUFFIXES


def is_rendered_name(name: str) -> bool:
    """Whether mkdocs renders the file as a page (it compares suffixes case-sensitively)."""
    return os.path.splitext(name)[1] in MARKDOWN_SUFFIXES


@dataclass
class Content:
    """docs_dir as found: regular files (relative, with /) and what was refused."""

    files: list[str] = field(default_factory=list)
    refused: list[tuple[str, Finding]] = field(default_factory=list)

    @property
    def articles(self) -> list[str]:
        return [f for f in self.files if is_article_name(f)]


def scan(docs_dir: Path, display_path: str = "content") -> Content:
    """Every regular file under docs_dir, never following a link; links and special files
    refused with a finding each. Sorted, so that two scans of the same tree are equal."""
    found = Content()
    prefix = "" if display_path in ("", ".") else display_path.rstrip("/") + "/"
    for rel, entry, kind in _entries(str(docs_dir), ""):
        where = prefix + rel
        if kind == "file":
            found.files.append(rel)
        elif kind == "link":
            found.refused.append(
                (rel, CONTENT_SYMLINK.at(where, None, src=where, target=_target(entry)))
            )
        elif kind.startswith("error:"):
            problem = kind.removeprefix("error:")
            found.refused.append(
                (rel, CONTENT_UNREADABLE.at(where, None, src=where, problem=problem))
            )
        else:
            found.refused.append((rel, CONTENT_SPECIAL.at(where, None, src=where, kind=kind)))
    found.files.sort()
    found.refused.sort(key=lambda r: r[0])
    return found


def _entries(folder: str, rel: str) -> Iterator[tuple[str, str, str]]:
    """(relative path, absolute path, kind) of every non-hidden entry below `folder`."""
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield rel.rstrip("/") or ".", folder, f"error:{exc.strerror or exc}"
        return
    for e in entries:
        if e.name.startswith("."):
            continue
        here = rel + e.name
        try:
            mode = e.stat(follow_symlinks=False).st_mode
        except OSError as exc:
            yield here, e.path, f"error:{exc.strerror or exc}"
            continue
        if stat.S_ISLNK(mode):
            yield here, e.path, "link"
        elif stat.S_ISDIR(mode):
            yield from _entries(e.path, here + "/")
        elif stat.S_ISREG(mode):
            yield here, e.path, "file"
        else:
            yield here, e.path, _special_kind(mode)


def _special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "命名管道"
    if stat.S_ISSOCK(mode):
        return "套接字"
    return "设备文件"


def _target(path: str) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"


def hash_files(
    docs_dir: Path, wanted: Iterable[str], regular: set[str], limit: int | None = None
) -> dict[str, str | None]:
    """sha256 of each wanted docs path that is a regular file found by `scan` (None if it is
    missing, a link, inside a linked folder or over `limit` bytes): what a final sign-off
    binds."""
    hashes: dict[str, str | None] = {}
    for rel in sorted(set(wanted)):
        hashes[rel] = _sha256(docs_dir / rel, limit) if rel in regular else None
    return hashes


def oversize(
    docs_dir: Path, wanted: Iterable[str], regular: set[str], limit: int
) -> dict[str, int]:
    """The size of each wanted regular file larger than `limit` bytes, from its inode alone:
    such a file is never read (hashing 4 GB stalled `check` for 20 s), never copied."""
    found = {}
    for rel in sorted(set(wanted) & regular):
        try:
            size = os.lstat(docs_dir / rel).st_size
        except OSError:
            continue  # gone since the scan: GATE-FILE-MISSING
        if size > limit:
            found[rel] = size
    return found


def _sha256(path: Path, limit: int | None = None) -> str | None:
    h = hashlib.sha256()
    try:
        # O_NOFOLLOW: a file swapped for a link between the scan and now is not followed either.
        fd = os.open(
            path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        )
    except OSError:
        return None
    with os.fdopen(fd, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode) or (limit is not None and info.st_size > limit):
            return None
        for block in iter(lambda: stream.read(1 << 20), b""):
            h.update(block)
    return "sha256:" + h.hexdigest()
