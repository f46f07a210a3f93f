"""Nothing unapproved leaks: one article in every non-public state, each carrying unique
canary strings in its title, body, tags, summary, cover alt text, correction note and images
of its own. After a real build, no canary is in any byte (or name) of any output file, and
every public article is. Secondary fields (withdrawal reason, correction note, cover alt)
holding what the text checks block, and an image replaced after the final sign-off, keep
their article (and its files) off the site too."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tests.sitekit import NOW, approve, congress, draft, make_site

pytestmark = pytest.mark.site

WITHDRAWN = {"at": "2026-11-25T10:00:00+08:00", "reason": "数据核实中"}


def canary_article(n: int, *, sign: dict[str, object] | None, **over: object) -> str:
    tag = f"CANARY{n}"
    body = (
        f"正文 {tag}。\n\n![示意图 {tag}](img-{n}.svg)\n\n[附件](att-{n}.svg)\n\n"
        f'<img src="html-{n}.svg" alt="{tag}">\n'
    )
    fields: dict[str, object] = {
        "uid": f"2026-1120-c{n:05d}",
        "title": f"稿件 TITLE{n}",
        "summary": f"摘要 {tag}",
        "tags": ["公共标签", tag],
        "cover": {"src": f"cover-{n}.svg", "alt": f"封面 {tag}"},
        "corrections": [{"at": "2026-11-20T11:00:00+08:00", "note": f"更正 {tag}"}],
        **over,
    }
    text = draft(body, **fields)  # type: ignore[arg-type]
    return approve(text, **sign) if sign is not None else text  # type: ignore[arg-type]


def images(n: int) -> dict[str, bytes]:
    svg = f'<svg xmlns="http://www.w3.org/2000/svg"><title>CANARY{n}</title></svg>'.encode()
    return {f"news/2026/{name}-{n}.svg": svg for name in ("img", "att", "html", "cover")}


PUBLIC = {1: {}, 2: {"specialist": "fagongwei"}}
HIDDEN: dict[int, tuple[dict[str, object] | None, dict[str, object]]] = {
    10: (None, {}),  # nothing signed
    11: ({"skip": ("first",)}, {}),
    12: ({"skip": ("proofread",)}, {}),
    13: ({"skip": ("second",)}, {}),
    14: ({"skip": ("secrecy",)}, {}),
    15: ({"skip": ("final",)}, {}),
    16: ({"skip": ("committee",)}, {"specialist": "fagongwei"}),
    17: ({"skip": ("procedure",)}, {"kind": "meeting-report"}),
    18: ({"final": "proc"}, {}),  # wrong role
    19: ({"second": "multi", "final": "multi"}, {}),  # same person twice
    20: ({}, {"publish_at": "2026-12-01T00:00:00+08:00"}),  # scheduled
    21: ({}, {"expires_at": "2026-11-25T00:00:00+08:00"}),  # expired
    22: (None, {"withdrawn": WITHDRAWN}),  # withdrawn before approval
    23: ({}, {"withdrawn": WITHDRAWN}),  # withdrawn after approval: a notice remains
    24: ({}, {"date": "2026-12-02T10:00:00+08:00", "corrections": []}),  # dated in the future
    # Approved, withdrawn, and the (public) reason holds a secrecy marking: no notice either.
    28: ({}, {"withdrawn": {"at": "2026-11-25T10:00:00+08:00", "reason": "秘密★ CANARY28"}}),
    # Approved, but the cover alt text / the correction note holds personal data.
    30: ({}, {"cover": {"src": "cover-30.svg", "alt": "封面 11010519491231002X CANARY30"}}),
    31: (
        {},
        {"corrections": [{"at": "2026-11-20T11:00:00+08:00", "note": "更正 13812345678 CANARY31"}]},
    ),
}
REPLACED = 29  # approved, then its image replaced after the final sign-off


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("canary")
    articles: dict[str, str | bytes] = {}
    assets: dict[str, bytes] = {}
    for n, over in PUBLIC.items():
        articles[f"news/2026/public-{n}.md"] = canary_article(n, sign={}, **over)
        assets |= images(n)
    for n, (sign, over) in HIDDEN.items():
        articles[f"news/2026/hidden-{n}.md"] = canary_article(n, sign=sign, **over)
        assets |= images(n)
    edited = canary_article(25, sign={}).replace("正文 CANARY25", "正文（终审后改动）CANARY25")
    articles["news/2026/hidden-25.md"] = edited
    articles["news/2026/hidden-26.md"] = (
        "---\ntitle: 稿件 TITLE26 CANARY26\ntags: [CANARY26\n---\n正文 CANARY26\n"
    )
    articles["news/2026/hidden-27.md"] = canary_article(27, sign={}, column="sports")
    articles[f"news/2026/hidden-{REPLACED}.md"] = canary_article(REPLACED, sign={})
    for n in (25, 26, 27, REPLACED):
        assets |= images(n)
    make_site(root, articles, assets=assets)  # final sign-offs bind the images as written
    (root / f"content/news/2026/img-{REPLACED}.svg").write_bytes(
        b'<svg xmlns="http://www.w3.org/2000/svg"><title>CANARY29 replaced</title></svg>'
    )
    result = congress("build", "--now", NOW, cwd=root)
    assert result.returncode == 1  # the invalid ones are reported
    assert "Traceback" not in result.stderr
    (root / "build-stderr.txt").write_text(result.stderr, encoding="utf-8")
    return root / "site"


def output_bytes(site: Path) -> dict[Path, bytes]:
    """Every output file's bytes, decompressed where gzip (sitemap.xml.gz, Pagefind's files)."""
    found = {}
    for path in site.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found[path] = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    return found


def output_names(site: Path) -> list[str]:
    """The path of every output file and folder, relative to the site."""
    return [p.relative_to(site).as_posix() for p in site.rglob("*")]


HIDDEN_NUMBERS = [*HIDDEN, 25, 26, 27, REPLACED]


@pytest.mark.parametrize("n", HIDDEN_NUMBERS)
def test_no_canary_of_an_unpublished_article_in_any_output(built: Path, n: int) -> None:
    outputs = output_bytes(built)
    token = f"canary{n}".encode()  # in any case: Pagefind, for one, lower-cases words
    for path, data in outputs.items():
        assert token not in data.lower(), f"CANARY{n} leaked into {path.relative_to(built)}"
    title = f"TITLE{n}".encode()
    holders = sorted(p.relative_to(built).as_posix() for p, d in outputs.items() if title in d)
    # The withdrawal notice keeps the title, at its own URL only.
    assert holders == (["news/2026/hidden-23/index.html"] if n == 23 else [])


def archive_bytes(root: Path) -> dict[Path, bytes]:
    """Every byte of the web archive, each WARC's gzip members decompressed."""
    found = {}
    for path in (root / "archive").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found[path] = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    return found


