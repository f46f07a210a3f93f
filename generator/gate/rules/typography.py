"""文字关: Chinese typography of the prose (never of code, URLs, links or front matter).

- full-width punctuation in Chinese text and half-width letters and digits: autocorrect-py,
  with its rule that adds spaces between Chinese and Latin text switched off;
- no space between Chinese and Latin letters or digits (the policy of government copy;
  `text.spacing: ignore` leaves spacing alone);
- 破折号 is —— (not --), 省略号 is …… (not ... or 。。。), no doubled punctuation (！！), years in
  full (2026年11月, not 26年11月).

Warnings by default (`text.typography`). `congress check --fix` applies the same corrections
that the findings report, and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import autocorrect_py

from generator.core.findings import Code, Finding, Severity
from generator.gate.rules import Context
from generator.gate.rules.source import body, excerpt, prose_parts
from generator.load.article import Article

W = Severity.WARNING
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

# autocorrect keeps its configuration process-wide: set once, to the office's rules.
autocorrect_py.load_config(  # type: ignore[attr-defined]
    """
rules:
  space-word: 0
  space-punctuation: 0
  space-bracket: 0
  space-dash: 0
  space-backticks: 0
  space-dollar: 0
  fullwidth: 1
  halfwidth-word: 1
  halfwidth-punctuation: 1
  no-space-fullwidth: 1
  no-space-fullwidth-quote: 1
  spellcheck: 0
