"""The `congress` command. Editor-facing output is Chinese; exit codes follow the contract:
0 success, 1 findings of error severity, 2 usage or configuration error."""

from __future__ import annotations

import importlib.metadata
import os
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from generator.archivecli import archive_group, archive_publication
from generator.archiveservice import archive_package, archive_serve, archive_verify
from generator.build.atomic import write_atomic
from generator.build.removal import live_record
from generator.build.runtime import LONG_RUNNING, ONE_SHOT
from generator.channelcli import longimage, wechat
from generator.commands.check import check as check_articles
from generator.commands.diff import compare
from generator.commands.report import audit_report, build_report
from generator.commands.reviewing import sign_all
from generator.commands.scaffold import NotWritten, create_article
from generator.commands.sshkeygen import NoKey
from generator.core import clock
from generator.core.config import Site
from generator.core.configerror import ConfigError
from generator.core.policy import STAGES
from generator.core.progress import reporting
from generator.core.staff import Staff
from generator.engine import EngineError, activate, chosen
from generator.failure import build_failed, config_failed, usage_failed
from generator.failure import leave as _leave
from generator.loading import registered
from generator.options import CONFIG_OPTION, NO_CACHE_OPTION, NOW_OPTION, QUIET_OPTION, TimeParam
from generator.printcli import poster, print_command
from generator.registrar import approvals, registry

if TYPE_CHECKING:
    from generator.build.request import Renderer
    from generator.derive.publication import Publication


def _load(config_file: str, *, refuse: bool = False) -> tuple[Site, Staff]:
    site, staff, _ = registered(config_file, refuse=refuse, warn=refuse)
    return site, staff


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    try:
        engine = str(chosen())
    except EngineError as exc:
        engine = f"未定（{exc.finding.message}）"
    click.echo(f"congress-site {importlib.metadata.version('congress-site')}，引擎：{engine}")
    ctx.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="显示版本和渲染引擎后退出",
)
@click.pass_context
def main(ctx: click.Context) -> None:
    """congress：人大常委会门户网站的稿件审核与发布工具。"""
    # The commands that render (audit builds the site when not given one): mkdocs reads the
    # epoch for build timestamps, and the engine must be chosen before anything imports mkdocs.
    if ctx.invoked_subcommand in ("build", "serve", "audit"):
        _check_epoch()
        _activate_engine()


def _activate_engine() -> None:
    """Before anything imports mkdocs: ProperDocs routes those imports to itself (engine.py)."""
    try:
        activate()
    except EngineError as exc:
        usage_failed(exc.finding)


def _check_epoch() -> None:
    value = os.environ.get(clock.SOURCE_DATE_EPOCH)
    problem = clock.check_source_date_epoch(value)
    if problem is not None:
        usage_failed(clock.EPOCH_INVALID.at("", None, value=value, problem=problem))