@pytest.mark.parametrize("n", HIDDEN_NUMBERS)
def test_no_canary_of_an_unpublished_article_in_the_web_archive(built: Path, n: int) -> None:
    archived = archive_bytes(built.parent)
    assert any(p.name.endswith(".warc.gz") for p in archived), "the build archived nothing"
    assert any(b"canary1" in d.lower() for d in archived.values()), "public articles are archived"
    token, title = f"canary{n}".encode(), f"TITLE{n}".encode()
    for path, data in archived.items():
        assert token not in data.lower(), f"CANARY{n} leaked into {path.name}"
        # The withdrawal notice keeps the title: in its page's record only.
        if n != 23 or not path.name.endswith(".warc.gz"):
            assert title not in data, f"TITLE{n} leaked into {path.name}"
        for name in ("img", "att", "html", "cover"):
            assert f"/{name}-{n}.svg".encode() not in data, path.name


@pytest.mark.parametrize("n", HIDDEN_NUMBERS)
def test_no_output_file_or_folder_is_named_after_an_unpublished_article(
    built: Path, n: int
) -> None:
    token = f"canary{n}"  # tag pages are named after the tag's slug, in lower case
    assert [name for name in output_names(built) if token in name.lower()] == []


def test_withdrawal_notice_shows_only_title_date_and_reason(built: Path) -> None:
    notice = (built / "news/2026/hidden-23/index.html").read_text(encoding="utf-8")
    assert "本文已撤回" in notice and "数据核实中" in notice and "TITLE23" in notice


@pytest.mark.parametrize("n", PUBLIC)
def test_every_public_article_is_in_the_output(built: Path, n: int) -> None:
    page = (built / f"news/2026/public-{n}/index.html").read_text(encoding="utf-8")
    assert f"正文 CANARY{n}" in page and f"TITLE{n}" in page
    for name in ("img", "att", "html", "cover"):
        assert (built / f"news/2026/{name}-{n}.svg").is_file()
    listing = (built / "news/index.html").read_text(encoding="utf-8")
    assert f"TITLE{n}" in listing
    assert f"public-{n}/" in (built / "sitemap.xml").read_text(encoding="utf-8")
    # The public tag CANARY<n> has its page, named after it: the name check above can fail.
    assert any(name.startswith(f"tags/canary{n}-") for name in output_names(built))


def test_search_index_covers_exactly_the_public_articles(built: Path) -> None:
    texts = sorted(p.stem for p in (built / "pagefind" / "text").glob("*.txt"))
    assert texts == [f"2026-1120-c{n:05d}" for n in PUBLIC]
    index = b"".join(data for path, data in output_bytes(built).items() if "pagefind" in path.parts)
    for n in PUBLIC:
        assert f"canary{n}".encode() in index  # Latin words are indexed as they are


def test_production_build_has_no_preview_banner(built: Path) -> None:
    for path, data in output_bytes(built).items():
        assert "未经审核".encode() not in data, path


def test_secondary_fields_and_a_replaced_image_are_why_they_stay_off(built: Path) -> None:
    stderr = (built.parent / "build-stderr.txt").read_text(encoding="utf-8")
    lines = stderr.splitlines()

    def reported(path: str, code: str) -> bool:
        return any(path in line and f"[{code}]" in line for line in lines)

    assert reported("hidden-28.md", "TEXT-SECRECY")
    assert reported("hidden-30.md", "TEXT-ID-NUMBER")
    assert reported("hidden-31.md", "TEXT-MOBILE")
    assert any(
        "hidden-29.md" in line and "[GATE-DIGEST]" in line and "img-29.svg" in line
        for line in lines
    )


@pytest.fixture(scope="module")
def channels(built: Path) -> Path:
    """Every article of the newsroom asked for by the WeChat export: the public ones leave."""
    root, out = built.parent, built.parent / "wechat-out"
    result = congress("wechat", "content", "--out", str(out), "--now", NOW, "-q", cwd=root)
    assert result.returncode == 1 and "Traceback" not in result.stderr  # the others refused
    return out


def test_the_wechat_export_holds_the_public_articles_only(channels: Path) -> None:
    assert sorted(p.name for p in channels.iterdir()) == [
        f"2026-1120-c{n:05d}" for n in sorted(PUBLIC)
    ]
    data = b"".join(output_bytes(channels).values()).lower()
    for n in HIDDEN_NUMBERS:
        assert f"canary{n}".encode() not in data, f"CANARY{n} leaked into the WeChat export"
    for n in PUBLIC:
        assert f"canary{n}".encode() in data
