"""Red team, failures (issue 13, points 5-7): every failure ends at once with a Chinese
message and a code, no helper outlives the build, the live site stays as it was; a wrong
clock or a mass removal never replaces the live site; signing keeps every other byte."""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.corpus import write_corpus
from tests.redteam.proctree import (
    Proc,
    adopting_orphans,
    cmdline,
    descendants,
    new_since,
    reap,
    wait_all_gone,
)
from tests.sitekit import (
    NOW,
    ROOT,
    article,
    congress,
    draft,
    make_site,
    office_env,
    sign_written,
    snapshot,
)

# Generous: a helper that would otherwise hang is found, not waited for, and no timing is
# asserted (a build ends in seconds here; these bounds only stop a test that would hang).
GONE_WITHIN = 20.0
BUILD_TIMEOUT = 180

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="/proc and prctl: Linux only")


def no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert "Warning" not in result.stderr, result.stderr  # e.g. leaked semaphores at exit
    assert "Error:" not in result.stderr.replace("[", ""), result.stderr


def build(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return congress("build", *args, cwd=root)


# --- 5. failures end: kill -9 at seeded points, helpers die with the build ---


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, bytes]]]:
    """60 articles, built twice with the cache (so the next build updates a spare: the `find`
    listing and the `rm` of old folders run too); the live site's bytes."""
    root = tmp_path_factory.mktemp("killed")
    write_corpus(60, root)
    for _ in range(2):
        assert build(root, "--now", NOW).returncode in (0, 1)
    yield root, snapshot(root / "site")


def _kill_point(index: int) -> tuple[str, float]:
    """Where to kill the n-th build: random, but the same on every run (seeded)."""
    rng = random.Random(1300 + index)
    kind = rng.choice(["ms", "ms", "staging-pages", "pagefind", "indexer"])
    return kind, rng.choice([80, 250, 600, 1000, 1400]) / 1000


def _due(kind: str, after: float, started: float, root: Path, tree: set[Proc]) -> bool:
    if kind == "ms":
        return time.monotonic() - started >= after
    if kind == "staging-pages":
        return any((p / "index.html").exists() for p in root.glob(".site.staging-*"))
    if kind == "pagefind":
        return any("pagefind" in cmdline(pid) for pid, _ in tree)
    return any("multiprocessing" in cmdline(pid) for pid, _ in tree)  # the indexing process


