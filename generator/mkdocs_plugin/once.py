"""Work that every page needs, done once per build: the Markdown converter (convert.py) and
the article pages' QR codes (derive/address.py), made on the second core while the gate reads
the articles and the pages convert, so that they are ready when the templates print them
(1 ms a page: a sixth of a cold build's wall time when made as each page was written)."""

from __future__ import annotations

from collections.abc import Callable, Collection

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from generator.build.parallel import Ahead
from generator.core.config import Site
from generator.derive.address import made_ahead, make_qr_svg, web_link
from generator.load.contentfiles import is_article_name
from generator.load.refs import url_of
from generator.mkdocs_plugin.convert import Converter


class Once:
    """The plugin's per-build helpers; `reset()` at the start of every build (`serve`)."""

    def __init__(self) -> None:
        self._converter: Converter | None = None
        self._decided = False  # whether this build reuses a converter, decided once
        self._qr: tuple[list[str], Ahead[str, str]] | None = None

    def reset(self) -> None:
        self.cancel()
        self._converter, self._decided = None, False  # the options may have changed
        made_ahead({})

    def renderer(self, config: MkDocsConfig) -> Callable[[Page, Files], None] | None:
        """What renders a page instead of its own `render`; None: the engine's own."""
        if not self._decided:  # once per build, not once per page
            self._decided = True
            self._converter = Converter(config) if Converter.available(config) else None
        return self._converter.render if self._converter is not None else None

    def start_qr(self, site: Site, pages: list[str], kept: Collection[str] = ()) -> None:
        """Start making the QR codes of the pages (source paths) that may be articles: from
        the moment they are listed, before the gate has read them (the few it holds back
        cost the second core a millisecond each); not those of pages a spare keeps."""
        if not pages:
            return
        links = (
            web_link(site, url_of(src)) for src in pages if is_article_name(src) and src not in kept
        )
        addresses = sorted({a for a in links if a is not None})
        self._qr = (addresses, Ahead(make_qr_svg, addresses))

    def take_qr(self) -> None:
        """The QR codes, for the templates (after every page is converted)."""
        if self._qr is not None:
            addresses, ahead = self._qr
            self._qr = None
            if ahead.forked:  # else each page makes its own, as it is written
                made_ahead(dict(zip(addresses, ahead.result(), strict=True)))

    def cancel(self) -> None:
        if self._qr is not None:
            self._qr[1].close()
            self._qr = None
