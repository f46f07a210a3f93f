"""The mkdocs adapter: calls the core from mkdocs events and does nothing else.

on_startup  learns whether this is a preview (`serve`) or a production build
on_config   validates the options once, fixes the navigation to home + columns
on_files    (first, priority 100) asks the core for the publication, keeps only the pages
            and files it allows, adds the listing pages as generated files
on_page_*   feeds each page the body the gate approved and the context the theme shows
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from .. import clock
from ..article import Article
from ..config import ConfigError, CongressConfig, Site, validate_options
from ..feeds import PAGE_SRC as FEEDS_SRC
from ..feeds import render_feeds
from ..publication import Publication, publish
from ..search import Indexing, sources
from ..sitemap import sitemap
from ..staff import Staff, load_staff
from .context import SEARCH_SRC, page_context

log = logging.getLogger("mkdocs.plugins.congress")

NOW_ENV = "CONGRESS_NOW"


class CongressPlugin(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    """mkdocs plugin `congress`: the review gate and the newsroom's pages."""

    def __init__(self) -> None:
        super().__init__()
        self.options: CongressConfig | None = None
        self.preview = False
        self.now_override: datetime | None = None
        self.report = True  # log findings; the `congress` command prints them itself
        self.publication: Publication | None = None
        self.indexing: Indexing | None = None

    def load_config(
        self, options: dict[str, Any], config_file_path: str | None = None
    ) -> tuple[list[tuple[str, Exception]], list[tuple[str, str]]]:
        # One schema: the core's pydantic model validates the options, not mkdocs' config classes.
        try:
            self.options = validate_options(dict(options), config_file_path or "mkdocs.yml")
        except ConfigError as exc:
            return [(f.message, PluginError(f.message)) for f in exc.findings], []
        return [], []

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.preview = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        assert self.options is not None
        self.publication = None  # per-build state: `serve` rebuilds with the same plugin
        root = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        self.site = Site(
            root=root,
            docs_dir=Path(config.docs_dir),
            site_dir=Path(config.site_dir),
            site_url=config.site_url or "",
            site_name=config.site_name,
            congress=self.options,
            extra=dict(config.extra),
        )
        self.staff = _staff(self.site)
        try:
            _ = self.site.footer
        except ConfigError as exc:
            raise PluginError("；".join(f.message for f in exc.findings)) from exc
        self.now = _now(self.now_override or os.environ.get(NOW_ENV))
        # The sitemap comes from the published set (generator/sitemap.py), not from mkdocs.
        config.theme.static_templates.discard("sitemap.xml")
        config.nav = [{"首页": "index.md"}] + [
            {c.name: f"{c.id}/index.md"} for c in self.options.columns
        ]
        return config

    @event_priority(100)  # before any other plugin lists pages
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        docs_dir = self.site.docs_dir.resolve()
        mine = [f for f in files if f.src_dir and Path(f.src_dir).resolve() == docs_dir]
        # The core reads docs_dir itself, so that `congress check` and the build judge the
        # same files (mkdocs has already dropped some, e.g. one of two clashing pages).
        pub = publish(self.site, self.now, staff=self.staff, preview=self.preview)
        self.publication = pub
        if self.report:
            for f in pub.findings():
                if f.is_error:
                    log.warning("%s %s [%s] %s", f.location(), f.message, f.code, f.hint)
        theirs = files.get_file_from_path("sitemap.xml")
        if theirs is not None and theirs not in mine:
            files.remove(theirs)  # the theme's sitemap template, now left unrendered (on_config)
        for file in mine:
            if file.is_documentation_page():
                verdict = pub.shown.get(file.src_uri)
                if verdict is None:
                    files.remove(file)
                    continue
                file.inclusion = InclusionLevel.NOT_IN_NAV
                # mkdocs renders what the gate judged, never a second reading of the file (and
                # does not parse the front matter again): a withdrawal notice has no body.
                notice = verdict.notice and not self.preview
                file.content_string = "" if notice else verdict.article.body
            elif file.src_uri not in pub.assets:
                files.remove(file)  # never copy a file no public article uses
        pages = [(item.src, item.title, item.in_nav) for item in pub.plan]
        pages.append((FEEDS_SRC, "订阅", False))
        if self.site.congress.search:
            pages.append((SEARCH_SRC, "搜索", False))
        for src, title, in_nav in pages:
            content = f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n---\n"
            inclusion = InclusionLevel.INCLUDED if in_nav else InclusionLevel.NOT_IN_NAV
            _add(files, File.generated(config, src, content=content, inclusion=inclusion))
        return files

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        # Every page is rendered by now: feeds take the HTML mkdocs made, never render twice.
        assert self.publication is not None

        def rendered(article: Article) -> str:
            file = files.get_file_from_path(article.src)
            page = file.page if file is not None else None
            return str(page.content or "") if page is not None else ""

        published = self.publication.decision.published
        if self.site.congress.search:  # built alongside while mkdocs writes the pages
            output = Path(config.site_dir) / "pagefind"
            try:
                self.indexing = Indexing(sources(self.site, published, rendered), output)
            except FileExistsError as exc:
                raise PluginError(str(exc)) from exc
        written = render_feeds(self.site, published, rendered) | sitemap(self.publication)
        for path, data in written.items():
            _add(files, File.generated(config, path, content=data))
        return env

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.indexing is not None:
            try:
                self.indexing.result()
            finally:
                self.indexing = None

    def on_build_error(self, *, error: Exception) -> None:
        if self.indexing is not None:
            self.indexing.cancel()
            self.indexing = None

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        assert self.publication is not None
        verdict = self.publication.shown.get(page.file.src_uri)
        if verdict is None or verdict.article.meta is None:
            return markdown
        meta = verdict.article.meta  # the body itself was set in on_files
        page.meta = {"title": meta.title}
        if not verdict.notice or self.publication.preview:
            page.meta |= {
                "description": meta.summary or meta.title,
                "author": "、".join(meta.authors),
            }
        return markdown

    def on_page_context(  # type: ignore[override]
        self, context: dict[str, Any], *, page: Page, config: MkDocsConfig, nav: Any
    ) -> dict[str, Any]:
        assert self.publication is not None
        context["congress"] = page_context(self.publication, page.file.src_uri, page.title or "")
        return context


def _add(files: Files, file: File) -> None:
    """Add a generated file, refusing a second writer for one output path."""
    if files.get_file_from_path(file.src_uri) is not None:
        raise PluginError(f"两个来源要写同一个文件 {file.src_uri}，请改名其中一个。")
    files.append(file)


def _staff(site: Site) -> Staff:
    try:
        return load_staff(site)
    except ConfigError as exc:
        raise PluginError("；".join(f"{f.location()} {f.message}" for f in exc.findings)) from exc


def _now(override: datetime | str | None) -> datetime:
    try:
        return clock.now(override or None)
    except clock.TimeParseError as exc:
        raise PluginError(f"--now 的值不是有效的时间：{override}") from exc
