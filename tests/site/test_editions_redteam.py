"""Red-team review of the print editions (issue 18): each test here shows one problem found in
the review (notes/review18.md) and fails until it is fixed.

- the build publishes a PDF without its link, or a link without its PDF, when a layout fails
  while the edition's page is taken over from the previous build, or when the edition file is
  renamed;
- the build cache serves a PDF laid out with the publication's former settings;
- printed fields not bound by the edition's approval (the date re-spelt in another offset
  prints another day; the 主办单位 and the running header from mkdocs.yml);
- an edition dated after `now` is published at once;
- control characters written as YAML escapes, and duplicate keys, pass the edition loader;
- `congress print --now <future>` prints embargoed articles without the EXPORT-FUTURE warning
  the other channels give;
- an unreadable publication folder is a traceback in `congress check`;
- a class in an article body takes over the print layout (`cg-cover`);
- an edition file that starts with `---` cannot be signed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml

from tests.site.test_editions import PENDING, PUBLICATIONS, UIDS, _edition, _pdf_text, _sign
from tests.sitekit import NOW, article, congress, draft, make_site

pytestmark = pytest.mark.site

EDITION = "editions/gazette/2026-06.yml"
PAGE = "site/news/2026/a1/index.html"
PDF = "site/news/2026/a1/gazette-2026-06.pdf"
LINK = "印刷版（PDF"


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three public articles, a pending one, and an edition of the three signed at every
    stage (as tests/site/test_editions.py makes it)."""
    root = tmp_path_factory.mktemp("redteam") / "site"
    articles = {
        f"news/2026/a{i}.md": article(f"第{i}篇正文。\n", uid=uid, title=f"第{i}篇")
        for i, uid in enumerate(UIDS, 1)
    }
    articles["news/2026/p.md"] = draft("待审正文。\n", uid=PENDING, title="待审稿件")
    make_site(root, articles, publications=PUBLICATIONS)
    (root / "editions/gazette").mkdir(parents=True)
    (root / EDITION).write_text(_edition(UIDS), encoding="utf-8")
    _sign(root, EDITION)
    return root


