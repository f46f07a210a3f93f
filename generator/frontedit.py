"""Rewriting the `review:` block of a front matter and nothing else.

`congress review` owns that block: it renders the whole block anew from the signatures and
splices it into the file in place of the old one (or before the closing `---`), so every
other byte of the file (comments, quoting, key order, line endings, BOM) stays as it was.
"""

from __future__ import annotations

import json
import re

from .clock import iso
from .model import Review, Signature
from .policy import STAGES

_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_TOP_KEY = re.compile(r"^[^\s#]")


class FrontMatterShapeError(ValueError):
    """The file has no front matter delimited by `---` lines."""


def _scalar(value: str) -> str:
    return value if _PLAIN.match(value) else json.dumps(value, ensure_ascii=False)


def _entry(sig: Signature, digest: str | None = None, files: dict[str, str] | None = None) -> str:
    parts = [f"by: {_scalar(sig.by)}", f"at: {iso(sig.at)}"]
    if digest:
        parts.append(f"digest: {digest}")
    if files:  # the final sign-off's per-file hashes (generator/digest.py)
        listed = ", ".join(f"{_scalar(p)}: {h}" for p, h in sorted(files.items()))
        parts.append(f"files: {{{listed}}}")
    return "{" + ", ".join(parts) + "}"


def render(review: Review) -> list[str]:
    """The review block as lines (without line endings), stages in contract order."""
    lines = ["review:  # 审核记录：由 congress review 写入，请勿手改"]
    for stage in STAGES:
        if stage == "proofread":
            if review.proofread:
                lines.append("  proofread:")
                lines += [f"    - {_entry(sig)}" for sig in review.proofread]
            continue
        sig = getattr(review, stage)
        if sig is not None:
            digest = getattr(sig, "digest", None)
            lines.append(f"  {stage}: {_entry(sig, digest, getattr(sig, 'files', None))}")
    return lines


def replace_review(raw: str, review: Review) -> str:
    """`raw` with its review block replaced by one rendered from `review`."""
    newline = "\r\n" if "\r\n" in raw else "\n"
    lines = raw.split(newline)
    bom = ""
    if lines and lines[0].startswith("\ufeff"):
        bom, lines[0] = "\ufeff", lines[0][1:]
    if not lines or lines[0].rstrip() != "---":
        raise FrontMatterShapeError("no front matter")
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if close is None:
        raise FrontMatterShapeError("front matter not closed")
    start = next((i for i in range(1, close) if re.match(r"^review\s*:", lines[i])), None)
    if start is None:
        start = end = close
    else:
        end = start + 1
        while end < close and not _TOP_KEY.match(lines[end]):
            end += 1
        while end - 1 > start and not lines[end - 1].strip():
            end -= 1  # trailing blank lines belong to what follows
    new = [*lines[:start], *render(review), *lines[end:]]
    return bom + newline.join(new)
