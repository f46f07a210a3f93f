"""Search records: an article is found by the people it names (authors, source, editor); the
archive is indexed in bundles by month and year: the newest month alone, the rest of its year
alone, older years grouped up to `search_shard_size` articles, every public article in exactly
one bundle."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from generator.core.clock import aware
from generator.core.config import load_site
from generator.core.staff import load_staff
from generator.derive.publication import prepare
from generator.derive.search import index_words, plan_shards, query_words
from generator.load.article import Article, parse_article
from tests.sitekit import NOW, ROOT, STAFF, article, congress, draft, make_site


def dated(year: int, i: int, month: int = 3) -> Article:
    text = article(uid=f"{year}-0101-{i:06d}", date=f"{year}-{month:02d}-01T10:00:00+08:00")
    a = parse_article(text.encode("utf-8"), f"news/{year}/p{i}.md", f"p{i}.md")
    assert a.meta is not None
    return a


def corpus(counts: dict[int, int]) -> list[Article]:
    return [dated(year, i) for year, n in counts.items() for i in range(n)]


def test_the_newest_month_and_the_rest_of_its_year_are_bundles_of_their_own() -> None:
    published = corpus({2019: 3, 2020: 4, 2021: 5, 2022: 2, 2023: 9, 2024: 1})
    published += [dated(2024, 100 + i, month=11) for i in range(3)]
    shards = plan_shards(published, 10)
    assert [(s.name, len(s.articles)) for s in shards] == [
        ("2024-11", 3),
        ("2024", 1),
        ("2023", 9),
        ("2021-2022", 7),
        ("2019-2020", 7),
    ]


def test_a_year_larger_than_a_bundle_is_cut_into_runs_of_months() -> None:
    shards = plan_shards(corpus({2020: 12, 2021: 1, 2022: 2}), 5)
    # 2020: all in March, a month larger than a bundle alone; 2022: March only.
    assert [s.name for s in shards] == ["2022-03", "2021", "2020-03"]
    year = [dated(2019, m * 10 + i, month=m) for m in range(1, 13) for i in range(2)]
    shards = plan_shards([*year, dated(2020, 1)], 6)
    assert [(s.name, len(s.articles)) for s in shards] == [
        ("2020-03", 1),
        ("2019-10-12", 6),
        ("2019-07-09", 6),
        ("2019-04-06", 6),
        ("2019-01-03", 6),
    ]


def test_bundles_are_bounded_by_their_text_too() -> None:
    """Pagefind's memory follows the text of a bundle: long reports make smaller bundles."""
    published = corpus({2018: 4, 2019: 4, 2020: 4, 2021: 1})
    per_article = len(published[0].body)
    by_count = plan_shards(published, 100)
    assert [s.name for s in by_count] == ["2021-03", "2018-2020"]
    by_text = plan_shards(published, 100, chars=8 * per_article)
    assert [s.name for s in by_text] == ["2021-03", "2020", "2018-2019"]


def test_a_new_month_moves_the_month_before_into_its_year() -> None:
    october = [dated(2026, i, month=10) for i in range(2)]
    november = [dated(2026, 10 + i, month=11) for i in range(2)]
    before = plan_shards(october + november, 100)
    assert [(s.name, len(s.articles)) for s in before] == [("2026-11", 2), ("2026", 2)]
    after = plan_shards([*october, *november, dated(2026, 20, month=12)], 100)
    assert [(s.name, len(s.articles)) for s in after] == [("2026-12", 1), ("2026", 4)]


def test_every_article_is_in_exactly_one_bundle() -> None:
    published = corpus({2018: 2, 2019: 3, 2020: 1, 2021: 4, 2022: 2})
    published += [dated(2022, 10 + i, month=1 + i) for i in range(4)]
    for size in (1, 2, 3, 5, 100):
        shards = plan_shards(published, size)
        uids = [a.meta.uid for s in shards for a in s.articles if a.meta]
        assert sorted(uids) == sorted(a.meta.uid for a in published if a.meta)
        # Only a bundle of one year ("2022") or one month ("2022-04") may be larger.
        assert all(len(s.articles) <= size or len(s.name) in (4, 7) for s in shards)
        assert len({s.name for s in shards}) == len(shards)


