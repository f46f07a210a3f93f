"""The web archive reviewed as an attacker and an archivist would (issue 19's red-team review):
a manifest that is not the one of the site in site_dir, counts of what is not public, an
article that moved, an archive folder where the build reads or cleans, an archive only
readable here, what a writer killed outright leaves, a state file naming wrong records, and
URLs as people write them. Each is a finding or a right answer, never a traceback."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from warcio.archiveiterator import ArchiveIterator

from tests.browser.replaykit import IMAGE
from tests.site.test_archive import CORRECTION, OTHER, T1, T2, T3, URL, V1, V2, build, warcs, write
from tests.sitekit import approve, article, congress, draft, make_site

pytestmark = pytest.mark.site

REHEARSAL = {"at": "2026-11-22T10:00:00+08:00", "reason": "排练用的撤稿理由 CANARYREHEARSAL"}


@pytest.fixture(scope="module")
def once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_site(tmp_path_factory.mktemp("once"), {"news/2026/x.md": article(V1), **OTHER})
    assert build(root, T1).returncode == 0
    return root


@pytest.fixture
def site(once: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "s"
    shutil.copytree(once, copy, symlinks=True)
    return copy


def clean(done: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr


def archived(root: Path) -> bytes:
    """Every byte of the archive folder, each WARC's records decompressed."""
    return b"".join(
        gzip.decompress(p.read_bytes()) if p.name.endswith(".gz") else p.read_bytes()
        for p in sorted((root / "archive").rglob("*"))
        if p.is_file()
    )


def manifests(root: Path) -> list[dict[str, object]]:
    """The publication manifest records of the archive, oldest first."""
    found = []
    for path in warcs(root):
        with open(path, "rb") as f:
            for rec in ArchiveIterator(f):
                if (rec.rec_headers.get_header("WARC-Target-URI") or "").startswith("urn:"):
                    found.append(json.loads(rec.content_stream().read()))
    return found


# Leaks and wrong records: the manifest must be the one of the site in site_dir.


def test_a_manifest_of_a_build_elsewhere_is_never_archived_with_the_site(
    site: Path, tmp_path: Path
) -> None:
    """A rehearsal built into another folder writes build/publication-manifest.json too: put
    beside the site in site_dir (which still serves the article), it would archive a
    withdrawal that never happened, with a reason never shown."""
    write(site, approve(draft(V1, withdrawn=REHEARSAL)))
    elsewhere = build(site, T3, "--site-dir", str(tmp_path / "elsewhere"), "--allow-removal")
    assert elsewhere.returncode == 0, elsewhere.stderr
    done = congress("archive", "record", cwd=site)
    clean(done)
    assert done.returncode == 1
    assert "[ARCHIVE-MISMATCH]" in done.stderr
    assert len(warcs(site)) == 1
    assert b"CANARYREHEARSAL" not in archived(site)
    listed = congress("archive", "list", URL, cwd=site)
    assert "撤回" not in listed.stdout


def test_a_manifest_of_a_build_since_replaced_is_never_archived(site: Path) -> None:
    write(site, article(V2, corrections=CORRECTION))
    assert build(site, T2, "--no-archive").returncode == 0
    stale = site / "build/stale-manifest.json"
    shutil.copy(site / "build/publication-manifest.json", stale)
    (site / "content/news/2026/z.md").write_text(
        article("第三篇。\n", uid="2026-1120-cccccc", title="第三篇"), encoding="utf-8"
    )
    assert build(site, T3, "--no-archive").returncode == 0
    done = congress("archive", "record", "--manifest", str(stale), cwd=site)
    clean(done)
    assert done.returncode == 1 and "[ARCHIVE-MISMATCH]" in done.stderr
    assert len(warcs(site)) == 1
    fresh = congress("archive", "record", cwd=site)  # the manifest of the site in site_dir
    clean(fresh)
    assert fresh.returncode == 0, fresh.stderr
    assert len(warcs(site)) == 2


def test_a_build_of_site_dir_through_a_link_is_archived(site: Path) -> None:
    (site / "alias").symlink_to("site")
    write(site, article(V2, corrections=CORRECTION))
    done = build(site, T2, "--site-dir", "alias")
    assert done.returncode == 0, done.stderr
    assert len(warcs(site)) == 2


