"""One reading of an article's links (generator/load/links.py): Python-Markdown's own tree
with the site's extensions, the quick reading of simple bodies that must agree with it, the
guard against bodies Python-Markdown would take seconds on, and what reads it: the files an
article uses, the lines of findings, the audit's lines, the gate's LINK-UNREAD."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
import yaml

from bench.corpus import write_corpus
from generator.commands.audit import _where
from generator.gate.rules.links import LINK_UNREAD
from generator.load import links
from generator.load.article import Article, parse_article
from generator.load.assets import line_of_target, line_using
from generator.load.links import Target, locate, targets
from tests.sitekit import ROOT, article, draft, judge


def found(body: str) -> list[tuple[str, str, str, bool]]:
    read = targets(body)
    assert read.complete
    return [(t.url, t.tag, t.attr, t.raw) for t in read.found]


A, IMG = ("a", "href", False), ("img", "src", False)


def md(url: str, kind: tuple[str, str, bool] = A) -> tuple[str, str, str, bool]:
    return (url, *kind)


def raw(url: str, tag: str = "img", attr: str = "src") -> tuple[str, str, str, bool]:
    return (url, tag, attr, True)


CASES = {
    "inline link and image, title with spaces": (
        '见[附件](a.pdf)和![图](../i.png "标题 有 空格")。',
        [md("a.pdf"), md("../i.png", IMG)],
    ),
    "single-quoted title, spaces inside the parentheses": (
        "[a]( b.pdf 't' )",
        [md("b.pdf")],
    ),
    "reference-style, case-insensitive id; an unused definition is no target": (
        '[正文][Ref] 和 ![图][img]\n\n[ref]: r.pdf "标题"\n[img]: <i.png>\n[unused]: u.pdf\n',
        [md("r.pdf"), md("i.png", IMG)],
    ),
    "shortcut reference": ("见[附件]。\n\n[附件]: s.pdf\n", [md("s.pdf")]),
    "angle-bracket URL with a space": ("[a](<b c.pdf>)", [md("b c.pdf")]),
    "parentheses in a URL": ("[a](x(1).pdf)", [md("x(1).pdf")]),
    "percent-encoding, query and fragment kept as written": (
        "[a](my%20file.pdf#page=2) [b](list/?q=1&p=2)",
        [md("my%20file.pdf#page=2"), md("list/?q=1&p=2")],
    ),
    "autolinks": (
        "<https://www.example.gov.cn/a?b=1> 和 <ren@example.gov.cn>",
        [md("https://www.example.gov.cn/a?b=1"), ("mailto:ren@example.gov.cn", "a", "href", True)],
    ),
    "a link in a code span is no link": ("`[a](x.pdf)` 和 [b](y.pdf)", [md("y.pdf")]),
    "nor in a fenced block (backticks or tildes)": (
        '```\n[a](x.pdf)\n<img src="z.png">\n```\n\n~~~\n![b](y.png)\n~~~\n',
        [],
    ),
    "nor in an indented code block": ("正文。\n\n    [a](x.pdf)\n", []),
    "an escaped bracket opens no link; an escape inside a URL is read": (
        "\\[a](x.pdf) [b](a\\_b.pdf)",
        [md("a_b.pdf")],
    ),
    "a link inside a link's text is text; an image inside one is an image": (
        "[a [b](inner.pdf) c](outer.pdf) [![图](i.png)](big.png)",
        [md("outer.pdf"), md("big.png"), md("i.png", IMG)],
    ),
    "raw HTML, inline and as a block, entities read": (
        'a <img src="x.png"> b <a href="a&amp;b.pdf">c</a>\n\n'
        '<video src="v.mp4" poster="p.jpg"><source src="s.webm"></video>\n\n'
        '<object data="o.swf"></object>\n',
        [
            raw("x.png"),
            raw("a&b.pdf", "a", "href"),
            raw("v.mp4", "video"),
            raw("p.jpg", "video", "poster"),
            raw("s.webm", "source"),
            raw("o.swf", "object", "data"),
        ],
    ),
    "raw HTML as an HTML5 parser reads it": (
        "<p><img src=unquoted.png> <IMG SRC='upper.png'> <img src=\" spaced.png \">"
        ' <img src="first.png" src="second.png"> <span data-src="d.png">x</span></p>\n\n'
        '<!-- <img src="comment.png"> -->\n\n<textarea><img src="text.png"></textarea>\n',
        [raw("unquoted.png"), raw("upper.png"), raw("spaced.png"), raw("first.png")],
    ),
    "attr_list adds to a Markdown image, and may replace its source": (
        '![a](b.png){: width="50%"} ![c](d.png){: src="e.png"}',
        [md("b.png", IMG), md("e.png", IMG)],
    ),
    "attr_list: an href on a heading is no link mkdocs rewrites": (
        '# 标题 {: href="h.pdf"}',
        [("h.pdf", "h1", "href", True)],
    ),
    "md_in_html: Markdown inside is Markdown, raw HTML inside is raw": (
        '<div markdown="1">\n![a](z.png)\n<img src="w.png">\n</div>\n',
        [md("z.png", IMG), raw("w.png")],
    ),
    "admonition content": (
        '!!! note "提示 [t](title.pdf)"\n    见[附件](adm.pdf)。\n',
        [md("title.pdf"), md("adm.pdf")],
    ),
    "footnotes: the note's link, and the note's own anchors": (
        "正文[^1]。\n\n[^1]: 见[附件](note.pdf)。\n",
        [md("#fn:1"), md("note.pdf"), md("#fnref:1")],
    ),
    "table cells": (
        "| 名称 | 附件 |\n|---|---|\n| 甲 | [t](t.pdf) |\n| ![u](u.png) | 乙 |\n",
        [md("t.pdf"), md("u.png", IMG)],
    ),
    "an entity in a Markdown URL: the browser reads it, mkdocs cannot match it": (
        "[a](&#46;&#46;/x.pdf)",
        [("../x.pdf", "a", "href", True)],
    ),
    "no link, no target": ("正文，没有链接。[注]\n", []),
    "empty": ("  \n", []),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_targets_are_what_python_markdown_reads(name: str) -> None:
    body, expected = CASES[name]
    assert found(body) == expected


# --- the quick reading of simple bodies ------------------------------------------------------

PIECES = [
    "[a](b.pdf)", "![图](i.png)", "[a]( b.pdf )", '[a](b.pdf "t t")', "[a](b.pdf 't')",
    "[](e.pdf)", "[a]()", "[a](x(1).pdf)", "[a](b c.pdf)", "[a](b.pdf)(c)", '[a](b"t")',
    "[", "]", "(", ")", "!", "!!", " ", "  ", "\n", "\n\n", "- ", "* ", "1. ", "> ", "# ",
    "|", "| x |\n|---|\n", "*", "_", "**", "x", "中文", "===\n", "---\n", "   ", "\u3000",
    "\xa0", "[注]", "![", "](", '"', "'", "#", "?", "%20", "[a]\n(b)", "[a\nb](c.pdf)",
    "[a](b.pdf\n)", "[a](<b>)", "`", "\\", "&amp;", "{: .x}", "<b>", "[^1]", "[r]: r.pdf",
]  # fmt: skip


def test_the_quick_reading_agrees_with_python_markdown_on_every_simple_body() -> None:
    rng = random.Random(14)
    simple = 0
    for _ in range(4000):
        body = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 12)))
        quick = links._simple(body)
        if quick is None:
            continue
        simple += 1
        assert quick == links._parse(body).found, repr(body)
    assert simple > 500  # the comparison covered many simple bodies


def test_the_sample_and_the_bench_corpus_are_read_alike_both_ways(tmp_path: Path) -> None:
    files = sorted((ROOT / "content").rglob("*.md")) + write_corpus(300, tmp_path)
    bodies = [parse_article(p.read_bytes(), "x.md", "x.md").body for p in files]
    quick = [b for b in bodies if links._simple(b) is not None]
    assert len(quick) > 300 and sum("](" in b for b in quick) > 50
    for body in quick:
        assert links._simple(body) == links._parse(body).found


def test_code_html_escapes_and_indents_are_left_to_the_parser() -> None:
    for body in ("`x` [a](b)", "<b>x</b>", "\\[a](b)", "    [a](b)", "[a](b)\n\n~~~\nx\n~~~"):
        assert links._simple(body) is None, body
    assert links._simple("[a](b.pdf) 和 ![c](d.png)") == (
        Target("b.pdf", "a", "href"),
        Target("d.png", "img", "src"),
    )


def test_the_extensions_are_those_the_site_renders_with() -> None:
    """mkdocs always adds toc, tables and fenced_code; toc's only links are fragments."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *_: None)
    Loader.add_multi_constructor("!", lambda *_: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader)
    names = {e if isinstance(e, str) else next(iter(e)) for e in config["markdown_extensions"]}
    assert names | {"toc", "tables", "fenced_code"} == set(links.EXTENSIONS) | {"toc"}


