"""Print editions (editions/<publication>/<issue>.yml): reviewed like articles with the real
`congress review`, judged by `congress check`, their final sign-off binding the list, the order
and each article's own approval; an edition naming an article that is not public is an error
that names it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import feedparser
import pytest

from tests.sitekit import NOW, article, congress, draft, make_site

pytestmark = pytest.mark.site

PUBLICATIONS = [
    {
        "id": "gazette",
        "name": "测试市人民代表大会常务委员会公报",
        "short_name": "公报",
        "column": "news",
    }
]
UIDS = ["2026-1120-aaaaa1", "2026-1120-aaaaa2", "2026-1120-aaaaa3"]
PENDING = "2026-1120-aaaaa4"
EDITION = """\
# 测试公报 2026年第6号
uid: 2026-1121-e00001
issue: 2026年第6号
running: 总第188号
date: 2026-11-21T09:00:00+08:00
editor: ed-a
page: 2026-1120-aaaaa1
articles:
{items}
"""
STAGES = [
    ("first", "ed-a", "10:00"),
    ("proofread", "pr-1", "10:30"),
    ("proofread", "pr-2", "11:00"),
    ("proofread", "ed-b", "11:30"),
    ("second", "head", "14:00"),
    ("secrecy", "sec", "15:00"),
    ("final", "boss", "16:00"),
]


def _edition(uids: list[str]) -> str:
    return EDITION.format(items="\n".join(f"  - {u}" for u in uids))


def _sign(root: Path, path: str, stages: list[tuple[str, str, str]] = STAGES) -> None:
    for stage, by, time in stages:
        result = congress(
            "review",
            path,
            "--stage",
            stage,
            "--by",
            by,
            "--at",
            f"2026-11-21T{time}:00+08:00",
            "--now",
            NOW,
            cwd=root,
        )
        assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A newsroom with three public articles and a pending one, and an edition of the three,
    signed at every stage."""
    root = tmp_path_factory.mktemp("editions") / "site"
    articles = {
        f"news/2026/a{i}.md": article(f"第{i}篇正文。\n", uid=uid, title=f"第{i}篇")
        for i, uid in enumerate(UIDS, 1)
    }
    articles["news/2026/p.md"] = draft("待审正文。\n", uid=PENDING, title="待审稿件")
    make_site(root, articles, publications=PUBLICATIONS)
    (root / "editions/gazette").mkdir(parents=True)
    (root / "editions/gazette/2026-06.yml").write_text(_edition(UIDS), encoding="utf-8")
    _sign(root, "editions/gazette/2026-06.yml")
    return root


def _copy(signed: Path, tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(signed, root, symlinks=True)
    return root


def _editions(root: Path) -> list[dict[str, object]]:
    result = congress("check", "--json", "--now", NOW, "--no-cache", cwd=root)
    assert "Traceback" not in result.stderr
    editions: list[dict[str, object]] = json.loads(result.stdout)["editions"]
    return editions


def _codes(edition: dict[str, object]) -> list[str]:
    return [f["code"] for f in edition["findings"]]  # type: ignore[attr-defined]


def test_a_signed_edition_of_public_articles_is_approved(signed: Path) -> None:
    (edition,) = _editions(signed)
    assert edition["state"] == "published", edition["findings"]
    assert edition["articles"] == UIDS
    text = (signed / "editions/gazette/2026-06.yml").read_text(encoding="utf-8")
    assert text.startswith("# 测试公报 2026年第6号\nuid: 2026-1121-e00001\n")  # kept as written
    assert text.count('sig: "sshsig:') == 7


def test_the_final_sign_off_binds_the_order(signed: Path, tmp_path: Path) -> None:
    root = _copy(signed, tmp_path)
    path = root / "editions/gazette/2026-06.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(f"  - {UIDS[0]}\n  - {UIDS[1]}", f"  - {UIDS[1]}\n  - {UIDS[0]}"),
        encoding="utf-8",
    )
    (edition,) = _editions(root)
    assert edition["state"] == "invalid" and "GATE-DIGEST" in _codes(edition)


