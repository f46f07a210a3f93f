"""Run every text check (and `check --fix`) on an article made of 1 MB of one character class.

Run as `python -m tests.redteam.pathological CLASS` under a CPU-time limit by
tests/redteam/test_input.py: a check that backtracks over the same characters (quadratic)
needs CPU hours for this, a linear one a few seconds. Prints one JSON object: the codes found
and the columns they were found at, so that the test knows the checks really ran to the end.
"""

from __future__ import annotations

import json
import sys
from collections import Counter

from generator.gate.decide import MEMOIZED
from generator.gate.rules.typography import fix_body
from generator.load.article import parse_article
from tests.sitekit import context, draft

SIZE = 1_000_000

CLASSES: dict[str, str] = {
    "ascii-punctuation": "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
    "fullwidth-punctuation": "，。、；：？！“”‘’（）《》【】…—－",
    "spaces": " \t\u3000\u00a0",
    "digits": "0123456789",
    "latin": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "mixed": "中文a1，。. -《》<`@](!",
    # What each alternative of the prose/markup patterns begins with, over and over.
    "markup": "](|<!--|`a|<a|a@|a.|http://|《绝密|秘密★|中--|……|12 |一府两院|主任张",
}

WORDING = {
    "preferred": [{"use": "一府一委两院", "not": ["一府两院"]}],
    "forbidden": [{"term": "禁用词"}],
    "officials": [{"name": "张三", "titles": ["市人大常委会主任"]}],
}

# After the hostile lines: one finding each check must still report (so it ran to the end).
TRIGGERS = "禁用词，主任张四 绝密 13800138000 。。\n"


def hostile_lines(chars: str) -> list[str]:
    """Half the size as the class repeated in turn, half as one run of each member."""
    units = chars.split("|") if "|" in chars else list(chars)
    half = SIZE // 2
    cycle = "".join(units) * (half // len("".join(units)) + 1)
    runs = "".join(u * (half // len(units) // len(u) + 1) for u in units)
    return [cycle[:half], runs[:half]]


def main(name: str) -> None:
    lines = hostile_lines(CLASSES[name])
    body = "正文。\n\n中" + "\n\n中".join(lines) + "\n\n" + TRIGGERS
    # The summary is a front-matter field, checked like the body.
    text = draft(body, summary="摘要" + lines[0][:100_000].replace("\t", " "))
    article = parse_article(text.encode("utf-8"), "news/2026/x.md", "content/news/2026/x.md")
    assert article.meta is not None, [f.message for f in article.findings]
    ctx = context(wording=WORDING)
    found: Counter[str] = Counter()
    last: dict[str, int] = {}
    for rule in MEMOIZED["text"]:
        for f in rule(article, ctx):
            found[f.code] += 1
            last[f.code] = max(last.get(f.code, 0), f.line or 0)
    fixed = fix_body(article, spacing=True)
    json.dump(
        {"found": found, "last_line": last, "fixed": len(fixed), "body": len(article.body)},
        sys.stdout,
    )


if __name__ == "__main__":
    main(sys.argv[1])
