"""`congress archive …`: the web archive of every publication (generator/archive/), and the
step of `congress build` that adds a publication to it."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from generator.archive.store import ARCHIVE_DIR, Archive, ArchiveError
from generator.core import clock
from generator.core.config import Site, load_site
from generator.core.configerror import ConfigError
from generator.core.findings import Code, Finding, Severity
from generator.core.invisible import terminal_safe
from generator.failure import config_failed
from generator.options import CONFIG_OPTION, TimeParam

if TYPE_CHECKING:
    from generator.archive.history import Event

ARCHIVE_FUTURE = Code(
    "ARCHIVE-FUTURE",
    Severity.WARNING,
    "本次构建的时间 {now} 晚于当前时间：这是排练，未写入网页归档。",
    "网页归档只记录真实发生的发布；去掉 --now 后构建即可归档。",
)
ARCHIVE_FAILED = Code(
    "ARCHIVE-FAILED",
    Severity.ERROR,
    "网站已构建，但本次发布未能写入网页归档：{problem}",
    "检查归档目录所在磁盘的空间和权限后重新构建；归档中已有的文件未受影响。",
)
ARCHIVE_URL = Code(
    "ARCHIVE-URL",
    Severity.ERROR,
    "网页归档中没有 {url} 的记录。",
    "给出完整网址（https://…）或站内路径（如 deputies/2026/x/）。",
)
ARCHIVE_CLOCK = Code(
    "ARCHIVE-CLOCK",
    Severity.ERROR,
    "本次发布时间 {now}（当前时间）不晚于网页归档中最近一次发布（{last}）：本次未归档。",
    "这台机器的时钟可能被调回，或上一次发布的时间记错了：核对时钟后再发布；"
    "运行 congress archive verify 检查归档。",
)
ARCHIVE_BACKDATED = Code(
    "ARCHIVE-BACKDATED",
    Severity.WARNING,
    "本次构建的时间 {now} 早于当前时间一小时以上：这是排练，未写入网页归档。",
    "网页归档记录的是发布当时公众看到的内容，不能补记过去的时间；去掉 --now 后构建即可归档。",
)
# Rehearsals (`--now` ahead of the clock, or well behind it) are not publications: the archive
# says what was public when, and a build dated in the past would say it after the fact. The
# build and its deployment may take a while, so the past has an hour's grace. Tests (and an
# office importing an archive kept elsewhere) set CONGRESS_ARCHIVE_BACKDATE=1: whoever runs the
# build sets its clock anyway, so this guards against mistakes, not against the operator.
FUTURE_SLACK = timedelta(minutes=5)
PAST_SLACK = timedelta(hours=1)
BACKDATE = "CONGRESS_ARCHIVE_BACKDATE"


def archive_publication(site: Site, target: Path, manifest: dict[str, Any], now: datetime) -> int:
    """Add the publication just built to the web archive: 0, or 1 if it could not be."""
    # warcio, cdxj-indexer and crossplane only for the commands that archive.
    from generator.archive.capture import Behind, Mismatch, record
    from generator.archive.served import ServerConfigError

    real = clock.now()
    if now > real + FUTURE_SLACK:
        _say(ARCHIVE_FUTURE.at("", None, now=clock.iso(now)))
        return 0
    if now < real - PAST_SLACK and os.environ.get(BACKDATE) != "1":
        _say(ARCHIVE_BACKDATED.at("", None, now=clock.iso(now)))
        return 0
    try:
        done = record(site, target, manifest, now)
    except Behind as exc:
        if now < real - PAST_SLACK:  # a rehearsal the suite allowed: it stays out, quietly
            _say(exc.finding)
            return 0
        _say(ARCHIVE_CLOCK.at("", None, now=exc.now, last=exc.last))
        return 1
    except Mismatch as exc:
        _say(exc.finding)
        return 1
    except (ArchiveError, ServerConfigError) as exc:
        _say(exc.finding)
        return 1
    except OSError as exc:
        _say(ARCHIVE_FAILED.at("", None, problem=str(exc)))
        return 1
    for f in done.damaged:
        _say(f)
    where = site.rel(site.archive_dir)
    if done.warc is None:
        click.echo(f"网页归档：与上次发布相比没有变化，未新增归档文件（{where}）。")
    else:
        click.echo(
            f"网页归档：{where}/{done.warc}（新增 {done.new}，更改 {done.changed}，"
            f"未变 {done.same}，移除 {done.removed}）。"
        )
    return 0


def _say(f: Finding) -> None:
    click.echo(terminal_safe(f"{f.severity.label} [{f.code}] {f.message}"), err=True)
    if f.hint:
        click.echo(terminal_safe(f"    建议：{f.hint}"), err=True)


def _open(config_file: str) -> tuple[Site, Archive]:
    try:
        site = load_site(config_file)
        archive = Archive.of(site)
    except ConfigError as exc:
        config_failed(exc.findings)
    except ArchiveError as exc:
        _say(exc.finding)
        sys.exit(2)
    return site, archive


def _url(site: Site, archive: Archive, arg: str) -> str:
    """The URL asked for: a site path made absolute, without a fragment (never sent to a
    server). As the archive has it, if it has it: percent-encoded as a browser sends it, a
    page's address without its final slash (as people copy it) or with index.html, or
    without a query string (which the static server does not read)."""
    from urllib.parse import quote, urldefrag

    from generator.archive.index import lookup

    full = urldefrag(arg if "://" in arg else site.absolute(arg.lstrip("/")))[0]
    encoded = quote(full, safe="%:/?#[]@!$&'()*+,;=~")
    for url in dict.fromkeys((full, encoded)):
        bare = url.split("?", 1)[0]
        tried = (url, url + "/", url.removesuffix("index.html"), bare, bare + "/")
        for candidate in dict.fromkeys(tried):
            if lookup(archive.index, candidate):
                return candidate
    return full


def _when(e: Event) -> str:
    return clock.china(e.at).strftime("%Y-%m-%d %H:%M:%S")


@click.group(name="archive")
def archive_group() -> None:
    """网页归档（WARC）：查看某一网址的历次归档、某一时间公开的内容，回放、移交和校验。"""


@archive_group.command(name="list")
@click.argument("url")
@click.option("--json", "as_json_flag", is_flag=True, help="输出 JSON（供程序读取）")
@CONFIG_OPTION
def list_command(url: str, as_json_flag: bool, config_file: str) -> None:
    """列出一个网址的全部归档记录：每次发布时的内容（新增、更改、未变）、终审、撤回和下线。"""
    from generator.archive.history import history
    from generator.archive.sync import refreshed

    site, archive = _open(config_file)
    for f in refreshed(archive):
        _say(f)
    full = _url(site, archive, url)
    events = history(archive, full)
    if not events:
        _say(ARCHIVE_URL.at("", None, url=full))
        sys.exit(1)
    if as_json_flag:
        click.echo(json.dumps([_event_json(e) for e in events], ensure_ascii=False, indent=1))
        return
    click.echo(f"{full} 的网页归档记录（北京时间）：")
    digests: set[str] = set()
    for e in events:
        click.echo(terminal_safe(f"  {_when(e)}  {_describe(e, digests)}"))


def _describe(e: Event, digests: set[str]) -> str:
    from generator.archive.events import REASONS

    f = e.line.fields
    if e.kind == "capture":
        digest = str(f.get("digest", ""))
        what = "未变（重访记录）" if e.line.revisit else ("更改" if digests else "首次归档")
        if not e.line.revisit and digest in digests:
            what = "恢复为此前的内容"
        digests.add(digest)
        return f"{what}  {digest[:17]}…  {f.get('filename')}"
    d = e.detail
    if e.kind == "approved":
        signers = "、".join(
            f"{s.get('stage_name', s.get('stage'))} {s.get('name', s.get('by'))}"
            for s in d.get("signers", [])
            if isinstance(s, dict)
        )
        return f"审核记录：《{d.get('title', '')}》（{d.get('uid', '')}），{signers}"
    if e.kind == "removed":
        reason = REASONS.get(str(d.get("reason_code")), str(d.get("reason", "")))
        note = f"：{d['note']}" if d.get("note") else ""
        still = "（网址保留撤稿说明）" if not d.get("gone") else ""
        return f"{reason}{note}{still}"
    return e.kind


def _event_json(e: Event) -> dict[str, Any]:
    return {
        "time": clock.iso(clock.china(e.at)),
        "timestamp": e.timestamp,
        "kind": "revisit" if e.line.revisit else e.kind,
        "digest": e.line.fields.get("digest"),
        "warc": e.line.fields.get("filename"),
        **({"detail": e.detail} if e.detail else {}),
    }


@archive_group.command(name="show")
@click.argument("url")
@click.option("--at", "at", type=TimeParam(), required=True, help="时间，如 2026-11-20T10:00+08:00")
@click.option("--raw", is_flag=True, help="原样输出当时的字节（不提取正文）")
@CONFIG_OPTION
def show_command(url: str, at: datetime, raw: bool, config_file: str) -> None:
    """显示某一时间该网址公开的内容（取自归档文件，而非当前稿件）；已撤回或下线的，
    同时显示撤回前最后公开的版本。"""
    from generator.archive.history import headers, original, payload, seen_at
    from generator.archive.sync import ARCHIVE_DAMAGED, refreshed

    site, archive = _open(config_file)
    for f in refreshed(archive):
        _say(f)
    full = _url(site, archive, url)
    seen, events = seen_at(archive, full, at)
    if not events:
        _say(ARCHIVE_URL.at("", None, url=full))
        sys.exit(1)
    if seen.capture is None and seen.removal is None:
        click.echo(
            f"{clock.iso(clock.china(at))} 时 {full} 尚未公开（最早归档于 {_when(events[0])}）。"
        )
        sys.exit(1)
    if seen.removal is not None:
        d = seen.removal.detail
        note = f"：{str(d['note']).rstrip('。')}" if d.get("note") else ""
        click.echo(f"{full} 已于 {_when(seen.removal)} {d.get('reason', '')}{note}。")
    shown = seen.capture or seen.last_public
    if shown is None:
        sys.exit(1)
    if seen.capture is None:
        click.echo(f"以下是撤回（下线）前最后公开的版本（{_when(shown)} 归档）：")
    elif seen.removal is not None:
        click.echo(f"当时该网址显示撤稿说明（{_when(shown)} 归档）：")
    source = original(archive, shown, events)
    body = payload(archive, source.line) if source is not None else None
    if body is None:
        name = str(shown.line.fields.get("filename", ""))
        _say(ARCHIVE_DAMAGED.at(name, None, file=name, problem="索引所指的记录无法读取"))
        sys.exit(1)
    if raw:
        sys.stdout.flush()
        sys.stdout.buffer.write(body)
        return
    kind = headers(archive, shown.line).get("Content-Type", "")
    click.echo(f"归档时间 {_when(shown)}，{kind}，{shown.line.fields.get('digest')}")
    click.echo("-" * 40)
    click.echo(_safe_lines(readable(body, kind)))
    if seen.capture is not None and seen.removal is not None and seen.last_public is not None:
        click.echo("-" * 40)
        click.echo(f"撤回前最后公开的版本（{_when(seen.last_public)} 归档）：")
        orig = original(archive, seen.last_public, events)
        earlier = payload(archive, orig.line) if orig is not None else None
        click.echo(_safe_lines(readable(earlier or b"", kind)))


def _safe_lines(text: str) -> str:
    """Text for the terminal: its lines as lines, any control character within written out."""
    return "\n".join(terminal_safe(line) for line in text.splitlines())


def readable(body: bytes, content_type: str) -> str:
    """A page's title and main text; other text as it is; binary content described."""
    if content_type.startswith("text/html"):
        import lxml.html

        try:
            doc = lxml.html.fromstring(body)
        except Exception:
            return body.decode("utf-8", "replace")
        for bad in doc.xpath("//script|//style|//noscript"):
            bad.drop_tree()
        main = doc.xpath("//article") or doc.xpath("//main") or [doc]
        text = main[0].text_content()
        lines = [" ".join(line.split()) for line in text.splitlines()]
        return "\n".join(line for line in lines if line)
    if content_type.startswith(("text/", "application/json", "application/feed+json")) or (
        "xml" in content_type
    ):
        return body.decode("utf-8", "replace")
    return f"（二进制内容，{len(body)} 字节；用 --raw 输出原样字节）"