def test_an_article_approved_again_after_the_edition_voids_it(signed: Path, tmp_path: Path) -> None:
    root = _copy(signed, tmp_path)
    (root / "content/news/2026/a2.md").write_text(
        article("第2篇正文（更正后）。\n", uid=UIDS[1], title="第2篇"), encoding="utf-8"
    )
    (edition,) = _editions(root)
    assert edition["state"] == "invalid" and "GATE-DIGEST" in _codes(edition)


def test_an_edition_naming_an_article_that_is_not_public_names_it(
    signed: Path, tmp_path: Path
) -> None:
    root = _copy(signed, tmp_path)
    path = root / "editions/gazette/2026-06.yml"
    path.write_text(_edition([*UIDS, PENDING, "2026-1120-nosuch"]), encoding="utf-8")
    (edition,) = _editions(root)
    found = {f["code"]: f for f in edition["findings"]}  # type: ignore[attr-defined]
    assert "待审稿件" in found["EDITION-ARTICLE-NOT-PUBLIC"]["message"]
    assert found["EDITION-ARTICLE-NOT-PUBLIC"]["line"] == 12
    assert "2026-1120-nosuch" in found["EDITION-ARTICLE-UNKNOWN"]["message"]
    assert edition["state"] == "invalid"
    check = congress("check", "--now", NOW, "--no-cache", cwd=root)
    assert check.returncode == 1 and "[EDITION-ARTICLE-NOT-PUBLIC]" in check.stdout


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("2026-07.yml", "uid: [unclosed\n", "EDITION-YAML"),
        ("2026-07.yml", "uid: 2026-1121-e00002\nissue: 第7号\n", "EDITION-INVALID"),
        (
            "2026-07.yml",
            "uid: 2026-1121-e00001\n" + _edition(UIDS).split("\n", 2)[2],
            "EDITION-UID",
        ),
        ("notes.txt", "随手记的文字\n", "EDITION-FILE"),
        ("2026-07.yml", _edition(UIDS).replace("第6号", "第6号\x07"), "TEXT-CONTROL-CHAR"),
    ],
)
def test_a_bad_edition_file_is_a_finding(
    signed: Path, tmp_path: Path, name: str, content: str, code: str
) -> None:
    root = _copy(signed, tmp_path)
    (root / "editions/gazette" / name).write_text(content, encoding="utf-8")
    editions = {e["path"]: e for e in _editions(root)}
    assert code in _codes(editions[f"editions/gazette/{name}"])
    assert editions["editions/gazette/2026-06.yml"]["state"] == "published"  # the other stands


def test_an_edition_file_that_is_a_link_or_of_an_unknown_publication(
    signed: Path, tmp_path: Path
) -> None:
    root = _copy(signed, tmp_path)
    os.symlink(root / "editions/gazette/2026-06.yml", root / "editions/gazette/link.yml")
    (root / "editions/bulletin").mkdir()
    shutil.copy(root / "editions/gazette/2026-06.yml", root / "editions/bulletin/2026-01.yml")
    editions = {e["path"]: e for e in _editions(root)}
    assert "EDITION-FILE" in _codes(editions["editions/gazette/link.yml"])
    assert "EDITION-PUBLICATION" in _codes(editions["editions/bulletin/2026-01.yml"])


def test_an_edition_is_signed_only_by_the_roles_and_in_the_order_of_the_policy(
    signed: Path, tmp_path: Path
) -> None:
    root = _copy(signed, tmp_path)
    path = "editions/gazette/2026-07.yml"
    (root / path).write_text(_edition(UIDS).replace("e00001", "e00007"), encoding="utf-8")
    wrong = congress("review", path, "--stage", "final", "--by", "ed-a", "--now", NOW, cwd=root)
    assert wrong.returncode == 1 and "拒绝签署" in wrong.stderr
    early = congress("review", path, "--stage", "second", "--by", "head", "--now", NOW, cwd=root)
    assert early.returncode == 1 and "拒绝签署" in early.stderr
    assert "review:" not in (root / path).read_text(encoding="utf-8")


def _pdf_text(path: Path) -> str:
    require_tool("pdftotext")
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout


def require_tool(name: str) -> None:
    from tests.browser.conftest import require

    require(shutil.which(name) or f"/usr/bin/{name}", name, "apt-get install poppler-utils")


