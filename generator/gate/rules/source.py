"""Where an article's text lives: front-matter fields and body lines, each with its file
position, and the prose parts of a body line (without code, URLs, link targets or HTML)."""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pydantic import BaseModel

from generator.load.article import Article

Loc = tuple[str | int, ...]

# Front-matter keys whose strings never reach a reader as written: ids (the uid, the column,
# the responsible editor, the committee, a consultation's uid: readers see names looked up
# in the registries), the fixed vocabulary of `kind`, the review record (signer ids and
# digests) and the exemptions of the text checks themselves.
NOT_PUBLISHED = frozenset(
    {"uid", "column", "editor", "kind", "specialist", "feedback_for", "review", "exempt"}
)

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_REFDEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s")
# Spans inside a line that are not prose: inline code, HTML comments and tags, autolinks,
# link and image targets, bare URLs and e-mail addresses. Linear on any line: quantifiers are
# possessive; a failing start scans no further than the next start of its kind (`<`, `](`,
# `<!--`: Python-Markdown's own patterns stop there too), or fails once per line (a lone
# backtick); and no start is tried inside a run it would have begun with (the lookbehinds).
# Before, a line of 120,000 dots or letters took 38 s here.
_EMAIL_CHARS = "A-Za-z0-9_.+-"
_NOT_PROSE = re.compile(
    r"(?<!`)`++[^`]*+`++|(?<!`)``++"
    r"|<!--(?:(?!-->|<!--).)*+-->"
    r"|<[^<>\n]++>"
    r"|\]\((?:[^)\]]|\](?!\())*+\)"
    r"|\b(?:https?|ftp)://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]++"
    r"|\bwww\.[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]++"
    rf"|(?<![{_EMAIL_CHARS}])[{_EMAIL_CHARS}]++@[A-Za-z0-9_-]++(?:\.[A-Za-z0-9_-]++)+"
)


@dataclass(frozen=True, slots=True)
class Line:
    """One line of text and where it is: file line, and the column of its first character."""

    text: str
    line: int
    column: int = 1
    prose: bool = True  # False inside fenced code


# The lines of the article the text rules last read, by kind: the rules of a group read them
# one after the other for one article (gate/decide.py). Held for that very article (a weak
# reference, compared with `is`): a copy with other contents makes its own.
_LAST = threading.local()


def _remembered(kind: str, article: Article, make: Callable[[Article], list[Line]]) -> list[Line]:
    last: tuple[weakref.ref[Article], list[Line]] | None = getattr(_LAST, kind, None)
    if last is not None and last[0]() is article:
        return last[1]
    lines = make(article)
    setattr(_LAST, kind, (weakref.ref(article), lines))
    return lines


def fields(article: Article) -> list[Line]:
    """Every front-matter string a reader can see, wherever it is shown (page, listings,
    feeds, search, the withdrawal notice): found by walking the model, so that a field added
    to the contract is checked by default. Only `NOT_PUBLISHED` keys are left out."""
    return _remembered("fields", article, _fields)


def _fields(article: Article) -> list[Line]:
    meta = article.meta
    assert meta is not None
    return [
        Line(text, article.line_of(*loc) or 1)
        for loc, text in strings(meta)
        if loc[0] not in NOT_PUBLISHED and text
    ]


def strings(model: BaseModel, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
    """(key path, value) of every string held by a validated model, in the model's order."""
    for name in type(model).model_fields:
        yield from _strings(getattr(model, name), (*loc, name))


def _strings(value: object, loc: Loc) -> Iterator[tuple[Loc, str]]:
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, BaseModel):
        yield from strings(value, loc)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _strings(item, (*loc, i))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*loc, str(key)))


def body(article: Article) -> list[Line]:
    """Every body line; lines in fenced code blocks are marked as not prose."""
    return _remembered("body", article, lambda a: list(_body(a)))


def _body(article: Article) -> Iterator[Line]:
    fence = ""
    for i, text in enumerate(article.body.split("\n")):
        opened = _FENCE.match(text)
        in_code = bool(fence) or bool(opened)
        if opened and not fence:
            fence = opened.group(1)[0] * 3
        elif fence and text.strip().startswith(fence):
            fence = ""
        yield Line(text, article.body_line + i, 1, prose=not in_code and not _REFDEF.match(text))


def everything(article: Article) -> Iterator[Line]:
    """All text of the article, code included (for what must never be published anywhere)."""
    yield from fields(article)
    yield from body(article)


def prose_parts(line: Line) -> Iterator[tuple[int, str]]:
    """(offset in the line, text) of each prose part of a line."""
    if not line.prose:
        return
    start = 0
    for match in _NOT_PROSE.finditer(line.text):
        if match.start() > start:
            yield start, line.text[start : match.start()]
        start = match.end()
    if start < len(line.text):
        yield start, line.text[start:]


def excerpt(text: str, start: int, end: int, width: int = 16) -> str:
    left = max(0, start - width)
    right = min(len(text), end + width)
    return ("…" if left else "") + text[left:right].strip() + ("…" if right < len(text) else "")
