"""Transfer packages (移交, DA/T 80-2019): one year of the web archive for the archives office,
as a BagIt bag (RFC 8493, made by the Library of Congress's bagit library) and its zip.

    web-archive-<YYYY>/
      bagit.txt  bag-info.txt  manifest-sha256.txt  tagmanifest-sha256.txt
      data/
        <YYYY>/<timestamp>.warc.gz   the year's WARC files (the year in China time), as kept
        index.cdxj  metadata.cdxj    their CDXJ indexes, by cdxj-indexer (file names relative
                                     to data/, as in the archive: pywb replays data/ as it is)
        description.json / .xml      descriptive metadata (Chinese field names)
    web-archive-<YYYY>.zip           the same folder, stored (the WARCs are compressed already)

The same year packaged twice gives the same bytes: every time in it is the packaging time,
which is the year's last publication unless given (`--at`, the day of the transfer), never
the clock; the zip's entries are in path order, stored, with that time and fixed modes.
Every WARC is checked (verify.py) as it is copied in, and a damaged one stops the packaging:
a transfer package never carries damage forward.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from generator.archive.index import index_lines, write_index
from generator.archive.placement import placement_findings
from generator.archive.store import Archive
from generator.archive.verify import ARCHIVE_MALFORMED, Checked, check_warc, revisit_findings
from generator.core import clock
from generator.core.config import Site
from generator.core.findings import Code, Finding, Severity

ARCHIVE_PACKAGE_EMPTY = Code(
    "ARCHIVE-PACKAGE-EMPTY",
    Severity.ERROR,
    "网页归档中没有 {year} 年（北京时间）的归档文件，未生成移交包。",
    "用 congress archive list 查看已归档的发布；年度按发布时间的北京时间计。",
)
ARCHIVE_PACKAGE_OUT = Code(
    "ARCHIVE-PACKAGE-OUT",
    Severity.ERROR,
    "移交包不能写到 {path}：{problem}",
    "用 --out 指定网站输出目录和网页归档目录以外的普通文件夹（默认 build/archive-packages）。",
)
ARCHIVE_PACKAGE_TIME = Code(
    "ARCHIVE-PACKAGE-TIME",
    Severity.ERROR,
    "打包时间 {at} 早于包中最后一次发布（{last}）。",
    "--at 写移交（打包）的日期时间，不早于该年度最后一次发布；不写则取最后一次发布的时间。",
)

FORMAT = "congress-site 网页归档移交包 1"
STANDARDS = [
    "DA/T 80-2019 政府网站网页归档指南",
    "GB/T 33994-2017 信息与文献 WARC文件格式（ISO 28500:2009，WARC/1.0）",
    "BagIt（RFC 8493）",
]
LAYOUT = {
    "data/<年度>/<时间>.warc.gz": "每次发布一个 WARC 文件（时间为 UTC，14 位）",
    "data/index.cdxj": "网页记录（response、revisit）的 CDXJ 索引，供 pywb 等回放工具使用",
    "data/metadata.cdxj": "元数据记录（发布清单、审核记录、下线记录）的 CDXJ 索引",
    "data/description.json": "本说明",
    "data/description.xml": "本说明（XML）",
    "manifest-sha256.txt": "data/ 下每个文件的 SHA-256",
    "tagmanifest-sha256.txt": "包根目录各文件的 SHA-256",
}
CHUNK = 1 << 20


class PackageError(Exception):
    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(findings[0].message)
        self.findings = findings


@dataclass(frozen=True)
class Made:
    folder: Path
    zip: Path
    zip_sha256: str
    files: int
    records: int
    first: datetime
    last: datetime


def package_name(year: int) -> str:
    return f"web-archive-{year}"


def make_package(
    site: Site, archive: Archive, year: int, out: Path, at: datetime | None = None
) -> Made:
    """Package the WARC files of `year` into `out`: the folder and its zip."""
    names = [w for w in archive.warcs() if w.split("/", 1)[0] == str(year)]
    if not names:
        raise PackageError([ARCHIVE_PACKAGE_EMPTY.at(site.rel(archive.root), None, year=year)])
    base = package_name(year)
    _check_out(site, archive, out, base)
    out.mkdir(parents=True, exist_ok=True)
    for leftover in out.glob(f".{base}*.tmp"):  # what a killed packaging left behind
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
    stage = out / f".{base}.{os.getpid()}.tmp"
    stage.mkdir()
    try:
        checked = [_copy_checked(archive.root / n, stage / n, n) for n in names]
        problems = [f for c in checked for f in c.findings]
        first, last = _when(checked[0]), _when(checked[-1])
        problems += revisit_findings(checked, before=_warc_date(first))
        problems += placement_findings(checked)
        if problems:
            raise PackageError(problems)
        at = at or last
        if at < last:
            raise PackageError(
                [ARCHIVE_PACKAGE_TIME.at("", None, at=clock.iso(at), last=clock.iso(last))]
            )
        captures, metadata = index_lines(stage, names)
        write_index(stage / "index.cdxj", captures)
        write_index(stage / "metadata.cdxj", metadata)
        about = description(site, year, checked, stage, at)
        (stage / "description.json").write_text(
            json.dumps(about, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        (stage / "description.xml").write_bytes(description_xml(about))
        _bag(stage, site, year, at)
        archive_zip = out / f"{base}.zip"
        digest = write_zip(stage, archive_zip, at, base)
        folder = _put_in_place(stage, out / base)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    records = sum(sum(c.records.values()) for c in checked)
    return Made(folder, archive_zip, digest, len(names), records, first, last)


def _check_out(site: Site, archive: Archive, out: Path, base: str) -> None:
    """Never through a link, into the public site or the archive, nor over anything but an
    earlier package."""
    problem = ""
    folder, archive_zip = out / base, out / f"{base}.zip"
    if out.is_symlink():
        problem = "是符号链接"
    elif out.exists() and not out.is_dir():
        problem = "不是文件夹"
    elif folder.is_symlink() or archive_zip.is_symlink():
        problem = f"其中的 {base} 是符号链接"
    elif folder.exists() and not (folder / "bagit.txt").is_file():
        problem = f"其中已有 {base}，且不是移交包"
    else:
        where = out.resolve()
        for name, place in (("网站输出目录", site.site_dir), ("网页归档目录", archive.root)):
            inside = place.resolve()
            if where == inside or inside in where.parents or where in inside.parents:
                problem = f"在{name}之内（或包含它）"
    if problem:
        raise PackageError([ARCHIVE_PACKAGE_OUT.at(str(out), None, path=out, problem=problem)])


def _copy_checked(source: Path, target: Path, name: str) -> Checked:
    """Copy one WARC file, then check the copy (what the package holds is what was checked)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst, CHUNK)
    with open(target, "rb") as copied:
        return check_warc(name, copied)


