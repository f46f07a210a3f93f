"""`congress review` over many files: sign each, say in Chinese why one cannot be signed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import click

from generator.build.publishing import newsroom
from generator.commands import sshkeygen
from generator.commands.editionsign import sign_edition
from generator.commands.signing import Refused, Unwritable, precheck, sign, statement_of
from generator.core import clock
from generator.core.config import Site
from generator.core.invisible import terminal_safe
from generator.core.policy import STAGE_LABELS
from generator.core.progress import phase
from generator.core.staff import Staff
from generator.gate.decide import context, decide
from generator.gate.editions import EditionVerdict, edition_context, judge_editions
from generator.gate.rules import Context
from generator.load.article import Article
from generator.load.editions import editions_root, load_editions
from generator.load.newsroom import Newsroom

# Signs each statement: ssh-keygen with the signer's key (commands/sshkeygen.py).
Signer = Callable[[list[bytes]], list[str]]


def sign_all(
    site: Site,
    staff: Staff,
    paths: tuple[Path, ...],
    *,
    stage: str,
    by: str,
    when: datetime,
    moment: datetime,
    key: Path | None = None,
    signer: Signer | None = None,
) -> tuple[int, int]:
    """Sign each file; (refused, refused because the file itself is at fault).

    First what can be refused before signing; then every statement is signed in one run of
    `ssh-keygen` (`signer`: another way to sign, for the tests), which raises NoKey before
    any byte is written; then each signed record is checked as the gate checks it, and written.
    """
    if signer is None:
        chosen = sshkeygen.key_for(staff, by, when, key)  # NoKey: nothing is read or written

        def signer(messages: list[bytes]) -> list[str]:
            return sshkeygen.sign(chosen, messages)

    room = newsroom(site, staff)
    by_file = {(site.root / a.path).resolve(): a for a in room.articles}
    ctx = context(room, moment)
    editions = _editions(site, staff, room, moment, paths)
    refused = unwritable = 0
    ready: list[tuple[Path, Article, bytes, EditionVerdict | None]] = []
    for path in paths:
        edition = editions.get(path.resolve())
        article = edition.article if edition is not None else by_file.get(path.resolve())
        here = _edition_ctx(site, staff, moment) if edition is not None else ctx
        if article is None or article.meta is None:
            refused += 1
            unwritable += _unsignable(path, article, edition is not None)
            continue
        try:
            precheck(article, here, stage, by)
            message = statement_of(article, stage, by, when, here.files)
            ready.append((path, article, message, edition))
        except Refused as exc:
            refused += 1
            _refused(exc)
    sigs = signer([message for _p, _a, message, _e in ready]) if ready else []
    signing = phase("签署", len(ready))
    for (path, article, _message, edition), sig in zip(ready, sigs, strict=True):
        signing.tick()
        try:
            if edition is not None:
                done = sign_edition(
                    article,
                    path,
                    _edition_ctx(site, staff, moment),
                    publication=edition.edition.publication,
                    stage=stage,
                    by=by,
                    at=when,
                    sig=sig,
                )
            else:
                done = sign(article, path, ctx, stage=stage, by=by, at=when, sig=sig)
        except Refused as exc:
            refused += 1
            unwritable += isinstance(exc, Unwritable)
            _refused(exc)
            continue
        click.echo(
            f"已签署{STAGE_LABELS[stage]}：{done.path}（{done.signer}，{clock.minute(done.at)}）"
        )
    signing.finish()
    return refused, unwritable


def _editions(
    site: Site, staff: Staff, room: Newsroom, moment: datetime, paths: tuple[Path, ...]
) -> dict[Path, EditionVerdict]:
    """The editions among `paths`, judged (which needs every article's verdict: only when an
    edition is asked for)."""
    root = editions_root(site).resolve()
    if not any(p.resolve().is_relative_to(root) for p in paths):
        return {}
    decision = decide(room, moment)
    judged = judge_editions(load_editions(site), decision, _edition_ctx(site, staff, moment))
    return {(site.root / e.edition.path).resolve(): e for e in judged}


def _edition_ctx(site: Site, staff: Staff, moment: datetime) -> Context:
    return edition_context(site, staff, moment)


def _refused(exc: Refused) -> None:
    f = exc.finding
    click.echo(terminal_safe(f"拒绝签署 {f.location()} [{f.code}] {f.message}"), err=True)
    if f.hint:
        click.echo(terminal_safe(f"    建议：{f.hint}"), err=True)


def _unsignable(path: Path, article: Article | None, edition: bool = False) -> bool:
    """Say why `path` cannot be signed; True if the file itself is at fault (exit 2)."""
    if article is not None and any(f.code == "ART-ENCODING" for f in article.findings):
        click.echo(
            f"拒绝签署 {path} [REVIEW-FILE-FORMAT]：文件不是 UTF-8 编码，文件未改动。"
            "将文件另存为 UTF-8 编码后再签署。",
            err=True,
        )
        return True
    reason = "稿件信息无法读取，先运行 congress check 修正"
    if edition:
        reason = "刊期文件无法读取，先运行 congress check 修正"
    elif article is None:
        reason = "不是 content/ 中的稿件"
    click.echo(f"拒绝签署 {path} [REVIEW-NOT-ARTICLE]：{reason}", err=True)
    return False
