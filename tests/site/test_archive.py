"""The web archive (存): every publication that changed anything leaves a WARC file that
independent tools read (warcio's own `check` and `index`), an index that lists exactly what
was public, and `congress archive list/show` answer from the WARC files what the public saw
at any time: an article published, corrected and withdrawn shows each version at its time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from generator.archive.records import payload_digest
from tests.sitekit import approve, article, congress, draft, make_site

pytestmark = pytest.mark.site

T1 = "2026-11-21T09:00:00+08:00"
T2 = "2026-11-23T09:00:00+08:00"
T3 = "2026-11-25T09:00:00+08:00"
T4 = "2026-11-26T09:00:00+08:00"
URL = "https://www.example.gov.cn/news/2026/x/"
V1 = "第一版正文：全市共有立法联系点十二个。\n"
V2 = "更正后的正文：全市共有立法联系点十四个。\n"
CORRECTION = [{"at": "2026-11-22T10:00:00+08:00", "note": "立法联系点数量由十二个更正为十四个。"}]
WITHDRAWN = {"at": "2026-11-24T10:00:00+08:00", "reason": "所涉数据正在重新核实。"}
OTHER = {"news/2026/y.md": article("另一篇稿件的正文。\n", uid="2026-1120-bbbbbb", title="另一篇")}


def warcio(*args: str) -> subprocess.CompletedProcess[str]:
    tool = Path(sys.executable).with_name("warcio")
    return subprocess.run(
        [str(tool), *args], check=False, capture_output=True, text=True, timeout=120
    )


def build(root: Path, now: str, *extra: str) -> subprocess.CompletedProcess[str]:
    done = congress("build", "--now", now, *extra, cwd=root)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def write(root: Path, text: str) -> None:
    (root / "content/news/2026/x.md").write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Published at T1, corrected at T2, withdrawn (with a notice) at T3, unchanged at T4."""
    root = make_site(tmp_path_factory.mktemp("archive"), {"news/2026/x.md": article(V1), **OTHER})
    assert build(root, T1).returncode == 0
    write(root, article(V2, corrections=CORRECTION))
    assert build(root, T2).returncode == 0
    write(root, approve(draft(V2, corrections=CORRECTION, withdrawn=WITHDRAWN)))
    assert build(root, T3).returncode == 0
    done = build(root, T4)
    assert done.returncode == 0
    assert "没有变化" in done.stdout
    return root


def warcs(root: Path) -> list[Path]:
    return sorted((root / "archive").glob("*/*.warc.gz"))


def site_urls(site: Path) -> set[str]:
    urls = set()
    for path in site.rglob("*"):
        if path.is_file():
            rel = path.relative_to(site).as_posix()
            if rel == "index.html" or rel.endswith("/index.html"):
                rel = rel.removesuffix("index.html")
            urls.add("https://www.example.gov.cn/" + rel)
    return urls


def test_each_publication_that_changed_anything_leaves_one_warc(history: Path) -> None:
    names = [p.relative_to(history / "archive").as_posix() for p in warcs(history)]
    assert names == [
        "2026/20261121010000.warc.gz",
        "2026/20261123010000.warc.gz",
        "2026/20261125010000.warc.gz",
    ]


def test_warcio_checks_and_indexes_every_warc(history: Path) -> None:
    for path in warcs(history):
        checked = warcio("check", "-v", str(path))
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "digest pass" in checked.stdout
        assert "fail" not in checked.stdout.lower()
        index = warcio("index", str(path))
        assert index.returncode == 0, index.stderr
        types = [json.loads(line)["warc-type"] for line in index.stdout.splitlines()]
        assert types[0] == "warcinfo"
        assert {"metadata", "response"} <= set(types)


def test_records_carry_the_servers_headers_the_public_url_and_the_builds_time(
    history: Path,
) -> None:
    with open(warcs(history)[0], "rb") as f:
        records = {
            r.rec_headers.get_header("WARC-Target-URI"): (
                r.rec_headers,
                r.http_headers,
            )
            for r in ArchiveIterator(f)
            if r.rec_type == "response"
        }
    head, http = records[URL]
    assert head.get_header("WARC-Date") == "2026-11-21T01:00:00Z"
    assert head.get_header("WARC-Payload-Digest").startswith("sha1:")
    assert http.get_header("Content-Type") == "text/html; charset=utf-8"
    assert "default-src 'self'" in http.get_header("Content-Security-Policy")
    assert http.get_header("Cache-Control") == "no-cache"
    feed = records["https://www.example.gov.cn/feeds/all.atom"][1]
    assert feed.get_header("Content-Type") == "application/atom+xml; charset=utf-8"
    assert feed.get_header("Cache-Control") == "max-age=300"