@pytest.mark.parametrize("index", range(6))
def test_kill_9_at_any_point_leaves_no_helper_and_the_live_site_as_it_was(
    corpus: tuple[Path, dict[str, bytes]], index: int
) -> None:
    root, live = corpus
    kind, after = _kill_point(index)
    # Search runs only where bundles change: with the cache and unchanged content it does not.
    cached = index % 2 == 0 and kind in ("ms", "staging-pages")
    args = ["--now", NOW] + ([] if cached else ["--no-cache"])
    with adopting_orphans():
        baseline = descendants(os.getpid())
        process = subprocess.Popen(
            [sys.executable, "-m", "generator", "build", *args],
            cwd=root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        tree: set[Proc] = set()
        started, deadline = time.monotonic(), time.monotonic() + BUILD_TIMEOUT
        while process.poll() is None and time.monotonic() < deadline:
            tree |= descendants(process.pid)
            if _due(kind, after, started, root, tree):
                break
            time.sleep(0.01)
        tree |= descendants(process.pid)
        killed = process.poll() is None
        if killed:
            os.kill(process.pid, signal.SIGKILL)
        process.wait()
        left = wait_all_gone(tree | new_since(baseline), GONE_WITHIN)
        for pid, _ in left:  # do not leave them to the next test
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        reap()
    assert killed, f"the build ended before the kill point {kind} {after}"
    assert not left, [cmdline(pid) for pid, _ in left]
    assert snapshot(root / "site") == live


def _script(tmp_path: Path, code: str) -> subprocess.Popen[bytes]:
    path = tmp_path / "helper.py"
    path.write_text(code, encoding="utf-8")
    return subprocess.Popen([sys.executable, str(path)], cwd=ROOT)


def _kill_parent_of_helpers(process: subprocess.Popen[bytes], helpers: int) -> set[Proc]:
    """Wait until `process` has started `helpers` descendants, kill -9 it; what is left."""
    deadline = time.monotonic() + 60
    tree = descendants(process.pid)
    while len(tree) < helpers and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
        tree = descendants(process.pid)
    assert len(tree) >= helpers, [cmdline(p) for p, _ in tree]
    time.sleep(0.3)  # past the helpers' start-up
    tree |= descendants(process.pid)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    left = wait_all_gone(tree, GONE_WITHIN)
    for pid, _ in left:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    return left


def test_the_forked_text_check_process_dies_with_a_killed_parent(tmp_path: Path) -> None:
    code = (
        "import time\n"
        "from generator.build.parallel import map_on_two_cores\n"
        "def work(item):\n    time.sleep(120)\n    return item\n"
        "map_on_two_cores(work, list(range(600)))\n"
    )
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: the text checks are not forked")
    with adopting_orphans():
        left = _kill_parent_of_helpers(_script(tmp_path, code), 1)
    assert not left, [cmdline(p) for p, _ in left]


def test_programs_a_build_starts_die_with_it(tmp_path: Path) -> None:
    # The way `find`, `rm` and Pagefind are started (children.bound_to_me).
    code = (
        "import subprocess, time\n"
        "from generator.build.children import bound_to_me\n"
        "subprocess.Popen(['sleep', '120'], preexec_fn=bound_to_me())\n"
        "time.sleep(120)\n"
    )
    with adopting_orphans():
        left = _kill_parent_of_helpers(_script(tmp_path, code), 1)
    assert not left, [cmdline(p) for p, _ in left]


def test_the_search_indexing_process_dies_with_a_killed_build(tmp_path: Path) -> None:
    code = (
        "import time\nfrom pathlib import Path\n"
        "from generator.build.searchindex import Indexing, Job\n"
        "if __name__ == '__main__':\n"
        f"    Indexing([Job('2026', (), expect=frozenset({{'x'}}))], Path({str(tmp_path)!r}))\n"
        "    time.sleep(120)\n"
    )
    with adopting_orphans():
        left = _kill_parent_of_helpers(_script(tmp_path, code), 1)
    assert not left, [cmdline(p) for p, _ in left]


# --- 5. a full disk ---


@contextlib.contextmanager
def small_disk(where: Path, size: str) -> Iterator[Path]:
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root, no user namespace): {mounted.stderr}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(disk: Path, leave: int) -> None:
    """Fill `disk` but `leave` bytes."""
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    with open(disk / "ballast", "wb") as f:
        f.write(b"\0" * max(free - leave, 0))


# Room for: nothing (static files), a few pages, most pages (the search index's turn).
@pytest.mark.parametrize("leave", [16 * 1024, 2 * 1024 * 1024, 6 * 1024 * 1024])
@pytest.mark.parametrize("cache", [True, False])
def test_a_full_disk_ends_the_build_with_build_disk_full_and_the_live_site_kept(
    tmp_path: Path, leave: int, cache: bool
) -> None:
    root = tmp_path / "site-root"
    # Enough pages that the search index's queue holds more than a pipe takes while the
    # indexer is busy: the state the build hung in (issue 13).
    write_corpus(120, root)
    with small_disk(tmp_path / "disk", "48m") as disk:
        target = str(disk / "site")
        first = build(root, "--now", NOW, "--site-dir", target)
        assert first.returncode in (0, 1), first.stderr
        live = snapshot(disk / "site")
        _fill(disk, leave)
        with adopting_orphans():
            baseline = descendants(os.getpid())
            args = ["--now", NOW, "--site-dir", target] + ([] if cache else ["--no-cache"])
            result = build(root, *args)  # a hang fails here (timeout), not in CI
            left = wait_all_gone(new_since(baseline), GONE_WITHIN)
        assert not left, [cmdline(p) for p, _ in left]
        assert result.returncode == 1, result.stderr
        assert "[BUILD-DISK-FULL]" in result.stderr and "磁盘空间不足" in result.stderr
        assert "原有站点" in result.stderr and "未改动" in result.stderr
        no_traceback(result)
        assert snapshot(disk / "site") == live
        assert not list(disk.glob(".site.staging-*")), "the failed build cleans its staging"