def _copy(signed: Path, tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(signed, root, symlinks=True)
    return root


def _editions(root: Path) -> dict[str, dict[str, object]]:
    result = congress("check", "--json", "--now", NOW, "--no-cache", cwd=root)
    assert "Traceback" not in result.stderr, result.stderr
    return {e["path"]: e for e in json.loads(result.stdout)["editions"]}


def _codes(edition: dict[str, object]) -> list[str]:
    return [f["code"] for f in edition["findings"]]  # type: ignore[attr-defined]


def _build(root: Path, env: dict[str, str] | None = None) -> None:
    result = congress("build", "--now", NOW, cwd=root, env=env)
    assert result.returncode == 0, result.stderr


def _linked(root: Path) -> list[str]:
    """The PDFs the edition's page links, as site paths."""
    page = (root / PAGE).read_text(encoding="utf-8")
    if LINK not in page:
        return []
    return [f"site/news/2026/a1/{h}" for h in re.findall(r'href="([^"]+\.pdf)"', page)]


def _pdfs(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in (root / "site").rglob("*.pdf"))


def _without_weasyprint(tmp_path: Path) -> dict[str, str]:
    """The environment of a machine whose WeasyPrint cannot be imported (its Pango gone after
    an upgrade, say): a package of that name that fails to import, ahead on the path."""
    shim = tmp_path / "shim" / "weasyprint"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text('raise ImportError("no Pango")\n', encoding="utf-8")
    path = os.pathsep.join(p for p in (str(shim.parent), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path}


# ---- the build never half-publishes ---------------------------------------------------------


@pytest.mark.print
def test_a_kept_page_never_links_a_pdf_the_build_did_not_make(signed: Path, tmp_path: Path) -> None:
    """Build (the page links the PDF), then a build whose layout fails (WeasyPrint broken, the
    cached PDF gone): the page is taken over from the spare with its link, the PDF is removed
    as stale. A link to nothing goes live."""
    root = _copy(signed, tmp_path)
    _build(root)
    _build(root)  # the first build's site is now the spare the next one updates
    assert _linked(root) == [PDF] and _pdfs(root) == [PDF]
    shutil.rmtree(root / ".cache/congress/print")
    _build(root, env=_without_weasyprint(tmp_path))
    assert all((root / p).is_file() for p in _linked(root)), (_linked(root), _pdfs(root))


@pytest.mark.print
def test_a_kept_page_never_lacks_the_link_of_a_pdf_the_build_made(
    signed: Path, tmp_path: Path
) -> None:
    """Two builds whose layout fails (no link, no PDF), then one that succeeds: the PDF is
    published (feed enclosure, manifest) but the page, taken over from the spare, has no link."""
    root = _copy(signed, tmp_path)
    broken = _without_weasyprint(tmp_path)
    _build(root, env=broken)
    _build(root, env=broken)
    _build(root)
    assert _pdfs(root) == [PDF]
    assert _linked(root) == [PDF]


@pytest.mark.print
def test_renaming_the_edition_file_keeps_the_link_and_the_pdf_together(
    signed: Path, tmp_path: Path
) -> None:
    """The file name is the PDF's name but is not bound by the approval nor in the page key:
    after a rename the kept page links the old name, which the build removed."""
    root = _copy(signed, tmp_path)
    _build(root)
    _build(root)
    (root / EDITION).rename(root / "editions/gazette/2026-07.yml")
    _build(root)
    linked = _linked(root)
    assert linked and all((root / p).is_file() for p in linked), (linked, _pdfs(root))


# ---- the build cache ------------------------------------------------------------------------


def _set_publication(root: Path, **changes: object) -> None:
    path = root / "mkdocs.yml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["plugins"][0]["congress"]["publications"][0].update(changes)
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.mark.print
def test_the_cached_pdf_follows_the_publication_settings(signed: Path, tmp_path: Path) -> None:
    """The PDF cache key once was the edition's digest, the layout files and the bodies: not
    the publication's settings. The approval now binds 主办单位, the header, the format and
    the fonts (changing them voids it); the keywords, printed in the PDF's metadata only, are
    not bound, and a rebuild with the cache must follow them too."""
    root = _copy(signed, tmp_path)
    _build(root)
    _set_publication(root, keywords=["另一组关键词"])
    _build(root)
    fresh = tmp_path / "fresh"
    result = congress("build", "--now", NOW, "--no-cache", "--site-dir", str(fresh), cwd=root)
    assert result.returncode == 0, result.stderr
    assert (fresh / "news/2026/a1/gazette-2026-06.pdf").read_bytes() == (root / PDF).read_bytes()


# ---- what the approval binds ----------------------------------------------------------------


@pytest.mark.print
def test_the_printed_date_is_the_approved_day_in_beijing(signed: Path, tmp_path: Path) -> None:
    """The digest hashes the instant, so the date re-spelt in another offset keeps the
    approval; the cover then prints the day of that offset (date() without astimezone)."""
    root = _copy(signed, tmp_path)
    path = root / EDITION
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("date: 2026-11-21T09:00:00+08:00", "date: 2026-11-20T20:00:00-05:00"),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = congress("print", "2026-1121-e00001", "--now", NOW, "--out", str(out), cwd=root)
    if result.returncode != 0:  # the approval voided: a fix of its own kind
        assert "GATE-DIGEST" in result.stderr
        return
    assert "2026年11月21日出版" in _pdf_text(out / "gazette/2026-06.pdf")


def test_the_approval_covers_the_cover_and_the_running_header(signed: Path, tmp_path: Path) -> None:
    """主办单位 on the cover and the running header on every page come from mkdocs.yml and are
    not in the edition's statement: changing them prints other text under the same sign-off
    (the publication's name is bound; these are not)."""
    root = _copy(signed, tmp_path)
    _set_publication(root, publisher="另一主办单位", short_name="另一刊物")
    edition = _editions(root)[EDITION]
    assert edition["state"] != "published"


@pytest.mark.print
def test_an_edition_dated_after_now_is_not_yet_published(signed: Path, tmp_path: Path) -> None:
    """An article dated after `now` is scheduled; an edition dated after `now` (signed ahead of
    its issue day) goes on the site at once, its cover saying it appears next month."""
    root = _copy(signed, tmp_path)
    path = root / EDITION
    text = path.read_text(encoding="utf-8").split("\nreview:")[0] + "\n"
    path.write_text(
        text.replace("date: 2026-11-21T09:00:00+08:00", "date: 2026-12-20T09:00:00+08:00"),
        encoding="utf-8",
    )
    _sign(root, EDITION)
    assert _editions(root)[EDITION]["state"] != "published"
    _build(root)
    assert not _pdfs(root)


# ---- hostile edition files --------------------------------------------------------------------


def _unsigned(root: Path, text: str, name: str = "2026-07.yml") -> str:
    """A second, unsigned edition (its own uid, no page)."""
    text = text.replace("e00001", "e00002").replace("page: 2026-1120-aaaaa1\n", "")
    (root / "editions/gazette" / name).write_text(text, encoding="utf-8")
    return f"editions/gazette/{name}"


def test_control_characters_written_as_yaml_escapes_are_refused(
    signed: Path, tmp_path: Path
) -> None:
    """Articles scan the parsed values (invisible.scan_values); editions only the raw text, so
    `"\\f"` or `"\\e[31m"` in the issue reach the page's HTML, the PDF's title and the
    terminal."""
    root = _copy(signed, tmp_path)
    text = _edition(UIDS).replace("issue: 2026年第6号", 'issue: "2026年第7号\\f\\e[31m"')
    path = _unsigned(root, text)
    assert "TEXT-CONTROL-CHAR" in _codes(_editions(root)[path])


def test_duplicate_keys_in_an_edition_are_refused(signed: Path, tmp_path: Path) -> None:
    """A second `articles:` further down silently wins (articles refuse FM-DUPLICATE-KEY): the
    list a reader sees first is not the one signed and printed."""
    root = _copy(signed, tmp_path)
    text = _edition(UIDS) + f"articles:\n  - {UIDS[2]}\n"
    path = _unsigned(root, text)
    codes = _codes(_editions(root)[path])
    assert any("DUPLICATE" in c for c in codes), codes


def test_an_unreadable_publication_folder_is_a_finding(
    signed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`os.scandir` of a publication folder is outside any try: a folder the user may not read
    (shared machine, wrong mode) is a traceback in `congress check` (the build catches it as
    BUILD-FAILED). Shown in process: tests may run as root, who reads every folder."""
    from generator.core.config import load_site
    from generator.load import editions

    root = _copy(signed, tmp_path)
    site = load_site(root / "mkdocs.yml")
    real = os.scandir

    def scandir(path: object = ".") -> object:
        if str(path).endswith("gazette"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)  # type: ignore[arg-type]

    monkeypatch.setattr(editions.os, "scandir", scandir)
    found = editions.load_editions(site)
    assert any(f.code == "EDITION-FILE" for e in found for f in e.findings)


def test_an_edition_file_that_starts_with_a_document_marker_can_be_signed(
    signed: Path, tmp_path: Path
) -> None:
    """`---` on the first line is ordinary YAML and the loader accepts it, but the signer frames
    the file as front matter: the write is undone, 写入审核记录失败."""
    root = _copy(signed, tmp_path)
    path = _unsigned(root, "---\n" + _edition(UIDS))
    assert "GATE-PENDING-FIRST" in _codes(_editions(root)[path])
    _sign(root, path, [("first", "ed-a", "10:00")])


# ---- congress print ---------------------------------------------------------------------------


@pytest.mark.print
def test_print_at_a_future_moment_warns_as_the_other_channels_do(
    signed: Path, tmp_path: Path
) -> None:
    """`congress poster` and `congress wechat` warn EXPORT-FUTURE when judged at a future
    `--now` (an embargoed article would leave); `congress print` prints it silently and keeps
    no export record."""
    root = _copy(signed, tmp_path)
    out = tmp_path / "out"
    result = congress(
        "print", EDITION, "--now", "2099-01-01T12:00:00+08:00", "--out", str(out), cwd=root
    )
    assert "EXPORT-FUTURE" in result.stderr, result.stderr


# ---- the layout -------------------------------------------------------------------------------


@pytest.mark.print
def test_a_class_in_an_article_body_cannot_take_over_the_print_layout(tmp_path: Path) -> None:
    """Bodies keep their classes (attr_list: `{: .cg-cover }`), and edition.css styles the
    template's `cg-` classes at any depth: a paragraph of class cg-cover becomes a page of its
    own without header or number, and its empty string-set blanks the running header of every
    later page."""
    from generator.channels.printing import PrintArticle, render
    from tests.channels.editions import CSS, HEADER, TEMPLATE, edition, page_texts, para, squeeze
    from tests.channels.test_printing import need_weasyprint

    need_weasyprint()
    first = PrintArticle(
        "a", "第一篇", "2026年11月10日", "", "", para(1) + '<p class="cg-cover">尾注</p>'
    )
    second = PrintArticle("b", "第二篇", "2026年11月10日", "", "", para(1))
    pdf = tmp_path / "edition.pdf"
    pdf.write_bytes(
        render(
            edition((first, second)), base=tmp_path, allowed=frozenset(), template=TEMPLATE, css=CSS
        )
    )
    pages = page_texts(pdf)
    last = max(i for i, text in enumerate(pages) if "第二篇" in text)
    assert HEADER in squeeze(pages[last])
    assert len(pages) == 4  # cover, contents, one page each


def test_an_unsigned_copy_never_takes_the_approved_edition_offline(
    signed: Path, tmp_path: Path
) -> None:
    """The next issue started from a copy of this one (same page, same uid, not yet signed) in
    a file that sorts first: EDITION-UID and EDITION-PAGE-TAKEN go to the approved edition,
    whose PDF leaves the site. Articles keep the uid with the approved one (gate/rules/
    unique.py: "a copy of a live article must not take the original offline")."""
    root = _copy(signed, tmp_path)
    text = (root / EDITION).read_text(encoding="utf-8").split("\nreview:")[0] + "\n"
    (root / "editions/gazette/2026-05-next.yml").write_text(
        text.replace("第6号", "第7号"), encoding="utf-8"
    )
    assert _editions(root)[EDITION]["state"] == "published"
