"""Red team, markup, in Chromium behind deploy/nginx.conf: the hostile newsroom of
tests/redteam/hostile.py (HTML in every front-matter field and in a body) runs nothing, goes
nowhere and injects nothing on any page kind; no page of the sample site breaks the CSP; the
sample site works with JavaScript off; the server denies dotfiles and backups and sends its
headers (TLS with a self-signed certificate when openssl is there)."""

from __future__ import annotations

import gzip
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import pytest

from tests.browser.conftest import CHROMIUM, Server, free_port, nginx_serving, require
from tests.redteam.hostile import PAGE_KINDS, build, hostile_site

pytestmark = pytest.mark.browser

CSP_LISTENER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""
PWN_JS = b'alert("pwn-js"); document.documentElement.setAttribute("data-pwned", "1");'


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    prefix = tmp_path_factory.mktemp("hostile-nginx")
    port = free_port()
    root = hostile_site(prefix / "newsroom", site_url=f"http://127.0.0.1:{port}/")
    build(root)
    site = root / "site"
    # As if an attachment had been copied: the body's <script src> points at this file.
    (site / "assets" / "pwn.js").write_bytes(PWN_JS)
    with nginx_serving(site, prefix, port) as served:
        yield served


@dataclass
class Watch:
    dialogs: list[str] = field(default_factory=list)
    navigations: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)


def watch(browser: object, url: str, *, javascript: bool = True) -> tuple[object, Watch]:
    require(CHROMIUM, "Chromium")
    context = browser.new_context(java_script_enabled=javascript)  # type: ignore[attr-defined]
    page = context.new_page()
    seen = Watch()
    page.add_init_script(CSP_LISTENER)

    def dialog(d: object) -> None:
        seen.dialogs.append(d.message)  # type: ignore[attr-defined]
        d.dismiss()  # type: ignore[attr-defined]

    page.on("dialog", dialog)
    page.on(
        "framenavigated",
        lambda f: f == page.main_frame and seen.navigations.append(f.url),
    )
    page.on(
        "console",
        lambda m: "Content Security Policy" in m.text and seen.csp.append(m.text),
    )
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(300)  # a zero-second meta refresh, if one got through, has fired
    if javascript:
        seen.csp += page.evaluate("window.__csp")
    return page, seen


@pytest.mark.parametrize("kind", [*sorted(PAGE_KINDS), "search-results"])
def test_injected_markup_runs_nothing_goes_nowhere_and_is_not_in_the_dom(
    browser: object, hostile_server: Server, kind: str
) -> None:
    path = "search/?q=alert" if kind == "search-results" else PAGE_KINDS[kind]
    path = path.removesuffix("index.html")
    page, seen = watch(browser, hostile_server.base + path)
    try:
        assert seen.dialogs == []
        assert len(seen.navigations) == 1  # the page itself, nothing after it
        assert seen.navigations[0].startswith(hostile_server.base)
        assert seen.csp == []
        injected = page.evaluate(  # type: ignore[attr-defined]
            """() => ({
              pwn: document.querySelectorAll(".pwn, [class*=pwn]").length,
              handlers: [...document.querySelectorAll("*")].filter(
                e => [...e.attributes].some(a => a.name.startsWith("on"))).length,
              inline: [...document.scripts].filter(
                s => !s.src && s.type !== "application/json").length,
              refresh: document.querySelectorAll("meta[http-equiv]").length,
              base: document.querySelectorAll("base").length,
              frames: [...document.querySelectorAll("iframe")].map(f => f.src)
                .filter(s => !s.startsWith("https://media.shilirenda.gov.cn/")).length,
              badLinks: [...document.querySelectorAll("a[href]")].filter(
                a => /^(javascript|data|vbscript):/i.test(a.getAttribute("href").trim())).length,
              pwned: document.documentElement.getAttribute("data-pwned"),
            })"""
        )
        assert injected == {
            "pwn": 0,
            "handlers": 0,
            "inline": 0,
            "refresh": 0,
            "base": 0,
            "frames": 0,
            "badLinks": 0,
            "pwned": None,
        }
    finally:
        page.context.close()  # type: ignore[attr-defined]


def test_a_same_origin_script_attachment_is_blocked_even_when_loaded_directly(
    browser: object, hostile_server: Server
) -> None:
    """The CSP trusts the site's own files, so the gate refuses such attachments (see
    test_markup.py); here the file is on the server anyway, and no page loads it."""
    page, seen = watch(
        browser, hostile_server.base + PAGE_KINDS["article"].removesuffix("index.html")
    )
    try:
        loaded = page.evaluate(  # type: ignore[attr-defined]
            "performance.getEntriesByType('resource').map(r => r.name)"
        )
        assert not [u for u in loaded if u.endswith("pwn.js")]
        assert seen.dialogs == []
    finally:
        page.context.close()  # type: ignore[attr-defined]


SAMPLE_PAGES = {
    "home": "",
    "article": "supervision/2026/zhongyuan-gongzuo-pingyi/",
    "withdrawn": None,  # found below: the sample's withdrawal notice
    "column": "supervision/",
    "tag": "tags/",
    "archive": "archive/",
    "year": "archive/2026/",
    "feeds": "feeds/",
    "search": "search/?q=执法检查",
    "404": "no-such-page/",
}