# --- bodies Python-Markdown would take seconds on -------------------------------------------

HOSTILE = {
    "list nested a thousand levels": "".join("  " * i + "- 项\n" for i in range(1000)),
    "ninety-nine levels, a megabyte": "".join("  " * i + "- 项\n" for i in range(99))
    + ("  " * 99 + "- 项\n") * 5000,
    "admonitions nested": "".join("    " * i + "!!! note\n" for i in range(120)),
    "brackets nested": "[" * 1000 + "链接" + "](u)" * 1000,
    "parentheses left open": "[a](" * 4000,
    "tags left open": "<a " * 4000,
    "autolinks left open": "<http://" * 4000,
    "headings run together": "`x`\n\n" + "a\n=\n" * 4000,
    "rules run together": "`x`\n\n" + "- - -\n" * 4000,
    # An escaped `]` closes nothing: each `[` is read to the block's end (ASCII punctuation in
    # turn, as tests/redteam/pathological.py writes it: minutes for a megabyte).
    "brackets closed only by escapes": "[\\]^_(a)" * 4000,
    # Within every nesting limit, but each inline opening scans the rest of its block again:
    # closed tags, entities, autolinks in one paragraph; a few links left open before a
    # megabyte of text.
    "closed tags in one paragraph": "<b>x</b> " * 20_000,
    "entities in one paragraph": "&amp; " * 40_000,
    "autolinks in one paragraph": "<http://a> " * 80_000,
    "links left open before a long paragraph": "[a](" * 99 + "x" * 1_000_000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_body_too_complex_to_parse_is_not_read_and_costs_little(name: str) -> None:
    start = time.perf_counter()
    read = targets(HOSTILE[name])
    assert (read.complete, read.found) == (False, ())
    assert time.perf_counter() - start < 2  # parsed, these take 2 to 40 s


def test_the_depth_guard_stops_what_the_precheck_lets_through() -> None:
    body = ">" * (links.MAX_DEPTH + 5) + " [a](b.pdf)\n\n`x`"
    assert not links._too_complex(body)
    assert targets(body) == links.Targets(complete=False)
    assert targets(">" * 20 + " [a](b.pdf)\n\n`x`").found == (Target("b.pdf", "a", "href"),)


def test_what_an_article_may_hold_stays_within_the_limits() -> None:
    nested = "".join("    " * i + f"- 第 {i} 层 [附件](f{i}.pdf)\n" for i in range(20))
    table = "| 甲 | 乙 |\n|---|---|\n" + "| [a](a.pdf) | ![b](b.png){: .x} |\n" * 500
    for body in (nested, table, "<p>图</p>\n\n" + "正文（一）。[注](n.pdf)\n" * 300):
        read = targets(body)
        assert read.complete and read.found, body[:40]


def test_an_unreadable_body_keeps_the_article_out() -> None:
    v = judge(article("正文。\n\n" + HOSTILE["list nested a thousand levels"]))
    codes = {f.code for f in v.findings if f.is_error}
    assert {LINK_UNREAD.code, "BODY-NESTING"} <= codes


# --- lines ------------------------------------------------------------------------------------


def test_a_target_is_located_where_it_is_written_as_one() -> None:
    body = (
        "图 gone.svg 见下。\n\n![示意图](gone.svg)\n\n[b]: <r r.pdf>\n\n<img src='a&amp;b.png'>\n"
    )
    assert locate(body, "gone.svg") == 2
    assert locate(body, "r r.pdf") == 4
    assert locate(body, "a&b.png") == 6
    assert locate(body, "nowhere.pdf") is None


def sample(body: str, src: str = "news/2026/x.md") -> Article:
    return parse_article(article(body).encode("utf-8"), src, f"content/{src}")


def test_the_files_an_article_uses_and_their_lines() -> None:
    a = sample('见 pic.png。\n\n`![代码](code.png)`\n\n![图](pic.png)\n\n<img src="r.png">\n')
    found = a.refs
    assert found.files == {"news/2026/pic.png", "news/2026/r.png"}
    assert found.complete
    lines = a.body.split("\n")
    assert line_using(a, "news/2026/pic.png") == a.body_line + lines.index("![图](pic.png)")
    assert line_of_target(a, "r.png") == a.body_line + lines.index('<img src="r.png">')


def test_the_audit_points_at_the_link_not_at_a_mention() -> None:
    a = sample("b 站是另一篇。\n\n见[另一篇](b.md#no-such-heading)和![图](pic.svg)。\n")
    line = a.body_line + a.body.split("\n").index(
        "见[另一篇](b.md#no-such-heading)和![图](pic.svg)。"
    )
    assert _where(a, "../b/#no-such-heading") == ("content/news/2026/x.md", line)
    assert _where(a, "../pic.svg")[1] == line
    assert _where(None, "x") == ("site", None)


@pytest.mark.parametrize(
    "body", ["[x](http://[::1/)", "[x](//[a)", "<img src='http://[x'>", "![图](http://[bad)"]
)
def test_a_target_that_is_no_url_is_no_file_and_the_article_loads(body: str) -> None:
    """`urlsplit` refuses an unclosed IPv6 bracket: such a target is outside the site, and the
    article keeps its front matter and its own findings (before: ART-INTERNAL, nothing else)."""
    a = parse_article(
        draft(f"正文。\n\n{body}\n\n![图](x.png)\n").encode(), "news/2026/x.md", "x.md"
    )
    assert a.meta is not None and not [f for f in a.findings if f.is_error]
    assert a.refs.files == {"news/2026/x.png"}