def test_unchanged_files_are_revisits_of_their_first_capture(history: Path) -> None:
    with open(warcs(history)[1], "rb") as f:
        kinds = {
            r.rec_headers.get_header("WARC-Target-URI"): r
            for r in ArchiveIterator(f)
            if r.rec_type in ("response", "revisit")
        }
    other = kinds["https://www.example.gov.cn/news/2026/y/"]
    assert other.rec_type == "revisit"
    assert other.rec_headers.get_header("WARC-Refers-To-Date") == "2026-11-21T01:00:00Z"
    assert other.rec_headers.get_header(
        "WARC-Refers-To-Target-URI"
    ) == other.rec_headers.get_header("WARC-Target-URI")
    assert kinds[URL].rec_type == "response"


def test_the_index_lists_exactly_the_published_urls(history: Path) -> None:
    lines = (history / "archive/index.cdxj").read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines)
    latest = {
        json.loads(line.split(" ", 2)[2])["url"] for line in lines if " 20261125010000 " in line
    }
    assert latest == site_urls(history / "site")
    assert not any("urn:" in line for line in lines)


def test_list_shows_the_articles_whole_history(history: Path) -> None:
    done = congress("archive", "list", "news/2026/x", cwd=history)  # as people copy it
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "2026-11-21 09:00:00  首次归档" in out
    assert "2026-11-23 09:00:00  更改" in out
    assert "撤回：所涉数据正在重新核实。（网址保留撤稿说明）" in out
    assert "审核记录" in out
    listed = json.loads(congress("archive", "list", URL, "--json", cwd=history).stdout)
    assert [e["kind"] for e in listed if e["kind"] in ("capture", "revisit")] == ["capture"] * 3


@pytest.mark.parametrize(
    ("at", "expected", "absent"),
    [
        ("2026-11-22T09:00:00+08:00", "第一版正文", "更正后的正文"),
        ("2026-11-24T09:00:00+08:00", "更正后的正文", "第一版正文"),
    ],
)
def test_show_gives_the_version_public_at_each_time(
    history: Path, at: str, expected: str, absent: str
) -> None:
    done = congress("archive", "show", URL, "--at", at, cwd=history)
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout
    assert absent not in done.stdout


def test_show_after_the_withdrawal_gives_the_notice_and_the_last_public_text(
    history: Path,
) -> None:
    # Today's content has the withdrawn text; the answer comes from the archive.
    done = congress("archive", "show", URL, "--at", "2026-11-30T09:00:00+08:00", cwd=history)
    assert done.returncode == 0, done.stderr
    assert "已于 2026-11-25 09:00:00 撤回：所涉数据正在重新核实。" in done.stdout
    notice, last = done.stdout.split("撤回前最后公开的版本", 1)
    assert "更正后的正文" not in notice
    assert "更正后的正文：全市共有立法联系点十四个。" in last
    before = congress("archive", "show", URL, "--at", "2026-11-20T09:00:00+08:00", cwd=history)
    assert before.returncode == 1
    assert "尚未公开" in before.stdout


def test_show_raw_gives_the_bytes_served(history: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "generator", "archive", "show", URL, "--at", T2, "--raw"],
        check=False,
        cwd=history,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0
    assert "更正后的正文".encode() in done.stdout
    listed = json.loads(congress("archive", "list", URL, "--json", cwd=history).stdout)
    at_t2 = [e for e in listed if e["timestamp"] == "20261123010000" and e["kind"] == "capture"]
    assert payload_digest(done.stdout) == at_t2[0]["digest"]


def test_a_url_never_archived_is_a_finding(history: Path) -> None:
    done = congress("archive", "list", "news/2026/none/", cwd=history)
    assert done.returncode == 1
    assert "[ARCHIVE-URL]" in done.stderr


def test_the_same_publication_gives_the_same_bytes(tmp_path: Path) -> None:
    files = {"news/2026/x.md": article(V1), **OTHER}
    one = make_site(tmp_path / "one", files)
    two = make_site(tmp_path / "two", files)
    for root in (one, two):
        assert build(root, T1).returncode == 0
    a, b = warcs(one), warcs(two)
    assert [p.name for p in a] == [p.name for p in b]
    assert a[0].read_bytes() == b[0].read_bytes()
    assert (one / "archive/index.cdxj").read_bytes() == (two / "archive/index.cdxj").read_bytes()


