"""`congress diff OLD NEW`: what a build changes in public, for the leader on duty to read
before a deploy: published anew (and embargoes falling due), updated (corrections),
withdrawn, expired, and taken down for another reason (a text changed after sign-off)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click


@dataclass
class Change:
    kind: str  # new | due | updated | withdrawn | expired | down
    uid: str
    title: str
    url: str
    detail: str = ""

    def to_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)


KINDS = {
    "due": "定时发布到期",
    "new": "新发布",
    "updated": "更新（更正）",
    "withdrawn": "撤回",
    "expired": "到期下线",
    "down": "停止公开",
}


@dataclass
class Diff:
    old_now: str
    new_now: str
    changes: list[Change] = field(default_factory=list)
    upcoming: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old_now,
            "new": self.new_now,
            "changes": [c.to_dict() for c in self.changes],
            "upcoming": self.upcoming,
        }


_STATE_NAMES = {"pending": "待审", "invalid": "无效（如终审后内容被修改）", "scheduled": "已排期"}


def diff(old: dict[str, Any], new: dict[str, Any]) -> Diff:
    before = {a["uid"]: a for a in old.get("published", [])}
    after = {a["uid"]: a for a in new.get("published", [])}
    old_others = {o["uid"]: o for o in old.get("not_public", []) if o.get("uid")}
    new_others = {o["uid"]: o for o in new.get("not_public", []) if o.get("uid")}
    result = Diff(old.get("now", ""), new.get("now", ""))
    for uid, a in sorted(after.items(), key=lambda kv: kv[1]["published"]):
        if uid not in before:
            due = old_others.get(uid, {}).get("state") == "scheduled"
            result.changes.append(
                Change("due" if due else "new", uid, a["title"], a["url"], a["published"])
            )
        elif (a["digest"], a["updated"]) != (before[uid]["digest"], before[uid]["updated"]):
            detail = (
                f"更正 {before[uid]['corrections']} → {a['corrections']} 条"
                if a["corrections"] != before[uid]["corrections"]
                else "内容已重新终审"
            )
            result.changes.append(Change("updated", uid, a["title"], a["url"], detail))
    for uid, a in sorted(before.items()):
        if uid in after:
            continue
        other = new_others.get(uid, {})
        state = other.get("state", "")
        if state == "withdrawn":
            result.changes.append(
                Change("withdrawn", uid, a["title"], a["url"], other.get("reason", ""))
            )
        elif state == "expired":
            result.changes.append(
                Change("expired", uid, a["title"], a["url"], other.get("expires_at", ""))
            )
        else:
            reason = _STATE_NAMES.get(state, "稿件已删除或移动")
            result.changes.append(Change("down", uid, a["title"], a["url"], reason))
    result.upcoming = sorted(
        (
            {"uid": o["uid"], "publish_at": o["publish_at"]}
            for o in new_others.values()
            if o["state"] == "scheduled"
        ),
        key=lambda o: o["publish_at"],
    )
    return result


def as_text(d: Diff) -> str:
    lines = [f"发布变化：{d.old_now or '（无）'} → {d.new_now}"]
    if not d.changes:
        lines.append("公开内容没有变化。")
    for kind, name in KINDS.items():
        items = [c for c in d.changes if c.kind == kind]
        if items:
            lines.append(f"{name}（{len(items)} 篇）：")
            lines += [
                f"  {c.title}  /{c.url}" + (f"  {c.detail}" if c.detail else "") for c in items
            ]
    if d.upcoming:
        lines.append(f"尚未到期的定时发布（{len(d.upcoming)} 篇）：")
        lines += [f"  {u['publish_at']}  {u['uid']}" for u in d.upcoming]
    return "\n".join(lines)


def compare(old: Path, new: Path, *, as_json: bool) -> str:
    """What `congress diff` prints for two manifest files (OLD missing: a first publication)."""
    try:
        before = json.loads(old.read_text(encoding="utf-8")) if old.exists() else {}
        after = json.loads(new.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise click.UsageError(f"发布登记文件不是合法的 JSON [DIFF-INPUT]：{exc}") from exc
    result = diff(before, after)
    if as_json:
        return json.dumps(result.to_dict(), ensure_ascii=False, indent=2)
    return as_text(result)
