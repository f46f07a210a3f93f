"""What an approval signs: one statement per stage, in a text anyone can write out again.

    congress-approval-v1
    uid: 2026-1128-7f3a9c
    stage: final                 (proofread-1, proofread-2 … for the proofreading rounds)
    by: gu-chengzhi
    at: 2026-11-28T01:00:00Z     (the instant, in UTC, to the second)
    digest: sha256:…             (the article as that stage saw it: text and files)

Each line ends with a line feed; the statement is UTF-8. It is signed with SSHSIG in the
namespace `approval@congress-site` (core/schemes.py). A signature copied to another article
(uid), another stage or round (stage), another person (by), another time (at) or another
text (digest) no longer matches what it signs.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

VERSION = "congress-approval-v1"
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")


def stage_name(stage: str, index: int | None = None) -> str:
    """The stage as the statement names it: `proofread-N` (from 1) for a proofreading round."""
    return f"{stage}-{index + 1}" if stage == "proofread" and index is not None else stage


def statement(uid: str, stage: str, by: str, at: datetime, digest: str) -> bytes | None:
    """The bytes a stage's signature covers; None if a value would break its lines (such a
    record can carry no valid signature)."""
    fields = {"uid": uid, "stage": stage, "by": by, "digest": digest}
    if any(not v or _CONTROL.search(v) for v in fields.values()):
        return None
    when = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [VERSION, f"uid: {uid}", f"stage: {stage}", f"by: {by}", f"at: {when}"]
    lines.append(f"digest: {digest}")
    return ("\n".join(lines) + "\n").encode("utf-8")
