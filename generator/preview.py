"""`congress serve`: the preview shows unapproved drafts, so it listens on this machine only,
unless the editor asks for more (`--allow-remote`) and is warned in red."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import NoReturn

import click

from generator.build.runtime import Runtime
from generator.failure import serve_failed
from generator.mkdocs_plugin.running import RemotePreview, preview_address, serve_site


def preview(
    config_file: str,
    now: datetime | None,
    dev_addr: str | None,
    *,
    allow_remote: bool,
    runtime: Runtime,
) -> None:
    """Check the address, then serve until interrupted; every refusal exits 2 with a code."""
    try:
        address, local = preview_address(config_file, dev_addr)
    except (OSError, click.ClickException) as exc:  # a malformed address
        serve_failed(exc, dev_addr)
    if not local and not allow_remote:
        _refuse(address)
    if not local:
        click.secho(
            f"警告 [SERVE-REMOTE]：预览在 {address} 上对网络开放，未审核、未签发的稿件"
            "都能被他人看到。预览结束请立即停止（Ctrl+C）。",
            fg="red",
            bold=True,
            err=True,
        )
    try:
        serve_site(config_file, now, dev_addr, allow_remote=allow_remote, runtime=runtime)
    except RemotePreview as exc:  # the address changed between the two looks
        _refuse(exc.address)
    except (OSError, click.ClickException) as exc:  # address taken, mkdocs' own refusal
        serve_failed(exc, dev_addr)


def _refuse(address: str) -> NoReturn:
    click.echo(
        f"拒绝预览 [SERVE-REMOTE]：{address} 不是本机地址，预览中的未审核稿件会被网络上的"
        "其他计算机看到。",
        err=True,
    )
    click.echo("    建议：用 127.0.0.1 预览；确需他人访问时加 --allow-remote。", err=True)
    sys.exit(2)
