"""The preview server: mkdocs' live-reload server, answering only requests for this machine.

This module is the one place that reaches into mkdocs' serving (`mkdocs.commands.serve.serve`
has no hook for either need, so its ~40 lines are followed here; tests/redteam/test_markup2.py
guards it against a real `congress serve`):

- DNS rebinding: a web page on `attacker.example`, whose name is then pointed at 127.0.0.1,
  is same-origin with the preview and can read every draft. A browser always sends the name
  it used in `Host`, so a request whose Host names anything but this machine gets 403. A
  name must be `localhost`, the listening address or, with `--allow-remote`, one of the
  machine's own names; an IP address is always accepted (a page is same-origin with an
  address only if it was loaded from it). The port is not compared: the attacker's page must
  share the port to be same-origin anyway, and an `ssh -L 9000:localhost:8000` tunnel is not
  an attack.
- IPv6: mkdocs builds `http://::1:8000/` as the preview's site_url; URLs need `[::1]`.
"""

from __future__ import annotations

import ipaddress
import logging
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.livereload import LiveReloadServer

from generator.build.request import BuildRequest
from generator.build.runtime import Runtime
from generator.core.hosts import url_host
from generator.mkdocs_plugin.requested import handing

log = logging.getLogger("mkdocs.commands.serve")

App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def preview_url(host: str, port: int, mount_path: str) -> str:
    path = "/" + mount_path.strip("/") + "/" if mount_path.strip("/") else "/"
    return f"http://{url_host(host)}:{port}{path}"


def allowed_names(host: str, *, remote: bool) -> frozenset[str]:
    """Host names (not addresses) a request may use to reach the preview."""
    names = set(LOOPBACK_NAMES) | {host.strip("[]").lower()}
    if remote:  # the names other machines know this one by
        names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
        names |= {f"{socket.gethostname().lower()}.local"}
    return frozenset(n.rstrip(".") for n in names if n)


def host_allowed(header: str, names: frozenset[str]) -> bool:
    """Whether a Host header names this machine: an address, or one of `names`."""
    try:
        name = urlsplit(f"//{header}").hostname
    except ValueError:
        return False
    if not name:
        return False
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return name.rstrip(".") in names


def host_guard(app: App, names: frozenset[str]) -> App:
    """`app`, answering 403 with a Chinese text to a request for a name of another machine."""

    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST")
        if host is None or host_allowed(str(host), names):  # no Host: not from a browser
            return app(environ, start_response)
        body = (
            f"拒绝访问 [SERVE-HOST]：预览只接受以本机名称或地址访问（如 127.0.0.1、localhost），"
            f"请求中的主机名 {host} 不是本机。\n"
        ).encode()
        headers = [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
        ]
        start_response("403 Forbidden", headers)
        return [body]

    return guarded


def serve(
    config_file: str, dev_addr: str | None, *, remote: bool, now: datetime | None, runtime: Runtime
) -> None:
    """mkdocs' `serve` (live reload, drafts shown), with the Host check and bracketed IPv6;
    every rebuild renders the request handed to the plugin (requested.py)."""
    site_dir = tempfile.mkdtemp(prefix="congress-preview-")
    request = BuildRequest(config_file, Path(site_dir), now, preview=True, runtime=runtime)
    with handing(request):
        _serve(config_file, dev_addr, site_dir, remote=remote)


def _serve(config_file: str, dev_addr: str | None, site_dir: str, *, remote: bool) -> None:
    def get_config() -> Any:
        return load_config(config_file=config_file, site_dir=site_dir, dev_addr=dev_addr)

    config = get_config()
    config.plugins.on_startup(command="serve", dirty=False)
    host, port = config.dev_addr
    mount_path = urlsplit(config.site_url or "/").path
    config.site_url = url = preview_url(host, port, mount_path)

    def builder(config: Any = None) -> None:
        log.info("Building documentation...")
        if config is None:
            config = get_config()
            config.site_url = url
        build(config, serve_url=url, dirty=False)

    server = LiveReloadServer(
        builder=builder, host=host, port=port, root=site_dir, mount_path=mount_path
    )
    server.url = url
    app = server.get_app()
    assert app is not None  # LiveReloadServer sets its own in __init__
    server.set_app(host_guard(app, allowed_names(host, remote=remote)))
    server.error_handler = lambda code: _error_page(Path(site_dir), code)
    try:
        builder(config)
        server.watch(config.docs_dir)
        if config.config_file_path:
            server.watch(config.config_file_path)
        server = config.plugins.on_serve(server, config=config, builder=builder)
        for item in config.watch:
            server.watch(item)
        try:
            server.serve()
        except KeyboardInterrupt:
            log.info("Shutting down...")
        finally:
            server.shutdown()
    finally:
        config.plugins.on_shutdown()
        shutil.rmtree(site_dir, ignore_errors=True)


def _error_page(site_dir: Path, code: int) -> bytes | None:
    page = site_dir / f"{code}.html"
    return page.read_bytes() if code in (404, 500) and page.is_file() else None