@pytest.mark.parametrize(
    "manifest",
    [
        {"published": [1]},
        {"published": [], "not_public": [1]},
        {"published": [], "not_public": "x"},
        {"published": {"uid": "x"}},
    ],
)
def test_a_manifest_of_the_wrong_shape_is_a_finding(
    site: Path, manifest: dict[str, object]
) -> None:
    path = site / "build/odd.json"
    path.write_text(json.dumps({"now": "2026-11-22T09:00:00+08:00", **manifest}), "utf-8")
    done = congress("archive", "record", "--manifest", str(path), cwd=site)
    clean(done)
    assert done.returncode == 1 and "[ARCHIVE-FAILED]" in done.stderr


def test_the_archived_manifest_counts_only_what_is_public(tmp_path: Path) -> None:
    """How many articles are pending, scheduled or invalid was never public."""
    text = draft("定时发布的正文。\n", uid="2026-1120-eeeeee", date="2026-12-20T10:00:00+08:00")
    scheduled = approve(text, start="2026-11-20T01:00:00+08:00")  # signed before T1
    root = make_site(
        tmp_path,
        {
            "news/2026/x.md": article(V1),
            "news/2026/s.md": scheduled,
            "news/2026/p.md": draft("待审稿件。\n", uid="2026-1120-ffffff"),
        },
    )
    assert build(root, T1).returncode == 0
    (manifest,) = manifests(root)
    assert manifest["summary"] == {"published": 1}
    assert "scheduled" not in json.dumps(manifest) and "pending" not in json.dumps(manifest)
    data = archived(root)
    assert b"2026-1120-eeeeee" not in data and b"2026-1120-ffffff" not in data


def test_an_article_at_a_new_address_is_recorded_as_moved_not_deleted(site: Path) -> None:
    source = site / "content/news/2026/x.md"
    source.rename(source.with_name("x2.md"))
    assert build(site, T2).returncode == 0
    listed = congress("archive", "list", URL, cwd=site)
    clean(listed)
    assert "网址变更：现网址 https://www.example.gov.cn/news/2026/x2/" in listed.stdout
    assert "稿件已删除" not in listed.stdout


def test_an_article_whose_front_matter_broke_is_recorded_as_no_longer_public(site: Path) -> None:
    """An invalid article has no uid in the manifest: known by its file's address."""
    write(site, article(V1).replace("---\n", "---\nnot_a_field: 1\n", 1))
    done = build(site, T2, "--allow-removal")
    assert "[FM-UNKNOWN-KEY]" in done.stderr
    listed = congress("archive", "list", URL, cwd=site)
    clean(listed)
    assert "停止公开" in listed.stdout and "稿件已删除" not in listed.stdout


def test_an_article_published_again_after_its_withdrawal_shows_each_time(site: Path) -> None:
    withdrawn = {"at": "2026-11-22T10:00:00+08:00", "reason": "所涉数据正在重新核实。"}
    write(site, approve(draft(V1, withdrawn=withdrawn)))
    assert build(site, T2).returncode == 0
    write(site, approve(draft(V1), start="2026-11-23T10:00:00+08:00"))
    assert build(site, T3).returncode == 0
    listed = congress("archive", "list", URL, cwd=site)
    assert "恢复为此前的内容" in listed.stdout
    for at, text in (("2026-11-22T12:00+08:00", V1), (T2, "所涉数据正在重新核实"), (T3, V1)):
        shown = congress("archive", "show", URL, "--at", at, cwd=site)
        clean(shown)
        assert text.strip() in shown.stdout, (at, shown.stdout)
    verified = congress("archive", "verify", cwd=site)
    assert verified.returncode == 0, verified.stderr


# Where the archive lives.


