"""`congress wechat` and `congress longimage`: approved articles out to the office's other
channels (generator/channels/), from the same publication as the site."""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import click

from generator.build import publishing
from generator.build.cache import open_cache
from generator.build.runtime import ONE_SHOT
from generator.channels.choose import Chosen, choose
from generator.channels.wechat import (
    WECHAT_EXTRA,
    WECHAT_THEME,
    Exporter,
    ExportError,
    Made,
    write,
)
from generator.commands.report import finding_line
from generator.core import clock
from generator.core.config import Site
from generator.core.findings import Code, Finding, Severity
from generator.core.invisible import terminal_safe
from generator.core.progress import phase, reporting
from generator.derive.publication import Publication
from generator.engine import EngineError, activate
from generator.failure import usage_failed
from generator.load.exports import Export, LedgerError, ledger_path, record, writable
from generator.loading import registered
from generator.options import CONFIG_OPTION, NOW_OPTION, QUIET_OPTION, out_option

ARTICLES = click.argument("articles", nargs=-1, required=True)
NOW_SLACK = timedelta(minutes=10)

EXPORT_LEDGER = Code(
    "EXPORT-LEDGER",
    Severity.ERROR,
    "无法写入导出记录：{reason}（稿件 {uid}）",
    "导出记录必须是普通文件（editorial/exports.jsonl），不能是符号链接、管道或目录；修复后重新导出。",
)
EXPORT_NOW = Code(
    "EXPORT-NOW",
    Severity.ERROR,
    "上传草稿按当前时间判断稿件状态，不能用 --now 指定其他时间（{now}）",
    "去掉 --now 后重新运行。",
)
EXPORT_FUTURE = Code(
    "EXPORT-FUTURE",
    Severity.WARNING,
    "按未来时间 {now} 判断稿件状态：尚未到发布时间的稿件也会被导出",
    "导出的稿件在该时间之前不得发出；导出记录会注明判断时间，定期清查会列出。",
)


def _say(line: str) -> None:
    click.echo(line, err=True)


def _report(findings: list[Finding] | tuple[Finding, ...]) -> None:
    colour = sys.stderr.isatty()
    for f in findings:
        _say(finding_line(f, colour))


def _publication(config_file: str, now: datetime | None, quiet: bool) -> tuple[Site, Publication]:
    """The site judged at `now`, as a build judges it: the registry's signature is checked
    first and a bad one ends the command (nothing leaves for another channel)."""
    try:
        activate()
    except EngineError as exc:
        usage_failed(exc.finding)
    site, staff, _ = registered(config_file, refuse=True, warn=True)
    moment = clock.now(now)
    cache = open_cache(site.root)
    with reporting(quiet=quiet):
        try:
            pub = publishing.prepare(site, moment, staff=staff, runtime=ONE_SHOT, cache=cache)
        except sqlite3.Error as exc:
            assert cache is not None  # only the cache is SQLite
            cache.failed(exc)
            pub = publishing.prepare(site, moment, staff=staff, runtime=ONE_SHOT)
        finally:
            if cache is not None:
                cache.close()
    return site, pub


@contextmanager
def _exporter(config_file: str, pub: Publication) -> Iterator[Exporter]:
    from generator.mkdocs_plugin.single import body_renderer

    body, theme = body_renderer(config_file, pub)
    try:
        yield Exporter(pub, body, theme, clock.now(None))
    except ExportError as exc:
        usage_failed(exc.finding, "无法导出")


def _chosen(site: Site, pub: Publication, articles: tuple[str, ...]) -> Chosen:
    chosen = choose(site, pub, articles)
    if chosen.refused:
        _say(f"拒绝导出 {len(chosen.refused)} 项：")
        _report(chosen.refused)
    return chosen


def _extras(*modules: str) -> None:
    import importlib.util

    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        usage_failed(WECHAT_EXTRA.at("", None, modules="、".join(missing)))


@click.command(name="wechat")
@ARTICLES
@out_option("build/wechat", "导出目录：每篇稿件一个子目录（以稿件编号命名）")
@click.option(
    "--clipboard-html",
    is_flag=True,
    help="只输出一份自带图片的 HTML（图片为 data URL），供复制粘贴到公众号编辑器；限一篇",
)
@click.option(
    "--push",
    is_flag=True,
    help="导出后上传到公众号草稿箱（需环境变量 WECHAT_APPID、WECHAT_SECRET）；不会群发",
)
@NOW_OPTION
@QUIET_OPTION
@CONFIG_OPTION
def wechat(
    articles: tuple[str, ...],
    out: Path,
    clipboard_html: bool,
    push: bool,
    now: datetime | None,
    quiet: bool,
    config_file: str,
) -> None:
    """导出到公众号：每篇已公开的稿件生成一个目录（article.html 全部样式内联、images/、封面、
    meta.json）。稿件用文件、文件夹或稿件编号指定；未公开的稿件一律拒绝。"""
    _extras("css_inline", "PIL", "cairosvg", *(["requests"] if push else []))
    if clipboard_html and push:
        raise click.UsageError("--clipboard-html 与 --push 不能同时使用 [WECHAT-USAGE]。")
    if push:
        _credentials()
    site, pub = _publication(config_file, now, quiet)
    _preflight(site, now, push=push)
    chosen = _chosen(site, pub, articles)
    if clipboard_html and len(chosen.verdicts) != 1:
        raise click.UsageError("--clipboard-html 一次只能导出一篇公开的稿件 [WECHAT-USAGE]。")
    failed = len(chosen.refused)
    with _exporter(config_file, pub) as exporter, reporting(quiet=quiet or clipboard_html):
        progress = phase("导出公众号稿件", len(chosen.verdicts))
        for v in chosen.verdicts:
            made = exporter.make(v)
            _report(made.findings)
            title = made.meta["title"]
            if made.refused:
                _say(f"未导出《{terminal_safe(str(title))}》：见上面的错误。")
                failed += 1
            elif clipboard_html:
                click.echo(made.clipboard(), nl=False)
                failed += not _ledger(site, made, "wechat")
            else:
                try:
                    folder = write(made, out)
                except ExportError as exc:
                    usage_failed(exc.finding, "无法导出")
                failed += not _ledger(site, made, "wechat")
                _say(f"已导出《{terminal_safe(str(title))}》→ {folder}")
                if push:
                    failed += not _pushed(site, made, folder)
            progress.tick()
        progress.finish()
    sys.exit(1 if failed else 0)