def _when(checked: Checked) -> datetime:
    """The time of a WARC file's publication: its warcinfo record's WARC-Date, else the
    time its name gives."""
    for text in [*checked.dates, checked.name.rsplit("/", 1)[-1].split(".", 1)[0]]:
        try:
            if text.isdigit():
                return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
        except ValueError:
            continue
    detail = "没有可读的 warcinfo 记录，文件名也不是时间，无法确定发布时间"
    raise PackageError([ARCHIVE_MALFORMED.at(checked.name, None, offset=0, detail=detail)])


def _warc_date(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def description(
    site: Site, year: int, checked: list[Checked], stage: Path, at: datetime
) -> dict[str, Any]:
    """What the archives office records about the package (DA/T 80's descriptive data)."""
    footer = site.footer
    kinds: Counter[str] = Counter()
    for c in checked:
        kinds.update(c.records)
    first = _warc_date(_when(checked[0]))
    earlier = sorted(
        {
            clock.china(datetime.fromisoformat(r.date.replace("Z", "+00:00"))).year
            for c in checked
            for r in c.revisits
            if r.date < first and _iso_date(r.date)
        }
    )
    return {
        "格式": FORMAT,
        "题名": f"{site.site_name} {year} 年网页归档",
        "网站名称": site.site_name,
        "网站网址": site.site_url,
        "网站标识码": footer.site_code,
        "主办单位": footer.sponsor,
        "承办单位": footer.organizer,
        "归档年度": year,
        "起始时间": clock.iso(_when(checked[0])),
        "截止时间": clock.iso(_when(checked[-1])),
        "发布次数": len(checked),
        "记录数": {**dict(sorted(kinds.items())), "合计": sum(kinds.values())},
        "保管期限": site.congress.archive_retention,
        "依据标准": STANDARDS,
        "生成软件": f"congress-site {software_version()}",
        "打包时间": clock.iso(at),
        "引用的此前年度": earlier,
        "归档文件": [
            {
                "文件": c.name,
                "发布时间": clock.iso(_when(c)),
                "记录数": sum(c.records.values()),
                "字节数": (stage / c.name).stat().st_size,
                "SHA-256": sha256_file(stage / c.name),
            }
            for c in checked
        ],
        "目录结构": LAYOUT,
    }


def _iso_date(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def description_xml(about: dict[str, Any]) -> bytes:
    """The same description as XML, element names as the JSON's keys."""
    root = ElementTree.Element("网页归档移交包")
    _xml(root, about)
    ElementTree.indent(root, space=" ")
    text = ElementTree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{text}\n'.encode()


def _xml(parent: ElementTree.Element, value: Any, tag: str = "") -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            name = key if _xml_name(key) else "条目"
            child = ElementTree.SubElement(parent, name)
            if name != key:
                child.set("名称", key)
            _xml(child, item)
    elif isinstance(value, list):
        for item in value:
            _xml(ElementTree.SubElement(parent, "条目"), item)
    else:
        parent.text = str(value)


def _xml_name(key: str) -> bool:
    return bool(key) and not key[0].isdigit() and all(ch.isalnum() or ch in "-_" for ch in key)


def _bag(stage: Path, site: Site, year: int, at: datetime) -> None:
    import bagit

    footer = site.footer
    info = {
        "Source-Organization": footer.sponsor,
        "Organization-Address": footer.address,
        "Contact-Phone": footer.phone,
        "External-Identifier": f"{footer.site_code}-{year}",
        "External-Description": f"{site.site_name}（{site.site_url}）{year} 年网页归档，"
        f"保管期限 {site.congress.archive_retention}",
        "Bagging-Date": clock.china(at).strftime("%Y-%m-%d"),
        "Bag-Software-Agent": f"congress-site {software_version()}, bagit.py {bagit.VERSION}",
    }
    if footer.email:
        info["Contact-Email"] = footer.email
    try:
        bagit.make_bag(str(stage), info, processes=1, checksums=["sha256"])
    except (bagit.BagError, RuntimeError) as exc:
        raise OSError(f"BagIt：{exc}") from exc
    # bagit lists the tag files in the order the folder gives them: sorted here, the same
    # for the same package on every file system.
    tags = stage / "tagmanifest-sha256.txt"
    lines = tags.read_text(encoding="utf-8").splitlines(keepends=True)
    tags.write_text("".join(sorted(lines, key=lambda line: line.split(" ", 1)[-1])), "utf-8")


def _put_in_place(stage: Path, folder: Path) -> Path:
    """The new package folder replaces an earlier package of the same year (_check_out made
    sure that nothing else is there)."""
    old = folder.with_name(f".{folder.name}.{os.getpid()}.old")
    if folder.exists():
        os.replace(folder, old)
    os.replace(stage, folder)
    shutil.rmtree(old, ignore_errors=True)
    return folder


def write_zip(folder: Path, target: Path, at: datetime, top: str | None = None) -> str:
    """The folder as a zip, all in one top folder named `top` (the zip's own name: RFC 8493's
    serialization); its SHA-256."""
    when = clock.china(at).timetuple()[:6]
    files = sorted((p.relative_to(folder).as_posix(), p) for p in folder.rglob("*") if p.is_file())
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED, allowZip64=True) as z:
            for rel, path in files:
                info = zipfile.ZipInfo(f"{top or folder.name}/{rel}", date_time=when)
                info.external_attr = 0o100644 << 16
                info.create_system = 3  # unix: the mode above is read
                info.file_size = path.stat().st_size  # ZIP64 where a file needs it
                with open(path, "rb") as src, z.open(info, "w") as dst:
                    shutil.copyfileobj(src, dst, CHUNK)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return sha256_file(target)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            h.update(block)
    return h.hexdigest()


def software_version() -> str:
    import importlib.metadata

    try:
        return importlib.metadata.version("congress-site")
    except importlib.metadata.PackageNotFoundError:
        return "0"
