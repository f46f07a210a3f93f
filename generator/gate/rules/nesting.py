"""How deep a body nests, checked before anything renders it.

Python-Markdown renders nested lists, block quotes and emphasis by recursion: a list 1,000
levels deep ends the whole build in a RecursionError (and takes seconds to get there). No
article needs more than a few levels, so deeper than `MAX_NESTING` is an error of the article,
found by counting, never by rendering. Counting is cheap: one pass over the lines, and the
inline and HTML passes only when the body holds enough delimiters to nest that deep at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from generator.core.findings import Code, Finding, Severity
from generator.gate.rules import Context
from generator.gate.rules.source import Line, body
from generator.load.article import Article

MAX_NESTING = 20

BODY_NESTING = Code(
    "BODY-NESTING",
    Severity.ERROR,
    "正文{what}嵌套超过 {limit} 层（第 {line} 行约 {depth} 层）",
    "减少列表、引用、强调或 HTML 的嵌套层数。",
)

# One container marker at the start of what is left of a line: a quote, a bullet or a number.
_CONTAINER = re.compile(r"[ \t]*+(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))")
_INDENT = re.compile(r"[ \t]*+")
_BREAK = re.compile(r"[ \t]*+(?:(?:[-*_][ \t]*+){3,})$")  # a thematic break: - - - or * * *
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*+)(?:[^<>/]|/(?!>))*+(/?)>")
_EMPHASIS = re.compile(r"\*++|_++|\[|\]")
_VOID = frozenset(
    "area base br col embed hr img input link meta source track wbr".split()  # noqa: SIM905
)


def nesting(article: Article, ctx: Context) -> Iterable[Finding]:
    """Lists, block quotes, inline emphasis and links, and HTML elements nested too deep."""
    lines = [line for line in body(article) if line.prose]
    for what, depths in (
        ("列表或引用", _block_depths(lines)),
        ("强调或链接", _inline_depths(article.body, lines)),
        ("HTML 元素", _html_depths(article.body, lines)),
    ):
        for line, depth in depths:
            if depth > MAX_NESTING:
                yield BODY_NESTING.at(
                    article.path, line.line, what=what, limit=MAX_NESTING, depth=depth
                )
                break  # one finding per kind is enough to act on


def _block_depths(lines: list[Line]) -> Iterator[tuple[Line, int]]:
    """Per line: container markers at its start, plus its indentation (two spaces a level)."""
    for line in lines:
        text = line.text
        if not text or text[0] not in " \t>-*+0123456789" or _BREAK.match(text):
            continue
        indent = _INDENT.match(text)
        width = len(indent.group().expandtabs(4)) if indent else 0
        depth, pos = 0, 0
        while (m := _CONTAINER.match(text, pos)) is not None:
            depth, pos = depth + 1, m.end()
        if depth:
            yield line, depth + width // 2


def _inline_depths(text: str, lines: list[Line]) -> Iterator[tuple[Line, int]]:
    """Open emphasis runs and brackets within a paragraph: a run with a space (or nothing)
    before it opens, one with a space after it closes, one between letters toggles."""
    if sum(text.count(c) for c in "*_[") <= MAX_NESTING:
        return
    depth = 0
    for line in lines:
        if not line.text.strip():
            depth = 0  # emphasis never spans paragraphs
            continue
        t, peak = line.text, depth
        for m in _EMPHASIS.finditer(t):
            before = t[m.start() - 1] if m.start() else " "
            after = t[m.end()] if m.end() < len(t) else " "
            if m.group() == "[" or (before.isspace() and not after.isspace()):
                depth += 1
            elif m.group() == "]" or after.isspace() or depth > 0:
                depth = max(0, depth - 1)
            else:
                depth += 1
            peak = max(peak, depth)
        yield line, peak


def _html_depths(text: str, lines: list[Line]) -> Iterator[tuple[Line, int]]:
    """Open HTML elements, counted from tags (void and self-closed ones aside)."""
    if text.count("<") <= MAX_NESTING:
        return
    depth = 0
    for line in lines:
        peak = depth
        for m in _TAG.finditer(line.text):
            if m.group(3) or m.group(2).lower() in _VOID:
                continue
            depth = max(0, depth - 1) if m.group(1) else depth + 1
            peak = max(peak, depth)
        yield line, peak
