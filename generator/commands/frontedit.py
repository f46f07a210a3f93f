"""Rewriting the `review:` block of a front matter and nothing else.

`congress review` owns that block: it renders the whole block anew from the signatures and
splices it into the file in place of the old one (or before the closing `---`), so every
other byte of the file (comments, quoting, key order, line endings, BOM) stays as it was.
"""

from __future__ import annotations

import json
import re

from generator.core.clock import iso
from generator.core.model import Review, Signature
from generator.core.policy import STAGES

_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_TOP_KEY = re.compile(r"^[^\s#]")


class FrontMatterShapeError(ValueError):
    """The file has no front matter delimited by `---` lines."""


def _scalar(value: str) -> str:
    return value if _PLAIN.match(value) else json.dumps(value, ensure_ascii=False)


def _entry(sig: Signature, files: dict[str, str] | None = None) -> str:
    parts = [f"by: {_scalar(sig.by)}", f"at: {iso(sig.at)}"]
    if sig.digest:
        parts.append(f"digest: {sig.digest}")
    if files:  # the final sign-off's per-file hashes (generator/load/digest.py)
        listed = ", ".join(f"{_scalar(p)}: {h}" for p, h in sorted(files.items()))
        parts.append(f"files: {{{listed}}}")
    if sig.sig:
        parts.append(f"sig: {json.dumps(sig.sig)}")
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
            lines.append(f"  {stage}: {_entry(sig, getattr(sig, 'files', None))}")
    return lines


# What a line ends with: the file's own, kept as it is (LF, CRLF, CR alone, or a mix).
_BREAK = re.compile(r"\r\n|\r|\n")
# Line breaks to YAML but not to this editor: a front matter holding one is refused.
_OTHER_BREAKS = ("\x85", "\u2028", "\u2029")
_HEADER = re.compile(r"^review\s*:\s*#.*$")  # a header with a comment of its own

Line = tuple[str, str]  # content, line ending ("" for a last line without one)


def _lines(text: str) -> list[Line]:
    found: list[Line] = []
    pos = 0
    for m in _BREAK.finditer(text):
        found.append((text[pos : m.start()], m.group()))
        pos = m.end()
    if pos < len(text):
        found.append((text[pos:], ""))
    return found


def _block_end(lines: list[Line], start: int, close: int) -> int:
    """Where the review block that starts at `start` ends: at the next top-level key; blank
    lines and column-0 comments at its end belong to what follows."""
    end = start + 1
    while end < close and not _TOP_KEY.match(lines[end][0]):
        end += 1
    while end - 1 > start and (not lines[end - 1][0].strip() or lines[end - 1][0][0] == "#"):
        end -= 1
    return end


def _reused(old: list[Line], new: list[str], ending: str) -> list[Line]:
    """The new block's lines, each old line kept as it was (with its comment and ending)
    where it says the same; the old block's comment lines follow it, in order."""
    out: list[Line] = []
    for i, text in enumerate(new):
        same = next((o for o in old if o[0] == text or _commented(o[0], text)), None)
        if i == 0 and old and _HEADER.match(old[0][0]):
            same = old[0]  # the header, with whatever comment the editor gave it
        out.append(same if same is not None else (text, ending))
    out += [o for o in old[1:] if o[0].lstrip().startswith("#")]
    return out


def _commented(old: str, text: str) -> bool:
    rest = old[len(text) :]
    return old.startswith(text) and rest[:1] in (" ", "\t") and rest.lstrip().startswith("#")


def replace_review(raw: str, review: Review) -> str:
    """`raw` with its review block replaced by one rendered from `review`; every byte outside
    the block is kept, and the new lines end as the block's first line did (as the line
    before the closing `---` when there was no block)."""
    bom = "\ufeff" if raw.startswith("\ufeff") else ""
    lines = _lines(raw[len(bom) :])
    if not lines or lines[0][0].rstrip() != "---":
        raise FrontMatterShapeError("no front matter")
    close = next((i for i in range(1, len(lines)) if lines[i][0].rstrip() in ("---", "...")), None)
    if close is None:
        raise FrontMatterShapeError("front matter not closed")
    if any(b in text for text, _ in lines[1:close] for b in _OTHER_BREAKS):
        raise FrontMatterShapeError("unusual line breaks")
    start = next((i for i in range(1, close) if re.match(r"^review\s*:", lines[i][0])), None)
    if start is None:
        start = end = close
        ending = lines[close - 1][1]
    else:
        end = _block_end(lines, start, close)
        ending = lines[start][1]
    block = _reused(lines[start:end], render(review), ending)
    return bom + "".join(text + eol for text, eol in [*lines[:start], *block, *lines[end:]])
