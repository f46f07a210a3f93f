"""Red team, markup, second pass: feed fields that readers treat as HTML, SVG and XML
attachments that a parser (not a pattern) must judge, the preview server's Host check and
IPv6 address, and content nh3 would turn from invisible into visible text."""

from __future__ import annotations

import contextlib
import html
import json
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import feedparser
import lxml.html
import pytest
from lxml import etree

from generator.derive.sanitize import policy
from tests.redteam.hostile import build, hostile_site, payload
from tests.sitekit import NOW, approve, article, congress, draft, make_site, previewing

pytestmark = pytest.mark.site

UID = "2026-1120-a00001"


@pytest.fixture(scope="module")
def hostile_feeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = hostile_site(tmp_path_factory.mktemp("hostile-feeds"))
    build(root)
    return root / "site" / "feeds"


def _elements(value: str) -> list[str]:
    """The elements a reader that renders `value` as HTML would create."""
    fragment = lxml.html.fragment_fromstring(value or " ", create_parent="div")
    return [e.tag for e in fragment.iterdescendants() if isinstance(e.tag, str)]


def test_rss_fields_that_readers_render_as_html_carry_the_summary_as_text(
    hostile_feeds: Path,
) -> None:
    raw = (hostile_feeds / "all.rss").read_bytes()
    item = next(i for i in etree.fromstring(raw).iter("item") if i.findtext("guid").endswith(UID))
    assert item.findtext("description") == html.escape(payload("summary"), quote=False)
    entry = next(e for e in feedparser.parse(raw).entries if e.id.endswith(UID))
    for field in ("summary", "title", "author"):
        assert _elements(entry[field]) == [], field
    shown = lxml.html.fragment_fromstring(entry.summary, create_parent="div").text_content()
    assert shown == payload("summary")  # every character the editor wrote, as text


def test_atom_and_json_feed_carry_plain_text_fields_raw(hostile_feeds: Path) -> None:
    entry = next(
        e
        for e in feedparser.parse((hostile_feeds / "all.atom").read_bytes()).entries
        if e.id.endswith(UID)
    )
    assert entry.summary_detail.type == "text/plain"
    assert entry.summary == payload("summary")
    assert entry.title_detail.type == "text/plain"
    items = json.loads((hostile_feeds / "all.json").read_text(encoding="utf-8"))["items"]
    item = next(i for i in items if i["id"].endswith(UID))
    assert item["summary"] == payload("summary")  # JSON Feed: summary is plain text


INERT = """正文第一段。

<noscript>INERT-noscript</noscript>
<textarea>INERT-textarea</textarea>
<template><p>INERT-template</p></template>
<select><option>INERT-option</option></select>
<noembed>INERT-noembed</noembed>

<div hidden>藏起来的段落</div>

正文第二段。
"""


def test_content_a_browser_never_shows_does_not_become_page_text(tmp_path: Path) -> None:
    make_site(tmp_path, {"news/2026/a.md": article(INERT)})
    assert congress("build", "--now", NOW, cwd=tmp_path).returncode == 0
    site = tmp_path / "site"
    page = (site / "news" / "2026" / "a" / "index.html").read_text(encoding="utf-8")
    index = (site / "pagefind" / "text" / "2026-1120-aaaaaa.txt").read_text(encoding="utf-8")
    feed = (site / "feeds" / "all.json").read_text(encoding="utf-8")
    for text in (page, index, feed):
        assert "INERT-" not in text
    # Hidden stays hidden: the attribute is kept, not dropped to show the text.
    assert "<div hidden>藏起来的段落</div>" in page or '<div hidden="">藏起来的段落' in page


def _codes(root: Path) -> dict[str, list[str]]:
    result = congress("check", "--now", NOW, "--json", cwd=root)
    return {
        a["path"]: [f["code"] for f in a["findings"]] for a in json.loads(result.stdout)["articles"]
    }


