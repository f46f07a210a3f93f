"""The build cache: what a previous run learned, keyed by content, in `.cache/congress/`.

A rebuild after one article changed should cost a fraction of a full build, on an editor's
machine and in CI (which keeps the folder between runs). Everything here is keyed by a digest
of its inputs, never by time or by trust:

- `articles`: a file's parse (the `Article`: front matter, body, findings, and what was worked
  out from them when it was made: its text digest, the files it uses), keyed by the SHA-256
  of its bytes and the path it is shown under (`source_key`);
- `memos`: the gate's memos of an article (generator/gate/memos.py): the findings of its
  clock-free rule groups, by its source key and, within, by the key of the settings they
  were found with (the wording list, the text settings, the policy and the staff);
- `pages`: for every page of the live site and of its spare (the site before, kept to be
  updated in place), the digest of everything the page shows (generator/build/pagekeys.py) and the
  size and modification time of its file, so that a build can leave an unchanged page as is;
- `html`: the rendered body of each article by the same digest (feeds and search need it for
  pages that were not rendered again);
- `shards`: the same for each search bundle, by the digest of its articles' pages.

`code_key()` (the generator's own source, the theme, the renderers' versions) stamps the whole
store: when any of it changes, the store starts empty. A store that cannot be read, in part or
whole, is removed and started afresh, with a warning; the cache can make a build faster, never
different.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from generator.build.cachemaps import StoredMemos, StoredSignatures
from generator.core.findings import Code, Finding, Severity
from generator.core.keys import fingerprint
from generator.core.slug import TAG_SLUGS
from generator.gate.memos import Memos
from generator.load.article import Article

log = logging.getLogger("mkdocs.plugins.congress")

ENV_DIR = "CONGRESS_CACHE_DIR"
ENV_OFF = "CONGRESS_NO_CACHE"
SCHEMA = 3

CACHE_OFF = Code(
    "CACHE-OFF",
    Severity.WARNING,
    "构建缓存不可用，本次完整构建：{problem}",
    "检查 {path} 是否可写，或用环境变量 CONGRESS_CACHE_DIR 指定其他目录。",
)
CACHE_HTML = Code(
    "CACHE-HTML",
    Severity.ERROR,
    "构建缓存中缺少 {path} 的正文，无法生成订阅源",
    "删除 .cache/congress/ 后重新构建；如果再次出现，请报告这个问题。",
)
CACHE_WRITE = Code(
    "CACHE-WRITE",
    Severity.WARNING,
    "构建缓存写入失败（本次结果不受影响，下次构建会慢一些）：{problem}",
    "检查 {path} 是否可写、磁盘是否已满。",
)

_TABLES = """
create table if not exists meta (name text primary key, value blob);
create table if not exists articles (src text primary key, key blob, article blob);
create table if not exists memos (source blob primary key, memos blob);
create table if not exists signatures (key blob primary key, ok integer);
create table if not exists pages (tree text, dest text, key blob, size integer, mtime integer,
                                  primary key (tree, dest));