"""
)

TEXT_PUNCTUATION = Code(
    "TEXT-PUNCTUATION",
    W,
    "标点或字符宽度不规范：“{old}”",
    "改为“{new}”（中文用全角标点，字母数字用半角）。",
)
TEXT_SPACING = Code(
    "TEXT-SPACING", W, "中文与字母、数字之间不加空格：“{old}”", "删去空格，写作“{new}”。"
)
TEXT_DOUBLED = Code("TEXT-DOUBLED", W, "标点重复：“{old}”", "改为“{new}”。")
TEXT_ELLIPSIS = Code("TEXT-ELLIPSIS", W, "省略号应为“……”：“{old}”", "改为“{new}”。")
TEXT_DASH = Code("TEXT-DASH", W, "破折号应为“——”：“{old}”", "改为“{new}”。")
TEXT_YEAR = Code("TEXT-YEAR", W, "年份应写全：“{old}”", "写出四位年份，如“2026年11月”。")


@dataclass(frozen=True)
class _Fix:
    code: Code
    pattern: re.Pattern[str]
    replace: Callable[[re.Match[str]], str] | None  # None: reported, not fixed


_SPACING = re.compile(
    f"(?<=[{HAN}])[ \\t\u00a0]+(?=[0-9A-Za-z])|(?<=[0-9A-Za-z%])[ \\t\u00a0]+(?=[{HAN}])"
)
FIXES = (
    _Fix(TEXT_DOUBLED, re.compile("([！？。，、；：])\\1+"), lambda m: m.group(1)),
    _Fix(
        TEXT_ELLIPSIS,
        re.compile(f"(?<=[{HAN}，。！？、])(?:\\.{{3,}}|。{{3,}}|…(?!…))|(?<![…])…(?=[{HAN}])"),
        lambda m: "……",
    ),
    # A single — between words is the 连接号 (收集—交办—反馈) and stays; -- is a typed 破折号.
    _Fix(TEXT_DASH, re.compile(f"(?<=[{HAN}])(?:-{{2,}}|－{{2,}})(?=[{HAN}“‘（])"), lambda m: "——"),
    _Fix(TEXT_YEAR, re.compile(r"(?<![\d])\d{2}年\d{1,2}月"), None),
)


# What `congress check --fix` corrects (the year is reported only: which century is meant?).
FIXABLE = frozenset(
    {
        TEXT_PUNCTUATION.code,
        TEXT_SPACING.code,
        TEXT_DOUBLED.code,
        TEXT_ELLIPSIS.code,
        TEXT_DASH.code,
    }
)


def _first_difference(a: str, b: str) -> int:
    return next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )


# What autocorrect could change at all (half-width punctuation, full-width letters and digits,
# spaces): a part without any of these is left alone, which spares most calls.
_AUTOCORRECT_CAN_CHANGE = re.compile(
    "[ ,.:;!?()\\[\\]\"'\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u3000]"
)


def _autocorrect(part: str) -> str:
    return autocorrect_py.format(part) if _AUTOCORRECT_CAN_CHANGE.search(part) else part


def _corrections(part: str, spacing: bool) -> Iterator[tuple[Code, int, int, str]]:
    """(code, start, end, replacement) found in one prose part; positions are in `part`."""
    corrected = _autocorrect(part)
    if corrected != part:
        start = _first_difference(part, corrected)
        tail = _first_difference(part[::-1], corrected[::-1])
        yield TEXT_PUNCTUATION, start, len(part) - tail, corrected[start : len(corrected) - tail]
    if spacing:
        for m in _SPACING.finditer(part):  # shown with its neighbours: "走访12"
            around = part[max(0, m.start() - 2) : m.start()] + part[m.end() : m.end() + 2]
            yield TEXT_SPACING, m.start(), m.end(), around
    for fix in FIXES:
        for m in fix.pattern.finditer(part):
            yield fix.code, m.start(), m.end(), fix.replace(m) if fix.replace else m.group()


def fixed(part: str, spacing: bool) -> str:
    """The prose part with every safe correction applied."""
    part = _autocorrect(part)
    if spacing:
        part = _SPACING.sub("", part)
    for fix in FIXES:
        if fix.replace is not None:
            part = fix.pattern.sub(fix.replace, part)
    return part


def _level(ctx: Context) -> Severity | None:
    level = ctx.site.congress.text.typography
    return None if level == "off" else Severity(level)


# What a correction above could start from. Text without any of it is skipped unread, by the
# checks and by --fix alike (so --fix never changes a line it did not report). Plain string
# tests first: one big regular expression over every article costs more than all the checks.
_TRIGGER = re.compile("[,.:;!?\"'\u3000…\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_DOUBLES = re.compile("([！？。，、；：])\\1")
_DASHES = re.compile(f"[{HAN}](?:--|－－)")
_SPACE = re.compile("[ \t\u00a0]+")
_YEAR = re.compile(r"\d\d年")


_SPACED = re.compile(
    f"[0-9A-Za-z%][ \\t\u00a0]+[{HAN}]|[{HAN}][ \\t\u00a0]+[0-9A-Za-z]"
    "|[ \\t\u00a0][，。！？；：、）」』”’]|[，。！？；：、（「『“‘][ \\t\u00a0]"
)


def _may_need(text: str) -> bool:
    return bool(
        _TRIGGER.search(text)
        or _DOUBLES.search(text)
        or (("--" in text or "－－" in text) and _DASHES.search(text))
        or ("年" in text and _YEAR.search(text))
        or ((" " in text or "\t" in text or "\u00a0" in text) and _SPACED.search(text))
    )


def typography(article: Article, ctx: Context) -> Iterable[Finding]:
    severity = _level(ctx)
    if severity is None:
        return
    spacing = ctx.site.congress.text.spacing == "none"
    if not _may_need(article.body):
        return
    for line in body(article):
        if not _may_need(line.text):
            continue
        for offset, part in prose_parts(line):
            if part.isascii():
                continue  # no Chinese, nothing of this to check
            for code, start, end, new in _corrections(part, spacing):
                yield code.at(
                    article.path,
                    line.line,
                    col=line.column + offset + start,
                    excerpt=excerpt(line.text, offset + start, offset + end),
                    severity=severity,
                    old=excerpt(line.text, offset + start, offset + end, width=4),
                    new=new,
                )


def fix_body(article: Article, spacing: bool) -> str:
    """The body with the safe corrections applied to its prose, every other byte kept."""
    out = []
    for line in body(article):
        text = line.text
        if not _may_need(text):
            out.append(text)
            continue
        pieces = []
        cursor = 0
        for offset, part in prose_parts(line):
            pieces.append(text[cursor:offset])
            pieces.append(part if part.isascii() else fixed(part, spacing))
            cursor = offset + len(part)
        pieces.append(text[cursor:])
        out.append("".join(pieces))
    return "\n".join(out)


def rewrite(raw: str, article: Article, new_body: str) -> str:
    """The file `raw` with its body lines replaced by `new_body`'s: the front matter, the line
    endings and every unchanged line stay byte for byte."""
    newline = "\r\n" if "\r\n" in raw else "\n"
    lines = raw.split(newline)
    first = article.body_line - 1
    for i, text in enumerate(new_body.split("\n")):
        if first + i < len(lines):
            lines[first + i] = text
    return newline.join(lines)
