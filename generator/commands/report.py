"""What `congress check` prints: a table for editors, JSON (the contract) for machines; and
what `congress build` and `congress audit` print."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from generator.core.approval import stage_name
from generator.core.clock import aware, iso, minute
from generator.core.findings import Finding, Severity, sort_key
from generator.core.invisible import terminal_safe
from generator.core.schemes import key_of
from generator.core.staff import Staff
from generator.gate.decide import STATE_OF, Decision, State, Verdict
from generator.gate.rules import round_of, signatures
from generator.gate.rules.identity import label_of

if TYPE_CHECKING:
    from generator.derive.publication import Publication

_STATE_COLOURS = {
    State.PUBLISHED: "green",
    State.PENDING: "yellow",
    State.SCHEDULED: "cyan",
    State.EXPIRED: "white",
    State.WITHDRAWN: "magenta",
    State.INVALID: "red",
}
_SEVERITY_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def summary(verdicts: Iterable[Verdict]) -> dict[str, int]:
    verdicts = list(verdicts)
    states = Counter(v.state.value for v in verdicts)
    severities = Counter(f.severity.value for v in verdicts for f in v.findings)
    result = {s.value: states.get(s.value, 0) for s in State}
    result["errors"] = severities.get("error", 0)
    result["warnings"] = severities.get("warning", 0)
    return result


def approvals(v: Verdict, staff: Staff | None = None) -> list[dict[str, Any]]:
    """Each signature of the article: stage, who, when, with which key, over which text, and
    whether the gate found it valid (no GATE-SIGNATURE error on its line)."""
    article = v.article
    if article.meta is None:
        return []
    refused = {f.line for f in v.findings if f.is_error and f.code.startswith("GATE-SIGNATURE")}
    found = []
    for stage, loc, sig in signatures(article):
        index = round_of(stage, loc)
        found.append(
            {
                "stage": stage_name(stage, index),
                "label": label_of(stage, index),
                "by": sig.by,
                "name": staff.name(sig.by) if staff is not None else sig.by,
                "at": iso(sig.at),
                "key": key_of(sig.sig),
                "digest": sig.digest,
                "valid": sig.sig is not None and article.line_of(*loc, "sig") not in refused,
            }
        )
    return found


def approval_lines(v: Verdict, staff: Staff) -> list[str]:
    """`congress check PATH`: who signed each stage, with which key fingerprint."""
    lines = []
    for a in approvals(v, staff):
        key = f"{a['key']}" if a["valid"] else f"{a['key'] or '—'}（签名无效或缺失，见下）"
        seen = f"，所签文本 {a['digest'][:15]}…" if a["digest"] else ""
        when = minute(aware(a["at"]))
        lines.append(f"    签署：{a['label']} {a['name']}（{a['by']}）{when} 密钥 {key}{seen}")
    return [terminal_safe(x) for x in lines]


def as_json(
    decision: Decision, verdicts: list[Verdict], staff: Staff | None = None
) -> dict[str, Any]:
    return {
        "now": iso(decision.now),
        "articles": [
            {
                "path": v.article.path,
                "uid": v.article.uid or None,
                "title": v.article.meta.title if v.article.meta else None,
                "state": v.state.value,
                "url": v.article.url,
                "findings": [f.to_dict() for f in v.findings],
                "approvals": approvals(v, staff),
            }
            for v in verdicts
        ],
        "summary": summary(verdicts),
    }


def finding_line(f: Finding, colour: bool) -> str:
    tag = (
        click.style(f.severity.label, fg=_SEVERITY_COLOURS[f.severity], bold=True)
        if colour
        else f.severity.label
    )
    safe = terminal_safe  # findings quote the editors' text: titles, excerpts, file names
    text = f"    {tag} {safe(f.location())} [{f.code}] {safe(f.message)}"
    if f.excerpt:
        text += f"\n        原文：{safe(f.excerpt)}"
    if f.hint:
        text += f"\n        建议：{safe(f.hint)}"
    return text


def as_text(
    decision: Decision,
    verdicts: list[Verdict],
    *,
    colour: bool = False,
    staff: Staff | None = None,
) -> str:
    """The verdicts for an editor; with `staff`, each article's signatures too."""
    lines = [f"稿件检查（以 {minute(decision.now)} 北京时间为准），共 {len(verdicts)} 篇", ""]
    for v in verdicts:
        label = f"{v.state.label:<3}"
        state = click.style(label, fg=_STATE_COLOURS[v.state], bold=True) if colour else label
        title = v.article.meta.title if v.article.meta else "（无法读取稿件信息）"
        lines.append(f"{state}  {terminal_safe(v.article.path)}  {terminal_safe(title)}")
        if staff is not None:
            lines += approval_lines(v, staff)
        pending = [f for f in v.findings if STATE_OF.get(f.code) is State.PENDING]
        for f in v.findings:
            # A published article's info findings are noise; anything else is worth a line.
            if f in pending or (v.state is State.PUBLISHED and f.severity is Severity.INFO):
                continue
            lines.append(finding_line(f, colour))
        if pending:
            missing = "、".join(f.message.removeprefix("缺少") for f in pending)
            lines.append(f"    尚缺：{terminal_safe(missing)}")
            lines.append(f"    下一步：{terminal_safe(pending[0].hint)}")
    s = summary(verdicts)
    counts = "，".join(f"{State(k).label} {s[k]}" for k in (st.value for st in State))
    lines += ["", f"合计：{counts}；错误 {s['errors']} 处，警告 {s['warnings']} 处"]
    return "\n".join(lines)


def audit_report(found: Iterable[Finding], veto: bool, moment: datetime, as_json_flag: bool) -> str:
    """What `congress audit` prints: JSON for machines, or a list for the office."""
    findings = sorted(found, key=sort_key)
    if as_json_flag:
        counts = {s.value: sum(f.severity is s for f in findings) for s in Severity}
        data = {
            "now": iso(moment),
            "veto": veto,
            "findings": [f.to_dict() for f in findings],
            "summary": {
                "errors": counts["error"],
                "warnings": counts["warning"],
                "info": counts["info"],
            },
        }
        return json.dumps(data, ensure_ascii=False, indent=2)
    lines = [f"定期清查（以 {minute(moment)} 北京时间为准）"]
    lines += [finding_line(f, sys.stdout.isatty()) for f in findings]
    verdict = "有单项否决问题，须立即整改。" if veto else "没有单项否决问题。"
    lines.append(f"共 {len(findings)} 项：{verdict}")
    return "\n".join(lines)


def build_report(pub: Publication, target: Path, register: str, seconds: float, engine: str) -> int:
    """Print what a build published, and its errors; the exit code (1 if any error)."""
    errors = [f for f in pub.findings() if f.is_error]
    for f in errors:
        click.echo(terminal_safe(f"错误 {f.location()} [{f.code}] {f.message}"), err=True)
        if f.hint:
            click.echo(terminal_safe(f"    建议：{f.hint}"), err=True)
    d = pub.decision
    click.echo(
        f"已构建 {target}：公开稿件 {len(d.published)} 篇，撤稿说明 {len(d.notices)} 篇，"
        f"未公开 {len(d.verdicts) - len(d.published) - len(d.notices)} 篇，"
        f"用时 {seconds:.1f} 秒（引擎：{engine}）。发布登记：{register}"
    )
    if errors:
        click.echo(
            f"有 {len(errors)} 处错误，相关稿件未发布；运行 congress check 查看详情。", err=True
        )
    return 1 if errors else 0