def test_nothing_published_means_no_bundle() -> None:
    assert plan_shards([], 10) == []


@pytest.mark.site
def test_a_built_site_has_one_folder_per_bundle_and_the_search_page_merges_them(
    tmp_path: Path,
) -> None:
    root = make_site(
        tmp_path,
        {
            f"news/{year}/p{i}.md": article(
                uid=f"{year}-0101-{i:06d}", date=f"{year}-{1 + 2 * i:02d}-01T10:00:00+08:00"
            )
            for year in (2024, 2025, 2026)
            for i in range(2)
        },
        search_shard_size=2,
    )
    assert congress("build", "--now", NOW, "--no-cache", cwd=root).returncode == 0
    bundles = sorted(p.parent.name for p in (root / "site/pagefind").glob("*/pagefind-entry.json"))
    assert bundles == ["2024", "2025", "2026", "2026-03"]
    page = (root / "site/search/index.html").read_text(encoding="utf-8")
    assert 'data-pagefind="../pagefind/2026-03/pagefind.js"' in page
    for name in ("2026", "2025", "2024"):
        assert f"../pagefind/{name}/" in page


@pytest.mark.site
def test_an_article_is_found_by_its_authors_source_and_editor(sample_site: Path) -> None:
    """The text search.js checks and the words Pagefind indexes name every author, the source
    (来源) and the responsible editor (by name, from editorial/staff.yml)."""
    site = load_site(ROOT / "mkdocs.yml")
    pub = prepare(site, aware(NOW), staff=load_staff(site))
    assert pub.decision.published
    for a in pub.decision.published:
        assert a.meta is not None
        text = (sample_site / "pagefind" / "text" / f"{a.meta.uid}.txt").read_text(encoding="utf-8")
        words = set(index_words(text))
        names = [*a.meta.authors, a.meta.source or "", pub.staff.name(a.meta.editor)]
        for name in filter(None, names):
            assert name in text, (a.src, name)
            assert set(query_words(name)) <= words, (a.src, name)
    assert pub.staff.name("song-yi") == "宋怡"  # a name, not the staff id


def _pagefind_bytes(site: Path) -> bytes:
    """Every file of the search index, decompressed (Pagefind gzips its index chunks)."""
    parts = []
    for path in sorted((site / "pagefind").rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            parts.append(gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data)
    return b"\n".join(parts)


@pytest.mark.site
def test_the_people_of_an_unpublished_article_never_reach_the_index(tmp_path: Path) -> None:
    staff = {**STAFF, "ed-z": {"name": "隐编辑", "roles": ["editor"]}}
    public = article(uid="2026-1120-0000aa", authors=["公开记者"], source="公开来源单位")
    pending = draft(
        uid="2026-1120-0000bb", authors=["未刊记者"], source="未刊来源单位", editor="ed-z"
    )
    make_site(tmp_path, {"news/2026/a.md": public, "news/2026/b.md": pending}, staff=staff)
    assert congress("build", "--now", NOW, "--no-cache", cwd=tmp_path).returncode == 0
    index = _pagefind_bytes(tmp_path / "site")
    for name in ("公开记者", "公开来源单位", "编辑甲"):  # found: the check below can fail
        assert name.encode() in index
        assert all(w.encode() in index for w in query_words(name)), name
    for name in ("未刊记者", "未刊来源单位", "隐编辑"):
        assert name.encode() not in index
        assert not all(w.encode() in index for w in query_words(name)), name
    assert not (tmp_path / "site/pagefind/text/2026-1120-0000bb.txt").exists()