@pytest.mark.parametrize(
    ("where", "why"), [("content/warc", "稿件目录"), ("build/warc", "构建目录")]
)
def test_an_archive_folder_where_the_build_reads_or_cleans_is_refused(
    tmp_path: Path, where: str, why: str
) -> None:
    root = make_site(tmp_path / "s", {"news/2026/x.md": article(V1)}, archive_dir=where)
    done = build(root, T1)
    assert done.returncode == 1
    assert "[ARCHIVE-DIR]" in done.stderr and why in done.stderr
    assert not (root / where).exists()
    assert "第一版正文" in (root / "site/news/2026/x/index.html").read_text(encoding="utf-8")


# An archive only readable here: a copy, the archive storage mounted read-only.


@pytest.fixture
def readonly(once: Path) -> Iterator[Path]:
    """A copy of the site whose archive this user may read, not write: as root (who may write
    anything), the commands run as nobody."""
    folder = Path(tempfile.mkdtemp(prefix="archive-readonly-"))
    os.chmod(folder, 0o755)
    copy = folder / "s"
    shutil.copytree(once, copy, symlinks=True)
    for top, _, _ in os.walk(copy):  # pytest's folders are the owner's only
        os.chmod(top, 0o755)
    (copy / "archive/.lock").unlink()
    (copy / "archive/state.json").unlink()  # behind its WARC files, and cannot be rebuilt
    for path in [copy / "archive", *(copy / "archive").rglob("*")]:
        mode = path.stat().st_mode
        path.chmod((mode | stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH) & ~0o222)
    try:
        yield copy
    finally:
        for path in [copy / "archive", *(copy / "archive").rglob("*")]:
            path.chmod(path.stat().st_mode | stat.S_IWUSR)
        shutil.rmtree(folder)


def as_reader(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "generator", *args]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            message = "setpriv not found (util-linux): a read-only archive cannot be made for root"
            if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
                pytest.fail(message)
            pytest.skip(message)
        command = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    env = {**os.environ, "HOME": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        command, cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_a_read_only_archive_is_read_as_it_is(readonly: Path) -> None:
    listed = as_reader(readonly, "archive", "list", URL)
    clean(listed)
    assert listed.returncode == 0, listed.stderr
    assert "首次归档" in listed.stdout
    assert "[ARCHIVE-READONLY]" in listed.stderr
    shown = as_reader(readonly, "archive", "show", URL, "--at", T2)
    clean(shown)
    assert shown.returncode == 0 and "第一版正文" in shown.stdout
    verified = as_reader(readonly, "archive", "verify")
    clean(verified)
    assert verified.returncode == 0, verified.stderr
    reindexed = as_reader(readonly, "archive", "reindex")
    clean(reindexed)
    assert reindexed.returncode == 1 and "[ARCHIVE-DIR]" in reindexed.stderr
    assert sorted(p.name for p in (readonly / "archive").iterdir()) == [
        "2026",
        "index.cdxj",
        "metadata.cdxj",
    ]


# What a writer killed outright leaves.


def test_what_a_killed_archiving_left_is_removed_by_the_next_writer(site: Path) -> None:
    write(site, article(V2, corrections=CORRECTION))
    assert build(site, T2, "--no-archive").returncode == 0
    (site / "site/big.bin").write_bytes(os.urandom(48 << 20))  # seconds to compress
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "archive", "record"],
        cwd=site,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    year = site / "archive/2026"
    deadline = time.monotonic() + 120
    while not list(year.glob(".*.tmp")) and process.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    left = list(year.glob(".*.tmp"))
    assert left, "the archiving ended before it could be killed"
    (site / "archive/tmpabcd1234.cdxj").write_text("", encoding="utf-8")  # an older release's
    (site / "site/big.bin").unlink()
    done = congress("archive", "record", cwd=site)
    clean(done)
    assert done.returncode == 0, done.stderr
    assert not list((site / "archive").rglob("*.tmp"))
    assert not (site / "archive/tmpabcd1234.cdxj").exists()
    assert [p.name for p in warcs(site)] == ["20261121010000.warc.gz", "20261123010000.warc.gz"]


# A state file that names wrong records, or a publication in the future.