create table if not exists html (src text primary key, key blob, html text);
create table if not exists shards (tree text, name text, key blob, primary key (tree, name));
"""

# What the rendered site depends on besides the generator's own code and theme.
_RENDERERS = (
    "mkdocs",
    "mkdocs-material",
    "markdown",
    "pymdown-extensions",
    "jinja2",
    "feedgen",
    "nh3",
    *("pagefind", "pagefind-bin-extended"),
    *("autocorrect-py", "pypinyin"),
    "segno",  # the QR code at the foot of every article page (generator/derive/address.py)
    # The verification outcomes kept (`signatures`) hold only for the code that found them.
    "sshsig",
    "cryptography",
)


def _tree(root: Path) -> Iterator[tuple[str, bytes]]:
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
        for name in sorted(names):
            path = Path(folder) / name
            if path.suffix != ".pyc":
                yield path.relative_to(root).as_posix(), path.read_bytes()


@cache
def code_key() -> bytes:
    """The generator's own source and the renderers' versions: the stamp of the whole store."""
    from importlib import metadata  # slow to import; needed once per run

    parts: list[str | bytes] = [str(SCHEMA)]
    for rel, data in _tree(Path(__file__).parents[1]):  # the whole package, not build/ alone
        parts += [rel, data]
    for name in _RENDERERS:
        try:
            parts += [name, metadata.version(name)]
        except metadata.PackageNotFoundError:
            parts += [name, ""]
    return fingerprint(*parts)


def tree_key(*roots: Path) -> bytes:
    """Every file under the given folders (a theme), by name and content."""
    return fingerprint(
        *(part for root in roots for rel, data in _tree(root) for part in (rel, data))
    )


def cache_dir(root: Path) -> Path | None:
    """Where the cache of the site at `root` lives; None when switched off."""
    if os.environ.get(ENV_OFF):
        return None
    custom = os.environ.get(ENV_DIR)
    return Path(custom) if custom else root / ".cache" / "congress"


@dataclass(frozen=True)
class PageRecord:
    key: bytes
    size: int
    mtime: int


class Cache:
    """One open store; `close()` writes what this run learned. Not shared between threads."""

    def __init__(self, folder: Path, code: bytes) -> None:
        self.folder = folder
        self._db = _connect(folder, code)
        self._tags = self.get("tag_slugs") or {}
        for tag, slug in self._tags.items():
            TAG_SLUGS.setdefault(tag, slug)
        self._rows_by_src: dict[str, tuple[bytes, bytes]] | None = None
        self._parsed: list[tuple[str, bytes, bytes]] = []
        self._memos = StoredMemos(self._db)
        # The gate's memos (generator/gate/memos.py): those of the last run, and this run's.
        # With the outcome of every approval signature verified before (by signature and
        # statement): a changed registry judges the reviews again, not the cryptography.
        self.memos = Memos(self._memos, StoredSignatures(self._db))

    # --- articles -------------------------------------------------------------------------

    def _rows(self) -> dict[str, tuple[bytes, bytes]]:
        if self._rows_by_src is None:
            rows = self._db.execute("select src, key, article from articles")
            self._rows_by_src = {src: (k, a) for src, k, a in rows}
        return self._rows_by_src

    def article(self, src: str, key: bytes) -> Article | None:
        """The parsed article stored for `src` under this key, if any."""
        row = self._rows().get(src)
        if row is None or row[0] != key:
            return None
        try:
            article: Article = pickle.loads(row[1])
        except Exception:
            return None
        return article

    def keep_article(self, article: Article, key: bytes) -> None:
        """Remember a freshly parsed article (written when the store is closed)."""
        blob = pickle.dumps(article, protocol=pickle.HIGHEST_PROTOCOL)
        self._parsed.append((article.src, key, blob))

    def _learned_memos(self) -> Iterator[tuple[bytes, bytes]]:
        for source, memos in self.memos.learned().items():
            if memos != self._memos.get(source):
                yield source, pickle.dumps(memos, pickle.HIGHEST_PROTOCOL)

    # --- pages, rendered bodies, search shards ----------------------------------------------

    # A built site ("tree": the live site or its spare, by path) is known by the identity of
    # its folder, which survives renames, and by the size and time of each page file.

    def trusts(self, tree: str, folder: Path) -> bool:
        """Whether the records of `tree` describe `folder` (the very folder they were made for)."""
        try:
            stat = os.stat(folder)
        except OSError:
            return False
        return bool(self.get(f"root:{tree}") == (stat.st_dev, stat.st_ino))

    def pages(self, tree: str) -> dict[str, PageRecord]:
        rows = self._db.execute("select dest, key, size, mtime from pages where tree = ?", (tree,))
        return {dest: PageRecord(k, s, m) for dest, k, s, m in rows}

    def shards(self, tree: str) -> dict[str, bytes]:
        return dict(self._db.execute("select name, key from shards where tree = ?", (tree,)))

    def forget(self, tree: str) -> None:
        """Drop a tree's records (before it is changed: a build that dies leaves none)."""
        with self._db:
            self._db.execute("delete from pages where tree = ?", (tree,))
            self._db.execute("delete from shards where tree = ?", (tree,))
            self._db.execute("delete from meta where name = ?", (f"root:{tree}",))

    def rotate(
        self,
        live: str,
        spare: str,
        folder: Path,
        pages: dict[str, PageRecord],
        shards: dict[str, bytes],
    ) -> None:
        """After a swap: the records of the live tree become the spare's (its folder was
        renamed to the spare), and the new live tree in `folder` gets these."""
        stat = os.stat(folder)
        with self._db:
            for table in ("pages", "shards"):
                self._db.execute(f"delete from {table} where tree = ?", (spare,))
                self._db.execute(f"update {table} set tree = ? where tree = ?", (spare, live))
            self._db.execute(
                "update meta set name = ? where name = ?", (f"root:{spare}", f"root:{live}")
            )
            self._db.executemany(
                "insert into pages values (?, ?, ?, ?, ?)",
                ((live, d, r.key, r.size, r.mtime) for d, r in pages.items()),
            )
            self._db.executemany(
                "insert into shards values (?, ?, ?)", ((live, n, k) for n, k in shards.items())
            )
            self._db.execute(
                "insert or replace into meta values (?, ?)",
                (f"root:{live}", pickle.dumps((stat.st_dev, stat.st_ino))),
            )

    def html(self, src: str, key: bytes) -> str | None:
        row = self._db.execute("select key, html from html where src = ?", (src,)).fetchone()
        return str(row[1]) if row is not None and row[0] == key else None

    def keep_html(self, items: Iterable[tuple[str, bytes, str]]) -> None:
        with self._db:
            self._db.executemany("insert or replace into html values (?, ?, ?)", items)

    def get(self, name: str) -> Any:
        row = self._db.execute("select value from meta where name = ?", (name,)).fetchone()
        return None if row is None else pickle.loads(row[0])

    def put(self, name: str, value: Any) -> None:
        with self._db:
            self._db.execute(
                "insert or replace into meta values (?, ?)", (name, pickle.dumps(value))
            )

    def failed(self, exc: BaseException) -> None:
        """A write failed: say so, and drop the records of every built site, which may no
        longer describe what is on disk."""
        _warn(CACHE_WRITE.at(str(self.folder), problem=exc))
        with contextlib.suppress(sqlite3.Error), self._db:
            self._db.execute("delete from pages")
            self._db.execute("delete from shards")
            self._db.execute("delete from meta where name like 'root:%'")

    def close(self) -> None:
        try:
            if TAG_SLUGS.keys() - self._tags.keys():
                self.put("tag_slugs", dict(TAG_SLUGS))
            memos = list(self._learned_memos())
            verified = list(self.memos.learned_signatures().items())
            if self._parsed or memos or verified:
                with self._db:
                    self._db.executemany(
                        "insert or replace into signatures values (?, ?)", verified
                    )
                    self._db.executemany(
                        "insert or replace into articles values (?, ?, ?)", self._parsed
                    )
                    self._db.executemany("insert or replace into memos values (?, ?)", memos)
                    # Only the memos of what the files hold now.
                    self._db.execute(
                        "delete from memos where source not in (select key from articles)"
                    )
        except sqlite3.Error as exc:
            _warn(CACHE_WRITE.at(str(self.folder), problem=exc))
        finally:
            self._db.close()


