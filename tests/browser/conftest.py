"""End-to-end fixtures: the built sample site behind nginx (deploy/nginx.conf), and Debian's
Chromium driven by Playwright. Outside CI they skip when Chromium or nginx is missing; in CI
(CI=true) a missing one is a failure, so the suite cannot pass by skipping."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.sitekit import NOW, ROOT

CHROMIUM = os.environ.get("CONGRESS_CHROMIUM", "/usr/bin/chromium")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


def require(path: str | Path, what: str, install: str = "apt-get install chromium nginx") -> None:
    if Path(path).exists():
        return
    message = f"{what} not found at {path}"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{message}: .ci/run installs it ({install})")
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


OPENSSL = shutil.which("openssl")


def self_signed(prefix: Path) -> tuple[Path, Path] | None:
    """A throwaway certificate for 127.0.0.1 (None without openssl: TLS is left out)."""
    if OPENSSL is None:
        return None
    cert, key = prefix / "cert.pem", prefix / "key.pem"
    request = [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=127.0.0.1",
    ]
    subprocess.run(
        [OPENSSL, *request, "-keyout", str(key), "-out", str(cert)],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return cert, key


def nginx_config(
    site: Path,
    port: int,
    prefix: Path,
    *,
    tls_port: int | None = None,
    redirect_port: int | None = None,
    cert: tuple[Path, Path] | None = None,
) -> str:
    """deploy/nginx.conf on loopback around the built site: the HTTPS server block answers
    plain HTTP on `port` (what the page tests use) and, given a certificate, TLS on
    `tls_port`; the HTTP redirect block listens on `redirect_port` (or on a spare port)."""
    block = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    listen = f"listen 127.0.0.1:{port};"
    if cert is not None and tls_port is not None:
        listen += f" listen 127.0.0.1:{tls_port} ssl;"
        block = _directive(block, "ssl_certificate", str(cert[0]))
        block = _directive(block, "ssl_certificate_key", str(cert[1]))
    else:
        block = re.sub(r"(?m)^\s*ssl_\w+\s+[^;]+;", "", block)
    block = re.sub(r"(?m)^(\s*)listen\s+443\s+ssl(\s+http2)?;", rf"\g<1>{listen}", block)
    block = _directive(block, "listen", f"127.0.0.1:{redirect_port or free_port()}", "80")
    block = _directive(block, "server_name", "localhost")
    block = _directive(block, "root", str(site))
    user = "user root;" if os.geteuid() == 0 else ""
    temp = " ".join(
        f"{kind}_temp_path {prefix / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}
worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log {prefix / "access.log"};
    {temp}
    {block}
}}
"""


def _directive(block: str, name: str, value: str, old: str = r"[^;]+") -> str:
    """Set a directive written at the start of a line (comments mentioning it stay)."""
    return re.sub(rf"(?m)^(\s*){name}\s+{old};", rf"\g<1>{name} {value};", block)


@dataclass
class Server:
    base: str
    site: Path
    tls_base: str | None = None  # the same server over TLS (self-signed), if openssl exists
    redirect_base: str | None = None  # the plain-HTTP block that redirects to HTTPS


def wait_until_serving(base: str) -> None:
    """Give a freshly started web server up to 5 s to answer."""
    for _ in range(100):
        try:
            urllib.request.urlopen(base, timeout=1).read()
            return
        except OSError:
            time.sleep(0.05)


def build_sample(site_dir: Path, site_url: str) -> None:
    """The sample site as production would have it, but with site_url on the test server."""
    env = {**os.environ, "CONGRESS_SITE_URL": site_url}
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--now", NOW, "--site-dir", str(site_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@contextmanager
def nginx_serving(site: Path, prefix: Path, port: int) -> Iterator[Server]:
    """deploy/nginx.conf serving `site` on loopback until the block ends."""
    require(NGINX, "nginx")
    tls_port, redirect_port = free_port(), free_port()
    cert = self_signed(prefix)
    conf = prefix / "nginx.conf"
    conf.write_text(
        nginx_config(site, port, prefix, tls_port=tls_port, redirect_port=redirect_port, cert=cert),
        encoding="utf-8",
    )
    check = subprocess.run(
        [NGINX, "-t", "-c", str(conf), "-p", str(prefix)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen(
        [NGINX, "-c", str(conf), "-p", str(prefix), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}/"
    wait_until_serving(base)
    try:
        yield Server(
            base,
            site,
            tls_base=f"https://127.0.0.1:{tls_port}/" if cert else None,
            redirect_base=f"http://127.0.0.1:{redirect_port}/",
        )
    finally:
        process.send_signal(signal.SIGQUIT)
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    require(NGINX, "nginx")
    prefix = tmp_path_factory.mktemp("nginx")
    port = free_port()
    sample_site = prefix / "site"
    build_sample(sample_site, f"http://127.0.0.1:{port}/")
    with nginx_serving(sample_site, prefix, port) as served:
        yield served


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    require(CHROMIUM, "Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@dataclass
class Visit:
    """A page with what went wrong while it loaded."""

    page: object
    console_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


@pytest.fixture
def visit(browser: object, server: Server) -> Iterator[callable]:  # type: ignore[valid-type]
    contexts = []

    def open_page(
        path: str, *, width: int = 1280, height: int = 900, context: object | None = None
    ) -> Visit:
        if context is None:
            context = browser.new_context(
                viewport={"width": width, "height": height}, locale="zh-CN"
            )  # type: ignore[attr-defined]
            contexts.append(context)
        page = context.new_page()  # type: ignore[attr-defined]
        visit = Visit(page)
        page.on("console", lambda m: m.type == "error" and visit.console_errors.append(m.text))
        page.on("pageerror", lambda e: visit.console_errors.append(str(e)))
        page.on("requestfailed", lambda r: visit.failed.append(f"{r.url} {r.failure}"))
        page.on(
            "response", lambda r: r.status >= 400 and visit.failed.append(f"{r.url} {r.status}")
        )
        page.goto(server.base + path, wait_until="networkidle")
        return visit

    yield open_page
    for context in contexts:
        context.close()
