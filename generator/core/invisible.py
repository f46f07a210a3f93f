"""Characters that cannot be published: control characters and non-characters.

Text pasted from Word or PDF brings form feeds (U+000C), backspaces and escape sequences
along; a YAML string can also write them as escapes (`"\\f"`, `"\\e"`). None is visible, XML 1.0
forbids most of them (lxml refuses the feeds, which failed every build), and an escape
sequence printed to a terminal can retitle or clear it. So each is an error finding with its
line on the article, which stays out; every other article is published.

C1 controls (U+0080–U+009F) are allowed by XML 1.0 but are never meant in Chinese text (they
are what mis-decoded Windows-1252 leaves) and some terminals read U+009B as an escape: refused
as well. Tab, line feed and carriage return are ordinary.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from generator.core.findings import Code, Finding, Severity
from generator.core.model import label

TEXT_CONTROL_CHAR = Code(
    "TEXT-CONTROL-CHAR",
    Severity.ERROR,
    "{where}含有不可见的控制字符 {char}，本稿件不发布",
    "删除从其他文档粘贴带入的不可见字符（可在编辑器中显示不可见字符后删除）。",
)

# C0 controls but tab/LF/CR, DEL and C1, lone surrogates (only from YAML escapes), U+FFFE/U+FFFF.
BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Reported per article: the first few name their lines, the rest are the same mistake.
MAX_REPORTED = 5


def char_name(char: str) -> str:
    return f"U+{ord(char):04X}"


def scan_text(path: str, text: str, body_line: int) -> list[Finding]:
    """A finding for each line of the file holding a refused character (raw bytes in the file);
    lines from `body_line` on are the body. `text` has "\\n" line ends only."""
    found: list[Finding] = []
    last_line = 0
    for match in BAD.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        if line == last_line:
            continue
        last_line = line
        where = "正文" if line >= body_line else "稿件信息"
        column = match.start() - text.rfind("\n", 0, match.start())
        found.append(
            TEXT_CONTROL_CHAR.at(path, line, col=column, where=where, char=char_name(match[0]))
        )
        if len(found) == MAX_REPORTED:
            break
    return found


def scan_values(
    path: str, data: Any, line_of: Callable[[tuple[str | int, ...]], int | None]
) -> list[Finding]:
    """A finding for each front-matter string (or key) holding a refused character written as
    a YAML escape; `line_of(loc)` gives a key path's line."""
    found: list[Finding] = []
    todo: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    while todo and len(found) < MAX_REPORTED:
        loc, value = todo.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                here = (*loc, str(key))
                todo.append((here, item))
                todo.append((here, key))
        elif isinstance(value, list):
            todo += [((*loc, i), item) for i, item in enumerate(value)]
        elif isinstance(value, str) and (match := BAD.search(value)):
            # The key itself may hold the character: never put it in the message raw.
            where = BAD.sub(lambda m: char_name(m[0]), f"字段 {label(loc)} ")
            found.append(
                TEXT_CONTROL_CHAR.at(path, line_of(loc), where=where, char=char_name(match[0]))
            )
    return sorted(found, key=lambda f: f.line or 0)


def strip(text: str) -> str:
    """`text` without the refused characters (so that parsing goes on and reports the rest)."""
    return BAD.sub("", text)


# What a terminal would act on: C0 (line breaks too: a title cannot fake a line), DEL, C1,
# and the bidirectional controls, which would print the rest of a line reversed.
_TERMINAL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """`text` with every control character written out (`\\x1b`, `\\u202e`), for printing to a
    terminal: an escape sequence in a title must not retitle, clear or recolour the editor's
    terminal, nor a direction override reverse what follows it."""
    return _TERMINAL.sub(_written_out, text)


def _written_out(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