def _withdrawn(site: Path) -> str:
    for page in sorted(site.rglob("index.html")):
        if "cg-withdrawn" in page.read_text(encoding="utf-8"):
            return page.parent.relative_to(site).as_posix() + "/"
    raise AssertionError("the sample has a withdrawal notice")


@pytest.mark.parametrize("kind", sorted(SAMPLE_PAGES))
def test_no_page_kind_of_the_sample_breaks_the_csp(
    browser: object, server: Server, kind: str
) -> None:
    path = SAMPLE_PAGES[kind]
    if path is None:
        path = _withdrawn(server.site)
    page, seen = watch(browser, server.base + path)
    try:
        assert seen.csp == []
        assert seen.dialogs == []
    finally:
        page.context.close()  # type: ignore[attr-defined]


def test_the_site_works_with_javascript_off(browser: object, server: Server) -> None:
    page, _ = watch(browser, server.base, javascript=False)
    try:
        column = page.locator("nav a, .md-tabs a").filter(has_text="监督在线").first  # type: ignore[attr-defined]
        column.click()
        page.wait_for_load_state()  # type: ignore[attr-defined]
        assert page.url.endswith("/supervision/")  # type: ignore[attr-defined]
        first = page.locator(".cg-item__title").first  # type: ignore[attr-defined]
        title = first.inner_text()
        first.click()
        page.wait_for_load_state()  # type: ignore[attr-defined]
        assert page.locator("h1").first.inner_text() == title  # type: ignore[attr-defined]
        page.goto(server.base + "feeds/")  # type: ignore[attr-defined]
        feeds = page.locator("a[href$='.rss']")  # type: ignore[attr-defined]
        assert feeds.count() > 1
        href = feeds.first.get_attribute("href")
        response = page.request.get(urljoin(page.url, href))  # type: ignore[attr-defined]
        assert response.ok and b"<rss" in response.body()
    finally:
        page.context.close()  # type: ignore[attr-defined]


def _head(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the harness's self-signed certificate
    request = urllib.request.Request(url, headers=headers)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=context))
    try:
        with opener.open(request, timeout=10) as response:
            return (
                response.status,
                {k.lower(): v for k, v in response.headers.items()},
                response.read(),
            )
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, b""


def test_nginx_denies_dotfiles_and_backups(server: Server) -> None:
    site = server.site
    (site / ".git").mkdir(exist_ok=True)
    (site / ".git" / "config").write_text("[remote]", encoding="utf-8")
    (site / ".env").write_text("KEY=secret", encoding="utf-8")
    (site / "assets" / ".htpasswd").write_text("x:y", encoding="utf-8")
    (site / ".well-known").mkdir(exist_ok=True)
    (site / ".well-known" / "security.txt").write_text("Contact: x", encoding="utf-8")
    page = site / "supervision" / "index.html"
    for suffix in ("~", ".bak", ".orig", ".swp", ".old", ".tmp", ".save"):
        page.with_name("index.html" + suffix).write_bytes(page.read_bytes())
    for path in (".git/config", ".env", "assets/.htpasswd", ".git/"):
        assert _head(server.base + path)[0] in (403, 404), path
    for suffix in ("~", ".bak", ".orig", ".swp", ".old", ".tmp", ".save"):
        assert _head(server.base + "supervision/index.html" + suffix)[0] == 403, suffix
    assert _head(server.base + ".well-known/security.txt")[0] == 200


def test_nginx_sends_the_headers_caching_charset_and_compression(server: Server) -> None:
    status, headers, _ = _head(server.base + SAMPLE_PAGES["article"])
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    csp = headers["content-security-policy"]
    assert "frame-src https://media.shilirenda.gov.cn;" in csp and "'unsafe-inline'" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["strict-transport-security"].startswith("max-age=")
    text = next((server.site / "pagefind" / "text").glob("*.txt")).name
    assert _head(server.base + f"pagefind/text/{text}")[1]["content-type"] == (
        "text/plain; charset=utf-8"
    )
    pagefind = server.site / "pagefind"
    for pattern in ("*/fragment/*.pf_fragment", "*/index/*.pf_index", "*/*.pf_meta"):
        chunk = next(pagefind.glob(pattern)).relative_to(server.site).as_posix()
        assert _head(server.base + chunk)[1]["cache-control"] == "max-age=31536000", chunk
    entry = next(pagefind.glob("*/pagefind-entry.json")).relative_to(server.site).as_posix()
    assert _head(server.base + entry)[1]["cache-control"] == "max-age=3600"
    status, headers, body = _head(server.base + "sitemap.xml", **{"Accept-Encoding": "gzip"})
    assert headers.get("content-encoding") == "gzip" and b"<urlset" in gzip.decompress(body)
    svg = next(server.site.rglob("assets/images/*.svg")).relative_to(server.site).as_posix()
    svg_csp = _head(server.base + svg)[1]["content-security-policy"]
    assert "sandbox" in svg_csp and "script-src" not in svg_csp and "default-src 'none'" in svg_csp


def test_nginx_serves_tls_with_hsts_and_redirects_plain_http(server: Server) -> None:
    if server.tls_base is None:
        pytest.skip("openssl not found: the TLS listener is left out")
    status, headers, _ = _head(server.tls_base)
    assert status == 200 and headers["strict-transport-security"] == "max-age=31536000"
    assert server.redirect_base is not None
    status, headers, _ = _head(server.redirect_base + "supervision/?x=1")
    assert status == 301 and headers["location"].startswith("https://")
    assert headers["location"].endswith("/supervision/?x=1")
