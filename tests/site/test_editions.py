"""Print editions (editions/<publication>/<issue>.yml): reviewed like articles with the real
`congress review`, judged by `congress check`, their final sign-off binding the list, the order
and each article's own approval; an edition naming an article that is not public is an error
that names it."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

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
    assert found["EDITION-ARTICLE-NOT-PUBLIC"]["line"] == 11
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
