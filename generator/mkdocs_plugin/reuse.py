"""Rebuilding only what changed: the previous site is updated in place, off line.

`congress build` never writes into the live site. It builds into a staging folder and swaps it
in (generator/build/atomic.py); with the build cache (generator/build/cache.py) the site it
replaces is kept as the *spare*, and the next build uses the spare as its staging folder. The
cache knows, for every page of the spare, the key of what it shows
(generator/build/pagekeys.py) and the size and time of its file. A page whose key is unchanged
and whose file is still the one recorded is left as it is and marked unmodified, so that
mkdocs' `dirty` mode neither reads nor renders it; every other file is written anew; files the
new build does not make are removed (`delete_stale`). The result is checked like any other build
(verify.py) before it goes live.

Feeds need the HTML of the articles they carry, search the text of every public article: a
page is only kept if the cache has the first (articles in a feed) and the spare the second
(`pagefind/text/<uid>.txt`). A search bundle is kept if its articles' keys are unchanged.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from generator.build.cache import Cache, PageRecord, tree_key
from generator.build.filelist import FileInventory
from generator.build.pagekeys import page_keys
from generator.build.searchindex import Job, index_job
from generator.core.keys import fingerprint
from generator.derive.feeds import feed_articles
from generator.derive.publication import Publication
from generator.derive.search import Shard, Source


def render_key(config: MkDocsConfig) -> bytes:
    """The configuration and theme every page is rendered with."""
    config_file = Path(config.config_file_path or "mkdocs.yml")
    custom = config.theme.custom_dir
    return fingerprint(
        config_file.read_bytes() if config_file.is_file() else b"",
        tree_key(Path(custom)) if custom else b"",
        config.site_url or "",
        config.site_name,
        str(config.use_directory_urls),
        json.dumps(dict(config.extra), sort_keys=True, default=str, ensure_ascii=False),
    )


def _unmodified() -> bool:
    return False


class KeptPage(Page):
    """The page of a file left as it is (never in the navigation): mkdocs neither reads nor
    renders it, and only needs `file.page` to exist. mkdocs' own constructor works out a
    canonical URL, an edit URL and the build date for each: 0.3 s for 10,000 kept pages, and
    more in the garbage collector."""

    def __init__(self, file: File) -> None:  # without Page.__init__, on purpose
        file.page = self
        self.file = file
        self.previous_page = self.next_page = None
        self.active = False
        self.update_date = ""
        self.canonical_url = self.abs_url = self.edit_url = None
        self.markdown = self.content = None
        self._title_from_render = None
        self.toc = []  # type: ignore[assignment]
        self.meta = {}


@dataclass
class Reuse:
    """One build's use of the spare (`records` empty when the staging folder is new)."""

    cache: Cache
    staging: Path
    records: dict[str, PageRecord]  # dest → what the staging folder holds
    shard_records: dict[str, bytes]
    keys: dict[str, bytes] = field(default_factory=dict)  # src → key
    dest: dict[str, str] = field(default_factory=dict)  # src → dest path in the site
    kept: set[str] = field(default_factory=set)  # srcs whose page is left as it is
    html: dict[str, str] = field(default_factory=dict)  # src → cached HTML (feeds)
    in_feeds: set[str] = field(default_factory=set)
    shard_keys: dict[str, bytes] = field(default_factory=dict)
    new_html: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # rendered now
    inventory: FileInventory | None = None  # the spare before this build wrote (`delete_stale`)
    updating: bool = False  # the staging folder is a spare with content, not a new folder

    def plan(self, pub: Publication, files: Files, config: MkDocsConfig, search: bool) -> None:
        """Work out every page's key, keep the unchanged pages, clear the way for the rest."""
        with os.scandir(self.staging) as entries:
            self.updating = bool(self.records) or next(entries, None) is not None
        present = {f.src_uri for f in files}
        self.keys = page_keys(pub, render_key(config), present.__contains__)
        self.in_feeds = feed_articles(pub.site, pub.decision.published)
        public = {a.src: a.uid for a in pub.decision.published}
        texts = _names(self.staging / "pagefind" / "text") if search else set()
        for file in files:
            src = file.src_uri
            if src in self.keys:
                self.dest[src] = file.dest_uri
            if self._keep(file, public, texts, search):
                file.is_modified = _unmodified  # type: ignore[method-assign]
                KeptPage(file)
                self.kept.add(src)
            elif self.updating:
                # Written anew, never into the old file (which nothing else may share).
                _remove(self.staging / file.dest_uri)
        if self.updating:
            _remove(self.staging / "404.html")  # the theme's page, always rendered
            if self.inventory is None:
                self.inventory = FileInventory(self.staging, "pagefind")

    def _keep(self, file: File, public: dict[str, str], texts: set[str], search: bool) -> bool:
        src = file.src_uri
        key = self.keys.get(src)
        record = self.records.get(file.dest_uri)
        if key is None or record is None or record.key != key:
            return False
        if not _same(os.path.join(self.staging, file.dest_uri), record):
            return False
        if search and src in public and f"{public[src]}.txt" not in texts:
            return False
        if src in self.in_feeds:
            html = self.cache.html(src, key)
            if html is None:
                return False
            self.html[src] = html
        return True

    def clear(self, dest: str) -> None:
        """Make way for a file written after planning (feeds, sitemap)."""
        if self.updating:
            _remove(self.staging / dest)

    def rendered(self, file: File | None, src: str) -> str | None:
        """An article's body HTML: as rendered now, or as cached for a page kept."""
        page = file.page if file is not None else None
        if page is not None and page.content is not None:
            if src in self.in_feeds and src not in self.kept:
                self.new_html[src] = (self.keys[src], page.content)
            return str(page.content)
        return self.html.get(src)

    def jobs(self, shards: list[Shard], sources: dict[str, Source]) -> list[Job]:
        """Index again the bundles whose articles changed, expecting the HTML of the pages
        rendered now; keep the others."""
        jobs = []
        for shard in shards:
            key = fingerprint(shard.name, *(self.keys[a.src] for a in shard.articles))
            self.shard_keys[shard.name] = key
            keep = (
                self.shard_records.get(shard.name) == key
                and (self.staging / "pagefind" / shard.name / "pagefind-entry.json").is_file()
                and all(a.src in self.kept for a in shard.articles)
            )
            if keep:  # nothing to send to the indexing process
                jobs.append(Job(shard.name, (), reuse=True))
                continue
            jobs.append(index_job(shard, sources, self.kept))
        return jobs

    def records_of(self, site_dir: Path) -> dict[str, PageRecord]:
        """What the site now in `site_dir` holds, for the build after next."""
        pages = {}
        for src, dest in self.dest.items():
            try:
                stat = os.stat(os.path.join(site_dir, dest))
            except OSError:
                continue
            pages[dest] = PageRecord(self.keys[src], stat.st_size, int(stat.st_mtime))
        return pages

    def save_html(self) -> None:
        self.cache.keep_html((src, key, html) for src, (key, html) in self.new_html.items())


