"""Verifying a transfer package as the archives office receives it: the folder, or its zip
read in place (never extracted), without the site.

First the bag: every file the manifests list is there with its SHA-256, and nothing else is.
Then what it holds: every WARC file as `verify.py` checks the archive's, and both indexes
equal to what cdxj-indexer makes of those WARC files. A package is read as hostile: links,
devices, paths leaving the package, duplicate or encrypted zip entries and entries that
would expand far beyond their compressed size are reported and never read; tag files and
manifests are read up to a size; every file is streamed.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import zipfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import BinaryIO

from generator.archive.index import stream_lines
from generator.archive.placement import placement_findings
from generator.archive.verify import (
    ARCHIVE_INDEX_STALE,
    Checked,
    Verified,
    check_warc,
    index_findings,
    lines_of,
    revisit_findings,
)
from generator.core.findings import Code, Finding, Severity

ARCHIVE_PACKAGE_FORMAT = Code(
    "ARCHIVE-PACKAGE-FORMAT",
    Severity.ERROR,
    "{path} 不是可校验的移交包：{problem}",
    "移交包是 congress archive package 生成的文件夹（含 bagit.txt 和 manifest-sha256.txt）"
    "或它的 zip 文件。",
)
ARCHIVE_PACKAGE_MISSING = Code(
    "ARCHIVE-PACKAGE-MISSING",
    Severity.ERROR,
    "移交包缺少清单所列的文件 {path}",
    "向移交方重新索取完整的移交包（或重新打包）；不要只补回单个文件。",
)
ARCHIVE_PACKAGE_EXTRA = Code(
    "ARCHIVE-PACKAGE-EXTRA",
    Severity.ERROR,
    "移交包中有清单未列的文件 {path}",
    "打包后有文件被加入：删除它，或重新打包。",
)
ARCHIVE_PACKAGE_CHANGED = Code(
    "ARCHIVE-PACKAGE-CHANGED",
    Severity.ERROR,
    "移交包中的文件 {path} 与清单不符：{detail}",
    "该文件在打包后被改动或损坏；向移交方重新索取移交包。",
)
ARCHIVE_PACKAGE_UNSAFE = Code(
    "ARCHIVE-PACKAGE-UNSAFE",
    Severity.ERROR,
    "移交包中的 {path} 未读取：{problem}",
    "移交包只含普通文件；链接、设备文件、越出包目录的路径和异常的压缩条目一律不读。",
)

TAG_LIMIT = 1 << 20
MANIFEST_LIMIT = 64 << 20
MAX_FILES = 200_000
RATIO = 100  # a zip entry expanding more than this (past 1 MiB) is refused
CHUNK = 1 << 20
MANIFEST = re.compile(r"^(tag)?manifest-([a-z0-9]+)\.txt$")


class Source:
    """The files of a package (paths relative to the bag's top folder, with their sizes)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.files: dict[str, int] = {}
        self.unsafe: list[Finding] = []

    def open(self, rel: str) -> AbstractContextManager[BinaryIO]:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def _refuse(self, rel: str, problem: str) -> None:
        self.unsafe.append(ARCHIVE_PACKAGE_UNSAFE.at(rel, None, path=rel, problem=problem))

    def _add(self, rel: str, size: int) -> bool:
        if len(self.files) >= MAX_FILES:
            raise PackageUnreadable(f"文件超过 {MAX_FILES} 个")
        self.files[rel] = size
        return True


class PackageUnreadable(Exception):
    pass


class Folder(Source):
    def __init__(self, root: Path) -> None:
        super().__init__(str(root))
        self.root = root
        for top, dirs, files in os.walk(root):
            here = Path(top)
            for name in sorted(dirs + files):
                path = here / name
                rel = path.relative_to(root).as_posix()
                mode = path.lstat().st_mode
                if stat.S_ISLNK(mode):
                    self._refuse(rel, "是符号链接")
                elif stat.S_ISREG(mode):
                    self._add(rel, path.lstat().st_size)
                elif not stat.S_ISDIR(mode):
                    self._refuse(rel, "不是普通文件")
            dirs[:] = sorted(d for d in dirs if not (here / d).is_symlink())

    @contextmanager
    def _opened(self, rel: str) -> Iterator[BinaryIO]:
        fd = os.open(self.root / rel, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as f:
            yield f

    def open(self, rel: str) -> AbstractContextManager[BinaryIO]:
        return self._opened(rel)


class Zipped(Source):
    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.zip = zipfile.ZipFile(path)
        self.entries: dict[str, zipfile.ZipInfo] = {}
        infos = self.zip.infolist()
        if len(infos) > MAX_FILES:
            raise PackageUnreadable(f"条目超过 {MAX_FILES} 个")
        names = {i.filename for i in infos}
        tops = {n.split("/", 1)[0] for n in names}
        prefix = next(iter(tops)) + "/" if len(tops) == 1 and "bagit.txt" not in names else ""
        for info in infos:
            problem = _unsafe_entry(info, prefix)
            rel = info.filename[len(prefix) :]
            if problem:
                self._refuse(info.filename, problem)
            elif info.is_dir():
                continue
            elif rel in self.entries:
                self._refuse(info.filename, "条目重复")
            else:
                self._add(rel, info.file_size)
                self.entries[rel] = info

    def open(self, rel: str) -> AbstractContextManager[BinaryIO]:
        return self.zip.open(self.entries[rel])  # type: ignore[return-value]

    def close(self) -> None:
        self.zip.close()


def _unsafe_entry(info: zipfile.ZipInfo, prefix: str) -> str:
    name = info.filename
    parts = name.rstrip("/").split("/")
    kind = stat.S_IFMT(info.external_attr >> 16) if info.create_system == 3 else 0
    if (
        "\\" in name
        or "\0" in name
        or name.startswith("/")
        or re.match(r"^[A-Za-z]:", name)
        or any(p in ("", ".", "..") for p in parts)
    ):
        return "路径越出包目录或不合规"
    if not name.startswith(prefix):
        return "不在包的顶层文件夹内"
    if kind == stat.S_IFLNK:
        return "是符号链接"
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        return "不是普通文件"
    if info.flag_bits & 0x1:
        return "已加密"
    if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
        return "未压缩条目的大小前后不一"
    if info.file_size > info.compress_size * RATIO + (1 << 20):
        return f"解压后 {info.file_size} 字节，远超压缩数据（疑似压缩炸弹）"
    return ""


def verify_package(path: Path) -> Verified:
    """A transfer package, a folder or a zip file, checked whole."""
    label = str(path)
    if path.is_symlink():
        return Verified(findings=[_format(label, "是符号链接，未读取")])
    source: Source
    try:
        if path.is_dir():
            source = Folder(path)
        elif path.is_file():
            source = Zipped(path)
        else:
            return Verified(findings=[_format(label, "不存在")])
    except PackageUnreadable as exc:
        return Verified(findings=[_format(label, str(exc))])
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        problem = str(exc)
        if path.is_file():
            problem = "不是 zip 文件（或 zip 文件不完整），也不是移交包文件夹"
        return Verified(findings=[_format(label, problem)])
    try:
        return _verify(source)
    except Exception as exc:  # a package is hostile input: whatever it does is a finding
        return Verified(findings=[_format(label, f"读取时出错（{type(exc).__name__}: {exc}）")])
    finally:
        source.close()


def _format(path: str, problem: str) -> Finding:
    return ARCHIVE_PACKAGE_FORMAT.at(path, None, path=path, problem=problem)


class _Refused(Exception):
    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


def _verify(source: Source) -> Verified:
    done = Verified(findings=list(source.unsafe))
    try:
        manifests, tags = _manifests(source)
    except _Refused as exc:
        done.findings.append(exc.finding)
        return done
    complete = _complete(source, manifests, tags)
    done.findings += complete
    expected: dict[str, dict[str, str]] = {}
    for alg, entries in (*manifests.items(), *tags.items()):
        for rel, value in entries.items():
            expected.setdefault(rel, {})[alg] = value
    for rel, hashes in sorted(expected.items()):
        if rel in source.files:
            done.findings += _fixity(source, rel, hashes)
    names = sorted(r for r in source.files if r.startswith("data/") and r.endswith(".warc.gz"))
    if not names:
        done.findings.append(_format(source.label, "不含任何归档文件（data/<年度>/*.warc.gz）"))
    checked = []
    for rel in names:
        try:
            with source.open(rel) as f:
                checked.append(check_warc(rel, f))
        except (OSError, zipfile.BadZipFile, NotImplementedError) as exc:
            detail = f"无法读取（{exc}）"
            done.findings.append(ARCHIVE_PACKAGE_CHANGED.at(rel, None, path=rel, detail=detail))
    done.files = len(checked)
    done.records = sum(sum(c.records.values()) for c in checked)
    done.findings += [f for c in checked for f in c.findings]
    dates = sorted(d for c in checked for d in c.dates if d)
    done.findings += revisit_findings(checked, before=dates[0] if dates else None)
    done.findings += placement_findings(checked, "data/")
    if len(checked) == len(names) and all(c.whole for c in checked):
        missing = {f.path for f in complete if f.code == ARCHIVE_PACKAGE_MISSING.code}
        done.findings += _indexes(source, checked, missing)
    return done


def _manifests(source: Source) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    files = source.files
    if "bagit.txt" not in files:
        raise _Refused(_format(source.label, "缺少 bagit.txt（不是 BagIt 包）"))
    if "BagIt-Version:" not in _text(source, "bagit.txt", TAG_LIMIT):
        raise _Refused(_format(source.label, "bagit.txt 中没有 BagIt-Version"))
    if "fetch.txt" in files:
        raise _Refused(_format(source.label, "含 fetch.txt：移交包须自包含，不从网络补取文件"))
    manifests: dict[str, dict[str, str]] = {}
    tags: dict[str, dict[str, str]] = {}
    for rel in sorted(files):
        m = MANIFEST.match(rel)
        if m is None:
            continue
        if m.group(2) not in hashlib.algorithms_guaranteed:
            raise _Refused(_format(source.label, f"{rel} 的摘要算法无法识别"))
        into = tags if m.group(1) else manifests
        into[m.group(2)] = _entries(source, rel, payload=not m.group(1))
    if "sha256" not in manifests:
        raise _Refused(_format(source.label, "缺少 manifest-sha256.txt"))
    return manifests, tags


def _text(source: Source, rel: str, limit: int) -> str:
    with source.open(rel) as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise _Refused(_format(source.label, f"{rel} 超过 {limit >> 20} MiB"))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise _Refused(_format(source.label, f"{rel} 不是 UTF-8 文本")) from None


def _entries(source: Source, rel: str, *, payload: bool) -> dict[str, str]:
    """A manifest's `<digest> <path>` lines (RFC 8493 §2.1.3), paths checked."""
    entries: dict[str, str] = {}
    for n, line in enumerate(_text(source, rel, MANIFEST_LIMIT).splitlines(), 1):
        if not line.strip():
            continue
        parts = line.strip().split(None, 1)
        path = _decoded(parts[1]) if len(parts) == 2 else ""
        inside = path.startswith("data/") == payload and path not in ("", rel)
        if not inside or any(p in ("", ".", "..") for p in path.split("/")) or "\\" in path:
            problem = f"{rel} 第 {n} 行无法识别或路径越出包目录：{line[:120]}"
            raise _Refused(_format(source.label, problem))
        if path in entries:
            raise _Refused(_format(source.label, f"{rel} 第 {n} 行重复列出 {path}"))
        entries[path] = parts[0].lower()
    return entries


def _decoded(path: str) -> str:
    return path.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")


def _complete(
    source: Source, manifests: dict[str, dict[str, str]], tags: dict[str, dict[str, str]]
) -> list[Finding]:
    payload = {p for entries in manifests.values() for p in entries}
    listed_tags = {p for entries in tags.values() for p in entries}
    if not tags:  # no tag manifest: the tag files every bag has
        listed_tags = {"bagit.txt", "bag-info.txt"} & set(source.files)
        listed_tags |= {f"manifest-{alg}.txt" for alg in manifests}
    found = [
        ARCHIVE_PACKAGE_MISSING.at(p, None, path=p)
        for p in sorted((payload | listed_tags) - set(source.files))
    ]
    for rel in sorted(source.files):
        m = MANIFEST.match(rel)
        known = rel in payload if rel.startswith("data/") else rel in listed_tags
        if not known and not (m and m.group(1)):
            found.append(ARCHIVE_PACKAGE_EXTRA.at(rel, None, path=rel))
    return found


def _fixity(source: Source, rel: str, hashes: dict[str, str]) -> list[Finding]:
    digests = {alg: hashlib.new(alg) for alg in hashes}
    try:
        with source.open(rel) as f:
            while block := f.read(CHUNK):
                for d in digests.values():
                    d.update(block)
    except (OSError, zipfile.BadZipFile, EOFError, ValueError, NotImplementedError) as exc:
        return [ARCHIVE_PACKAGE_CHANGED.at(rel, None, path=rel, detail=f"无法读取（{exc}）")]
    found = []
    for alg, want in sorted(hashes.items()):
        got = digests[alg].hexdigest()
        if got != want:
            name = alg.upper().replace("SHA", "SHA-") if alg.startswith("sha") else alg.upper()
            detail = f"{name} 应为 {want[:16]}…，实为 {got[:16]}…"
            found.append(ARCHIVE_PACKAGE_CHANGED.at(rel, None, path=rel, detail=detail))
    return found


def _indexes(source: Source, checked: list[Checked], missing: set[str]) -> list[Finding]:
    """Both indexes against cdxj-indexer's lines for the package's WARC files (one missing
    from the package, and reported so, is not reported again)."""
    captures: list[str] = []
    metadata: list[str] = []
    try:
        for c in checked:
            with source.open(c.name) as f:
                lines = stream_lines(c.name.removeprefix("data/"), f)
            captures += lines[0]
            metadata += lines[1]
    except Exception as exc:  # cdxj-indexer on what the checks passed; reported, never raised
        detail = f"无法由归档文件生成索引（{type(exc).__name__}: {exc}）"
        return [ARCHIVE_INDEX_STALE.at("data/index.cdxj", None, detail=detail)]
    found = []
    for rel, expected in (("data/index.cdxj", captures), ("data/metadata.cdxj", metadata)):
        if rel not in source.files:
            found += [] if rel in missing else index_findings(rel, sorted(expected), None)
            continue
        with source.open(rel) as f:
            found += index_findings(rel, sorted(expected), lines_of(f))
    return found
