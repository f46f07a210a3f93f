"""One article whose page fails to render is left out; the other articles publish.

mkdocs renders every page's Markdown (`_populate_page` in mkdocs/commands/build.py) before
`on_env` and before it writes anything, and stops the whole build at the first exception.
`guard` catches an article's failure where it happens (`Page.render`, wrapped on that page
object alone); `leave_out`, called first thing in `on_env`, takes the article out of the
publication before anything derived is made from it: its verdict becomes invalid with an
ART-INTERNAL finding, and the listings are planned again without it. Feeds, sitemap, the
manifest and `verify` read the publication after that; the search index is told to drop the
article (`Indexing.drop`). Pages and copied files that no longer belong are taken out of
mkdocs' files, so they are neither written nor kept from an earlier build.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from generator.core.findings import Finding
from generator.derive import listing
from generator.derive.publication import Publication
from generator.gate.decide import State, Verdict
from generator.load.assets import copied_files

log = logging.getLogger("mkdocs.plugins.congress")


def guard(
    page: Page,
    failed: Callable[[BaseException], None],
    render: Callable[[Page, Files], None] | None = None,
) -> None:
    """Make this page's render report its exception to `failed` instead of raising it
    (`render`: what renders the page instead of its own `render`, convert.py)."""
    own = page.render

    def guarded(config: MkDocsConfig, files: Files) -> None:
        try:
            if render is not None:
                render(page, files)
            else:
                own(config, files)
        except Exception as exc:  # RecursionError, an extension's bug: this article only
            failed(exc)
            page.content = ""

    page.render = guarded  # type: ignore[method-assign]


def leave_out(pub: Publication, failed: dict[str, Finding], files: Files) -> None:
    """Take the articles of `failed` (src → finding) out of the publication and of `files`."""
    before = set(pub.listings)
    decision = pub.decision
    for i, v in enumerate(decision.verdicts):
        finding = failed.get(v.article.src)
        if finding is not None:
            decision.verdicts[i] = Verdict(v.article, State.INVALID, (*v.findings, finding))
            pub.rendered.pop(v.article.src, None)
            log.error(
                "%s %s [%s] %s", finding.location(), finding.message, finding.code, finding.hint
            )
    _forget(decision.__dict__, "published")
    for name in ("listings", "feedback"):
        _forget(pub.__dict__, name)
    pub.plan = listing.plan(pub.site, decision.published)
    left = [
        replace(s, articles=tuple(a for a in s.articles if a.src not in failed)) for s in pub.shards
    ]
    pub.__dict__["shards"] = [s for s in left if s.articles]  # an emptied bundle is not written
    pub._views.clear()  # views hold the plan's tag links
    files_of = pub.room.files
    used = set().union(*(copied_files(a, files_of) for a in decision.published))
    gone_assets = pub.assets - used if not pub.preview else set()
    pub.assets -= gone_assets
    for src in (before - set(pub.listings)) | set(failed) | gone_assets:
        file = files.get_file_from_path(src)
        if file is not None:
            files.remove(file)


def _forget(cached: dict[str, Any], name: str) -> None:
    """Drop a `cached_property` value, so that it is worked out again from what changed."""
    cached.pop(name, None)
