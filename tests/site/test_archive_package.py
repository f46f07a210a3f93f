"""Transfer packages (移交, DA/T 80-2019) and `congress archive verify`: a year of the web
archive packaged for the archives office as a BagIt bag, folder and zip, the same bytes each
time; verified whole by the archive office without the site, by warcio's own `check` and by
the Library of Congress's bagit; and every kind of damage (a flipped byte, a changed record,
a cut file, a missing or added file, a stale index) and hostile package (paths leaving it,
links, a zip bomb, no zip at all) reported as a finding, never a traceback."""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
import subprocess
import sys
import zipfile
import zlib
from collections import Counter
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree

import bagit
import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.sitekit import FOOTER, article, congress, make_site

pytestmark = pytest.mark.site

# The first is 2025's; the second is 2026's in China time though 2025's in UTC (its file name).
P1 = "2025-12-20T09:00:00+08:00"
P2 = "2026-01-01T02:00:00+08:00"
P3 = "2026-03-10T09:00:00+08:00"
P4 = "2026-05-12T09:00:00+08:00"
DATE = "2025-12-01T10:00:00+08:00"
X = "news/2026/x.md"
Y = "news/2026/y.md"
Z = "news/2026/z.md"


def text(body: str, uid: str, title: str) -> str:
    return article(body, uid=uid, title=title, date=DATE)


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = congress(*args, cwd=root)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def warcio(*args: str) -> subprocess.CompletedProcess[str]:
    tool = Path(sys.executable).with_name("warcio")
    return subprocess.run(
        [str(tool), *args], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four publications: one in 2025, three in 2026 (China time), the 2026 package made."""
    root = make_site(
        tmp_path_factory.mktemp("package"),
        {X: text("第一篇的正文。\n", "2025-1201-aaaaaa", "第一篇")},
        archive_retention="30年",
    )
    steps = [
        (P1, {}),
        (P2, {Y: text("第二篇的正文。\n", "2025-1201-bbbbbb", "第二篇")}),
        (P3, {X: text("第一篇更改后的正文。\n", "2025-1201-aaaaaa", "第一篇")}),
        (P4, {Z: text("第三篇的正文。\n", "2025-1201-cccccc", "第三篇")}),
    ]
    for now, files in steps:
        for rel, body in files.items():
            (root / "content" / rel).write_text(body, encoding="utf-8")
        done = run(root, "build", "--now", now)
        assert done.returncode == 0, done.stderr
    done = run(root, "archive", "package", "--year", "2026")
    assert done.returncode == 0, done.stderr
    return root


def folder(root: Path) -> Path:
    return root / "build/archive-packages/web-archive-2026"


def zipped(root: Path) -> Path:
    return root / "build/archive-packages/web-archive-2026.zip"


def description(root: Path) -> dict[str, object]:
    data = json.loads((folder(root) / "data/description.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def copy_of(root: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(root, target, symlinks=True)
    return target


def codes(done: subprocess.CompletedProcess[str]) -> set[str]:
    return {
        line.split("[", 1)[1].split("]", 1)[0] for line in done.stderr.splitlines() if "[" in line
    }


def test_the_years_warcs_by_china_time_are_packaged(site: Path) -> None:
    warcs = sorted(
        p.relative_to(folder(site) / "data").as_posix() for p in folder(site).rglob("*.warc.gz")
    )
    assert warcs == [
        "2026/20251231180000.warc.gz",
        "2026/20260310010000.warc.gz",
        "2026/20260512010000.warc.gz",
    ]
    for name in warcs:
        assert (folder(site) / "data" / name).read_bytes() == (site / "archive" / name).read_bytes()


@pytest.mark.parametrize("which", ["folder", "zip", "archive"])
def test_the_package_and_the_archive_verify(site: Path, which: str) -> None:
    args = {"folder": [str(folder(site))], "zip": [str(zipped(site))], "archive": []}[which]
    done = run(site, "archive", "verify", *args)
    assert done.returncode == 0, done.stderr
    files = 4 if which == "archive" else 3
    assert f"已校验 {files} 个归档文件" in done.stdout
    assert "未发现问题" in done.stdout


def test_a_package_verifies_without_the_site(site: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "archives-office"
    elsewhere.mkdir()
    shutil.copy(zipped(site), elsewhere)
    done = run(elsewhere, "archive", "verify", "web-archive-2026.zip")
    assert done.returncode == 0, done.stderr


def test_the_zip_holds_the_folder(site: Path) -> None:
    with zipfile.ZipFile(zipped(site)) as z:
        names = [i.filename for i in z.infolist()]
        inside = {n.removeprefix("web-archive-2026/"): z.read(n) for n in names}
        assert all(n.startswith("web-archive-2026/") for n in names)
        assert names == sorted(names)
        assert {i.date_time for i in z.infolist()} == {(2026, 5, 12, 9, 0, 0)}
    on_disk = {
        p.relative_to(folder(site)).as_posix(): p.read_bytes()
        for p in folder(site).rglob("*")
        if p.is_file()
    }
    assert inside == on_disk


def test_the_package_is_a_bagit_bag(site: Path) -> None:
    bag = bagit.Bag(str(folder(site)))
    bag.validate()  # the Library of Congress's validator, every checksum recomputed
    assert bag.info["External-Identifier"] == f"{FOOTER['site_code']}-2026"
    assert bag.info["Source-Organization"] == FOOTER["sponsor"]
    assert bag.info["Bagging-Date"] == "2026-05-12"
    assert sorted(bag.payload_entries()) == sorted(
        p.relative_to(folder(site)).as_posix()
        for p in (folder(site) / "data").rglob("*")
        if p.is_file()
    )


def test_warcio_checks_the_packaged_warcs(site: Path) -> None:
    for path in sorted((folder(site) / "data").rglob("*.warc.gz")):
        checked = warcio("check", "-v", str(path))
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "fail" not in checked.stdout.lower()


def test_the_description_says_what_the_package_holds(site: Path) -> None:
    about = description(site)
    assert about["网站名称"] == "测试市人大常委会"
    assert about["网站网址"] == "https://www.example.gov.cn/"
    assert about["网站标识码"] == FOOTER["site_code"]
    assert about["主办单位"] == FOOTER["sponsor"]
    assert about["承办单位"] == FOOTER["organizer"]
    assert about["保管期限"] == "30年"
    assert about["归档年度"] == 2026
    assert about["起始时间"] == P2
    assert about["截止时间"] == P4
    assert about["打包时间"] == P4
    assert about["发布次数"] == 3
    assert about["引用的此前年度"] == [2025]  # its unchanged pages are 2025's captures
    assert any("DA/T 80-2019" in s for s in about["依据标准"])  # type: ignore[attr-defined]
    kinds: Counter[str] = Counter()
    for path in sorted((folder(site) / "data").rglob("*.warc.gz")):
        with open(path, "rb") as f:
            kinds.update(r.rec_type for r in ArchiveIterator(f))
    assert about["记录数"] == {**dict(sorted(kinds.items())), "合计": sum(kinds.values())}
    assert kinds["revisit"] and kinds["response"] and kinds["warcinfo"] == 3
    xml = ElementTree.parse(folder(site) / "data/description.xml").getroot()
    assert xml.findtext("网站标识码") == FOOTER["site_code"]
    assert xml.findtext("记录数/合计") == str(sum(kinds.values()))


def test_the_index_lists_exactly_the_packaged_records(site: Path) -> None:
    archived = (site / "archive/index.cdxj").read_text(encoding="utf-8").splitlines()
    packaged = (folder(site) / "data/index.cdxj").read_text(encoding="utf-8").splitlines()
    assert packaged == [line for line in archived if '"filename": "2026/' in line]


def test_packaging_again_gives_the_same_bytes(site: Path, tmp_path: Path) -> None:
    done = run(site, "archive", "package", "--year", "2026", "--out", str(tmp_path / "again"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "again/web-archive-2026.zip").read_bytes() == zipped(site).read_bytes()
    later = run(
        site, "archive", "package", "--year", "2026", "--out", str(tmp_path / "later"),
        "--at", "2026-06-01T10:00:00+08:00",
    )  # fmt: skip
    assert later.returncode == 0, later.stderr
    about = json.loads(
        (tmp_path / "later/web-archive-2026/data/description.json").read_text(encoding="utf-8")
    )
    assert about["打包时间"] == "2026-06-01T10:00:00+08:00"
    early = run(site, "archive", "package", "--year", "2026", "--out", str(tmp_path / "early"),
                "--at", "2026-04-01T10:00:00+08:00")  # fmt: skip
    assert early.returncode == 1
    assert "[ARCHIVE-PACKAGE-TIME]" in early.stderr


def test_a_year_with_nothing_archived_is_a_finding(site: Path) -> None:
    done = run(site, "archive", "package", "--year", "2019")
    assert done.returncode == 1
    assert "[ARCHIVE-PACKAGE-EMPTY]" in done.stderr
    assert "2019 年" in done.stderr


@pytest.mark.parametrize("where", ["site", "archive", "link", "occupied"])
def test_a_package_is_never_written_into_the_site_through_a_link_or_over_other_files(
    site: Path, tmp_path: Path, where: str
) -> None:
    out = {"site": site / "site/packages", "archive": site / "archive/packages"}.get(where)
    if where == "link":
        out = tmp_path / "link"
        (tmp_path / "elsewhere").mkdir()
        os.symlink(tmp_path / "elsewhere", out)
    elif where == "occupied":
        out = tmp_path / "out"
        (out / "web-archive-2026").mkdir(parents=True)
        (out / "web-archive-2026/mine.txt").write_text("别人的文件", encoding="utf-8")
    assert out is not None
    before = sorted(out.rglob("*"))
    done = run(site, "archive", "package", "--year", "2026", "--out", str(out))
    assert done.returncode == 1
    assert "[ARCHIVE-PACKAGE-OUT]" in done.stderr
    assert sorted(out.rglob("*")) == before


def members(data: bytes) -> list[bytes]:
    """The records of a .warc.gz file, uncompressed, one per gzip member."""
    found = []
    while data:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        found.append(d.decompress(data))
        data = d.unused_data
    return found


def tamper(path: Path, kind: str) -> None:
    """Change one byte of the first `kind` record's block (a response's body, a revisit's
    HTTP headers) and compress the file again: the gzip is sound, only the record's digests
    can tell."""
    records = members(path.read_bytes())
    i = next(k for k, r in enumerate(records) if f"WARC-Type: {kind}\r\n".encode() in r)
    changed = bytearray(records[i])
    changed[changed.index(b"Server: nginx") + 12 if kind == "revisit" else -10] ^= 0x20
    records[i] = bytes(changed)
    path.write_bytes(b"".join(gzip.compress(r, mtime=0) for r in records))


def flip(path: Path, at: int) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


WARC = "2026/20260310010000.warc.gz"


@pytest.mark.parametrize(
    ("kind", "digest"),
    [
        ("response", "载荷摘要（WARC-Payload-Digest）不符"),
        ("revisit", "内容块摘要（WARC-Block-Digest）不符"),
    ],
)
def test_a_changed_record_is_reported_by_its_digest(
    site: Path, tmp_path: Path, kind: str, digest: str
) -> None:
    root = copy_of(site, tmp_path)
    tamper(root / "archive" / WARC, kind)
    done = run(root, "archive", "verify")
    assert done.returncode == 1
    assert f"[ARCHIVE-DIGEST] 归档文件 {WARC} 偏移 " in done.stderr
    assert f"处的记录（{kind} https://www.example.gov.cn/" in done.stderr
    assert digest in done.stderr
    refused = run(root, "archive", "package", "--year", "2026", "--out", str(tmp_path / "out"))
    assert refused.returncode == 1  # damage is never carried into a transfer package
    assert "[ARCHIVE-DIGEST]" in refused.stderr
    assert not (tmp_path / "out/web-archive-2026.zip").exists()


def test_a_missing_earlier_warc_is_reported_by_the_revisits_that_need_it(
    site: Path, tmp_path: Path
) -> None:
    root = copy_of(site, tmp_path)
    (root / "archive/2025/20251220010000.warc.gz").unlink()
    done = run(root, "archive", "verify")
    assert done.returncode == 1
    assert "[ARCHIVE-REVISIT] 归档文件 2026/20251231180000.warc.gz 偏移 " in done.stderr
    assert "引用的记录 <urn:uuid:" in done.stderr
    assert "[ARCHIVE-INDEX-STALE]" in done.stderr  # the index still lists its records


def test_large_files_go_into_zip64_entries(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Entries past ZIP64_LIMIT (4 GiB, lowered here) are written as ZIP64, and read back."""
    from generator.archive.bagcheck import verify_package
    from generator.archive.package import write_zip

    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 1 << 16)
    target = tmp_path / "web-archive-2026.zip"
    write_zip(folder(site), target, datetime.fromisoformat(P4))
    with zipfile.ZipFile(target) as z:
        big = [i for i in z.infolist() if i.file_size > 1 << 16]
        assert big and all(i.extra[:2] == b"\x01\x00" for i in big)  # the ZIP64 extra field
    monkeypatch.undo()
    assert verify_package(target).findings == []


