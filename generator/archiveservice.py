"""`congress archive serve|package|verify`: replaying the web archive with pywb, transfer
packages for the archives office, and verification of the archive or a package. Added to the
`archive` group by generator/cli.py."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import click

from generator.archive.store import Archive
from generator.archivecli import ARCHIVE_URL, _open, _say, _url
from generator.core import clock
from generator.core.findings import Finding
from generator.core.hosts import loopback, url_host
from generator.core.invisible import terminal_safe
from generator.options import CONFIG_OPTION, TimeParam


@click.command(name="serve")
@click.argument("url", required=False)
@click.option(
    "--at",
    "at",
    type=TimeParam(),
    default=None,
    help="回放这一时间公开的网站（默认：最近一次发布）",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True, help="端口")
@click.option("--bind", default="127.0.0.1", show_default=True, help="监听地址")
@click.option(
    "--allow-remote",
    is_flag=True,
    help="允许在本机以外可访问的地址上回放（已撤回、下线的稿件也会被他人看到，慎用）",
)
@CONFIG_OPTION
def archive_serve(
    url: str | None, at: datetime | None, port: int, bind: str, allow_remote: bool, config_file: str
) -> None:
    """用 pywb（Webrecorder 的网页归档回放系统）在本机回放网页归档，查看任一次发布时的网站。

    URL 为要打开的网址或站内路径（默认：网站首页）。按 Ctrl+C 停止。"""
    from generator.archive import replay
    from generator.archive.sync import ARCHIVE_INDEX_FOREIGN, foreign, refreshed

    site, archive = _open(config_file)
    try:
        python, version = replay.interpreter(site.root)
        if not loopback(bind) and not allow_remote:
            raise replay.ReplayError(replay.ARCHIVE_REPLAY_REMOTE.at("", None, host=bind), 2)
        stamp = replay.moment(archive, at, site.rel(site.archive_dir))
        for f in refreshed(archive):  # the index pywb reads: the WARC files there are
            _say(f)
        outside = foreign(archive)  # pywb opens whatever file the index names
        if outside is not None:
            path = site.rel(archive.index)
            found = ARCHIVE_INDEX_FOREIGN.at(path, None, path=path, file=outside)
            raise replay.ReplayError(found, 1)
        full = _url(site, archive, url or "")
        if url and not history_of(archive, full):
            _say(ARCHIVE_URL.at("", None, url=full))
            sys.exit(1)
        if not loopback(bind):
            click.secho(
                f"警告 [ARCHIVE-REPLAY-REMOTE]：回放在 {url_host(bind)}:{port} 上对网络"
                "开放，归档中已撤回、已下线的稿件都能被他人看到。用完请立即停止（Ctrl+C）。",
                fg="red",
                bold=True,
                err=True,
            )
        with _stoppable(), replay.replaying(archive.root, bind, port, python) as served:
            when = replay.moment_of(stamp)
            n = len(replay.publications(archive))
            click.echo(
                f"网页归档回放已启动（pywb {version}；{site.rel(site.archive_dir)}，"
                f"共 {n} 次发布）。在浏览器中打开："
            )
            click.echo(f"  {served.address(full, stamp)}")
            click.echo(
                f"  （北京时间 {when:%Y-%m-%d %H:%M:%S} 发布时的样子；网址中的 14 位数字和 pywb "
                "页头显示的时间都是世界协调时 UTC，比北京时间早 8 小时）"
            )
            click.echo(f"该网址的全部归档：{served.address(full, '*')}")
            click.echo("按 Ctrl+C 停止回放。")
            code = served.wait()
            problem = f"pywb 意外退出（{replay.ended(code)}）"
            failed = replay.ARCHIVE_REPLAY_FAILED.at("", None, problem=problem)
            raise replay.ReplayError(failed, 1, served.log())
    except replay.ReplayError as exc:
        if exc.log:
            click.echo("pywb 最后的输出：", err=True)
            for line in exc.log.splitlines():
                click.echo(terminal_safe(f"  {line}"), err=True)
        _say(exc.finding)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("网页归档回放已停止。")


def history_of(archive: Archive, url: str) -> bool:
    from generator.archive.history import history

    return any(e.kind == "capture" for e in history(archive, url))


@contextmanager
def _stoppable() -> Iterator[None]:
    """SIGTERM and SIGHUP end the replay as Ctrl+C does: pywb stopped, its folder removed.
    Ctrl+C too, even when this process was started with SIGINT ignored (a background job of a
    script, a test runner's worker): a server that Ctrl+C cannot stop would be left running."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    stops = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
    before = {s: signal.signal(s, interrupt) for s in stops}
    try:
        yield
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)


