"""Running mkdocs for the `congress` command: the renderer of a build (`render`, which
generator/build/run.py calls between staging and swapping) and the preview server."""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from typing import ClassVar

import click
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import ConfigurationError

from generator.build.request import BuildRequest, Rendering
from generator.build.runtime import Runtime
from generator.core.hosts import loopback, url_host
from generator.mkdocs_plugin import CongressPlugin
from generator.mkdocs_plugin.requested import handing


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time (test runners swap it)."""

    @property
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass


class _Chinese(logging.Formatter):
    LEVELS: ClassVar[dict[str, str]] = {
        "WARNING": "警告",
        "ERROR": "错误",
        "CRITICAL": "错误",
        "INFO": "信息",
        "DEBUG": "调试",
    }

    def format(self, record: logging.LogRecord) -> str:
        return (
            f"mkdocs {self.LEVELS.get(record.levelname, record.levelname)}：{record.getMessage()}"
        )


class _NotDirty(logging.Filter):
    """`congress build` runs mkdocs in `dirty` mode into an empty folder (reuse.py): mkdocs'
    warning about stale pages does not apply, and must not fail a build in strict mode."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")


def quiet_mkdocs(level: int = logging.WARNING) -> None:
    """Show the engine's own warnings and errors on stderr, once, without its INFO chatter.
    ProperDocs logs under "properdocs.*"; the adapter and themes still log under "mkdocs.*"."""
    for root in ("mkdocs", "properdocs"):
        builder = logging.getLogger(f"{root}.commands.build")
        if not any(isinstance(f, _NotDirty) for f in builder.filters):
            builder.addFilter(_NotDirty())
        logger = logging.getLogger(root)
        if not any(getattr(h, "_congress", False) for h in logger.handlers):
            handler = _Stderr()
            handler.setFormatter(_Chinese())
            handler._congress = True  # type: ignore[attr-defined]
            logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False


def _plugin(config: object) -> CongressPlugin:
    plugin = config.plugins.get("congress")  # type: ignore[attr-defined]
    if not isinstance(plugin, CongressPlugin):
        raise RuntimeError("mkdocs.yml 的 plugins 中没有启用 congress 插件")
    return plugin


def render(request: BuildRequest) -> Rendering:
    """The site rendered by mkdocs, with the plugin, into `request.site_dir` (the renderer of
    generator/build/run.py)."""
    config = load_config(request.config_file, site_dir=str(request.site_dir))
    plugin = _plugin(config)
    with handing(request):
        config.plugins.on_startup(command="build", dirty=False)
        try:
            # `dirty`: mkdocs skips the pages marked unmodified (reuse.py).
            mkdocs_build(config, dirty=request.cache is not None)
        finally:
            config.plugins.on_shutdown()
    pub = plugin.publication
    assert pub is not None
    return Rendering(pub, plugin.reuse)


class RemotePreview(Exception):
    """The preview would listen beyond this machine: it shows drafts, so only when asked."""

    def __init__(self, address: str) -> None:
        super().__init__(address)
        self.address = address


def preview_address(config_file: str, dev_addr: str | None) -> tuple[str, bool]:
    """The address `serve` will listen on (the option, else mkdocs.yml's `dev_addr`, else
    mkdocs' default) and whether it is reachable only from this machine."""
    try:
        config = load_config(config_file, dev_addr=dev_addr)
    except ConfigurationError as exc:  # a malformed address, in the engine's words
        raise click.BadParameter(str(exc)) from exc
    host, port = config.dev_addr.host, config.dev_addr.port
    if not 0 < port < 65536:  # mkdocs lets 99999 through; pages' URLs would be invalid
        raise click.BadParameter(f"端口 {port} 无效（1–65535）")
    return f"{url_host(host)}:{port}", loopback(host)


def serve_site(
    config_file: str,
    now: datetime | None,
    dev_addr: str | None,
    *,
    allow_remote: bool = False,
    runtime: Runtime,
) -> None:
    """Preview with live reload: unpublished articles shown with a banner and their checklist.
    Listens on loopback only unless `allow_remote`: the preview shows unapproved drafts."""
    from generator.mkdocs_plugin.serving import serve

    address, local = preview_address(config_file, dev_addr)
    if not local and not allow_remote:
        raise RemotePreview(address)
    quiet_mkdocs(logging.INFO)
    serve(config_file, dev_addr, remote=not local, now=now, runtime=runtime)