@pytest.mark.print
def test_the_build_publishes_the_approved_edition_beside_its_page(
    signed: Path, tmp_path: Path
) -> None:
    root = _copy(signed, tmp_path)
    result = congress("build", "--now", NOW, cwd=root)
    assert result.returncode == 0, result.stderr
    pdf = root / "site/news/2026/a1/gazette-2026-06.pdf"
    assert pdf.is_file()
    page = (root / "site/news/2026/a1/index.html").read_text(encoding="utf-8")
    assert 'href="gazette-2026-06.pdf"' in page and "印刷版（PDF" in page
    manifest = json.loads((root / "build/publication-manifest.json").read_text(encoding="utf-8"))
    (listed,) = manifest["editions"]
    assert listed["sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert listed["pdf"] == "news/2026/a1/gazette-2026-06.pdf" and listed["pages"] >= 4
    feed = feedparser.parse((root / "site/feeds/all.rss").read_bytes())
    item = next(e for e in feed.entries if e.link.endswith("/news/2026/a1/"))
    assert item.enclosures[0]["type"] == "application/pdf"
    assert item.enclosures[0]["href"].endswith("/news/2026/a1/gazette-2026-06.pdf")
    text = _pdf_text(pdf)
    positions = [text.index(f"第{i}篇") for i in (1, 2, 3)]
    assert positions == sorted(positions)  # the contents in the edition's order
    again = tmp_path / "again"
    assert (
        congress("build", "--now", NOW, "--site-dir", str(again), "--no-cache", cwd=root).returncode
        == 0
    )
    assert (again / "news/2026/a1/gazette-2026-06.pdf").read_bytes() == pdf.read_bytes()


@pytest.mark.print
def test_an_edition_not_approved_is_neither_printed_nor_published(
    signed: Path, tmp_path: Path
) -> None:
    root = _copy(signed, tmp_path)
    path = root / "editions/gazette/2026-06.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            f"  - {UIDS[2]}\n", f"  - {UIDS[2]}\n  - {PENDING}\n"
        ),
        encoding="utf-8",
    )
    printed = congress(
        "print",
        "editions/gazette/2026-06.yml",
        "--now",
        NOW,
        "--out",
        str(tmp_path / "out"),
        cwd=root,
    )
    assert printed.returncode == 1 and "[EDITION-NOT-APPROVED]" in printed.stderr
    assert "待审稿件" in printed.stderr and not (tmp_path / "out").exists()
    assert congress("build", "--now", NOW, cwd=root).returncode == 0
    assert not list((root / "site").rglob("*.pdf"))
    assert "印刷版（PDF" not in (root / "site/news/2026/a1/index.html").read_text(encoding="utf-8")


@pytest.mark.print
def test_congress_print_makes_the_same_pdf_as_the_build(signed: Path, tmp_path: Path) -> None:
    root = _copy(signed, tmp_path)
    out = tmp_path / "out"
    result = congress("print", "2026-1121-e00001", "--now", NOW, "--out", str(out), cwd=root)
    assert result.returncode == 0, result.stderr
    printed = out / "gazette/2026-06.pdf"
    assert congress("build", "--now", NOW, cwd=root).returncode == 0
    assert printed.read_bytes() == (root / "site/news/2026/a1/gazette-2026-06.pdf").read_bytes()


def test_two_editions_cannot_share_a_page_and_the_folder_cannot_be_a_link(
    signed: Path, tmp_path: Path
) -> None:
    root = _copy(signed, tmp_path)
    second = _edition(UIDS).replace("e00001", "e00002").replace("第6号", "第7号")
    (root / "editions/gazette/2026-07.yml").write_text(second, encoding="utf-8")
    editions = {e["path"]: e for e in _editions(root)}
    assert "EDITION-PAGE-TAKEN" in _codes(editions["editions/gazette/2026-07.yml"])
    elsewhere = tmp_path / "elsewhere"
    shutil.move(root / "editions", elsewhere)
    (root / "editions").symlink_to(elsewhere)
    (linked,) = _editions(root)
    assert "EDITION-FILE" in _codes(linked) and "符号链接" in linked["findings"][0]["message"]
