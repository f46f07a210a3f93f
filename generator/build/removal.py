"""Mass removal: a build that would take down much of what is live does not go live.

A wrong clock (`--now` far in the past), a bad merge that deletes a column, or a policy
change that voids every approval makes a build that is valid and nearly empty. Such a
build keeps the live site and exits 1 (`BUILD-MASS-REMOVAL`) unless `--allow-removal`.

What is *live*: the public articles of the site now in the target folder, as recorded
beside it when that site was swapped in (`.site.public.json`, written by `congress build`),
and, where given, those of the manifest of the last deployment (`--live-manifest`, which
`deploy/publish.sh` passes: in CI the site folder does not survive, its manifest does).
An article is *taken down* when it was live and is neither public nor a withdrawal notice
now (a withdrawal leaves its page, as a notice) nor past the expiry its signed front matter
names (a planned removal: a scheduled build at a notice's end must not need a person). A
build may take down up to `max_removal_share` of the live articles (default 20 %), never all
of them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path

import click

from generator.build.atomic import write_atomic
from generator.core.clock import iso
from generator.derive.publication import Publication
from generator.gate.decide import State

log = logging.getLogger("mkdocs.plugins.congress")


class MassRemoval(Exception):
    """The build would take down too much of the live site: it is not swapped in."""

    def __init__(self, live: int, removed: list[str], share: float) -> None:
        super().__init__(f"{len(removed)} / {live}")
        self.live, self.removed, self.share = live, removed, share


def record_of(target: Path) -> Path:
    """The record of the public articles of the site in `target`, kept beside it."""
    return target.with_name(f".{target.name}.public.json")


def read_live(path: Path) -> dict[str, str] | None:
    """uid → URL of the public articles a record or a manifest lists; None if unreadable."""
    try:
        data = json.loads(path.read_bytes())
        return {str(e["uid"]): str(e.get("url", "")) for e in data["published"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def live_record(path: Path) -> dict[str, str]:
    """The public articles of `--live-manifest PATH`; a usage error (exit 2) if unreadable."""
    live = read_live(path)
    if live is None:
        raise click.UsageError(f"线上发布登记 {path} 无法读取或格式不对 [BUILD-LIVE-MANIFEST]。")
    return live


def write_record(target: Path, pub: Publication) -> None:
    """Record what the site just swapped into `target` makes public, and as of when (a
    failure to record removes the old record: a stale one would misjudge the next build). The
    web archive archives the site in `target` only with the manifest of this very build."""
    record = record_of(target)
    entries = [{"uid": a.uid, "url": a.url} for a in pub.decision.published]
    data = {"now": iso(pub.decision.now), "published": entries}
    try:
        write_atomic(record, json.dumps(data, ensure_ascii=False).encode())
    except OSError as exc:
        log.warning("无法记录线上站点的公开稿件 %s：%s", record, exc)
        record.unlink(missing_ok=True)


def check_removal(live: Mapping[str, str], pub: Publication, share: float) -> None:
    """Raise MassRemoval if this build takes down more than `share` of `live`, or all of it."""
    if not live:
        return
    decision = pub.decision
    planned = {v.article.uid for v in decision.verdicts if v.state is State.EXPIRED}
    shown = {a.uid for a in decision.published} | {a.uid for a in decision.notices} | planned
    removed = sorted(uid for uid in live if uid not in shown)
    if removed and (len(removed) > share * len(live) or len(removed) == len(live)):
        raise MassRemoval(len(live), [live[u] or u for u in removed], share)
