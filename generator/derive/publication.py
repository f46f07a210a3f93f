"""One build's publication: the newsroom, the gate's decision and everything derived from it.

This is the seam between "gather" and "write": a renderer asks it which pages exist, which
files may be copied and what each page shows, and never looks at the files or the gate again.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path

from generator.core.config import Site
from generator.core.findings import Finding, sort_key
from generator.core.staff import Staff
from generator.derive import listing
from generator.derive.feeds import FeedLink, alternates
from generator.derive.feeds.entries import Media
from generator.derive.present import ArticleView, view
from generator.derive.search import Shard, plan_shards
from generator.gate.decide import Decision, Verdict, decide
from generator.gate.editions import EditionVerdict, edition_context, judge_editions
from generator.gate.memos import Executor, Memos
from generator.load.article import Article
from generator.load.assets import copied_files
from generator.load.editions import load_editions
from generator.load.generated import reserved
from generator.load.newsroom import ArticleStore, Newsroom, load_newsroom


@dataclass(frozen=True)
class PrintedEdition:
    """An approved edition's PDF, published beside the column article of its issue."""

    url: str  # site-relative: "gazette/2026/gongbao-2026-06/gazette-2026-06.pdf"
    size: int
    pages: int
    sha256: str
    path: str  # the edition file, as findings show it
    uid: str
    title: str  # 《publication》issue（running）
    digest: str  # what the edition's final sign-off bound

    def media(self, site: Site) -> Media:
        """The PDF as a feed enclosure."""
        return Media(site.absolute(self.url), "application/pdf", self.size, "document")

    @property
    def size_text(self) -> str:
        return (
            f"{self.size / 1024 / 1024:.1f} MB"
            if self.size >= 100 * 1024
            else f"{self.size // 1024} KB"
        )


@dataclass
class Publication:
    site: Site
    staff: Staff
    room: Newsroom
    decision: Decision
    plan: listing.Plan
    preview: bool = False
    rendered: dict[str, Verdict] = field(default_factory=dict)  # src → verdict, pages to render
    assets: set[str] = field(default_factory=set)  # docs paths that may be copied
    # The PDFs of the approved editions, by the uid of the article whose page links each (the
    # renderer prints them: mkdocs_plugin/printed.py).
    printed: dict[str, PrintedEdition] = field(default_factory=dict)
    _views: dict[str, ArticleView] = field(default_factory=dict, repr=False)
    _alternates: dict[str | None, list[FeedLink]] = field(default_factory=dict, repr=False)

    @cached_property
    def listings(self) -> dict[str, listing.Listing]:
        return {item.src: item for item in self.plan}

    @cached_property
    def shards(self) -> list[Shard]:
        """The search bundles (generator/derive/search.py), newest first."""
        options = self.site.congress
        return plan_shards(
            self.decision.published, options.search_shard_size, options.search_shard_chars
        )

    @cached_property
    def editions(self) -> list[EditionVerdict]:
        """Every print edition, judged against the articles' verdicts (gate/editions.py)."""
        ctx = edition_context(self.site, self.staff, self.decision.now)
        return judge_editions(load_editions(self.site), self.decision, ctx)

    @cached_property
    def edition_pages(self) -> dict[str, EditionVerdict]:
        """The approved editions by the uid of the public article whose page links the PDF
        (a page links one edition: gate/editions.py refuses a second with EDITION-PAGE-TAKEN)."""
        return {
            e.page.article.uid: e
            for e in self.editions
            if e.public and e.page is not None and e.page.public
        }

    def notice_only(self, verdict: Verdict) -> bool:
        """Whether the article's URL shows only its withdrawal notice (the preview shows
        withdrawn pieces whole, with a banner)."""
        return verdict.notice and not self.preview

    def findings(self) -> list[Finding]:
        return sorted((f for v in self.decision.verdicts for f in v.findings), key=sort_key)

    @cached_property
    def feedback(self) -> dict[str, Article]:
        """uid of a consultation → its public 采纳情况反馈 article."""
        return {
            a.meta.feedback_for: a
            for a in reversed(self.decision.published)
            if a.meta is not None and a.meta.feedback_for
        }

    def view(self, verdict: Verdict) -> ArticleView:
        """What a reader sees of an article (made once per article: listings repeat them)."""
        a = verdict.article
        known = self._views.get(a.src)
        if known is None:
            known = self._views[a.src] = view(
                a,
                self.site,
                self.staff,
                self.plan.tag_urls,
                now=self.decision.now,
                feedback=self.feedback.get(a.uid),
            )
        return known

    def alternates(self, column: str | None) -> list[FeedLink]:
        """The feeds a page links to in its head (made once per column)."""
        if column not in self._alternates:
            self._alternates[column] = alternates(self.site, column)
        return self._alternates[column]


def prepare(
    site: Site,
    now: datetime,
    *,
    staff: Staff,
    files: Iterable[Path] | None = None,
    preview: bool = False,
    cache: ArticleStore | None = None,
    memos: Memos | None = None,
    map: Executor = builtins.map,
) -> Publication:
    """Prepare a publication: load every article, ask the gate, plan the pages. Nothing is
    written (a renderer does that from the result). A build runs it as
    generator/build/publishing.py does: the collector paused, the gate on two cores."""
    room = load_newsroom(site, files, staff, cache)
    decision = decide(room, now, map=map, memos=memos)
    return publication(site, staff, room, decision, preview=preview)


def publication(
    site: Site, staff: Staff, room: Newsroom, decision: Decision, *, preview: bool = False
) -> Publication:
    """The pages of a decided newsroom: which are shown, which files may be copied."""
    pub = Publication(site, staff, room, decision, listing.plan(site, decision.published), preview)
    columns = [c.id for c in site.columns]
    for v in decision.verdicts:
        if reserved(v.article.src, columns):
            continue  # never rendered: the generated page there wins (generator/load/generated.py)
        # Preview shows every readable article (with a banner); a build only the public
        # ones and the withdrawal notices.
        if v.public or v.notice or (preview and v.article.meta is not None):
            pub.rendered[v.article.src] = v
        if v.public or (preview and v.article.meta is not None):
            pub.assets |= copied_files(v.article, room.files)
    return pub