SVG_OPEN = b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
# Each passed the pattern check: the parser decodes what the patterns did not see.
SVG_BYPASSES = {
    "utf16-script": '<?xml version="1.0" encoding="UTF-16"?><svg xmlns="http://www.w3.org/2000/'
    'svg"><script>alert("SVG16CANARY")</script></svg>'.encode("utf-16"),
    "animate-href": SVG_OPEN + b'<a xlink:href="#x"><animate attributeName="href" '
    b'values="&#106;avascript:alert(\'x\')"/><text y="20">click</text></a></svg>',
    "set-href": SVG_OPEN + b'<g><set attributeName="href" to="&#x6a;avascript&#x3a;alert(1)"/>'
    b"</g></svg>",
    "animate-alone": SVG_OPEN + b'<rect><animate attributeName="fill" values="red"/></rect></svg>',
    "xhtml-script": SVG_OPEN + b'<x:script xmlns:x="http://www.w3.org/1999/xhtml">alert(1)'
    b"</x:script></svg>",
    "entity-in-href": SVG_OPEN + b'<use href="&#x6a;avascript:alert(1)"/></svg>',
    "tab-in-scheme": SVG_OPEN + b'<rect fill="url(&#9;https://evil.example/x)"/></svg>',
    "data-url": SVG_OPEN + b'<rect mask="url(data:image/svg+xml,x)"/></svg>',
    "style-import": SVG_OPEN + b"<style>@import 'https://evil.example/x.css';</style></svg>",
    "style-escape": SVG_OPEN + b"<style>rect{fill:u\\72l(https://evil.example/)}</style></svg>",
    "style-attr-url": SVG_OPEN + b'<rect style="fill:url(https://evil.example/)"/></svg>',
    "unknown-attr": SVG_OPEN + b'<rect onbegin="alert(1)"/></svg>',
    "doctype": b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd">' + SVG_OPEN + b"</svg>",
    "unparseable": SVG_OPEN + b"<rect",
    "not-svg": b'<html xmlns="http://www.w3.org/1999/xhtml"><script>1</script></html>',
}
SVG_STATIC = (
    SVG_OPEN + b'<title>\xe5\x9b\xbe</title><defs><linearGradient id="g"><stop offset="0" '
    b'stop-color="#fff"/></linearGradient><clipPath id="c"><rect width="5" height="5"/>'
    b'</clipPath><filter id="f"><feGaussianBlur stdDeviation="2"/></filter></defs>'
    b"<style>/* ok */ rect { fill: url(#g) }</style>"
    b'<g clip-path="url(#c)" filter="url( \'#f\' )"><rect style="stroke: red" width="9"/>'
    b'<text x="1" y="2"><tspan>\xe6\x96\x87</tspan></text></g><use xlink:href="#g"/></svg>'
)


def test_svg_bypasses_of_the_pattern_check_are_refused_by_the_parser(tmp_path: Path) -> None:
    names = sorted(SVG_BYPASSES)
    body = "正文。\n\n" + "\n\n".join(f"![图](../../assets/{n}.svg)" for n in [*names, "ok"])
    articles = {"news/2026/a.md": article(body)}
    for i, name in enumerate(names):  # one article per file: each must be refused by itself
        uid = f"2026-1120-b{i:05d}"
        articles[f"news/2026/b{i}.md"] = article(
            f"正文。\n\n![图](../../assets/{name}.svg)\n", uid=uid
        )
    assets = {f"assets/{n}.svg": data for n, data in SVG_BYPASSES.items()}
    make_site(tmp_path, articles, assets={**assets, "assets/ok.svg": SVG_STATIC})
    found = _codes(tmp_path)
    for i, name in enumerate(names):
        assert "ASSET-SVG-ACTIVE" in found[f"content/news/2026/b{i}.md"], name
    assert congress("build", "--now", NOW, cwd=tmp_path).returncode == 1  # built, with errors
    copied = {p.name for p in (tmp_path / "site" / "assets").glob("*.svg")}
    assert copied == set()  # article a used them all: nothing of it is published


def test_a_static_drawing_with_local_references_and_css_is_published(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {"news/2026/a.md": article("正文。\n\n![图](../../assets/ok.svg)\n")},
        assets={"assets/ok.svg": SVG_STATIC},
    )
    assert _codes(tmp_path)["content/news/2026/a.md"] == []
    assert congress("build", "--now", NOW, cwd=tmp_path).returncode == 0
    assert (tmp_path / "site" / "assets" / "ok.svg").read_bytes() == SVG_STATIC


XML_WITH_SCRIPT = (
    b'<?xml version="1.0"?><x xmlns:h="http://www.w3.org/1999/xhtml"><h:script>alert(1)'
    b'</h:script><h:meta http-equiv="refresh" content="0;url=https://evil.example/"/></x>'
)
XML_SUFFIXES = [".rss", ".atom", ".xspf", ".mml", ".kml", ".xbl", ".xul", ".rdf", ".owl", ".gpx"]


