"""The audit's look at the other channels: an article that left through WeChat or as a long
image (editorial/exports.jsonl, generator/load/exports.py) and has since been withdrawn, taken
off the site or changed there. The 公众号 does not follow the site by itself: a person must
delete or correct the WeChat article, and the audit says which and why."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from generator.core.clock import minute
from generator.core.findings import Code, Finding, Severity
from generator.derive.publication import Publication
from generator.gate.decide import State
from generator.load.exports import Export, exports, ledger_path

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
    "导出记录中有 {count} 行无法读取，已略过",
    "导出记录由 congress wechat / longimage 追加，请勿手工编辑；从版本库中恢复该文件。",
)


def _at(entry: Export) -> str:
    try:
        return minute(datetime.fromisoformat(entry.at))
    except ValueError:
        return entry.at


def exported_since(pub: Publication) -> Iterator[Finding]:
    """Each exported article the channel must now follow, once per channel (the latest)."""
    entries, bad = exports(pub.site)
    where = pub.site.rel(ledger_path(pub.site))
    if bad:
        yield AUDIT_EXPORT_LEDGER.at(where, None, count=bad)
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
        elif entry.digest and v.article.digest != entry.digest:
            yield AUDIT_EXPORT_CHANGED.at(path, None, channel=channel, title=title, at=at)
