"""`congress archive serve` under a tampered index: pywb opens whatever file an index line
names, wherever it is, so the command refuses an index that names a file outside the archive
(`congress archive show` already never opens one), and replays once it is rebuilt."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cdxj_indexer.main import CDXJIndexer

from generator.archive.records import Writer, payload_digest
from tests.browser.conftest import free_port
from tests.browser.replaykit import fetch, serving
from tests.browser.test_archive_replay import require_pywb
from tests.site.test_archive import OTHER, T1, V1, build
from tests.sitekit import article, congress, make_site

pytestmark = pytest.mark.browser

SECRET = b"<html><body>CANARYOUTSIDE: a WARC file outside the archive</body></html>"
SECRET_URL = "https://www.example.gov.cn/outside/"


def outside_warc(path: Path) -> str:
    """A WARC file with one response, and its index line naming it from `path`'s folder."""
    at = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)
    with open(path, "wb") as f:
        w = Writer(f)
        info = w.warcinfo(path.name, at, [])
        headers = [("Content-Type", "text/html")]
        w.response(
            SECRET_URL,
            at,
            headers=headers,
            body=SECRET,
            digest=payload_digest(SECRET),
            warcinfo=info,
        )
    out = io.StringIO()
    CDXJIndexer(output=out, inputs=[str(path)], sort=True, records="response").process_all()
    return out.getvalue().splitlines(keepends=True)[0]


def test_an_index_naming_a_file_outside_the_archive_is_never_replayed(tmp_path: Path) -> None:
    require_pywb()
    root = make_site(tmp_path / "s", {"news/2026/x.md": article(V1), **OTHER})
    assert build(root, T1).returncode == 0
    line = outside_warc(tmp_path / "outside.warc.gz")
    forged = re.sub(r'"filename": "[^"]*"', '"filename": "../../outside.warc.gz"', line)
    index = root / "archive/index.cdxj"
    lines = sorted([*index.read_text(encoding="utf-8").splitlines(keepends=True), forged])
    index.write_text("".join(lines), encoding="utf-8")

    done = congress("archive", "serve", "--port", str(free_port()), cwd=root)
    assert "Traceback" not in done.stdout + done.stderr
    assert done.returncode == 1
    assert "[ARCHIVE-INDEX-FOREIGN]" in done.stderr and "../../outside.warc.gz" in done.stderr

    assert congress("archive", "reindex", cwd=root).returncode == 0
    with serving(root, free_port(), tmp=tmp_path) as s:
        status, _, body = fetch(s.replay(SECRET_URL, "20261121010000", "id_"))
        assert b"CANARYOUTSIDE" not in body
        assert status == 404