@pytest.mark.parametrize("how", ["record ids", "last publication"])
def test_a_state_file_that_disagrees_with_the_warcs_is_rebuilt(site: Path, how: str) -> None:
    path = site / "archive/state.json"
    state = json.loads(path.read_text(encoding="utf-8"))
    if how == "record ids":
        for capture in state["captures"].values():
            capture[2] = "<urn:uuid:00000000-0000-0000-0000-000000000000>"
    else:
        state["last"] = "2099-01-01T00:00:00Z"  # every later publication "behind" it
    path.write_text(json.dumps(state), encoding="utf-8")
    write(site, article(V2, corrections=CORRECTION))
    done = build(site, T2)
    assert done.returncode == 0, done.stderr
    assert "[ARCHIVE-BEHIND]" not in done.stderr
    assert len(warcs(site)) == 2
    verified = congress("archive", "verify", cwd=site)
    clean(verified)
    assert verified.returncode == 0, verified.stderr  # every revisit names a real response


# WARC files copied or renamed by hand.


def test_a_warc_file_copied_under_another_name_is_reported(site: Path, tmp_path: Path) -> None:
    """Replay and transfer packages take a publication's time from its file's name."""
    (first,) = warcs(site)
    shutil.copy(first, first.with_name("20261130000000.warc.gz"))
    verified = congress("archive", "verify", cwd=site)
    clean(verified)
    assert verified.returncode == 1
    assert "[ARCHIVE-MISNAMED]" in verified.stderr and "2026/20261121010000.warc.gz" in (
        verified.stderr
    )
    assert "[ARCHIVE-DUPLICATE]" in verified.stderr
    out = tmp_path / "out"
    packaged = congress("archive", "package", "--year", "2026", "--out", str(out), cwd=site)
    clean(packaged)
    assert packaged.returncode == 1 and "[ARCHIVE-MISNAMED]" in packaged.stderr
    assert not list(out.glob("*.zip"))


def test_a_package_without_any_warc_file_is_a_finding(site: Path, tmp_path: Path) -> None:
    import bagit

    bag = tmp_path / "empty"
    bag.mkdir()
    for name in ("index.cdxj", "metadata.cdxj"):
        (bag / name).write_text("", encoding="utf-8")
    bagit.make_bag(str(bag), {}, checksums=["sha256"])
    done = congress("archive", "verify", str(bag), cwd=site)
    clean(done)
    assert done.returncode == 1 and "[ARCHIVE-PACKAGE-FORMAT]" in done.stderr


# URLs as people write them, and the text as it was.


def test_list_and_show_find_a_url_as_people_write_it(tmp_path: Path) -> None:
    body = "图文稿件。\n\n![现场](../../assets/现场 照片.png)\n"
    root = make_site(
        tmp_path, {"news/2026/x.md": article(body)}, assets={"assets/现场 照片.png": IMAGE}
    )
    assert build(root, T1).returncode == 0
    for written in (
        "assets/现场 照片.png",
        "https://www.example.gov.cn/assets/现场 照片.png",
        "news/2026/x/#top",
        "news/2026/x/index.html",
        "https://www.example.gov.cn/news/2026/x?from=timeline",
    ):
        done = congress("archive", "list", written, cwd=root)
        clean(done)
        assert done.returncode == 0, (written, done.stderr)
        assert "首次归档" in done.stdout


def test_show_prints_the_text_in_lines(site: Path) -> None:
    done = congress("archive", "show", "news/2026/x/", "--at", T2, cwd=site)
    clean(done)
    assert done.returncode == 0
    assert "\\x0a" not in done.stdout
    assert any(line.strip() == V1.strip() for line in done.stdout.splitlines())


def test_an_unreadable_server_configuration_says_why(site: Path, tmp_path: Path) -> None:
    conf = tmp_path / "nginx.conf"
    conf.write_bytes(b"root:*:19000:0:99999:7:::\n")  # not nginx's: /etc/shadow, say
    config = yaml.safe_load((site / "mkdocs.yml").read_text(encoding="utf-8"))
    config["plugins"][0]["congress"]["server_config"] = str(conf)
    (site / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    write(site, article(V2, corrections=CORRECTION))
    done = build(site, T2)
    assert done.returncode == 1
    line = next(x for x in done.stderr.splitlines() if "[ARCHIVE-SERVER-CONFIG]" in x)
    assert not line.rstrip().endswith("：")