def test_other_build_failures_end_with_a_code_and_chinese(tmp_path: Path) -> None:
    make_site(tmp_path, {"news/2026/a.md": article()})
    assert build(tmp_path, "--now", NOW).returncode == 0
    live = snapshot(tmp_path / "site")
    (tmp_path / "content/news/2026/a.md").write_bytes(b"")
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "themes/congress", theme)
    (theme / "main.html").write_text("{% extends 'base.html' %}{% block x %}{{ nope(", "utf-8")
    yml = (tmp_path / "mkdocs.yml").read_text(encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(
        re.sub(r"custom_dir: .*", f"custom_dir: {theme}", yml), encoding="utf-8"
    )
    result = build(tmp_path, "--now", NOW)
    assert result.returncode == 1
    assert "[BUILD-FAILED]" in result.stderr and "未改动" in result.stderr
    no_traceback(result)
    assert snapshot(tmp_path / "site") == live


def test_review_on_a_full_disk_refuses_and_changes_no_byte(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "8m") as disk:
        make_site(disk, {"news/2026/a.md": draft()})
        path = disk / "content/news/2026/a.md"
        before = path.read_bytes()
        _fill(disk, 0)
        result = congress(
            "review", "content/news/2026/a.md", "--stage", "first", "--by", "ed-a",
            "--at", "2026-11-20T06:00:00+08:00", "--now", NOW, cwd=disk,
        )  # fmt: skip
        assert result.returncode == 2, result.stderr
        assert "[REVIEW-WRITE]" in result.stderr and "文件未改动" in result.stderr
        no_traceback(result)
        assert path.read_bytes() == before
        assert sorted(p.name for p in path.parent.iterdir()) == ["a.md"]  # no temporary file


def test_new_on_a_full_disk_refuses_and_leaves_no_file(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "8m") as disk:
        make_site(disk, {"news/2026/a.md": draft()})
        folder = disk / "content/news/2026"
        _fill(disk, 0)
        result = congress("new", "news", "满盘时的新稿件", "--now", NOW, cwd=disk)
        assert result.returncode == 2, result.stderr
        assert "[NEW-WRITE]" in result.stderr
        no_traceback(result)
        assert sorted(p.name for p in folder.iterdir()) == ["a.md"]  # no half-written file


def test_serve_on_a_taken_address_ends_with_serve_failed(tmp_path: Path) -> None:
    make_site(tmp_path, {"news/2026/a.md": article()})
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        address = f"127.0.0.1:{taken.getsockname()[1]}"
        result = congress("serve", "-a", address, "--now", NOW, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "[SERVE-FAILED]" in result.stderr and f"地址 {address} 不可用" in result.stderr
    no_traceback(result)
    bad = congress("serve", "-a", "nonsense", cwd=tmp_path)
    assert bad.returncode == 2 and "[SERVE-FAILED]" in bad.stderr
    no_traceback(bad)


# --- 6. the clock and mass removal ---


def test_now_is_never_taken_from_source_date_epoch(tmp_path: Path) -> None:
    make_site(tmp_path, {"news/2026/a.md": article()})
    env = {**os.environ, "SOURCE_DATE_EPOCH": "315532800"}  # 1980-01-01
    result = subprocess.run(
        [sys.executable, "-m", "generator", "check", "--json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=BUILD_TIMEOUT,
    )
    data = json.loads(result.stdout)
    assert not data["now"].startswith("1980"), data["now"]
    assert data["summary"]["published"] == 1  # no signature is "in the future"


def _five(tmp_path: Path, **plugin: object) -> Path:
    articles = {
        f"news/2026/a{i}.md": article(
            uid=f"2026-1120-aaaaa{i}", date=f"2026-11-2{i}T10:00:00+08:00"
        )
        for i in range(5)
    }
    return make_site(tmp_path, articles, **plugin)


def test_a_wrong_clock_never_swaps_in_an_empty_site(tmp_path: Path) -> None:
    root = _five(tmp_path)
    assert build(root, "--now", NOW).returncode == 0
    live, manifest = (
        snapshot(root / "site"),
        (root / "build/publication-manifest.json").read_bytes(),
    )
    result = build(root, "--now", "2001-01-01T00:00:00+08:00")
    assert result.returncode == 1, result.stderr
    assert "[BUILD-MASS-REMOVAL]" in result.stderr
    assert "5 篇公开稿件中的 5 篇" in result.stderr and "--allow-removal" in result.stderr
    no_traceback(result)
    assert snapshot(root / "site") == live
    assert (root / "build/publication-manifest.json").read_bytes() == manifest
    env = {**os.environ, "SOURCE_DATE_EPOCH": "978278400"}  # 2001: only build stamps
    stamped = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--now", NOW],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=BUILD_TIMEOUT,
    )
    assert stamped.returncode == 0, stamped.stderr
    assert snapshot(root / "site") == live  # the same site: `now` came from --now


def test_mass_removal_needs_allow_removal_and_the_share_is_configurable(tmp_path: Path) -> None:
    root = _five(tmp_path)
    assert build(root, "--now", NOW).returncode == 0
    live = snapshot(root / "site")
    (root / "content/news/2026/a0.md").unlink()  # 1 of 5: 20 %, allowed
    assert build(root, "--now", NOW).returncode == 0
    one_less = snapshot(root / "site")
    assert one_less != live
    for i in (1, 2):  # 2 of the 4 now live: 50 %
        (root / f"content/news/2026/a{i}.md").write_text(
            draft(uid=f"2026-1120-aaaaa{i}"), encoding="utf-8"
        )
    refused = build(root, "--now", NOW)
    assert refused.returncode == 1 and "[BUILD-MASS-REMOVAL]" in refused.stderr
    assert "4 篇公开稿件中的 2 篇" in refused.stderr and "上限 20%" in refused.stderr
    assert snapshot(root / "site") == one_less
    allowed = build(root, "--now", NOW, "--allow-removal")
    assert allowed.returncode == 0, allowed.stderr
    assert not (root / "site/news/2026/a1/index.html").exists()
    # Configured: half may go, but never all.
    tolerant = _five(tmp_path / "tolerant", max_removal_share=0.5)
    assert build(tolerant, "--now", NOW).returncode == 0
    for i in (0, 1):
        (tolerant / f"content/news/2026/a{i}.md").unlink()
    assert build(tolerant, "--now", NOW).returncode == 0
    everything = build(tolerant, "--now", "2001-01-01T00:00:00+08:00")
    assert everything.returncode == 1 and "3 篇公开稿件中的 3 篇" in everything.stderr


def test_a_planned_expiry_is_no_mass_removal(tmp_path: Path) -> None:
    """An expiry written in the signed front matter is the office's decision: the scheduled
    build at a notice's end takes it down without a person (here 1 of 2, over the 20 %)."""
    articles = {
        "news/2026/stays.md": article(uid="2026-1120-bbbbb1"),
        "news/2026/ends.md": article(
            uid="2026-1120-bbbbb2", expires_at="2026-11-29T00:00:00+08:00"
        ),
    }
    root = make_site(tmp_path, articles)
    assert build(root, "--now", NOW).returncode == 0
    assert (root / "site/news/2026/ends/index.html").is_file()
    later = build(root, "--now", "2026-11-30T12:00:00+08:00")
    assert later.returncode == 0, later.stderr
    assert not (root / "site/news/2026/ends/index.html").exists()
    assert (root / "site/news/2026/stays/index.html").is_file()


def test_publish_sh_deploys_nothing_when_the_build_would_take_the_site_down(
    tmp_path: Path,
) -> None:
    root = _five(tmp_path, office=True)  # deployed: the office's keys and trust root
    (root / "deploy").mkdir(exist_ok=True)
    shutil.copy(ROOT / "deploy/publish.sh", root / "deploy/publish.sh")
    wrapper = tmp_path / "congress"
    wrapper.write_text(f'#!/bin/sh\nexec {sys.executable} -m generator "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    deployed = tmp_path / "deployed"
    env = {
        **os.environ,
        "CONGRESS": str(wrapper),
        "CONGRESS_NOW": NOW,
        "DEPLOY_RSYNC_TARGET": f"{deployed}/",
        "PYTHONPATH": str(ROOT),
        "CONGRESS_TRUST_ROOT": office_env()["CONGRESS_TRUST_ROOT"],
    }

    def publish() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "deploy/publish.sh"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=BUILD_TIMEOUT,
        )

    first = publish()
    assert first.returncode == 0, first.stdout + first.stderr
    assert (deployed / "news/2026/a1/index.html").is_file()
    before = snapshot(deployed)
    shutil.rmtree(root / "site")  # CI: a fresh checkout; only the last manifest survives
    for f in (root / ".cache", root / ".site.spare"):
        shutil.rmtree(f, ignore_errors=True)
    env["CONGRESS_NOW"] = "2001-01-01T00:00:00+08:00"  # a wrong clock
    second = publish()
    assert second.returncode == 1
    assert "[BUILD-MASS-REMOVAL]" in second.stderr and "未部署" in second.stderr
    assert snapshot(deployed) == before


# --- 7. signing on any line ending or encoding ---

FRONT = [
    "---",
    "uid: 2026-1120-abcdef   # 稿件编号",
    "title: 市人大常委会开展执法检查",
    "column: news",
    "date: 2026-11-20T10:00:00+08:00",
    "authors: [记者甲]",
    "editor: ed-a",
    "source: 测试市人大常委会办公室",
    "summary: 一句话摘要。",
    "tags: [测试]",
    "kind: news",
    "review:  # 审核记录",
    "  first: {by: ed-a, at: 2026-11-20T06:00:00+08:00}",
    "  # 初审意见：同意",
    "# 编辑留言：请复审",
    "",
    "---",
    "",
    "正文第一段。",
    "",
    "正文第二段。",
]
ENDINGS = {
    "lf": ["\n"],
    "crlf": ["\r\n"],
    "cr": ["\r"],
    "mixed": ["\n", "\r\n", "\r\n", "\r", "\n"],
}
REVIEW_LINE = re.compile(
    rb"^(review:|  (first|second|final|committee|procedure|secrecy):|"
    rb"  proofread:|    - \{)"
)


def _lines(data: bytes) -> list[bytes]:
    return re.findall(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", data)


def _variant(endings: list[str], bom: bool) -> bytes:
    lines = sign_written("\n".join(FRONT)).split("\n")  # the first review as signed
    text = "".join(line + endings[i % len(endings)] for i, line in enumerate(lines))
    return ("\ufeff" if bom else "").encode("utf-8") + text.encode("utf-8")


@pytest.mark.parametrize("bom", [False, True], ids=["utf8", "bom"])
@pytest.mark.parametrize("style", list(ENDINGS))
def test_signing_changes_only_the_review_block_in_the_files_own_line_endings(
    tmp_path: Path, style: str, bom: bool
) -> None:
    make_site(tmp_path, {})
    path = tmp_path / "content/news/2026/a.md"
    path.parent.mkdir(parents=True)
    original = _variant(ENDINGS[style], bom)
    path.write_bytes(original)
    steps = [("proofread", "pr-1", "06:10"), ("second", "head", "07:00")]
    for stage, by, at in steps:
        result = congress(
            "review", "content/news/2026/a.md", "--stage", stage, "--by", by,
            "--at", f"2026-11-20T{at}:00+08:00", "--now", NOW, cwd=tmp_path,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        no_traceback(result)
    signed = path.read_bytes()
    old, new = _lines(original), _lines(signed)
    assert [x for x in old if not REVIEW_LINE.match(x.lstrip(b"\xef\xbb\xbf"))] == [
        x for x in new if not REVIEW_LINE.match(x.lstrip(b"\xef\xbb\xbf"))
    ]
    header = next(x for x in old if x.startswith(b"review:"))
    ending = header[len(header.rstrip(b"\r\n")) :]
    block = [x for x in new if REVIEW_LINE.match(x) and x not in old]
    assert len(block) >= 3 and all(
        x.endswith(ending) and not x[: -len(ending)].endswith(b"\r") for x in block
    )
    assert b"  # \xe5\x88\x9d" in signed and "# 编辑留言：请复审".encode() in signed
    check = congress("check", "--json", "--now", NOW, cwd=tmp_path)
    verdict = json.loads(check.stdout)["articles"][0]
    assert verdict["state"] == "pending" and verdict["findings"]  # signed so far, not more
    assert not [f for f in verdict["findings"] if f["code"].startswith("FM-")]


@pytest.mark.parametrize(
    "data, code",
    [
        ("\n".join(FRONT).encode("gb18030"), "REVIEW-FILE-FORMAT"),
        (
            sign_written(
                "\n".join(FRONT)
                .replace("title: 市人大常委会", 'title: "市人大常委会\u2028')
                .replace("执法检查\n", '执法检查"\n')
            ).encode(),
            "REVIEW-FILE-FORMAT",
        ),
    ],
    ids=["gb18030", "u2028"],
)
def test_signing_refuses_a_file_it_cannot_edit_safely_and_changes_no_byte(
    tmp_path: Path, data: bytes, code: str
) -> None:
    make_site(tmp_path, {})
    path = tmp_path / "content/news/2026/a.md"
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    result = congress(
        "review", "content/news/2026/a.md", "--stage", "proofread", "--by", "pr-1",
        "--at", "2026-11-20T06:10:00+08:00", "--now", NOW, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert f"[{code}]" in result.stderr and "文件未改动" in result.stderr
    no_traceback(result)
    assert path.read_bytes() == data
