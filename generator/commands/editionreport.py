"""`congress check` on print editions: each edition's state and findings, for an editor or,
with `--json`, a program (an `editions` list beside `articles`)."""

from __future__ import annotations

from typing import Any

from generator.commands.report import finding_line
from generator.core.config import Site
from generator.core.findings import Severity
from generator.core.invisible import terminal_safe
from generator.core.staff import Staff
from generator.gate.decide import Decision, State
from generator.gate.editions import EditionVerdict, edition_context, judge_editions
from generator.load.editions import load_editions


def editions_judged(site: Site, staff: Staff, decision: Decision) -> list[EditionVerdict]:
    """Every edition of the site, judged against the articles' verdicts at the same moment."""
    ctx = edition_context(site, staff, decision.now)
    return judge_editions(load_editions(site), decision, ctx)


def editions_json(judged: list[EditionVerdict]) -> list[dict[str, Any]]:
    return [
        {
            "path": e.edition.path,
            "publication": e.edition.publication,
            "uid": e.edition.data.uid if e.edition.data else None,
            "issue": e.edition.data.issue if e.edition.data else None,
            "running": e.edition.data.running if e.edition.data else None,
            "state": e.state.value,
            "articles": list(e.edition.data.articles) if e.edition.data else [],
            "findings": [f.to_dict() for f in e.findings],
        }
        for e in judged
    ]


def editions_text(judged: list[EditionVerdict], *, colour: bool) -> str:
    if not judged:
        return ""
    lines = ["", f"印刷版刊期，共 {len(judged)} 期"]
    for e in judged:
        data = e.edition.data
        name = f"{data.issue}（{data.running}）" if data else "（无法读取刊期信息）"
        lines.append(f"{e.state.label:<3}  {terminal_safe(e.edition.path)}  {terminal_safe(name)}")
        for f in e.findings:
            if e.state is State.PUBLISHED and f.severity is Severity.INFO:
                continue
            lines.append(finding_line(f, colour))
    return "\n".join(lines)