@main.command()
@NOW_OPTION
@click.option(
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="输出目录（默认 mkdocs.yml 的 site_dir）",
)
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="发布登记文件（默认 build/publication-manifest.json）",
)
@click.option("--strict", is_flag=True, help="任何稿件有错误时不替换现有站点")
@click.option(
    "--allow-removal",
    is_flag=True,
    help="允许一次下线较多（超过 max_removal_share）或全部线上稿件",
)
@click.option(
    "--live-manifest",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="线上（上次部署）的发布登记：据此判断本次构建会下线多少稿件",
)
@click.option(
    "--no-archive",
    is_flag=True,
    help="不写入网页归档（默认：构建到 site_dir 时，把本次发布写入 archive_dir）",
)
@NO_CACHE_OPTION
@QUIET_OPTION
@CONFIG_OPTION
def build(
    now: datetime | None,
    site_dir: Path | None,
    manifest: Path | None,
    strict: bool,
    allow_removal: bool,
    live_manifest: Path | None,
    no_archive: bool,
    no_cache: bool,
    quiet: bool,
    config_file: str,
) -> None:
    """构建公开网站：只发布通过审核的稿件；构建或检查失败、或将下线过多稿件时保留原有站点。"""
    from generator.build.run import build_site
    from generator.derive.manifest import dumps
    from generator.derive.manifest import manifest as build_manifest

    site, _ = _load(config_file, refuse=True)
    target = site_dir or site.site_dir
    live = [live_record(live_manifest)] if live_manifest and live_manifest.exists() else []
    started = time.monotonic()
    try:
        with reporting(quiet=quiet):
            pub = build_site(
                config_file,
                target,
                clock.now(now),
                render=_renderer(),
                runtime=ONE_SHOT,
                strict=strict,
                cache=not no_cache,
                live=live,
                allow_removal=allow_removal,
            )
    except ConfigError as exc:
        config_failed(exc.findings)
    except Exception as exc:  # mkdocs, theme, template or disk failure: no traceback for editors
        build_failed(exc, target)
    register = manifest or site.build_dir / "publication-manifest.json"
    record = build_manifest(pub)
    try:
        register.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(register, dumps(record))
    except OSError as exc:
        build_failed(exc, target, swapped=True)
    seconds = time.monotonic() - started
    code = build_report(pub, target, site.rel(register), seconds, engine=str(chosen()))
    # The configured site is the publication; a build elsewhere (a rehearsal, an inspection)
    # is not archived.
    if not no_archive and target.resolve() == site.site_dir.resolve():
        code = max(code, archive_publication(site, target, record, pub.decision.now))
    _leave(code)


def _renderer() -> Renderer:
    """mkdocs renders the pages (build/run.py does the rest), logging in Chinese on stderr from
    now on: before the lock, which may log that it waits for another build."""
    from generator.mkdocs_plugin.running import quiet_mkdocs, render

    quiet_mkdocs()
    return render