@click.command(name="package")
@click.option("--year", type=click.IntRange(1980, 9999), required=True, help="归档年度（北京时间）")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="输出目录（默认 build/archive-packages）：生成 web-archive-<年度>/ 和同名 .zip",
)
@click.option(
    "--at",
    "at",
    type=TimeParam(),
    default=None,
    help="打包（移交）时间，写入说明文件和 zip（默认：该年度最后一次发布的时间）",
)
@CONFIG_OPTION
def archive_package(year: int, out: Path | None, at: datetime | None, config_file: str) -> None:
    """移交包（DA/T 80-2019 移交接收）：某一年度的归档文件、索引、说明文件和清单。

    含该年度（北京时间）的全部归档文件（WARC）、CDXJ 索引、SHA-256 清单，
    和说明文件（网站名称、网站标识码、主办单位、起止时间、记录数、保管期限等）；
    为 BagIt 格式的文件夹及其 zip，同一年度重复打包，字节相同。"""
    from generator.archive.package import ARCHIVE_PACKAGE_OUT, PackageError, make_package

    site, archive = _open(config_file)
    target = out if out is not None else site.build_dir / "archive-packages"
    try:
        made = make_package(site, archive, year, target, at)
    except PackageError as exc:
        _say_all(exc.findings)
        click.echo(f"未生成 {year} 年移交包。", err=True)
        sys.exit(1)
    except OSError as exc:
        _say(ARCHIVE_PACKAGE_OUT.at(str(target), None, path=target, problem=str(exc)))
        sys.exit(1)
    click.echo(
        f"已生成 {year} 年网页归档移交包：{made.files} 个归档文件，{made.records} 条记录"
        f"（{clock.iso(made.first)} 至 {clock.iso(made.last)}）。"
    )
    click.echo(f"  文件夹：{site.rel(made.folder)}")
    click.echo(f"  zip：   {site.rel(made.zip)}")
    click.echo(f"  zip 的 SHA-256：{made.zip_sha256}")


@click.command(name="verify")
@click.argument("package", required=False, type=click.Path(path_type=Path))
@CONFIG_OPTION
def archive_verify(package: Path | None, config_file: str) -> None:
    """校验网页归档，或一个移交包（文件夹或 zip）。

    不带参数时校验网页归档本身：每条记录的摘要，文件是否完整，
    索引是否与归档文件一致。给出移交包时，先按清单核对每个文件的 SHA-256，
    以及文件是否齐全，再同样校验其中的归档文件和索引；不需要网站配置。"""
    from generator.archive.verify import Verified, verify_archive

    done: Verified
    if package is None:
        _, archive = _open(config_file)
        done = verify_archive(archive)
        what = "网页归档"
    else:
        from generator.archive.bagcheck import verify_package

        done = verify_package(package)
        what = f"移交包 {package}"
    if done.findings:
        _say_all(done.findings)
        click.echo(
            f"{what}：已校验 {done.files} 个归档文件、{done.records} 条记录，"
            f"发现 {len(done.findings)} 处问题。",
            err=True,
        )
        sys.exit(1)
    click.echo(f"{what}：已校验 {done.files} 个归档文件、{done.records} 条记录，未发现问题。")


def _say_all(findings: list[Finding]) -> None:
    """Each finding, and each code's hint once, after its first finding."""
    hinted: set[str] = set()
    for f in findings:
        click.echo(terminal_safe(f"{f.severity.label} [{f.code}] {f.message}"), err=True)
        if f.hint and f.code not in hinted:
            hinted.add(f.code)
            click.echo(terminal_safe(f"    建议：{f.hint}"), err=True)
