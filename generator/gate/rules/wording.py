"""统一口径: the office's wording list (editorial/wording.yml) applied to every article.

- `preferred`: the form to use and the variants to flag (一府一委两院, not 一府两院);
- `forbidden`: expressions that must not appear;
- `officials`: each official's name and the titles they hold. A registered name next to a
  registered title they do not hold, or a one-character variant of a registered name next to
  a registered title, is a serious wording error (严重表述错误): national inspections veto a
  site for one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from generator.core.findings import Code, Finding, Severity
from generator.core.wording import Preferred, Wording
from generator.gate.rules import Context
from generator.gate.rules.source import Line, body, excerpt, fields, prose_parts
from generator.load.article import Article

E, W = Severity.ERROR, Severity.WARNING

TEXT_WORDING = Code(
    "TEXT-WORDING",
    E,
    "应使用统一表述“{use}”，不用“{found}”{note}",
    "改为“{use}”（统一口径见 editorial/wording.yml）。",
)
TEXT_FORBIDDEN = Code("TEXT-FORBIDDEN", E, "出现禁用表述“{found}”{note}", "删除或改写这一表述。")
TEXT_OFFICIAL_TITLE = Code(
    "TEXT-OFFICIAL-TITLE",
    E,
    "严重表述错误：{name}的职务写作“{title}”，登记的职务是“{titles}”",
    "核对领导姓名和职务（editorial/wording.yml 的 officials）。",
)
TEXT_OFFICIAL_NAME = Code(
    "TEXT-OFFICIAL-NAME",
    E,
    "严重表述错误：“{title}{found}”疑似姓名写错，登记的是“{name}”",
    "核对领导姓名（editorial/wording.yml 的 officials）。",
)


def _prose_lines(
    article: Article, *patterns: re.Pattern[str] | None
) -> Iterator[tuple[Line, int, str]]:
    """Prose parts of the fields and of the body, each only if a pattern occurs in it at all."""
    head = list(fields(article))
    joined = "\n".join(line.text for line in head)
    lines: list[Line] = head if any(p is not None and p.search(joined) for p in patterns) else []
    if any(p is not None and p.search(article.body) for p in patterns):
        lines += body(article)
    for line in lines:
        for offset, part in prose_parts(line):
            yield line, offset, part


def wording(article: Article, ctx: Context) -> Iterable[Finding]:
    """Variants of the unified wording, forbidden expressions."""
    pattern, table = ctx.wording._terms
    if pattern is None:
        return
    for line, offset, part in _prose_lines(article, pattern):
        for m in pattern.finditer(part):
            entry = table[m.group()]
            if isinstance(entry, Preferred) and _excused(part, m.start(), m.group(), entry.unless):
                continue
            note = f"（{entry.note}）" if entry.note else ""
            start = offset + m.start()
            col = line.column + start
            snippet = excerpt(line.text, start, start + len(m.group()))
            severity = Severity(entry.severity)
            code, use = (
                (TEXT_WORDING, entry.use) if isinstance(entry, Preferred) else (TEXT_FORBIDDEN, "")
            )
            yield code.at(
                article.path,
                line.line,
                col=col,
                excerpt=snippet,
                severity=severity,
                use=use,
                found=m.group(),
                note=note,
            )


def _excused(text: str, start: int, found: str, unless: list[str]) -> bool:
    for longer in unless:
        k = longer.find(found)
        if k >= 0 and text[start - k : start - k + len(longer)] == longer:
            return True
    return False


def officials(article: Article, ctx: Context) -> Iterable[Finding]:
    """Registered officials with a title they do not hold, or with a misspelt name."""
    w = ctx.wording
    if w._names is None:
        return
    for line, offset, part in _prose_lines(article, w._names, w._title_then_name):
        for m in w._names.finditer(part):
            yield from _check_title(article, w, line, offset, part=part, m=m)
        if w._title_then_name is not None:
            yield from _check_variant(article, w, line, offset, part)


def _mentioned_title(w: Wording, before: str, after: str) -> str | None:
    for title in w._titles:
        if before.endswith(title) or after.startswith(title):
            return title
    return None


def _check_title(
    article: Article, w: Wording, line: Line, offset: int, *, part: str, m: re.Match[str]
) -> Iterator[Finding]:
    official = w._by_name[m.group()]
    title = _mentioned_title(
        w, part[max(0, m.start() - 24) : m.start()], part[m.end() : m.end() + 24]
    )
    if title is None or any(t.endswith(title) for t in official.titles):
        return
    start = offset + m.start()
    yield TEXT_OFFICIAL_TITLE.at(
        article.path,
        line.line,
        col=line.column + start,
        excerpt=excerpt(line.text, start, start + len(m.group())),
        name=official.name,
        title=title,
        titles="、".join(official.titles),
    )


def _check_variant(
    article: Article, w: Wording, line: Line, offset: int, part: str
) -> Iterator[Finding]:
    assert w._title_then_name is not None
    for m in w._title_then_name.finditer(part):
        title, tail = m.group(1), m.group(2)
        for official in w.officials:
            candidate = tail[: len(official.name)]
            if len(candidate) != len(official.name) or candidate in w._by_name:
                continue
            if sum(a != b for a, b in zip(candidate, official.name, strict=True)) == 1:
                start = offset + m.start(2)
                yield TEXT_OFFICIAL_NAME.at(
                    article.path,
                    line.line,
                    col=line.column + start,
                    excerpt=excerpt(line.text, start, start + len(candidate)),
                    title=title,
                    found=candidate,
                    name=official.name,
                )
                break
