"""One Markdown converter for the whole build, reset for each page.

The engine's `Page.render` (mkdocs/structure/pages.py, ProperDocs' the same) builds a new
`markdown.Markdown` for every page: loading and configuring every extension again, which was
6.3 s of a 5,039-article build. Python-Markdown is made to be reused: `reset()` clears what a
conversion leaves behind (the HTML stash, references, each extension's state: the table of
contents, footnotes). The engine's own per-page processors (raw-HTML anchors, anchors, relative
links, the title) hold their page, so they are made and registered anew on every page, under
the names the engine gives them, which replaces the previous page's.

`render` does what `Page.render` does, line for line, with the converter of the build; a test
(tests/site/test_markdown_reuse.py) builds the same sites both ways and compares the bytes.
`CONGRESS_FRESH_MARKDOWN=1` makes the build use the engine's own render (that test's other
side, and a way out should an extension ever keep state that `reset()` does not clear), and so
does an engine release that renames the private classes this relies on.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import markdown
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure import pages as _pages
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

try:  # the engine's private per-page processors (the same names in mkdocs and ProperDocs)
    _PROCESSORS: tuple[Any, ...] | None = (
        _pages._RawHTMLPreprocessor,
        _pages._ExtractAnchorsTreeprocessor,
        _pages._RelativePathTreeprocessor,
        _pages._ExtractTitleTreeprocessor,
    )
except AttributeError:  # pragma: no cover - a future engine
    _PROCESSORS = None
# The import hook (engine.py) answers `mkdocs.*` with `properdocs.*` when ProperDocs runs.
_PROPERDOCS = _pages.__name__.startswith("properdocs")


FRESH_ENV = "CONGRESS_FRESH_MARKDOWN"


class Converter:
    """The build's Markdown instance; `render(page)` replaces `page.render(config, files)`."""

    def __init__(self, config: MkDocsConfig) -> None:
        self._config = config
        self._md: markdown.Markdown | None = None

    @staticmethod
    def available(config: MkDocsConfig) -> bool:
        """Whether to reuse one instance: not where the environment asks for the engine's
        render, nor with footnotes' `UNIQUE_IDS` (their prefix counts the conversions, so
        the ids would depend on the order pages convert in)."""
        footnotes = (config["mdx_configs"] or {}).get("footnotes") or {}
        return (
            _PROCESSORS is not None
            and os.environ.get(FRESH_ENV, "") in ("", "0")
            and not footnotes.get("UNIQUE_IDS")
        )

    def render(self, page: Page, files: Files) -> None:
        """What `Page.render` does, with the shared converter."""
        assert _PROCESSORS is not None
        if page.markdown is None:
            raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
        raw_html_cls, anchors_cls, relative_cls, title_cls = _PROCESSORS
        config = self._config
        if self._md is None:  # the first page, or the one after a page that failed
            self._md = markdown.Markdown(
                extensions=config["markdown_extensions"],
                extension_configs=config["mdx_configs"] or {},
            )
        md = self._md
        md.reset()
        raw_html_ext = raw_html_cls()
        raw_html_ext._register(md)
        extract_anchors_ext = anchors_cls(page.file, files, config)
        extract_anchors_ext._register(md)
        relative_path_ext = relative_cls(page.file, files, config)
        relative_path_ext._register(md)
        extract_title_ext = title_cls()
        extract_title_ext._register(md)
        try:
            page.content = md.convert(page.markdown)
        except BaseException:
            # A conversion that stopped half-way can leave the block parser's stack and an
            # extension's state behind, which `reset()` does not clear: the next page gets a
            # new instance (isolation.py publishes the other articles).
            self._md = None
            raise
        page.toc = get_toc(getattr(md, "toc_tokens", []))
        page._title_from_render = extract_title_ext.title
        page.present_anchor_ids = (
            extract_anchors_ext.present_anchor_ids | raw_html_ext.present_anchor_ids
        )
        # ProperDocs keeps the links to anchors at every log level; MkDocs below DEBUG only.
        if _PROPERDOCS or _pages.log.getEffectiveLevel() > logging.DEBUG:
            page.links_to_anchors = relative_path_ext.links_to_anchors