@archive_group.command(name="reindex")
@CONFIG_OPTION
def reindex_command(config_file: str) -> None:
    """由归档文件（WARC）重建索引和归档状态。"""
    from generator.archive.store import write_durably
    from generator.archive.sync import damage, rebuilt, reindex

    _, archive = _open(config_file)
    try:
        with archive.writing():
            warcs = archive.warcs()
            state = rebuilt(archive, warcs)
            reindex(archive, [w for w in warcs if w not in state.damaged])
            if warcs:
                write_durably(archive.state_file, state.dumps())
    except OSError as exc:
        path = str(archive.root)
        _say(ARCHIVE_DIR.at(path, None, path=path, problem=f"无法写入（{exc.strerror or exc}）"))
        sys.exit(1)
    for f in damage(state):
        _say(f)
    click.echo(f"已重建索引：{len(warcs) - len(state.damaged)} 个归档文件。")
    sys.exit(1 if state.damaged else 0)


@archive_group.command(name="record")
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="本次构建的发布登记（默认 build/publication-manifest.json）",
)
@CONFIG_OPTION
def record_command(manifest: Path | None, config_file: str) -> None:
    """把已构建并部署的网站（site_dir）作为一次发布写入网页归档，时间取发布登记中的构建时间。
    deploy/publish.sh 在部署成功后运行它（构建时用 --no-archive）。"""
    site, _ = _open(config_file)
    register = manifest or site.build_dir / "publication-manifest.json"
    try:
        data = json.loads(register.read_bytes())
        now = clock.aware(data["now"])
        for key in ("published", "not_public"):
            entries = data.get(key, [] if key == "not_public" else None)
            if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
                raise ValueError(key)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        _say(ARCHIVE_FAILED.at(site.rel(register), None, problem=f"发布登记无法读取（{exc}）"))
        sys.exit(1)
    sys.exit(archive_publication(site, site.site_dir, data, now))


@archive_group.command(name="where")
@CONFIG_OPTION
def where_command(config_file: str) -> None:
    """显示网页归档目录（archive_dir）的绝对路径。"""
    _, archive = _open(config_file)
    click.echo(str(archive.root.resolve()))
