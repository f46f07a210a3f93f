"""The link and image targets of an article body, as Python-Markdown reads them.

One answer for every part of the generator that asks where a body points (the files an
article uses and seals, its links to other articles, the keys of incremental rebuilds, the
lines findings point at): the `href` of every `<a>`, the `src` of every `<img>`, and the
`src`, `href`, `poster` and `data` attributes of raw HTML, taken from the element tree
Python-Markdown builds with the extensions the site renders with, and from its stash of raw
HTML, parsed by an HTML5 tokenizer (libxml2's). So a link in a code span or a fenced block is
no link, an escaped bracket opens none, and `[a](<b c.pdf>)` names `b c.pdf`.

Parsing every body costs about a millisecond; most bodies do not need it. A body written
without anything that could change how Python-Markdown reads a link (no code, HTML,
escapes, entities, attribute lists, reference definitions, footnotes, indented blocks or
admonitions; every bracket part of a simple `[text](url)` or `![alt](url)`) is read by one
linear pattern that gives the same answer (tests/unit/test_links_extraction.py compares the
two on every such body it generates). Every other body is parsed.

Every draft is read, not only what the gate lets through to the renderer, and Python-Markdown
is slow on some bodies: a list nested a thousand levels deep takes it twenty seconds and ends
in a RecursionError; four thousand `[a](` or `<a ` in a paragraph, or headings run together,
take it seconds (it reads the rest of the block again for each). A body nested or left open
that far (`_too_complex`, far beyond what rules/nesting.py accepts), or whose blocks nest
deeper than `MAX_DEPTH` while parsed, is not read (`complete` False), in a few milliseconds:
the gate keeps such an article out (LINK-UNREAD, rules/links.py).
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    from markdown import Markdown

# What mkdocs renders with (mkdocs.yml `markdown_extensions` and mkdocs' built-in toc, tables
# and fenced_code), less toc: its only links are fragments (`#heading`), never a target.
# tests/unit/test_links_extraction.py checks this list against mkdocs.yml.
EXTENSIONS = ("fenced_code", "tables", "attr_list", "md_in_html", "admonition", "footnotes")

# The attributes that name a URL the page loads or links to, on any element.
URL_ATTRIBUTES = ("href", "src", "poster", "data")

# The two mkdocs rewrites from the file's folder to the page's URL; any other is left as
# written, and a browser resolves it against the page's URL.
_REWRITTEN = frozenset({("a", "href"), ("img", "src")})

# Nested blocks (lists, quotes, admonitions, HTML with markdown="1") past this depth are not
# parsed. An article the gate accepts nests at most 20 levels, about twice as many blocks.
MAX_DEPTH = 100


@dataclass(frozen=True, slots=True)
class Target:
    """One URL a body points at."""

    url: str  # as Python-Markdown reads it: escapes and entities resolved, spaces stripped
    tag: str  # the element: a, img, video, source…
    attr: str  # href, src, poster or data
    # Not rewritten by mkdocs (raw HTML; a Markdown URL with an entity): the browser resolves
    # it against the page's URL.
    raw: bool = False


@dataclass(frozen=True, slots=True)
class Targets:
    """Every target of a body, in document order."""

    found: tuple[Target, ...] = ()
    complete: bool = True  # False: nested too deep to parse (nothing found)


def targets(body: str) -> Targets:
    """The link and image targets of a Markdown body (see the module's docstring)."""
    simple = _simple(body)
    return Targets(simple) if simple is not None else _parse(body)


def locate(body: str, url: str) -> int | None:
    """The index of the first line of `body` that writes `url` as a target (after `(`, `<`,
    `]:` or `=`, up to a space, a quote, `)` or `>`), else of the first that holds it at all;
    None if it is not written as read (an escape, an entity)."""
    if not url:
        return None
    lines = body.split("\n")
    forms = dict.fromkeys((url, html.escape(url, quote=False)))
    for form in forms:
        written = re.compile(r"(?:[(<]|\]:|=)[\s\"']*" + re.escape(form) + r"(?![^\s)>\"'])")
        for i, line in enumerate(lines):
            if form in line and written.search(line):
                return i
    return next((i for i, line in enumerate(lines) for f in forms if f in line), None)


# --- simple bodies --------------------------------------------------------------------------

# Anything that can make Python-Markdown read a `[text](url)` otherwise than as a link: code
# (backticks, `~~~` fences, tab or four-space indents), HTML and autolinks, escapes, entities,
# attribute lists, reference definitions, footnotes, admonitions, placeholders.
_NOT_SIMPLE = ("`", "<", "\\", "&", "{", "~~~", "\t", "[^", "]:", "\n    ", "\n!!!", "\x02", "\x03")

# `[text](url)`, `![alt](url)`, `[text](url "title")`: one bracket pair, a URL without spaces,
# brackets, parentheses, quotes or pipes (a table cell's edge), on one line.
_SIMPLE_LINK = re.compile(
    r"(!?)\[[^\[\]\n]*+\]\( *+([^\s()<>\"'|\[\]]++)"
    r"(?: ++(?:\"[^\"\n()|\[\]]*+\"|'[^'\n()|\[\]]*+'))? *+\)"
)


def _simple(body: str) -> tuple[Target, ...] | None:
    """The targets of a body that needs no parse, or None if it needs one."""
    if body.startswith(("    ", "!!!")) or any(s in body for s in _NOT_SIMPLE):
        return None
    if "[" not in body:
        return ()
    found = [
        Target(m.group(2), "img", "src") if m.group(1) else Target(m.group(2), "a", "href")
        for m in _SIMPLE_LINK.finditer(body)
    ]
    if body.count("[") != len(found) or body.count("]") != len(found):
        return None  # a bracket outside a simple link: let the parser decide
    return tuple(found)


# --- the parser -----------------------------------------------------------------------------


class _TooDeep(Exception):
    pass


class _Local(threading.local):
    md: Markdown | None = None


_local = _Local()


def _markdown() -> Markdown:
    """This thread's Python-Markdown, made once: the site's extensions, a depth guard."""
    md = _local.md
    if md is None:
        # Imported when a body first needs it: `congress check` often never does. Extensions
        # made by their modules: by name, Python-Markdown scans every installed distribution.
        from markdown import Markdown

        made = [import_module(f"markdown.extensions.{name}").makeExtension() for name in EXTENSIONS]
        md = Markdown(extensions=made)
        md.treeprocessors.deregister("prettify")  # whitespace only
        _guard(md)
        _local.md = md
    return md


def _guard(md: Markdown) -> None:
    """Stop the block parser when blocks nest deeper than MAX_DEPTH."""
    parse_blocks: Callable[[Element, list[str]], None] = md.parser.parseBlocks
    depth = 0

    def guarded(parent: Element, blocks: list[str]) -> None:
        nonlocal depth
        depth += 1
        try:
            if depth > MAX_DEPTH:
                raise _TooDeep
            parse_blocks(parent, blocks)
        finally:
            depth -= 1

    md.parser.parseBlocks = guarded


# What makes Python-Markdown slow before the guard stops it: nesting (each level re-reads all
# the lines below it), brackets and parentheses left open in a block (each open one is
# scanned to the block's end), headings and rules run together (each splits off the rest of
# its block, read again), tags left open (each re-scanned by its HTML parser). rules/nesting.py
# refuses far less than this; here it only keeps a hostile draft from costing every `congress
# check` seconds. Past these, about a second of parsing at most.
_NESTED = re.compile(r"^[ >]+", re.MULTILINE)
_WORK = 5_000_000  # nesting levels (or brackets left open) times characters
# Inline markup a block holds, times the block's length: Python-Markdown's inline patterns
# scan the rest of the block from each `<`, `&`, `[`, `(` or backtick (tags, entities,
# autolinks, links, code spans). A 500-row link table is about 10^7; a paragraph of 18,000
# closed tags (180 KB), 6·10^9, took four seconds.
_INLINE_WORK = 500_000_000
_INLINE = "<&[(`"
_BLOCKS = re.compile(r"\n[ \t]*\n")
_SPLITS = re.compile(r"^ {0,3}(?:#|=+[ \t]*$|(?:[-*_][ \t]*){2,}$)", re.MULTILINE)
_OPEN_TAG = re.compile(r"<[A-Za-z/!?][^<>]*+(?=<|\Z)")


_ESCAPED = re.compile(r"\\.", re.DOTALL)


def _too_complex(body: str) -> bool:
    """Whether parsing the body could take more than about a second (see above)."""
    text = body.expandtabs(4)
    levels = max(map(len, _NESTED.findall(text)), default=0) // 2
    if levels > MAX_DEPTH or levels * len(text) > _WORK:
        return True
    if len(_OPEN_TAG.findall(text)) > MAX_DEPTH:
        return True
    for block in _BLOCKS.split(text):
        if len(_SPLITS.findall(block)) > MAX_DEPTH:
            return True
        # An escaped bracket closes nothing (Python-Markdown takes escapes out first): each `[`
        # left open that way is read to the block's end, once per `[`.
        bare = _ESCAPED.sub("", block) if "\\" in block else block
        if sum(map(bare.count, _INLINE)) * len(bare) > _INLINE_WORK:
            return True
        for opening, closing in ("[]", "()"):
            count = bare.count(opening)
            if count > MAX_DEPTH or count * len(bare) > _WORK:
                depth = _depth(bare, opening, closing)
                if depth > MAX_DEPTH or depth * len(bare) > _WORK:
                    return True
    return False


def _depth(text: str, opening: str, closing: str) -> int:
    """The most `opening` left open at once in `text`."""
    depth = peak = 0
    for m in re.finditer(re.escape(opening) + "|" + re.escape(closing), text):
        depth = depth + 1 if m.group() == opening else max(0, depth - 1)
        peak = max(peak, depth)
    return peak


def _parse(body: str) -> Targets:
    """Python-Markdown's own reading, up to its element tree (nothing is serialized)."""
    if not body.strip():
        return Targets()
    if _too_complex(body):
        return Targets(complete=False)
    md = _markdown()
    md.reset()
    try:
        lines = body.split("\n")
        for pre in md.preprocessors:
            lines = pre.run(lines)
        root = md.parser.parseDocument(lines).getroot()
        for step in md.treeprocessors:
            replaced = step.run(root)
            if replaced is not None:
                root = replaced
    except (_TooDeep, RecursionError):
        _local.md = None  # its state is half-way: start afresh
        return Targets(complete=False)
    found = tuple(_collect(root, md.htmlStash.rawHtmlBlocks))
    md.reset()  # drop the body's tree and stash now
    return Targets(found)


def _collect(root: Element, stash: list[Any]) -> Iterator[Target]:
    """The tree's targets and those of the raw HTML its placeholders stand for, in order."""
    from markdown.util import HTML_PLACEHOLDER_RE

    def placeholders(text: str | None) -> Iterator[Target]:
        if text and "\x02" in text:
            for m in HTML_PLACEHOLDER_RE.finditer(text):
                index = int(m.group(1))
                if index < len(stash):
                    yield from _raw(stash[index])

    # Iterative, in document order: an element, its text, its children, its tail.
    work: list[tuple[Element, bool]] = [(root, False)]
    while work:
        element, done = work.pop()
        if done:
            yield from placeholders(element.tail)
            continue
        tag = element.tag if isinstance(element.tag, str) else ""
        for attr in URL_ATTRIBUTES:
            value = element.get(attr)
            if value is not None:
                seen = _seen(value)
                rewritten = (tag, attr) in _REWRITTEN and seen == value
                yield Target(seen, tag, attr, raw=not rewritten)
        yield from placeholders(element.text)
        for child in reversed(list(element)):
            work.append((child, True))
            work.append((child, False))


# Python-Markdown writes an `&` that starts an entity as it is (and an e-mail autolink's
# letters as `&#109;…`): the browser reads those entities, mkdocs does not, so no file
# matches such a link and the browser resolves what it reads against the page's URL.
_AMP = re.compile(r"&(?!(?:\#[0-9]+|\#x[0-9a-f]+|[0-9a-z]+);)", re.IGNORECASE)
_AMP_SUBSTITUTE = "\x02amp\x03"  # markdown.util.AMP_SUBSTITUTE


def _seen(value: str) -> str:
    """An attribute of Python-Markdown's tree as a browser reads it from the page."""
    if "&" not in value and "\x02" not in value:
        return value
    return html.unescape(_AMP.sub("&amp;", value).replace(_AMP_SUBSTITUTE, "&"))


_SPACES = " \t\n\f\r"  # what a browser strips around a URL


def _raw(piece: Any) -> Iterator[Target]:
    """The targets of one piece of raw HTML (or of an element md_in_html left in the stash)."""
    if not isinstance(piece, str):  # an Element: not in the tree mkdocs rewrites
        for element in piece.iter():
            for attr in URL_ATTRIBUTES:
                value = element.get(attr)
                if value is not None and isinstance(element.tag, str):
                    yield Target(value.strip(_SPACES), element.tag, attr, raw=True)
        return
    if "=" not in piece:
        return
    import lxml.etree

    try:
        document = lxml.etree.HTML(piece)
    except (lxml.etree.LxmlError, ValueError):
        return
    if document is None:
        return  # nothing but a comment or a declaration
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue  # a comment
        for attr in URL_ATTRIBUTES:
            value = element.get(attr)
            if value is not None:
                yield Target(value.strip(_SPACES), element.tag, attr, raw=True)
