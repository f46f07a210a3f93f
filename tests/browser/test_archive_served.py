"""The web archive records what nginx really sends: every file of the built sample site is
fetched from nginx running deploy/nginx.conf (tests/browser/conftest.py) and its headers and
bytes compared with the response record the archive holds for its URL (generator/archive/
served.py reads the same configuration with crossplane; a difference is a bug there)."""

from __future__ import annotations

import dataclasses
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from generator.archive.capture import record
from generator.archive.records import payload_digest
from generator.build.removal import record_of
from generator.core.clock import aware
from generator.core.config import load_site
from tests.browser.conftest import Server
from tests.sitekit import NOW, ROOT

pytestmark = pytest.mark.browser

# Compared as they are. Date and Last-Modified are the moment of the request and the file's
# time on disk for nginx, the publication's time in the archive: compared as Expires - Date.
SAME = (
    "Server",
    "Content-Type",
    "Content-Length",
    "Cache-Control",
    "Content-Security-Policy",
    "Strict-Transport-Security",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
    "Permissions-Policy",
    "Access-Control-Allow-Origin",
)
# What nginx adds that a capture leaves out: a connection's own, and a file's identity on one
# disk (an ETag from its inode time, ranges of it).
CONNECTION = {"connection", "date", "last-modified", "etag", "accept-ranges", "keep-alive"}


@dataclasses.dataclass(frozen=True)
class Captured:
    path: str  # the URL's path below the site
    headers: dict[str, str]
    digest: str


@pytest.fixture(scope="module")
def archived(server: Server, tmp_path_factory: pytest.TempPathFactory) -> list[Captured]:
    """The sample site nginx serves, archived as `congress build` archives a publication."""
    folder = tmp_path_factory.mktemp("served-archive") / "archive"
    site = load_site(ROOT / "mkdocs.yml")
    site = dataclasses.replace(
        site,
        site_url=server.base,
        congress=site.congress.model_copy(update={"archive_dir": str(folder)}),
    )
    # The public articles of the build, as the record it left beside the site says.
    built = json.loads(record_of(server.site).read_bytes())
    assert built["now"] == NOW
    done = record(site, server.site, built, aware(NOW))
    assert done.warc is not None
    found = []
    with open(folder / done.warc, "rb") as f:
        for rec in ArchiveIterator(f):
            if rec.rec_type != "response":
                continue
            uri = rec.rec_headers.get_header("WARC-Target-URI")
            assert uri.startswith(server.base)
            found.append(
                Captured(
                    uri.removeprefix(server.base),
                    dict(rec.http_headers.headers),
                    rec.rec_headers.get_header("WARC-Payload-Digest"),
                )
            )
    return found


def from_nginx(server: Server, path: str) -> tuple[int, dict[str, str], bytes]:
    """GET as a plain client: no Accept-Encoding (the archive holds the bytes themselves)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(server.base + path, headers={"Accept-Encoding": "identity"})
    try:
        with opener.open(request, timeout=10) as answer:
            return answer.status, dict(answer.headers.items()), answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers.items()), exc.read()


def kind(path: str) -> str:
    """The location of deploy/nginx.conf a file falls under, roughly: for the coverage check."""
    name = path.rsplit("/", 1)[-1]
    if name.endswith(".opml"):
        return "opml"
    if path.startswith("feeds/"):
        return "feed ." + name.rpartition(".")[2]
    if path.startswith("pagefind/"):
        return "pagefind ." + name.rpartition(".")[2]
    if path.startswith("assets/") and ".min." in name:
        return "fingerprinted"
    if not name or name.endswith(".html"):
        return "page"
    return name.rpartition(".")[2]


def differences(server: Server, captured: Captured) -> Iterator[str]:
    status, live, body = from_nginx(server, captured.path)
    if status != 200:
        yield f"nginx answers {status}"
        return
    if payload_digest(body) != captured.digest:
        yield "bytes differ"
    for name in SAME:
        if live.get(name) != captured.headers.get(name):
            yield f"{name}: nginx {live.get(name)!r}, archive {captured.headers.get(name)!r}"
    if ("Expires" in live) != ("Expires" in captured.headers):
        yield f"Expires: nginx {live.get('Expires')!r}, archive {captured.headers.get('Expires')!r}"
    elif "Expires" in live:
        ahead = {
            source: parsedate_to_datetime(h["Expires"]) - parsedate_to_datetime(h["Date"])
            for source, h in (("nginx", live), ("archive", captured.headers))
        }
        epoch = {h["Expires"] for h in (live, captured.headers)} == {
            "Thu, 01 Jan 1970 00:00:01 GMT"
        }
        if not epoch and ahead["nginx"] != ahead["archive"]:
            yield f"Expires - Date: {ahead}"
    extra = {k.lower() for k in live} - {k.lower() for k in captured.headers} - CONNECTION
    if extra:
        yield f"nginx also sends {sorted(extra)}"
    missing = {k.lower() for k in captured.headers} - {k.lower() for k in live}
    if missing:
        yield f"the archive adds {sorted(missing)}"


def test_every_archived_file_has_the_headers_nginx_sends(
    server: Server, archived: list[Captured]
) -> None:
    wrong = {c.path: problems for c in archived if (problems := list(differences(server, c)))}
    assert wrong == {}
    kinds = {kind(c.path) for c in archived}
    expected = {
        "page",
        "feed .rss",
        "feed .atom",
        "feed .json",
        "opml",
        "xml",  # sitemap.xml
        "fingerprinted",
        "pagefind .pf_fragment",
        "pagefind .pf_index",
        "pagefind .pf_meta",
        "pagefind .pagefind",
        "pagefind .json",  # pagefind-entry.json
        "pagefind .txt",  # the search texts
        "svg",
        "png",
        "pdf",
        "js",
        "gz",  # sitemap.xml.gz: a type mime.types does not know
    }
    assert expected <= kinds, expected - kinds
    assert "sitemap.xml" in {c.path for c in archived}


def test_what_the_archive_leaves_out_nginx_refuses(
    server: Server, archived: list[Captured]
) -> None:
    urls = {c.path for c in archived}
    left_out = []
    for path in sorted(p for p in Path(server.site).rglob("*") if p.is_file()):
        rel = path.relative_to(server.site).as_posix()
        url = rel.removesuffix("index.html") if rel.split("/")[-1] == "index.html" else rel
        if urllib.request.quote(url) not in urls:
            left_out.append(rel)
    for rel in left_out:
        status, _, _ = from_nginx(server, urllib.request.quote(rel))
        assert status in (403, 404), rel
