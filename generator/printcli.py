"""`congress print` (a print edition as a PDF) and `congress poster` (notice-board posters):
the office's printed channels, from the same publication as the site (generator/channels/)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from generator.build.atomic import write_atomic
from generator.channelcli import ARTICLES, _chosen, _preflight, _publication, _report, _say
from generator.channels.choose import not_public
from generator.channels.printed import (
    EDITION_NOT_APPROVED,
    PrintError,
    edition_document,
    poster_document,
    render_edition,
    render_poster,
)
from generator.channels.wechat import WECHAT_OUT
from generator.core import clock
from generator.core.config import Site
from generator.core.findings import Code, Severity
from generator.core.invisible import terminal_safe
from generator.core.progress import phase, reporting
from generator.derive.publication import Publication
from generator.failure import usage_failed
from generator.gate.decide import Verdict
from generator.load.exports import Export, LedgerError, record
from generator.options import CONFIG_OPTION, NOW_OPTION, QUIET_OPTION, out_option

EDITION_UNKNOWN = Code(
    "EDITION-UNKNOWN",
    Severity.ERROR,
    "找不到刊期：{arg}",
    "给出刊期文件（editions/<刊物编号>/<期号>.yml）或刊期编号（uid）。",
)


@click.command(name="print")
@click.argument("editions", nargs=-1, required=True)
@out_option("build/print", "输出目录：<刊物编号>/<期号>.pdf")
@NOW_OPTION
@QUIET_OPTION
@CONFIG_OPTION
def print_command(
    editions: tuple[str, ...], out: Path, now: datetime | None, quiet: bool, config_file: str
) -> None:
    """印刷版：把已审定的刊期（editions/<刊物>/<期号>.yml）排成 PDF（WeasyPrint，PDF/A-3b），
    含封面、目录、页眉页码。只收已审定、所列稿件全部公开的刊期。"""
    site, pub = _publication(config_file, now, quiet)
    _preflight(site, now, push=False)  # a moment later than now prints what is embargoed
    _writable_out(site, out)
    judged = pub.editions
    failed = 0
    chosen = []
    for arg in editions:
        path = Path(arg).resolve()
        hits = [
            e
            for e in judged
            if (site.root / e.edition.path).resolve() == path
            or (e.edition.data is not None and e.edition.data.uid == arg)
        ]
        if not hits:
            _report([EDITION_UNKNOWN.at("", None, arg=arg)])
            failed += 1
        for e in hits:
            if e.public:
                chosen.append(e)
            else:
                failed += 1
                lacks = "；".join(dict.fromkeys(f.message for f in e.findings)) or e.state.label
                _report(
                    [
                        EDITION_NOT_APPROVED.at(
                            e.edition.path, None, state=e.state.label, lacks=lacks
                        )
                    ]
                )
    from generator.mkdocs_plugin.single import body_renderer

    body, theme = body_renderer(config_file, pub)
    with reporting(quiet=quiet):
        progress = phase("排印刊期", len(chosen))
        for e in chosen:
            try:
                doc = edition_document(pub, e, body)
                pdf, pages = render_edition(doc, site, theme, say=_say)
                target = out / e.edition.publication / f"{e.edition.name}.pdf"
                target.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(target, pdf)
            except PrintError as exc:
                if exc.finding.code == "PRINT-EXTRA":  # the machine, not the edition
                    usage_failed(exc.finding, "无法排印")
                _report([exc.finding])
                failed += 1
                continue
            except OSError as exc:
                _say(f"无法写入 {target}：{exc.strerror or exc}")
                failed += 1
                continue
            size = f"{len(pdf) / 1024 / 1024:.1f} MB，共 {pages} 页"
            _say(f"已排印 {terminal_safe(e.edition.path)} → {target}（{size}）")
            progress.tick()
        progress.finish()
    sys.exit(1 if failed else 0)


@click.command(name="poster")
@click.argument("articles", nargs=-1)
@click.option(
    "--size", type=click.Choice(["A4", "A3"]), default="A4", show_default=True, help="纸张大小"
)
@click.option("--open-consultations", is_flag=True, help="为每个仍在征求意见的稿件各做一张海报")
@out_option("build/posters", "输出目录：<稿件编号>.pdf")
@NOW_OPTION
@QUIET_OPTION
@CONFIG_OPTION
def poster(
    articles: tuple[str, ...],
    size: str,
    open_consultations: bool,
    out: Path,
    now: datetime | None,
    quiet: bool,
    config_file: str,
) -> None:
    """海报：为代表联络站、基层立法联系点的公告栏制作 PDF 海报（标题、摘要、日期、指向原文的
    二维码；征求意见稿另有截止时间和提交方式）。只收已公开的稿件。"""
    if not articles and not open_consultations:
        raise click.UsageError("给出稿件，或使用 --open-consultations [POSTER-USAGE]。")
    site, pub = _publication(config_file, now, quiet)
    _preflight(site, now, push=False)
    _writable_out(site, out)
    chosen = _chosen(site, pub, articles) if articles else None
    verdicts = list(chosen.verdicts) if chosen else []
    failed = len(chosen.refused) if chosen else 0
    if open_consultations:
        verdicts += [v for v in _open_consultations(pub) if v not in verdicts]
    from generator.channels.poster import SETUP_CODES
    from generator.mkdocs_plugin.single import body_renderer

    _body, theme = body_renderer(config_file, pub)
    with reporting(quiet=quiet):
        progress = phase("制作海报", len(verdicts))
        for v in verdicts:
            if not v.public:  # never: choose() refuses them; kept as the channel's own check
                _report([not_public(v)])
                failed += 1
                continue
            try:
                doc = poster_document(pub, v, size)
                pdf = render_poster(doc, site, site.root, theme, where=v.article.path)
                target = out / f"{v.article.uid}.pdf"
                target.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(target, pdf)
            except PrintError as exc:
                if exc.finding.code in SETUP_CODES:  # the machine, not the article
                    usage_failed(exc.finding, "无法制作海报")
                _report([exc.finding])
                failed += 1
                continue
            except OSError as exc:
                _say(f"无法写入海报：{exc.strerror or exc}")
                failed += 1
                continue
            failed += not _recorded(site, pub, v)
            title = terminal_safe(v.article.meta.title if v.article.meta else "")
            _say(f"已制作海报《{title}》→ {target}")
            progress.tick()
        progress.finish()
    if not verdicts and open_consultations and not articles:
        _say("目前没有正在征求意见的稿件。")
    sys.exit(1 if failed else 0)


def _writable_out(site: Site, out: Path) -> None:
    """Never written through a link (as `congress wechat` refuses one)."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        reason = "是符号链接" if out.is_symlink() else "不是目录"
        usage_failed(WECHAT_OUT.at(str(out), None, folder=out, reason=reason), "无法写入")


def _open_consultations(pub: Publication) -> list[Verdict]:
    """Every public consultation still open at the publication's moment."""
    found = []
    for v in pub.decision.verdicts:
        view = pub.view(v) if v.public else None
        consultation = view.consultation if view is not None else None
        if consultation is not None and consultation.open:
            found.append(v)
    return found


def _recorded(site: Site, pub: Publication, v: Verdict) -> bool:
    """The poster in the export record: the audit names it if the article is withdrawn."""
    meta = v.article.meta
    assert meta is not None
    final = meta.review.final
    entry = Export(
        channel="poster",
        uid=meta.uid,
        title=meta.title,
        url=site.absolute(v.article.url),
        digest=final.digest if final else v.article.digest,
        at=clock.iso(clock.now(None)),
        judged_at=clock.iso(pub.decision.now),
    )
    try:
        record(site, entry)
    except LedgerError as exc:
        _say(f"无法写入导出记录：{exc}")
        return False
    return True


__all__ = ["ARTICLES", "poster", "print_command", "usage_failed"]
