"""The web archive under hostile or broken input: a tampered index, a damaged or foreign WARC
file, links in the archive, a missing or broken server configuration. Each is a finding with a
code; none is a traceback, and none stops the site from being built or the rest of the archive
from being read."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.site.test_archive import CORRECTION, OTHER, T1, T2, URL, V1, V2, build, warcs, write
from tests.sitekit import article, congress, make_site

pytestmark = pytest.mark.site


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


def clean(done: object) -> None:
    assert "Traceback" not in getattr(done, "stderr", ""), getattr(done, "stderr", "")


def test_an_index_line_naming_a_file_outside_the_archive_is_never_opened(site: Path) -> None:
    outside = site.parent / "secret.warc.gz"
    shutil.copy(warcs(site)[0], outside)
    index = site / "archive/index.cdxj"
    lines = index.read_text(encoding="utf-8").splitlines(keepends=True)
    forged = [
        line.replace('"filename": "2026/', '"filename": "../../secret.warc.gz#')
        if URL in line
        else line
        for line in lines
    ]
    index.write_text("".join(forged), encoding="utf-8")
    done = congress("archive", "show", URL, "--at", T2, cwd=site)
    clean(done)
    assert done.returncode == 1
    assert "[ARCHIVE-DAMAGED]" in done.stderr
    assert "第一版正文" not in done.stdout


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_a_damaged_warc_is_left_out_and_named_and_archiving_goes_on(
    site: Path, damage: str
) -> None:
    first = warcs(site)[0]
    bad = first.with_name("20261121000000.warc.gz")  # earlier: it sorts first
    data = first.read_bytes()
    bad.write_bytes(
        {"garbage": b"\x1f\x8bnot a warc" * 50, "truncated": data[: len(data) // 2], "empty": b""}[
            damage
        ]
    )
    write(site, article(V2, corrections=CORRECTION))
    done = build(site, T2)
    clean(done)
    assert done.returncode == 0, done.stderr
    assert "[ARCHIVE-DAMAGED]" in done.stderr and "20261121000000.warc.gz" in done.stderr
    assert len(warcs(site)) == 3  # the damaged one, the first, and the new publication
    listed = congress("archive", "list", URL, cwd=site)
    clean(listed)
    assert listed.returncode == 0
    assert "首次归档" in listed.stdout and "更改" in listed.stdout
    # The new publication's unchanged pages are revisits of the first, despite the damage.
    state = json.loads((site / "archive/state.json").read_text(encoding="utf-8"))
    assert "2026/20261121000000.warc.gz" in state["damaged"]
    reindexed = congress("archive", "reindex", cwd=site)
    clean(reindexed)
    assert reindexed.returncode == 1 and "[ARCHIVE-DAMAGED]" in reindexed.stderr


def test_links_in_the_archive_are_not_followed(site: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.warc.gz"
    shutil.copy(warcs(site)[0], elsewhere)
    os.symlink(elsewhere, site / "archive/2026/20261122000000.warc.gz")
    (tmp_path / "year").mkdir()
    os.symlink(tmp_path / "year", site / "archive/2025")
    write(site, article(V2, corrections=CORRECTION))
    done = build(site, T2)
    clean(done)
    assert done.returncode == 0
    names = json.loads((site / "archive/state.json").read_text(encoding="utf-8"))["warcs"]
    assert names == ["2026/20261121010000.warc.gz", "2026/20261123010000.warc.gz"]
    assert not list((tmp_path / "year").iterdir())


@pytest.mark.parametrize(
    "conf",
    [
        None,
        'server { listen 80; root /x; location ~ "(unclosed" { } }\n',
        "server { listen 80; \n",
        "http { }\n",
    ],
)
def test_a_missing_or_broken_server_configuration_is_a_finding(
    site: Path, conf: str | None
) -> None:
    path = site / "deploy/nginx.conf"
    if conf is None:
        path.unlink()
    else:
        path.write_text(conf, encoding="utf-8")
    write(site, article(V2, corrections=CORRECTION))
    done = build(site, T2)
    clean(done)
    assert done.returncode == 1
    assert "[ARCHIVE-SERVER-CONFIG]" in done.stderr
    assert "更正后的正文" in (site / "site/news/2026/x/index.html").read_text(encoding="utf-8")
    assert len(warcs(site)) == 1


@pytest.mark.parametrize("state", ["{broken", '{"format": 1, "warcs": 5}', "[]", "\x00" * 100])
def test_a_broken_state_file_is_rebuilt_from_the_warcs(site: Path, state: str) -> None:
    (site / "archive/state.json").write_text(state, encoding="utf-8")
    write(site, article(V2, corrections=CORRECTION))
    done = build(site, T2)
    clean(done)
    assert done.returncode == 0
    assert "未变" in done.stdout and "未变 0" not in done.stdout


def test_a_manifest_that_cannot_be_read_is_a_finding(site: Path) -> None:
    for text in (
        "{",
        '{"now": "yesterday", "published": []}',
        '{"now": "2026-11-22T09:00:00+08:00"}',
    ):
        (site / "build/publication-manifest.json").write_text(text, encoding="utf-8")
        done = congress("archive", "record", cwd=site)
        clean(done)
        assert done.returncode == 1 and "[ARCHIVE-FAILED]" in done.stderr


@pytest.mark.parametrize("config", [b"\xff\xfe not utf-8", b"- a list\n- at the top\n", b"42\n"])
def test_an_unreadable_configuration_is_a_finding_for_every_archive_command(
    tmp_path: Path, config: bytes
) -> None:
    (tmp_path / "mkdocs.yml").write_bytes(config)
    for args in (("archive", "list", URL), ("archive", "record"), ("build",)):
        done = congress(*args, cwd=tmp_path)
        clean(done)
        assert done.returncode == 2 and "[CFG-YAML]" in done.stderr, done.stderr
