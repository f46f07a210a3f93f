"""The mkdocs adapter: calls the core from mkdocs events and does nothing else.

on_startup  learns whether plain mkdocs runs `serve` or `build`
on_config   takes the request of the `congress` command (requested.py; under plain mkdocs, makes
            its own), validates the options once, fixes the navigation to home + columns
on_files    (first, priority 100) asks the core for the publication, keeps only the pages
            and files it allows, adds the listing pages as generated files
on_page_*   feeds each page the body the gate approved and the context the theme shows
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from generator.build.cache import CACHE_HTML
from generator.build.publishing import prepare
from generator.build.request import BuildRequest
from generator.build.searchindex import Indexing, index_job
from generator.core import clock
from generator.core.config import CongressConfig, Site, validate_options
from generator.core.configerror import ConfigError
from generator.core.findings import Finding
from generator.core.invisible import terminal_safe
from generator.core.progress import Phase, phase
from generator.derive.feeds import PAGE_SRC as FEEDS_SRC
from generator.derive.feeds import render_feeds
from generator.derive.publication import Publication
from generator.derive.sanitize import site_policy
from generator.derive.search import sources
from generator.derive.sitemap import robots, sitemap
from generator.load.article import Article, internal_error
from generator.load.contentfiles import is_article_name
from generator.load.generated import reserved
from generator.mkdocs_plugin.context import SEARCH_SRC, not_found_context, page_context
from generator.mkdocs_plugin.filing import add_file, in_index_order, theme_file
from generator.mkdocs_plugin.fragments import Fragments
from generator.mkdocs_plugin.isolation import guard, leave_out
from generator.mkdocs_plugin.markup import generator_meta, valid_markup
from generator.mkdocs_plugin.once import Once
from generator.mkdocs_plugin.printed import drop_channel_layouts, site_pdfs
from generator.mkdocs_plugin.registries import check_registry, staff_of
from generator.mkdocs_plugin.requested import moment, taken
from generator.mkdocs_plugin.reuse import Reuse, delete_stale, delete_stale_search
from generator.mkdocs_plugin.walk import install, watch_without_links

log = logging.getLogger("mkdocs.plugins.congress")


class CongressPlugin(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    """mkdocs plugin `congress`: the review gate and the newsroom's pages."""

    def __init__(self) -> None:
        super().__init__()
        self.options: CongressConfig | None = None
        self.serving = False  # plain `mkdocs serve`
        self.request: BuildRequest | None = None  # this build's (on_config)
        self.publication: Publication | None = None
        self.indexing: Indexing | None = None
        self.reuse: Reuse | None = None
        self.files: Files | None = None
        self.failed: dict[str, Finding] = {}  # src → ART-INTERNAL: pages that failed to render
        self.rendering: Phase = phase("", 0)  # counts the pages mkdocs converts, then writes
        self.once = Once()  # the Markdown converter and the QR codes of the build (once.py)

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
        self.serving = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        assert self.options is not None
        install(_uses_plugin)  # mkdocs lists docs_dir next, following links: walk.py
        self.publication = None  # per-build state: `serve` rebuilds with the same plugin
        self.once.reset()
        self.reuse = None
        self.failed = {}
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
        self.staff = staff_of(self.site)
        try:
            _ = self.site.footer
        except ConfigError as exc:
            raise PluginError("；".join(f.message for f in exc.findings)) from exc
        self.request = taken(config, serving=self.serving)
        check_registry(self.site, self.staff, preview=self.request.preview)
        self.now = moment(self.request)
        epoch = os.environ.get(clock.SOURCE_DATE_EPOCH)
        problem = clock.check_source_date_epoch(epoch)
        if problem is not None:  # mkdocs would fail later with a bare int() or range error
            f = clock.EPOCH_INVALID.at("", None, value=epoch, problem=problem)
            raise PluginError(f"[{f.code}] {f.message}")
        # The sitemap comes from the published set (generator/derive/sitemap.py), not from mkdocs.
        config.theme.static_templates.discard("sitemap.xml")
        config.nav = [{"首页": "index.md"}] + [
            {c.name: f"{c.id}/index.md"} for c in self.options.columns
        ]
        return config

    def _asked(self) -> BuildRequest:
        assert self.request is not None  # on_config comes first
        return self.request

    @event_priority(100)  # before any other plugin lists pages
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        docs = {
            os.path.normpath(self.site.docs_dir),
            os.path.normpath(self.site.docs_dir.resolve()),
        }
        mine = [f for f in files if f.src_dir and os.path.normpath(f.src_dir) in docs]
        # The core reads docs_dir itself, so that `congress check` and the build judge the
        # same files (mkdocs has already dropped some, e.g. one of two clashing pages).
        asked = self._asked()
        pages = [f.src_uri for f in mine if f.is_documentation_page()]
        # The QR codes on the second core from now on (once.py), unless a spare may keep
        # pages: then only for those it does not keep, once planned.
        ahead = asked.cache is None or asked.preview or not asked.held.pages
        self.once.start_qr(self.site, pages if ahead else [])
        pub = prepare(
            self.site,
            self.now,
            staff=self.staff,
            runtime=asked.runtime,
            preview=asked.preview,
            cache=asked.cache,
        )
        self.publication = pub
        if asked.report:
            for f in pub.findings():
                if f.is_error:
                    line = f"{f.location()} {f.message} [{f.code}] {f.hint}"
                    log.warning("%s", terminal_safe(line))
        drop_channel_layouts(files, config)
        theirs = files.get_file_from_path("sitemap.xml")
        if theirs is not None and theirs not in mine:
            files.remove(theirs)  # the theme's sitemap template, now left unrendered (on_config)
        columns = [c.id for c in self.site.columns]
        for file in mine:
            if reserved(file.src_uri, columns):
                files.remove(file)  # the generated page or file wins (generator/load/generated.py)
                theme_file(files, config, file.src_uri)
            elif file.is_documentation_page():
                verdict = pub.rendered.get(file.src_uri)
                if verdict is None:
                    files.remove(file)
                    continue
                file.inclusion = InclusionLevel.NOT_IN_NAV
                # mkdocs renders what the gate judged, never a second reading of the file (and
                # does not parse the front matter again): a withdrawal notice has no body.
                notice = pub.notice_only(verdict)
                file.content_string = "" if notice else verdict.article.body
            elif file.src_uri not in pub.assets or is_article_name(file.src_uri):
                # Never copy a file no public article uses, nor an article file mkdocs does
                # not render (`x.MD`): that would publish it raw.
                files.remove(file)
        self._add_pages(files, config, pub)
        if any(f.dest_uri.startswith("pagefind/") for f in files):
            raise PluginError("pagefind/ 是站内搜索索引的目录，稿件目录中不能有同名文件夹。")
        if asked.cache is not None and not asked.preview:
            held = asked.held
            self.reuse = Reuse(
                asked.cache,
                Path(config.site_dir),
                held.pages,
                held.shards,
                inventory=asked.inventory,
            )
            self.reuse.plan(pub, files, config, search=self.site.congress.search)
            self.once.start_qr(self.site, [] if ahead else pages, kept=self.reuse.kept)
        if self.site.congress.search:
            self._start_index(Path(config.site_dir) / "pagefind")
        self.rendering = phase("转换正文", len(files.documentation_pages()))
        return in_index_order(files, pub)

    def _add_pages(self, files: Files, config: MkDocsConfig, pub: Publication) -> None:
        """The listing pages, the 订阅 page and the search page, made in memory."""
        pages = [(item.src, item.title, item.in_nav) for item in pub.plan]
        pages.append((FEEDS_SRC, "订阅", False))
        if self.site.congress.search:
            pages.append((SEARCH_SRC, "搜索", False))
        for src, title, in_nav in pages:
            content = f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n---\n"
            inclusion = InclusionLevel.INCLUDED if in_nav else InclusionLevel.NOT_IN_NAV
            add_file(files, File.generated(config, src, content=content, inclusion=inclusion))

    def _start_index(self, output: Path) -> None:
        """Start the search index beside the renderer; pages reach it as they are rendered."""
        pub = self.publication
        assert pub is not None
        published = pub.decision.published
        found = sources(self.site, published, pub.staff)
        by_src = dict(zip((a.src for a in published), found, strict=True))
        if self.reuse is not None:
            jobs = self.reuse.jobs(pub.shards, by_src)
        else:
            jobs = [index_job(s, by_src) for s in pub.shards]
        self.indexing = Indexing(jobs, output)

    @event_priority(-100)  # after any other plugin: the HTML as it will be published
    def on_page_content(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        # The allowlist (generator/derive/sanitize.py) before anything keeps the HTML: the page, the
        # search index, the build cache and the feeds all see the sanitized body. Markup: the
        # templates print it as HTML although the environment escapes everything else.
        html = Markup(site_policy(self.site).page(html))
        if self.indexing is not None and self.publication is not None:
            verdict = self.publication.rendered.get(page.file.src_uri)
            if verdict is not None and verdict.public:
                if page.file.src_uri in self.failed:
                    self.indexing.drop(verdict.article.uid)
                else:
                    self.indexing.page(verdict.article.uid, html)
        return html

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        # Every page is rendered by now: feeds take the HTML mkdocs made, never render twice.
        assert self.publication is not None
        self.rendering.finish()
        self.rendering = phase("生成页面", len(files.documentation_pages()))
        if self.failed:  # before anything is derived from the published set
            leave_out(self.publication, self.failed, files)
        self.once.take_qr()
        env.globals["congress_fragment"] = Fragments()
        env.filters["congress_generator"] = generator_meta
        # Every template escapes what it prints, material's own included (its head prints
        # page.meta and titles): front matter is text, never markup. The few values that are
        # HTML (the sanitized body, rendered fragments) are Markup.
        env.autoescape = True
        cache = self._asked().cache
        if cache is not None:  # compiled templates, checked against their source
            # Not the old "jinja" folder: templates compiled there did not escape.
            compiled = cache.folder / "jinja-escaped"
            compiled.mkdir(exist_ok=True)
            env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(compiled))
        self.files = files

        def rendered(article: Article) -> str | None:
            file = files.get_file_from_path(article.src)
            if self.reuse is not None:
                return self.reuse.rendered(file, article.src)
            page = file.page if file is not None else None
            return str(page.content or "") if page is not None else ""

        def body(article: Article) -> str:
            html = rendered(article)
            if html is None:  # reuse.py takes over no page in a feed without its HTML
                raise PluginError(CACHE_HTML.at(article.path).message)
            return html

        published = self.publication.decision.published
        cache = self._asked().cache
        written = site_pdfs(self.publication, config, cache.folder if cache else None, body)
        attachments = {uid: p.media(self.site) for uid, p in self.publication.printed.items()}
        written |= render_feeds(self.site, published, body, attachments)
        written |= sitemap(self.publication) | robots(self.publication)
        for path, data in written.items():
            if self.reuse is not None:
                self.reuse.clear(path)
            add_file(files, File.generated(config, path, content=data))
        return env

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self.rendering.finish()
        self.once.reset()  # `serve` keeps the process: nothing of this build stays in it
        site_dir, pub = Path(config.site_dir), self.publication
        updated = self.reuse is not None and self.reuse.updating
        if updated and self.files is not None:
            # The spare was updated in place: remove what this build did not make (while the
            # search index is still being written; pagefind/ after it).
            expected = {f.dest_uri for f in self.files} | {"404.html"}
            inventory = self.reuse.inventory if self.reuse is not None else None
            delete_stale(site_dir, expected, skip="pagefind", inventory=inventory)
        if self.indexing is not None:
            try:
                self.indexing.result()
            finally:
                self.indexing = None
        if updated and pub is not None:
            search = self.site.congress.search
            delete_stale_search(
                site_dir / "pagefind",
                {s.name for s in pub.shards} if search else set(),
                {a.uid for a in pub.decision.published} if search else set(),
            )

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        watch_without_links(server, config.docs_dir)
        return server

    def on_build_error(self, *, error: Exception) -> None:
        self.once.cancel()
        if self.indexing is not None:
            self.indexing.cancel()
            self.indexing = None
        # The inventory of the request (the build cancels it too) or one planning started.
        if self.reuse is not None and self.reuse.inventory is not None:
            self.reuse.inventory.cancel()

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        assert self.publication is not None
        self.rendering.tick()
        verdict = self.publication.rendered.get(page.file.src_uri)
        render = self.once.renderer(config)
        if verdict is None or verdict.article.meta is None:
            if render is not None:  # a listing or other generated page
                page.render = lambda config, files: render(page, files)  # type: ignore[method-assign]
            return markdown
        article = verdict.article

        def failed(exc: BaseException) -> None:
            self.failed[article.src] = internal_error(article.path, "渲染", exc)

        guard(page, failed, render)
        meta = verdict.article.meta  # the body itself was set in on_files
        page.meta = {"title": meta.title}
        if not self.publication.notice_only(verdict):
            page.meta |= {
                "description": meta.summary or meta.title,
                "author": "、".join(meta.authors),
            }
        return markdown

    def on_page_context(  # type: ignore[override]
        self, context: dict[str, Any], *, page: Page, config: MkDocsConfig, nav: Any
    ) -> dict[str, Any]:
        assert self.publication is not None
        self.rendering.tick()
        src, html = page.file.src_uri, str(page.content or "")
        context["congress"] = page_context(self.publication, src, page.title or "", html)
        return context

    def on_template_context(  # type: ignore[override]
        self, context: dict[str, Any], *, template_name: str, config: MkDocsConfig
    ) -> dict[str, Any]:
        # The theme's 404.html is rendered without a page: it is a page of the site all the
        # same (footer, meta tags, columns), so it gets the context too.
        if template_name == "404.html" and self.publication is not None:
            context["congress"] = not_found_context(self.publication)
        return context

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        # The page is written from `output`: its body is not needed again (the feeds and the
        # build cache took theirs in on_env). Held to the end, the bodies made the end of the
        # build its peak (1.1 GB for 10,000 long reports).
        page.content = None
        return valid_markup(output)

    def on_post_template(
        self, output_content: str, *, template_name: str, config: MkDocsConfig
    ) -> str:
        return valid_markup(output_content)


def _uses_plugin(config: MkDocsConfig) -> bool:
    return any(isinstance(p, CongressPlugin) for p in config.plugins.values())