def _connect(folder: Path, code: bytes) -> sqlite3.Connection:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "cache.sqlite3"
    for attempt in (1, 2):
        try:
            db = sqlite3.connect(path, timeout=60)
            db.execute("pragma journal_mode = wal")
            db.execute("pragma synchronous = normal")
            # Every page of the file readable: a damaged table would otherwise fail a build
            # halfway through (a fiftieth of a second for 60 MB).
            if db.execute("pragma quick_check").fetchone() != ("ok",):
                raise sqlite3.DatabaseError("database disk image is malformed")
            row = None
            with contextlib.suppress(sqlite3.OperationalError):  # not there: a new store
                row = db.execute("select value from meta where name = 'code'").fetchone()
            if row is None or row[0] != code:
                # New code, new theme or new renderers: nothing stored still holds.
                for table in ("meta", "articles", "memos", "signatures", "pages", "html", "shards"):
                    db.execute(f"drop table if exists {table}")
                db.executescript(_TABLES)
                with db:
                    db.execute("insert into meta values ('code', ?)", (code,))
            return db
        except sqlite3.DatabaseError as exc:
            if attempt == 2:
                raise
            _warn(CACHE_OFF.at(str(folder), problem=exc))  # this run builds in full
            for leftover in folder.glob("cache.sqlite3*"):
                leftover.unlink(missing_ok=True)
    raise AssertionError("unreachable")


def open_cache(root: Path) -> Cache | None:
    """The site's cache, or None when it is switched off or cannot be used here."""
    folder = cache_dir(root)
    if folder is None:
        return None
    try:
        return Cache(folder, code_key())
    except (OSError, sqlite3.Error) as exc:
        _warn(CACHE_OFF.at(str(folder), problem=exc))
        return None


def _warn(finding: Finding) -> None:
    log.warning("%s [%s] %s", finding.message, finding.code, finding.hint)