def test_rehearsals_and_earlier_times_are_not_archived(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"news/2026/x.md": article(V1)})
    assert build(root, T2).returncode == 0
    (root / "content/news/2026/y.md").write_text(OTHER["news/2026/y.md"], encoding="utf-8")
    # Earlier than the archive's last publication: a rehearsal (the suite may backdate).
    earlier = build(root, T1)
    assert earlier.returncode == 0
    assert "[ARCHIVE-BEHIND]" in earlier.stderr
    assert (root / "site/news/2026/y/index.html").is_file()  # the site is built all the same
    # A rehearsal dated in the past, without the suite's permission to backdate: not archived.
    env = {k: v for k, v in os.environ.items() if k != "CONGRESS_ARCHIVE_BACKDATE"}
    backdated = congress("build", "--now", T3, cwd=root, env=env)
    assert backdated.returncode == 0
    assert "[ARCHIVE-BACKDATED]" in backdated.stderr
    future = build(root, "2099-01-01T00:00:00+08:00")
    assert "[ARCHIVE-FUTURE]" in future.stderr
    elsewhere = build(root, T3, "--site-dir", str(tmp_path / "elsewhere"))
    assert elsewhere.returncode == 0
    skipped = build(root, T4, "--no-archive")
    assert skipped.returncode == 0
    assert len(warcs(root)) == 1


def test_a_publication_now_is_archived_without_permission_to_backdate(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"news/2026/x.md": article(V1)})
    env = {k: v for k, v in os.environ.items() if k != "CONGRESS_ARCHIVE_BACKDATE"}
    done = congress("build", cwd=root, env=env)  # the clock's own time
    assert done.returncode == 0, done.stderr
    assert len(warcs(root)) == 1


def test_derived_files_are_rebuilt_from_the_warcs(history: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-a", str(history), str(copy)], check=True)
    index = (copy / "archive/index.cdxj").read_bytes()
    state = (copy / "archive/state.json").read_bytes()
    (copy / "archive/index.cdxj").unlink()
    (copy / "archive/state.json").write_text("{broken", encoding="utf-8")
    assert congress("archive", "list", URL, cwd=copy).returncode == 0
    assert (copy / "archive/index.cdxj").read_bytes() == index
    assert json.loads((copy / "archive/state.json").read_bytes()) == json.loads(state)


@pytest.mark.parametrize("where", ["link", "inside"])
def test_an_archive_folder_that_is_a_link_or_inside_the_site_is_refused(
    tmp_path: Path, where: str
) -> None:
    if where == "link":
        root = make_site(tmp_path / "s", {"news/2026/x.md": article(V1)})
        (tmp_path / "elsewhere").mkdir()
        os.symlink(tmp_path / "elsewhere", root / "archive")
    else:
        root = make_site(tmp_path / "s", {"news/2026/x.md": article(V1)}, archive_dir="site/warc")
    done = build(root, T1)
    assert done.returncode == 1
    assert "[ARCHIVE-DIR]" in done.stderr
    assert not list((tmp_path / "elsewhere").glob("**/*.warc.gz")) if where == "link" else True
    assert not (root / "site/warc").exists()


def test_a_withdrawal_reason_that_was_never_published_stays_out_of_the_archive(
    tmp_path: Path,
) -> None:
    root = make_site(tmp_path, {"news/2026/x.md": article(V1), **OTHER})
    assert build(root, T1).returncode == 0
    secret = {"at": "2026-11-22T10:00:00+08:00", "reason": "秘密★ CANARYREASON"}
    write(root, approve(draft(V1, withdrawn=secret)))
    done = build(root, T2, "--allow-removal")
    assert "[TEXT-SECRECY]" in done.stderr  # no notice: the reason may not be shown
    import gzip

    archived = b"".join(
        gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes()
        for p in (root / "archive").rglob("*")
        if p.is_file()
    )
    assert b"CANARYREASON" not in archived
    listed = congress("archive", "list", URL, cwd=root).stdout
    assert "停止公开" in listed and "CANARYREASON" not in listed


def test_a_clock_set_back_stops_the_archive_and_says_so(tmp_path: Path) -> None:
    from datetime import timedelta

    from generator.core import clock

    root = make_site(tmp_path, {"news/2026/x.md": article(V1)})
    env = {k: v for k, v in os.environ.items() if k != "CONGRESS_ARCHIVE_BACKDATE"}
    ahead = clock.iso(clock.now() + timedelta(minutes=3))  # within the clock's slack
    assert congress("build", "--now", ahead, cwd=root, env=env).returncode == 0
    (root / "content/news/2026/y.md").write_text(OTHER["news/2026/y.md"], encoding="utf-8")
    done = congress("build", cwd=root, env=env)  # now: before the last publication
    assert done.returncode == 1
    assert "[ARCHIVE-CLOCK]" in done.stderr
    assert len(warcs(root)) == 1