@main.command(name="diff")
@click.argument("old", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json_flag", is_flag=True, help="输出 JSON（供程序读取）")
def diff_command(old: Path, new: Path, as_json_flag: bool) -> None:
    """比较两次发布登记：新发布、定时发布到期、更正、撤回、到期下线、停止公开。
    OLD 不存在时视为首次发布。"""
    click.echo(compare(old, new, as_json=as_json_flag))


@main.command()
@NOW_OPTION
@click.option("-a", "--dev-addr", default=None, help="预览地址，如 127.0.0.1:8000")
@click.option(
    "--allow-remote",
    is_flag=True,
    help="允许在本机以外可访问的地址上预览（预览含未审核稿件，慎用）",
)
@CONFIG_OPTION
def serve(now: datetime | None, dev_addr: str | None, allow_remote: bool, config_file: str) -> None:
    """本地预览：未审核的稿件也显示，并带红色提示条和审核清单。只在本机地址上监听，
    除非给出 --allow-remote。"""
    from generator.preview import preview

    registered(config_file)  # a preview, never published: a broken registry only warns
    # To the second, in China time, as the preview has always judged.
    moment = clock.now(clock.iso(now)) if now else None
    preview(config_file, moment, dev_addr, allow_remote=allow_remote, runtime=LONG_RUNNING)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@NOW_OPTION
@click.option("--json", "as_json_flag", is_flag=True, help="输出 JSON（供程序读取）")
@click.option(
    "--fix",
    is_flag=True,
    help="就地改正可安全修正的标点、空格问题（不改代码、网址、链接和稿件信息）",
)
@NO_CACHE_OPTION
@QUIET_OPTION
@CONFIG_OPTION
def check(
    paths: tuple[Path, ...],
    now: datetime | None,
    as_json_flag: bool,
    fix: bool,
    no_cache: bool,
    quiet: bool,
    config_file: str,
) -> None:
    """检查稿件：列出每篇稿件的状态和问题；有错误时退出码为 1。"""
    site, staff, registry = registered(config_file)
    code = check_articles(
        site,
        staff,
        clock.now(now),
        paths,
        registry=registry,
        fix=fix,
        as_json_flag=as_json_flag,
        use_cache=not no_cache,
        quiet=quiet,
        runtime=ONE_SHOT,
    )
    _leave(code)


@main.command()
@click.argument("column")
@click.argument("title")
@click.option("--editor", default=None, help="责任编辑的人员编号（默认：人员名录中第一位编辑）")
@NOW_OPTION
@CONFIG_OPTION
def new(
    column: str, title: str, editor: str | None, now: datetime | None, config_file: str
) -> None:
    """新建稿件：生成稿件编号和带中文注释的稿件信息骨架。"""
    site, staff = _load(config_file)
    try:
        path, uid, editor = create_article(
            site, staff, column, title, editor=editor, when=clock.now(now)
        )
    except NotWritten as exc:
        click.echo(f"{exc}；没有新建文件。", err=True)
        sys.exit(2)
    click.echo(f"已新建稿件 {site.rel(path)}（稿件编号 {uid}，责任编辑 {staff.name(editor)}）。")


@main.command()
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--stage", required=True, type=click.Choice(STAGES), help="审核环节")
@click.option("--by", "by", required=True, help="签署人的人员编号（editorial/staff.yml）")
@click.option("--at", "at", type=TimeParam(), default=None, help="签署时间（默认：当前时间）")
@click.option(
    "--key",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="签署人的私钥文件（默认：ssh-agent 中此人登记的密钥）",
)
@NOW_OPTION
@QUIET_OPTION
@CONFIG_OPTION
def review(
    paths: tuple[Path, ...],
    stage: str,
    by: str,
    at: datetime | None,
    key: Path | None,
    now: datetime | None,
    quiet: bool,
    config_file: str,
) -> None:
    """签署审核环节：first 初审、second 复审、final 终审、proofread 校对、committee 专业审核、
    procedure 程序符合性校验、secrecy 保密审查。终审同时记录所签文本的摘要值。"""
    site, staff = _load(config_file)
    if by not in staff:
        raise click.UsageError(f"人员编号 {by} 不在 editorial/staff.yml 中 [REVIEW-SIGNER]。")
    moment = clock.now(now)
    try:
        with reporting(quiet=quiet):
            refused, unwritable = sign_all(
                site,
                staff,
                paths,
                stage=stage,
                by=by,
                when=(at or moment).replace(microsecond=0),
                moment=moment,
                key=key,
            )
    except NoKey as exc:
        usage_failed(exc.finding, "拒绝签署")
    sys.exit(2 if unwritable else 1 if refused else 0)


@main.command()
@NOW_OPTION
@click.option("--json", "as_json_flag", is_flag=True, help="输出 JSON（供程序读取）")
@click.option(
    "--site-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="清查已构建的站点（默认：先构建到临时目录再清查）",
)
@QUIET_OPTION
@CONFIG_OPTION
def audit(
    now: datetime | None,
    as_json_flag: bool,
    site_dir: Path | None,
    quiet: bool,
    config_file: str,
) -> None:
    """定期清查：栏目更新、空白栏目、首页更新、失效链接和锚点、图片替代文字、来源、征求意见反馈、
    长期未处理的稿件。有单项否决问题时退出码为 1。"""
    from generator.build.run import build_site
    from generator.commands.audit import audit_site

    site, staff = _load(config_file)
    moment = clock.now(now)

    def build(into: Path) -> Publication:
        try:
            return build_site(
                config_file, into, moment, render=_renderer(), runtime=ONE_SHOT, cache=False
            )
        except Exception as exc:
            click.echo(f"清查前构建失败 [BUILD-FAILED]：{exc}", err=True)
            sys.exit(1)

    with reporting(quiet=quiet):
        result = audit_site(site, staff, moment, site_dir, build=build, runtime=ONE_SHOT)
    click.echo(audit_report(result.findings, result.veto, moment, as_json_flag))
    sys.exit(1 if result.veto else 0)


main.add_command(registry)
main.add_command(wechat)
main.add_command(longimage)
main.add_command(print_command)
main.add_command(poster)
main.add_command(approvals)
main.add_command(archive_group)
for command in (archive_serve, archive_package, archive_verify):
    archive_group.add_command(command)
