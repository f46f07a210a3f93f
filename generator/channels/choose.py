"""Which articles a channel command is asked for, and the refusal of any the gate did not pass.

A channel never decides again: an argument (a file or folder of the newsroom, or an article's
uid) names articles, and the gate's verdict in the publication says whether each may leave.
Anything but a public article is refused with its state and what it lacks, in the gate's own
words: a void approval (text changed after the final sign-off), an embargo, an expiry, a
withdrawal, a review not finished.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from generator.core.config import Site
from generator.core.findings import Code, Finding, Severity
from generator.derive.publication import Publication
from generator.gate.decide import State, Verdict

EXPORT_UNKNOWN = Code(
    "EXPORT-UNKNOWN",
    Severity.ERROR,
    "找不到稿件：{arg}",
    "给出稿件文件（content/…/x.md）、稿件所在的文件夹，或稿件编号（uid）。",
)
EXPORT_NOT_PUBLIC = Code(
    "EXPORT-NOT-PUBLIC",
    Severity.ERROR,
    "《{title}》未在网站公开（{state}），不能导出到其他渠道：{lacks}",
    "其他渠道只能发布已通过审核、正在网站公开的稿件：先完成审核，或等到发布时间。",
)


@dataclass(frozen=True)
class Chosen:
    verdicts: tuple[Verdict, ...]  # public, in the order asked, each once
    refused: tuple[Finding, ...]


def choose(site: Site, pub: Publication, args: Iterable[str]) -> Chosen:
    # Two files with one uid (itself an error of the later one): the public one is meant.
    by_uid: dict[str, Verdict] = {}
    for v in pub.decision.verdicts:
        if v.article.uid and (v.article.uid not in by_uid or v.public):
            by_uid[v.article.uid] = v
    by_path = {(site.docs_dir / v.article.src).resolve(): v for v in pub.decision.verdicts}
    found: dict[str, Verdict] = {}
    refused: list[Finding] = []
    for arg in args:
        hits = _named(arg, by_uid, by_path)
        if not hits:
            refused.append(EXPORT_UNKNOWN.at("", None, arg=arg))
        for v in hits:
            if v.article.src in found:
                continue
            if v.public:
                found[v.article.src] = v
            else:
                refused.append(not_public(v))
    return Chosen(tuple(found.values()), tuple(refused))


def _named(arg: str, by_uid: dict[str, Verdict], by_path: dict[Path, Verdict]) -> list[Verdict]:
    if arg in by_uid:
        return [by_uid[arg]]
    path = Path(arg).resolve()
    if path in by_path:
        return [by_path[path]]
    if path.is_dir():
        return [v for p, v in sorted(by_path.items()) if path in p.parents]
    return []


def not_public(v: Verdict) -> Finding:
    """The refusal of an article that is not public, with what keeps it from being so."""
    shown = [f for f in v.findings if f.is_error or f.severity is Severity.INFO]
    lacks = "；".join(dict.fromkeys(f.message for f in shown)) or v.state.label
    title = v.article.meta.title if v.article.meta else v.article.path
    state = v.state.label if v.state is not State.INVALID else "审核无效或稿件有错误"
    return EXPORT_NOT_PUBLIC.at(v.article.path, None, title=title, state=state, lacks=lacks)
