"""What each page shows, as a digest: the key under which a rebuild may take a page over.

A page's HTML is a function of the site's configuration and theme (`render_key`, worked out
by the renderer), of the page's own source and of what the publication says about it. What a
reader sees of an article (`present.view`) follows from the file's content and, besides it,
only from the editor's name in the staff registry, from the URLs of its tags (which another
article's tag can move) and for a consultation from its status at build time and its feedback
article: together the article's `_content` key. An article page adds whether it is a withdrawal
notice and whether each relative link of its body points at a file of the build (mkdocs
rewrites those links); a listing page is its pager and the keys of the articles it lists. A
body change thus re-renders the article and its few listing pages; a new article, the listing
pages it appears on.

Pages in the navigation (the home page, each column's first page) are left out: the
navigation highlights them, and they are few; they are always rendered.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable

from generator.core.keys import fingerprint
from generator.derive.listing import Listing
from generator.derive.publication import Publication
from generator.load.article import Article


def page_keys(
    pub: Publication, render_key: bytes, present: Callable[[str], bool]
) -> dict[str, bytes]:
    """Source path → key, for every article page and every listing page outside the
    navigation. `present(src)` says whether a docs file is part of the build."""
    content_keys: dict[str, str] = {}

    def content_key(a: Article) -> str:
        key = content_keys.get(a.src)
        if key is None:
            key = content_keys[a.src] = _content(a, pub).hex()
        return key

    keys: dict[str, bytes] = {}
    for src, verdict in pub.rendered.items():
        notice = pub.notice_only(verdict)
        links = [] if notice else _targets(verdict.article, present)
        # The column article of an issue links its print edition's PDF, which the renderer
        # makes after this key (and may fail to make): such a page is never taken over, so that
        # its link always says what this build published (a few pages, one per edition).
        edition = pub.edition_pages.get(verdict.article.uid)
        keys[src] = fingerprint(
            render_key,
            "notice" if notice else "article",
            src,
            content_key(verdict.article),
            repr(links),
            os.urandom(16).hex() if edition is not None else "",
        )
    for item in pub.plan:
        if not item.in_nav:
            keys[item.src] = fingerprint(
                render_key, "listing", item.src, _listing(item, content_key)
            )
    return keys


def _content(a: Article, pub: Publication) -> bytes:
    """Everything `present.view` and the article page read: the file, the editor's name, the
    URL of each of its tags (another article's tag can take a slug over: slug.unique_slugs)
    and, for a consultation, its status now and its feedback article."""
    meta = a.meta
    assert meta is not None
    source = a.source_key
    content = source if source is not None else fingerprint(meta.model_dump_json(), a.body)
    consultation = ""
    if meta.consultation is not None:
        consultation = repr(pub.view(pub.rendered[a.src]).consultation)
    tags = repr([pub.plan.tag_urls.get(t) for t in meta.tags])
    return fingerprint(content, a.src, pub.staff.name(meta.editor), consultation, tags)


def _listing(item: Listing, view: Callable[[Article], str]) -> str:
    """A listing page's pager, groups and the keys of the articles it shows."""
    groups = [
        (g.title, g.url, g.count, g.column.id if g.column else None, [view(a) for a in g.items])
        for g in item.groups
    ]
    return repr(
        (
            item.kind,
            item.title,
            item.description,
            item.pager,
            item.column.id if item.column else None,
            [view(a) for a in item.items],
            groups,
            view(item.lead) if item.lead is not None else None,
        )
    )


def _targets(article: Article, present: Callable[[str], bool]) -> list[tuple[str, bool]]:
    """Every relative link target of the body (links.targets) and whether the build has it."""
    found = []
    folder = posixpath.dirname(article.src)
    for target in article.refs.targets:
        url = target.url
        if url.startswith(("#", "/", "mailto:", "tel:", "data:")) or "://" in url:
            continue
        path = url.split("#", 1)[0].split("?", 1)[0]
        resolved = posixpath.normpath(posixpath.join(folder, path))
        found.append((url, present(resolved)))
    return found