def test_a_flipped_byte_in_the_archive_is_reported(site: Path, tmp_path: Path) -> None:
    root = copy_of(site, tmp_path)
    path = root / "archive" / WARC
    flip(path, path.stat().st_size // 2)
    done = run(root, "archive", "verify")
    assert done.returncode == 1
    assert codes(done) & {"ARCHIVE-DIGEST", "ARCHIVE-MALFORMED", "ARCHIVE-TRUNCATED"}
    assert f"归档文件 {WARC} 偏移 " in done.stderr


def test_a_flipped_byte_in_a_package_is_reported(site: Path, tmp_path: Path) -> None:
    package = tmp_path / "web-archive-2026"
    shutil.copytree(folder(site), package)
    path = package / "data" / WARC
    flip(path, path.stat().st_size // 2)
    done = run(site, "archive", "verify", str(package))
    assert done.returncode == 1
    assert (
        f"[ARCHIVE-PACKAGE-CHANGED] 移交包中的文件 data/{WARC} 与清单不符：SHA-256" in done.stderr
    )
    assert f"data/{WARC} 偏移 " in done.stderr  # and where in the WARC file
    assert not bagit.Bag(str(package)).is_valid()  # as bagit sees it too
    # The same byte in the zip: the entry reads as changed.
    data = bytearray(zipped(site).read_bytes())
    with zipfile.ZipFile(zipped(site)) as z:
        info = z.getinfo(f"web-archive-2026/data/{WARC}")
        at = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 1000
    data[at] ^= 0x01
    (tmp_path / "flipped.zip").write_bytes(bytes(data))
    done = run(site, "archive", "verify", str(tmp_path / "flipped.zip"))
    assert done.returncode == 1
    assert f"[ARCHIVE-PACKAGE-CHANGED] 移交包中的文件 data/{WARC}" in done.stderr


def test_a_missing_or_added_file_in_a_package_is_reported(site: Path, tmp_path: Path) -> None:
    package = tmp_path / "web-archive-2026"
    shutil.copytree(folder(site), package)
    (package / "data" / WARC).unlink()
    (package / "data/notes.txt").write_text("后加的文件", encoding="utf-8")
    done = run(site, "archive", "verify", str(package))
    assert done.returncode == 1
    assert f"[ARCHIVE-PACKAGE-MISSING] 移交包缺少清单所列的文件 data/{WARC}" in done.stderr
    assert "[ARCHIVE-PACKAGE-EXTRA] 移交包中有清单未列的文件 data/notes.txt" in done.stderr


def test_a_truncated_warc_is_reported(site: Path, tmp_path: Path) -> None:
    root = copy_of(site, tmp_path)
    path = root / "archive" / WARC
    path.write_bytes(path.read_bytes()[: path.stat().st_size * 2 // 3])
    done = run(root, "archive", "verify")
    assert done.returncode == 1
    assert f"[ARCHIVE-TRUNCATED] 归档文件 {WARC} 不完整：偏移 " in done.stderr
    package = tmp_path / "web-archive-2026"
    shutil.copytree(folder(site), package)
    shutil.copy(path, package / "data" / WARC)
    done = run(site, "archive", "verify", str(package))
    assert done.returncode == 1
    assert {"ARCHIVE-PACKAGE-CHANGED", "ARCHIVE-TRUNCATED"} <= codes(done)


@pytest.mark.parametrize("tail", [b"garbage", b"\n", b"\0" * 64])
def test_bytes_after_the_last_record_are_reported(site: Path, tmp_path: Path, tail: bytes) -> None:
    root = copy_of(site, tmp_path)
    path = root / "archive" / WARC
    size = path.stat().st_size
    path.write_bytes(path.read_bytes() + tail)
    done = run(root, "archive", "verify")
    assert done.returncode == 1
    assert f"[ARCHIVE-MALFORMED] 归档文件 {WARC} 偏移 {size} 处" in done.stderr


def test_a_stale_index_is_reported(site: Path, tmp_path: Path) -> None:
    root = copy_of(site, tmp_path)
    index = root / "archive/index.cdxj"
    index.write_text("".join(index.read_text(encoding="utf-8").splitlines(True)[1:]), "utf-8")
    done = run(root, "archive", "verify")
    assert done.returncode == 1
    assert "[ARCHIVE-INDEX-STALE] 索引 index.cdxj 与归档文件不一致" in done.stderr
    assert run(root, "archive", "reindex").returncode == 0
    assert run(root, "archive", "verify").returncode == 0


def hostile_zip(site: Path, path: Path) -> None:
    with zipfile.ZipFile(zipped(site)) as src, zipfile.ZipFile(path, "w") as z:
        for info in src.infolist():
            z.writestr(info, src.read(info))
        z.writestr("web-archive-2026/../../evil.txt", b"x")
        z.writestr("/etc/evil.txt", b"x")
        link = zipfile.ZipInfo("web-archive-2026/data/link")
        link.create_system = 3
        link.external_attr = 0o120777 << 16
        z.writestr(link, b"/etc/passwd")
        bomb = zipfile.ZipInfo("web-archive-2026/data/bomb.bin")
        z.writestr(bomb, b"\0" * (64 << 20), compress_type=zipfile.ZIP_DEFLATED)


def test_a_hostile_zip_is_reported_and_never_read(site: Path, tmp_path: Path) -> None:
    hostile_zip(site, tmp_path / "hostile.zip")
    done = run(site, "archive", "verify", str(tmp_path / "hostile.zip"))
    assert done.returncode == 1
    out = done.stderr
    assert "[ARCHIVE-PACKAGE-UNSAFE] 移交包中的 web-archive-2026/../../evil.txt 未读取" in out
    assert "/etc/evil.txt 未读取" in out
    assert "web-archive-2026/data/link 未读取：是符号链接" in out
    assert "web-archive-2026/data/bomb.bin 未读取" in out and "压缩炸弹" in out
    assert not (tmp_path / "evil.txt").exists()


def test_links_and_special_files_in_a_package_folder_are_never_read(
    site: Path, tmp_path: Path
) -> None:
    package = tmp_path / "web-archive-2026"
    shutil.copytree(folder(site), package)
    os.symlink("/etc/passwd", package / "data/passwd")
    os.symlink(tmp_path, package / "data/up")
    os.mkfifo(package / "data/fifo")  # reading it would hang
    done = run(site, "archive", "verify", str(package))
    assert done.returncode == 1
    assert "data/passwd 未读取：是符号链接" in done.stderr
    assert "data/up 未读取：是符号链接" in done.stderr
    assert "data/fifo 未读取：不是普通文件" in done.stderr


@pytest.mark.parametrize("kind", ["text", "truncated zip", "missing", "empty folder"])
def test_what_is_no_package_is_a_finding(site: Path, tmp_path: Path, kind: str) -> None:
    path = tmp_path / "p.zip"
    if kind == "text":
        path.write_text("不是 zip 文件", encoding="utf-8")
    elif kind == "truncated zip":
        path.write_bytes(zipped(site).read_bytes()[:100_000])
    elif kind == "empty folder":
        path = tmp_path / "empty"
        path.mkdir()
    done = run(site, "archive", "verify", str(path))
    assert done.returncode == 1
    assert "[ARCHIVE-PACKAGE-FORMAT]" in done.stderr


def test_random_damage_anywhere_in_a_zip_is_a_finding(site: Path, tmp_path: Path) -> None:
    """Bytes changed at random anywhere in the zip (its entries, headers and directory), or
    the zip cut anywhere: never an exception, and a finding whenever a file's bytes changed
    (a changed zip header field nobody reads, such as an entry's time, may pass)."""
    from generator.archive.bagcheck import verify_package

    original = zipped(site).read_bytes()
    with zipfile.ZipFile(zipped(site)) as z:
        spans = []
        for i in z.infolist():
            start = i.header_offset + 30 + len(i.filename.encode()) + len(i.extra)
            spans.append(range(start, start + i.compress_size))
    rng = random.Random(19)
    path = tmp_path / "damaged.zip"
    for _ in range(40):
        data = bytearray(original)
        changed = [rng.randrange(len(data)) for _ in range(rng.choice([1, 1, 4, 32]))]
        for at in changed:
            data[at] = (data[at] + rng.randrange(1, 256)) % 256
        cut = rng.random() < 0.25
        if cut:
            data = data[: rng.randrange(len(data))]
        path.write_bytes(bytes(data))
        findings = verify_package(path).findings
        if cut or any(at in span for at in changed for span in spans):
            assert findings, changed


def test_what_a_killed_packaging_left_is_removed(site: Path, tmp_path: Path) -> None:
    root = copy_of(site, tmp_path)
    out = root / "build/archive-packages"
    stale = out / ".web-archive-2026.999999.tmp"
    (stale / "data").mkdir(parents=True)
    (stale / "data/partial.warc.gz").write_bytes(b"\x1f\x8b half")
    (out / ".web-archive-2026.zip.999999.tmp").write_bytes(b"PK half")
    done = run(root, "archive", "package", "--year", "2026")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["web-archive-2026", "web-archive-2026.zip"]
