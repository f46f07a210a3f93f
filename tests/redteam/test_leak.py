"""Red team, leaks: what the final sign-off binds is exactly what is copied, a copied draft
does not take its original offline, every published front-matter string is text-checked, a
huge file is refused before it is read, and a linked content/ or registry is refused.
Real sites built with the real mkdocs where the output is the question."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.sitekit import NOW, article, congress, draft, make_site, snapshot

pytestmark = pytest.mark.site

APPROVED = b"APPROVED-BYTES"
REPLACED = b"UNAPPROVED-CANARY-REPLACED"

# Variant → (link written in the approved article, the file under content/).
SEALED = {
    "no suffix": ("[年度报告](report)", "news/2026/report"),
    "sitemap.xml.pdf": ("[年度报告](/sitemap.xml.pdf)", "sitemap.xml.pdf"),
    "feedsx folder": ("[年度报告](/feedsx/report.pdf)", "feedsx/report.pdf"),
}
GENERATED = {
    "feeds folder": ("[年度报告](/feeds/report.pdf)", "feeds/report.pdf"),
    "search folder": ("[年度报告](/search/report.pdf)", "search/report.pdf"),
    "pagefind folder": ("[年度报告](/pagefind/report.pdf)", "pagefind/report.pdf"),
    "a feed": ("[订阅](/feeds/all.json)", "feeds/all.json"),
    "robots": ("[说明](/robots.txt)", "robots.txt"),
}


def _site(root: Path, link: str, rel: str) -> Path:
    return make_site(
        root,
        {
            "news/2026/a.md": article(f"正文。\n\n{link}\n", uid="2026-1120-aaaaaa", title="甲稿"),
            "news/2026/c.md": article(uid="2026-1120-cccccc", title="丙稿"),
        },
        assets={rel: APPROVED},
    )


def _published(root: Path, canary: bytes) -> list[str]:
    return [p for p, data in snapshot(root / "site").items() if canary in data]


@pytest.mark.parametrize("variant", SEALED)
def test_every_file_an_article_copies_is_bound_by_its_final_sign_off(
    tmp_path: Path, variant: str
) -> None:
    link, rel = SEALED[variant]
    root = _site(tmp_path / "site", link, rel)
    text = (root / "content/news/2026/a.md").read_text(encoding="utf-8")
    assert f'{rel}": sha256:' in text or f"{rel}: sha256:" in text  # bound, whatever its name
    assert congress("check", "--now", NOW, cwd=root).returncode == 0
    assert congress("build", "--now", NOW, cwd=root).returncode == 0
    assert (root / "site" / rel).read_bytes() == APPROVED  # the approved bytes are published
    (root / "content" / rel).write_bytes(REPLACED)
    checked = congress("check", "--now", NOW, cwd=root)
    assert checked.returncode == 1 and "GATE-DIGEST" in checked.stdout
    assert f"content/{rel}" in checked.stdout
    congress("build", "--now", NOW, "--allow-removal", cwd=root)
    assert _published(root, REPLACED) == []
    assert not (root / "site/news/2026/a/index.html").exists()


@pytest.mark.parametrize("variant", GENERATED)
def test_a_file_of_content_at_a_generated_path_is_never_copied_nor_sealed(
    tmp_path: Path, variant: str
) -> None:
    link, rel = GENERATED[variant]
    root = _site(tmp_path / "site", link, rel)
    assert "files:" not in (root / "content/news/2026/a.md").read_text(encoding="utf-8")
    (root / "content" / rel).write_bytes(REPLACED)
    congress("build", "--now", NOW, "--allow-removal", cwd=root)
    assert (root / "site/news/2026/c/index.html").is_file()  # the build went through
    assert _published(root, REPLACED) == []
    assert _published(root, APPROVED) == []


def test_page_links_are_not_files(tmp_path: Path) -> None:
    root = make_site(
        tmp_path / "site",
        {
            "news/2026/a.md": article(
                "正文。\n\n[乙稿](../b/)、[乙稿原文](b.md)、[栏目](..)、[首页](/)\n",
                uid="2026-1120-aaaaaa",
                title="甲稿",
            ),
            "news/2026/b.md": article(uid="2026-1120-bbbbbb", title="乙稿"),
        },
    )
    assert "files:" not in (root / "content/news/2026/a.md").read_text(encoding="utf-8")
    checked = congress("check", "--now", NOW, cwd=root)
    assert checked.returncode == 0, checked.stdout


def test_a_draft_copied_from_a_live_article_does_not_take_it_offline(tmp_path: Path) -> None:
    uid = "2026-1120-aaaaaa"
    live = {
        f"news/2026/{n}.md": article(uid=f"2026-1120-{n * 6}", title=f"好稿{n}") for n in "bcde"
    }
    root = make_site(
        tmp_path / "site",
        {
            "news/2026/a.md": article(uid=uid, title="好稿"),
            **live,
            # The editor's template: the live piece copied, review block deleted, new title.
            "news/2026/a-copy.md": draft(uid=uid, title="新稿"),
        },
    )
    checked = congress("check", "--now", NOW, "--json", cwd=root)
    by_path = {a["path"]: a for a in json.loads(checked.stdout)["articles"]}
    original, copy = by_path["content/news/2026/a.md"], by_path["content/news/2026/a-copy.md"]
    assert original["state"] == "published" and original["findings"] == []
    duplicate = [f for f in copy["findings"] if f["code"] == "ART-UID-DUPLICATE"]
    assert duplicate and "content/news/2026/a.md" in duplicate[0]["message"]
    assert "congress new" in duplicate[0]["hint"]
    built = congress("build", "--now", NOW, cwd=root)
    assert built.returncode == 1  # the copy's error, reported; the original stays live
    assert (root / "site/news/2026/a/index.html").is_file()
    assert not (root / "site/news/2026/a-copy/index.html").exists()


def test_two_approved_articles_with_one_uid_are_both_errors(tmp_path: Path) -> None:
    uid = "2026-1120-aaaaaa"
    text = article(uid=uid, title="好稿")
    root = make_site(tmp_path / "site", {"news/2026/a.md": text, "news/2026/z.md": text})
    checked = congress("check", "--now", NOW, "--json", cwd=root)
    for entry in json.loads(checked.stdout)["articles"]:
        assert "ART-UID-DUPLICATE" in [f["code"] for f in entry["findings"]], entry["path"]