@pytest.mark.parametrize("suffix", XML_SUFFIXES)
def test_xml_a_browser_renders_as_a_document_is_refused(tmp_path: Path, suffix: str) -> None:
    name = f"data{suffix.upper() if suffix == '.kml' else suffix}"
    make_site(
        tmp_path,
        {"news/2026/a.md": article(f"正文。\n\n[资料](../../assets/{name})\n")},
        assets={f"assets/{name}": XML_WITH_SCRIPT},
    )
    assert "ASSET-EXECUTABLE" in _codes(tmp_path)["content/news/2026/a.md"]
    congress("build", "--now", NOW, cwd=tmp_path)
    assert not (tmp_path / "site" / "assets" / name).exists()


def _free_port(family: socket.AddressFamily = socket.AF_INET, host: str = "127.0.0.1") -> int:
    with socket.socket(family) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _get(url: str, host: str | None = None) -> tuple[int, str, str]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read().decode("utf-8")
            return response.status, response.headers.get("Content-Type", ""), body
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read().decode("utf-8")


@contextlib.contextmanager
def _serving(root: Path, address: str, base: str) -> Iterator[str]:
    make_site(
        root,
        {
            "news/2026/a.md": article(uid="2026-1120-000001", title="已发布稿件"),
            "news/2026/b.md": approve(
                draft(uid="2026-1120-000002", title="待审稿件"), skip=("secrecy", "final")
            ),
        },
    )
    with previewing(root, address, base) as served:
        yield served


def test_preview_refuses_requests_for_another_host_name(tmp_path: Path) -> None:
    """DNS rebinding: attacker.example resolved to 127.0.0.1 is answered 403, pages and the
    live-reload endpoint alike; the machine's own names and any address are answered."""
    port = _free_port()
    with _serving(tmp_path, f"127.0.0.1:{port}", f"http://127.0.0.1:{port}/") as base:
        for path in ("news/2026/b/", "", "livereload/1/1", "404.html", "sitemap.xml"):
            status, kind, body = _get(base + path, f"attacker.example:{port}")
            assert status == 403 and "SERVE-HOST" in body, path
            assert kind == "text/plain; charset=utf-8" and "待审稿件" not in body
        for host in ("attacker.example", "localhost.attacker.example", "127.0.0.1.nip.io"):
            assert _get(base, f"{host}:{port}")[0] == 403, host
        assert _get(base + "news/2026/b/", f"localhost:{port}")[0] == 200
        assert _get(base + "news/2026/b/", f"LOCALHOST.:{port}")[0] == 200
        assert _get(base + "news/2026/b/", f"127.0.0.1:{port}")[0] == 200
        assert _get(base + "news/2026/b/")[0] == 200
        assert _get(base + "news/2026/b/", "localhost:9000")[0] == 200  # an ssh -L tunnel


def _ipv6_loopback() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _ipv6_loopback(), reason="this machine has no IPv6 loopback (::1)")
@pytest.mark.parametrize("form", ["[::1]:{port}", "::1:{port}"])
def test_preview_on_the_ipv6_loopback_serves_pages(tmp_path: Path, form: str) -> None:
    port = _free_port(socket.AF_INET6, "::1")
    with _serving(tmp_path, form.format(port=port), f"http://[::1]:{port}/") as base:
        status, _, page = _get(base + "news/2026/b/")
        assert status == 200 and "待审稿件" in page
        assert f'href="http://[::1]:{port}/news/2026/b/"' in page  # canonical: a valid URL
        assert _get(base, f"evil.example:{port}")[0] == 403


def test_the_feed_sanitizer_never_raises_on_a_base_it_cannot_parse() -> None:
    html = '<p><a href="x/">链接</a><img src="a.png"></p>'
    for base in ("http://::1:8123/news/2026/a/", "http://[::1/", "not a url"):
        out = policy().feed(html, base)
        assert '<a href="' in out and "链接" in out, base


def test_the_preview_server_follows_the_mkdocs_serve_it_replaces() -> None:
    """generator/mkdocs_plugin/serving.py follows mkdocs' `serve` step by step, with the Host
    check and bracketed IPv6 added: when mkdocs changes either, review that module."""
    import inspect

    import mkdocs.commands.serve
    from mkdocs.livereload import LiveReloadServer

    params = list(inspect.signature(LiveReloadServer.__init__).parameters)
    assert params[:6] == ["self", "builder", "host", "port", "root", "mount_path"]
    assert callable(LiveReloadServer.get_app) and callable(LiveReloadServer.set_app)
    source = inspect.getsource(mkdocs.commands.serve.serve)
    for step in (
        "on_startup(",
        "LiveReloadServer(",
        "server.error_handler =",
        "on_serve(",
        "on_shutdown(",
    ):
        assert source.count(step) == 1, step
    assert source.count("server.watch(") == 4  # docs, config file, theme, config.watch