def delete_stale(
    staging: Path, expected: set[str], skip: str, inventory: FileInventory | None = None
) -> None:
    """Remove what an updated spare holds that this build did not make: every file not in
    `expected` (site paths), outside the top folder `skip`, then the folders left empty."""
    entries = inventory.entries() if inventory is not None else None
    if entries is None:
        entries = _walk(staging, skip)
    folders: set[str] = set()  # those that hold an expected file
    for dest in expected:
        parts = dest.split("/")
        folders.update("/".join(parts[:n]) for n in range(1, len(parts)))
    doomed_folders = []
    for rel in entries:
        if rel in expected or rel in folders:
            continue
        path = os.path.join(staging, rel)
        if os.path.isdir(path) and not os.path.islink(path):
            doomed_folders.append(path)
        else:
            _remove(Path(path))
    for folder in sorted(doomed_folders, key=len, reverse=True):  # children before parents
        with contextlib.suppress(OSError):
            os.rmdir(folder)


def _walk(staging: Path, skip: str) -> list[str]:
    found = []
    for folder, dirs, names in os.walk(staging):
        if folder == str(staging):
            dirs[:] = [d for d in dirs if d != skip]
        prefix = os.path.relpath(folder, staging).replace(os.sep, "/") + "/"
        prefix = "" if prefix == "./" else prefix
        found += [prefix + d for d in dirs]
        found += [prefix + n for n in names]
    return found


def delete_stale_search(pagefind: Path, bundles: set[str], uids: set[str]) -> None:
    """Remove the search bundles and article texts this build did not make."""
    if not pagefind.is_dir():
        return
    if not bundles:
        shutil.rmtree(pagefind)
        return
    for entry in os.scandir(pagefind):
        if entry.is_dir() and entry.name not in bundles and entry.name != "text":
            shutil.rmtree(entry.path)
        elif entry.is_file():
            os.unlink(entry.path)
    for entry in os.scandir(pagefind / "text"):
        if entry.name.removesuffix(".txt") not in uids or not entry.name.endswith(".txt"):
            os.unlink(entry.path)


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _names(folder: Path) -> set[str]:
    """The names of the regular files in `folder` (none if it is missing)."""
    try:
        with os.scandir(folder) as entries:
            return {e.name for e in entries if e.is_file(follow_symlinks=False)}
    except OSError:
        return set()


def _same(path: str, record: PageRecord) -> bool:
    """Whether the file is still the one recorded (whole seconds: CI caches restore times to
    the second) and is not shared with another folder."""
    try:
        stat = os.stat(path)
    except OSError:
        return False
    return stat.st_size == record.size and int(stat.st_mtime) == record.mtime and stat.st_nlink == 1
