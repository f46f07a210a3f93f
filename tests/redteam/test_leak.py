"""Red team, leaks: what the final sign-off binds is exactly what is copied, a copied draft
does not take its original offline, every published front-matter string is text-checked, a
huge file is refused before it is read, and a linked content/ or registry is refused.
Real sites built with the real mkdocs where the output is the question."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sitekit import NOW, article, congress, make_site, snapshot

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