def _ledger(site: Site, made: Made, channel: str, media_id: str = "") -> bool:
    """The export recorded (load/exports.py); False, with the finding shown, if it cannot be."""
    meta = made.meta
    entry = Export(
        channel=channel,
        uid=made.uid,
        title=str(meta["title"]),
        url=str(meta["content_source_url"]),
        digest=str(meta["approval_digest"]),
        at=clock.iso(clock.now(None)),
        media_id=media_id,
        judged_at=str(meta["judged_at"]),
    )
    try:
        record(site, entry)
    except LedgerError as exc:
        where = site.rel(ledger_path(site))
        _report([EXPORT_LEDGER.at(where, None, reason=str(exc), uid=made.uid)])
        return False
    return True


def _preflight(site: Site, now: datetime | None, *, push: bool) -> None:
    """Before anything leaves: the export record can be appended to, and the moment judged
    at is now (a draft) or not later than now (an export: a --now in the future would send
    what is still embargoed)."""
    problem = writable(site)
    if problem is not None:
        where = site.rel(ledger_path(site))
        usage_failed(EXPORT_LEDGER.at(where, None, reason=problem, uid="—"), "无法导出")
    if now is None:
        return
    real = clock.now(None)
    if push and abs(now - real) > NOW_SLACK:
        usage_failed(EXPORT_NOW.at("", None, now=clock.minute(now)), "拒绝上传草稿")
    if now - real > NOW_SLACK:
        _report([EXPORT_FUTURE.at("", None, now=clock.minute(now))])


def _credentials() -> None:
    """Before anything is exported: the credentials and the API address are usable."""
    from generator.channels.wechaterror import WechatError
    from generator.channels.wechatsettings import settings_from

    try:
        settings_from(os.environ)
    except WechatError as exc:
        usage_failed(exc.finding, "无法上传草稿")


def _pushed(site: Site, made: Made, folder: Path) -> bool:
    from generator.channels.wechatapi import push
    from generator.channels.wechaterror import WechatError

    try:
        media_id = push(folder, env=os.environ, say=_say)
    except WechatError as exc:
        _report([exc.finding])
        return False
    recorded = _ledger(site, made, "wechat-draft", media_id)
    _say(f"已在公众号草稿箱创建草稿（media_id {media_id}）：请在公众号后台预览，由专人确认后群发。")
    return recorded


@click.command(name="longimage")
@ARTICLES
@click.option(
    "--width",
    type=click.IntRange(320, 2160),
    default=1080,
    show_default=True,
    help="长图宽度（像素）",
)
@click.option(
    "--max-height",
    type=click.IntRange(200, 65000),
    default=4000,
    show_default=True,
    help="每张图片的最大高度（像素）：更长的稿件在段落之间分成多张",
)
@out_option(
    "build/longimage", "输出目录：每篇稿件一个子目录（以稿件编号命名），内有 01.jpg、02.jpg……"
)
@NOW_OPTION
@QUIET_OPTION
@CONFIG_OPTION
def longimage(
    articles: tuple[str, ...],
    width: int,
    max_height: int,
    out: Path,
    now: datetime | None,
    quiet: bool,
    config_file: str,
) -> None:
    """生成长图：已公开稿件的标题、时间、来源、正文和图片，文末二维码指向原文，由 Chromium
    渲染为 JPEG，过长时在段落之间分成多张。需要 pip install 'congress-site[media]'。"""
    from generator.channels.longimage import SETUP_CODES, LongImageError, render

    _extras("css_inline", "PIL", "cairosvg", "playwright", "segno")
    site, pub = _publication(config_file, now, quiet)
    _preflight(site, now, push=False)
    chosen = _chosen(site, pub, articles)
    failed = len(chosen.refused)
    with _exporter(config_file, pub) as exporter, reporting(quiet=quiet):
        css_file = exporter.theme / "channels" / "longimage.css"
        if not css_file.is_file():
            usage_failed(WECHAT_THEME.at(str(css_file), None, file=css_file.name), "无法生成长图")
        css = css_file.read_text(encoding="utf-8")
        progress = phase("生成长图", len(chosen.verdicts))
        for v in chosen.verdicts:
            made = exporter.make(v)
            _report(made.findings)
            if made.refused:
                failed += 1
                continue
            with tempfile.TemporaryDirectory(prefix="congress-longimage-") as tmp:
                folder = write(made, Path(tmp))
                try:
                    parts = render(
                        folder,
                        out / made.uid,
                        css=css,
                        width=width,
                        max_height=max_height,
                        say=lambda line: _say(terminal_safe(line)),
                    )
                except LongImageError as exc:
                    if exc.finding.code in SETUP_CODES:  # the machine, not the article
                        usage_failed(exc.finding, "无法生成长图")
                    _report([exc.finding])
                    failed += 1
                    continue
            failed += not _ledger(site, made, "longimage")
            title = terminal_safe(str(made.meta["title"]))
            _say(f"已生成《{title}》的长图 {len(parts)} 张 → {out / made.uid}")
            progress.tick()
        progress.finish()
    sys.exit(1 if failed else 0)
