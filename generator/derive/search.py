"""Chinese search that finds what readers type, with Pagefind, over the published set only.

Out of the box Pagefind splits Chinese into words one way when indexing and the browser
(Intl.Segmenter) another way when searching, so a term is often missed; and a query's words
need not be adjacent, so a term that occurs nowhere still matches. Here the index and the
query are tokenized by the same rules, as Lucene's CJK analyzer does: a run of Han characters
becomes its character bigrams (民生实事 → 民生 生实 实事) plus its last character alone, and
letters and digits stay words (see _words). Each page is indexed with each of its words once
(positions would make the index several times larger and slower to build). The browser
asks Pagefind for each word of the term separately (a lone character or a Latin word as a
prefix) and keeps the pages that have them all; assets/search.js then keeps those whose text
contains the term itself, read from a plain-text copy of each public article
(`pagefind/text/<uid>.txt`). A page is therefore found if and only if its text contains it.

Words are written as `u` + the hex code points of their characters (民生 → u06c110751f): the
browser's word segmenter leaves such ASCII words alone whatever the page language.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import lxml.html

from generator.core.clock import minute
from generator.core.config import Site
from generator.core.staff import Staff
from generator.load.article import Article

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
_SEGMENT = re.compile(f"[0-9a-z{_HAN}]+")
_ASCII = re.compile("[0-9a-z]+")
LANGUAGE = "en"  # the index's language code: one that Pagefind does not segment


class _HexCache(dict[str, str]):
    def __missing__(self, char: str) -> str:
        self[char] = value = f"{ord(char):05x}"
        return value


_HEX = _HexCache()


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def canonical(text: str) -> str:
    """`text` as search compares it: NFKC, lower case, each run of other characters one break."""
    return "\n".join(_SEGMENT.findall(_normal(text)))


def contains(canonical_text: str, term: str) -> bool:
    """Whether a canonical text contains `term` (letters and digits from a word start)."""
    needle = canonical(term)
    if not needle:
        return False
    pattern = re.escape(needle)
    if needle[0] < "\u0080":
        pattern = "(?<![0-9a-z])" + pattern
    return re.search(pattern, canonical_text) is not None


def _words(text: str, *, query: bool) -> list[str]:
    """Index words (query=False) or query words (query=True) of a text, deduplicated in order.

    In each run of letters, digits and Han characters: every letter-and-digit word, every pair
    of neighbouring characters of which one is Han (as `u` + their hex code points, so 2026年
    gives 2026 and 6年), and a Han character alone where no pair starts with it: at the end of
    the run in the index, or as the whole of a one-character query, which Pagefind matches as
    a prefix.
    """
    words: dict[str, None] = {}
    for segment in _SEGMENT.findall(_normal(text)):
        for word in _ASCII.findall(segment):
            words[word] = None
        codes = [(c >= "\u0080", _HEX[c]) for c in segment]
        for (han_a, a), (han_b, b) in itertools.pairwise(codes):
            if han_a or han_b:
                words["u" + a + b] = None
        last_han, last = codes[-1]
        if last_han and (not query or len(codes) == 1):
            words["u" + last] = None
    return list(words)


def index_words(text: str) -> list[str]:
    """The distinct words a page is indexed with."""
    return _words(text, query=False)


def query_words(term: str) -> list[str]:
    """The words Pagefind is asked for, one search each (search.js does the same); the pages
    that have them all are the candidates."""
    return _words(term, query=True)


@dataclass(frozen=True)
class Record:
    url: str
    content: str
    meta: dict[str, str]  # what the search page shows of a result


@dataclass(frozen=True)
class Source:
    """What the index needs of one public article: plain data, so it can cross to a process."""

    uid: str
    url: str
    title: str
    summary: str
    tags: tuple[str, ...]
    column: str
    date: str
    people: tuple[str, ...] = ()  # authors, source (来源), responsible editor's name


def sources(site: Site, published: Iterable[Article], staff: Staff) -> list[Source]:
    """What the index needs of each article besides its HTML (which comes when rendered)."""
    out = []
    for a in published:
        meta = a.meta
        assert meta is not None
        column = site.congress.column(meta.column)
        out.append(
            Source(
                uid=meta.uid,
                url=a.url,
                title=meta.title,
                summary=meta.summary or "",
                tags=tuple(meta.tags),
                column=column.name if column else meta.column,
                date=minute(meta.date)[:10],
                people=(*meta.authors, meta.source or "", staff.name(meta.editor)),
            )
        )
    return out


def plain_text(html: str) -> str:
    if not html.strip():
        return ""
    return str(lxml.html.fromstring(html).text_content())


def searchable(src: Source, html: str) -> str:
    """The text a page is found by: title, summary, tags, the body (`html`, as rendered) as
    the reader sees it, and the people the page names as 作者, 来源 and 责任编辑, so that a
    reporter's or a deputy's name finds their articles. The people come last: a result's
    excerpt is taken at the first match, which should be in the body where there is one."""
    people = "　".join(p for p in src.people if p)
    return "\n".join([src.title, src.summary, " ".join(src.tags), plain_text(html), people])


def record(src: Source, text: str) -> Record:
    return Record(
        url=src.url,
        content=" ".join(index_words(text)),
        # No Pagefind filters: the search page does not use them, and their file is written
        # in a different order on every run, which would make builds differ.
        meta={"title": src.title, "date": src.date, "column": src.column, "uid": src.uid},
    )


@dataclass(frozen=True)
class Shard:
    """One Pagefind bundle: the public articles of some consecutive years, or of one month.

    Pagefind holds a whole bundle in memory while it indexes (about 250 KB per article of this
    site: 2.3 GB for 9,000 articles), so the archive is indexed in bundles of at most
    `search_shard_size` articles, which the browser merges (`mergeIndex`: one WebAssembly
    module for all; generator/build/searchindex.py writes them). Whole months and years: a
    new article or a correction of one of this month changes only the newest bundle (one of
    earlier this year, the bundle of the rest of the year), and a rebuild indexes again only
    the bundles whose articles changed.
    """

    name: str  # the bundle's folder under pagefind/: "2016-2019", "2026" or "2026-11"
    articles: tuple[Article, ...]


def plan_shards(published: list[Article], size: int, chars: int | None = None) -> list[Shard]:
    """The bundles, newest first (the search page loads the first and merges the others).

    The newest month has a bundle of its own, and so has the rest of its year: most new
    articles and corrections are there, and re-indexing a month's articles is quick (a
    bundle of a whole year took 1.5-3 s of a 10,000-article rebuild). When a new month
    begins, the month before joins its year's bundle. The older years are grouped, oldest
    first, into bundles of at most `size` articles and `chars` characters of text: Pagefind's
    memory follows both (measured: about 175 KB an article plus 40 bytes a character). A year
    larger than that is cut into runs of whole months, and so is the rest of the newest year.
    """
    if not published:
        return []
    limit = _Limit(size, chars)
    years: dict[int, list[Article]] = {}
    for a in published:
        assert a.meta is not None
        years.setdefault(a.meta.date.year, []).append(a)
    *older, newest = sorted(years)
    shards: list[Shard] = []
    grouped: list[list[int]] = []
    for year in older:
        if grouped and limit.fits([a for y in grouped[-1] for a in years[y]] + years[year]):
            grouped[-1].append(year)
        else:
            grouped.append([year])
    for g in grouped:
        articles = [a for y in g for a in years[y]]
        if len(g) == 1:
            shards += _by_months(g[0], articles, limit, whole=str(g[0]))
        else:
            shards.append(Shard(f"{g[0]}-{g[-1]}", tuple(articles)))
    month = max(_month(a) for a in years[newest])
    rest = [a for a in years[newest] if _month(a) < month]
    if rest:
        shards += _by_months(newest, rest, limit, whole=str(newest))
    shards.append(
        Shard(f"{newest}-{month:02d}", tuple(a for a in years[newest] if _month(a) == month))
    )
    return shards[::-1]


@dataclass(frozen=True)
class _Limit:
    size: int
    chars: int | None

    def fits(self, articles: list[Article]) -> bool:
        if len(articles) > self.size:
            return False
        return self.chars is None or sum(len(a.body) for a in articles) <= self.chars


def _by_months(year: int, articles: list[Article], limit: _Limit, *, whole: str) -> list[Shard]:
    """One bundle named `whole` if the articles fit the limit, else runs of whole months
    ("2020-01-06": January to June), oldest first (a month larger than the limit alone)."""
    if limit.fits(articles):
        return [Shard(whole, tuple(articles))]
    months: dict[int, list[Article]] = {}
    for a in articles:
        months.setdefault(_month(a), []).append(a)
    runs: list[list[int]] = []
    for m in sorted(months):
        if runs and limit.fits([a for r in runs[-1] for a in months[r]] + months[m]):
            runs[-1].append(m)
        else:
            runs.append([m])
    return [
        Shard(
            f"{year}-{r[0]:02d}" if len(r) == 1 else f"{year}-{r[0]:02d}-{r[-1]:02d}",
            tuple(a for m in r for a in months[m]),
        )
        for r in runs
    ]


def _month(a: Article) -> int:
    assert a.meta is not None
    return a.meta.date.month
