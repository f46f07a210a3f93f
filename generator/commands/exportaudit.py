"""The audit's look at the other channels: an article that left through WeChat or as a long
image (editorial/exports.jsonl, generator/load/exports.py) and has since been withdrawn, taken
off the site or changed there. The 公众号 does not follow the site by itself: a person must
delete or correct the WeChat article, and the audit says which and why."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from generator.core.clock import minute
from generator.core.findings import Code, Finding, Severity
from generator.derive.publication import Publication
from generator.gate.decide import State
from generator.load.article import Article
from generator.load.exports import Export, exports, ledger_path

EARLY_SLACK = timedelta(minutes=10)

AUDIT_EXPORT_WITHDRAWN = Code(
    "AUDIT-EXPORT-WITHDRAWN",
    Severity.WARNING,
    "已在{channel}导出，网站已撤稿：请同步处理（《{title}》，导出于 {at}）",
    "在公众号后台删除或更正这篇文章（草稿一并删除），并在撤稿记录中注明。",
)
AUDIT_EXPORT_GONE = Code(
    "AUDIT-EXPORT-GONE",
    Severity.WARNING,
    "已在{channel}导出，网站已不再公开（{state}）：请同步处理（《{title}》，导出于 {at}）",
    "核实网站下线的原因；如公众号上的文章也不应再公开，请在公众号后台处理。",
)
AUDIT_EXPORT_CHANGED = Code(
    "AUDIT-EXPORT-CHANGED",
    Severity.WARNING,
    "已在{channel}导出，网站上的稿件此后已修改并重新审定：请同步更新（《{title}》，导出于 {at}）",
    "重新导出（congress wechat），在公众号上发布更正或替换文章。",
)
AUDIT_EXPORT_LEDGER = Code(
    "AUDIT-EXPORT-LEDGER",
    Severity.WARNING,
    "导出记录{problem}",
    "导出记录由 congress wechat / longimage 追加，请勿手工编辑；从版本库中恢复该文件。",
)
AUDIT_EXPORT_EARLY = Code(
    "AUDIT-EXPORT-EARLY",
    Severity.WARNING,
    "《{title}》导出到{channel}时按 {judged} 判断稿件状态，晚于实际导出时间 {at}："
    "可能提前发出了未到发布时间的稿件",
    "核实公众号上是否已提前出现这篇稿件；导出时不要用 --now 指定未来时间。",
)


def _at(entry: Export) -> str:
    try:
        return minute(datetime.fromisoformat(entry.at))
    except ValueError:
        return entry.at


def _early(entry: Export) -> bool:
    """Judged at a moment later than the export itself (a `--now` in the future)."""
    try:
        judged, at = datetime.fromisoformat(entry.judged_at), datetime.fromisoformat(entry.at)
    except ValueError:
        return False
    return judged - at > EARLY_SLACK


def _digests(article: Article) -> set[str]:
    """What an export of the article as it is now recorded: the digest its final sign-off
    bound (text and files), or, in records written before that, the text's digest."""
    meta = article.meta
    final = meta.review.final if meta is not None and meta.review is not None else None
    return {article.digest} | ({final.digest} if final is not None and final.digest else set())


def exported_since(pub: Publication) -> Iterator[Finding]:
    """Each exported article the channel must now follow, once per channel (the latest)."""
    ledger = exports(pub.site)
    entries = ledger.entries
    where = pub.site.rel(ledger_path(pub.site))
    if ledger.problem:
        yield AUDIT_EXPORT_LEDGER.at(where, None, problem=f"无法读取（{ledger.problem}）")
    if ledger.bad:
        yield AUDIT_EXPORT_LEDGER.at(where, None, problem=f"中有 {ledger.bad} 行无法读取，已略过")
    for entry in entries:
        if _early(entry):
            group = "公众号" if entry.channel.startswith("wechat") else entry.label
            yield AUDIT_EXPORT_EARLY.at(
                where, None, title=entry.title, channel=group, judged=entry.judged_at, at=_at(entry)
            )
    latest: dict[tuple[str, str], Export] = {}
    for entry in entries:
        group = "公众号" if entry.channel.startswith("wechat") else entry.label
        latest[(entry.uid, group)] = entry
    verdicts = {v.article.uid: v for v in pub.decision.verdicts if v.article.uid}
    for (uid, channel), entry in sorted(latest.items()):
        v = verdicts.get(uid)
        path = v.article.path if v is not None else where
        title, at = entry.title, _at(entry)
        if v is not None and v.state is State.WITHDRAWN:
            yield AUDIT_EXPORT_WITHDRAWN.at(path, None, channel=channel, title=title, at=at)
        elif v is None or not v.public:
            state = v.state.label if v is not None else "稿件已删除"
            yield AUDIT_EXPORT_GONE.at(path, None, channel=channel, title=title, at=at, state=state)
        elif entry.digest and entry.digest not in _digests(v.article):
            yield AUDIT_EXPORT_CHANGED.at(path, None, channel=channel, title=title, at=at)
