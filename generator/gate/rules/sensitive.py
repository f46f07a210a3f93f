"""What must never go online (涉密不上网，上网不涉密; personal data): errors that block.

Secrecy markings are matched as markings (秘密★, 机密★1年, 【内部】, 绝密, 内部资料, 注意保存),
never as words: 《中华人民共和国保守国家秘密法》 is a law's title and passes, and so does 商业机密.
Personal data are matched with their checksums: an 18-digit resident ID with a valid check
digit and birth date, a mainland mobile number, a bank card number passing the Luhn check.
Public landlines and hotlines (0123-88001234, 12345) pass. Both are checked everywhere, code
blocks and front matter included. One value can be exempted per entry of `exempt:` in the
front matter, which the final sign-off covers like every other field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date

from generator.core.findings import Code, Finding, Severity
from generator.gate.rules import Context
from generator.gate.rules.source import Line, everything, excerpt, fields
from generator.load.article import Article

E = Severity.ERROR

TEXT_SECRECY = Code(
    "TEXT-SECRECY",
    E,
    "出现密级或内部标识“{found}”：涉密信息不得上网",
    "删除涉密内容；确属公开信息的，请按保密审查意见去除标识后重新送审。",
)
TEXT_ID_NUMBER = Code(
    "TEXT-ID-NUMBER", E, "出现居民身份证号码 {masked}", "删除或隐去身份证号码（如只保留前6位）。"
)
TEXT_MOBILE = Code(
    "TEXT-MOBILE", E, "出现手机号码 {masked}", "删除个人手机号码，改用单位公开电话。"
)
TEXT_BANK_CARD = Code("TEXT-BANK-CARD", E, "出现银行卡号 {masked}", "删除银行卡号。")

# No 《 inside a title (nested titles are 〈〉), so a failing start scans only to the next 《.
_BOOK_TITLE = re.compile(r"《[^《》\n]*+》")
_MARKING = re.compile(
    r"(?:绝密|机密|秘密)\s*★\s*(?:\d+\s*(?:年|个月|月|日|天))?"
    r"|[【\[（(〔]\s*(?:绝密|机密|秘密|内部|内部资料|内部文件)\s*[】\]）)〕]"
    r"|绝密|内部资料|内部文件|注意保存|注意保密"
)
_DIGITS = re.compile(r"(?<![\d])\d(?:[ \-]?\d){10,18}(?![\d])")
_MOBILE = re.compile(r"^(?:86)?1[3-9]\d{9}$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _outside_titles(text: str, matches: Iterable[re.Match[str]]) -> Iterator[re.Match[str]]:
    """The matches that do not start inside a book title: titles and matches both come in
    order, so one pass over each (a line of 《绝密》《绝密》… was quadratic)."""
    titles = _BOOK_TITLE.finditer(text)
    title = next(titles, None)
    for m in matches:
        while title is not None and title.end() <= m.start():
            title = next(titles, None)
        if title is None or not title.start() < m.start() < title.end():
            yield m


def _may_mark(text: str) -> bool:
    return "密" in text or "内部" in text or "注意" in text


def secrecy(article: Article, ctx: Context) -> Iterable[Finding]:
    """Classification and internal-use markings block publication."""
    lines = everything(article) if _may_mark(article.body) else fields(article)
    for line in lines:
        if not _may_mark(line.text):
            continue  # most lines: a cheap test instead of the pattern
        for m in _outside_titles(line.text, _MARKING.finditer(line.text)):
            yield TEXT_SECRECY.at(
                article.path,
                line.line,
                col=line.column + m.start(),
                excerpt=excerpt(line.text, m.start(), m.end()),
                found=m.group().strip(),
            )


def valid_id(number: str) -> bool:
    """An 18-character resident ID: plausible birth date and ISO 7064 MOD 11-2 check digit."""
    if len(number) != 18 or not number[:17].isdigit() or number[0] == "0":
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if not 1900 <= born.year <= 2100:
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17].upper()


def luhn(number: str) -> bool:
    total = 0
    for i, d in enumerate(reversed(number)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _mask(number: str) -> str:
    return (
        number[:3] + "*" * (len(number) - 7) + number[-4:] if len(number) > 7 else "*" * len(number)
    )


def _candidates(line: Line) -> Iterator[tuple[int, int, str]]:
    """Runs of digits (with spaces or hyphens between groups) that could be personal numbers."""
    text = line.text
    for m in _DIGITS.finditer(text):
        start, end = m.start(), m.end()
        if end < len(text) and text[end] in "Xx":
            end += 1  # the check character of an ID
        yield start, end, re.sub(r"[ \-]", "", text[start:end])


def _number_key(number: str) -> str:
    """A number as compared with the `exempt` list: digits only (an ID's final X as 0)."""
    return re.sub(r"\D", "", number.upper().replace("X", "0"))


def personal_data(article: Article, ctx: Context) -> Iterable[Finding]:
    """ID numbers, mobile numbers and bank card numbers block publication."""
    meta = article.meta
    assert meta is not None
    exempt = {_number_key(e.value) for e in meta.exempt}
    lines = everything(article) if _DIGITS.search(article.body) else fields(article)
    for line in lines:
        if not _DIGITS.search(line.text):
            continue
        for start, end, number in _candidates(line):
            if _number_key(number) in exempt:
                continue
            code = None
            if valid_id(number):
                code = TEXT_ID_NUMBER
            elif number.isdigit() and _MOBILE.match(number):
                code = TEXT_MOBILE
            elif (
                number.isdigit()
                and 16 <= len(number) <= 19
                and number[0] in "3456"
                and luhn(number)
            ):
                code = TEXT_BANK_CARD
            if code is not None:
                yield code.at(
                    article.path,
                    line.line,
                    col=line.column + start,
                    excerpt=excerpt(line.text, start, end).replace(
                        line.text[start:end], _mask(number)
                    ),
                    masked=_mask(number),
                )
