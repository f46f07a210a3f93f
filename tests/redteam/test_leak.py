"""Red team, leaks: what the final sign-off binds is exactly what is copied, a copied draft
does not take its original offline, every published front-matter string is text-checked, a
huge file is refused before it is read, and a linked content/ or registry is refused.
Real sites built with the real mkdocs where the output is the question."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator.core.config import load_site
from generator.core.model import FrontMatter
from generator.gate.rules.source import NOT_PUBLISHED
from generator.load import contentfiles
from generator.load.newsroom import load_newsroom
from tests.sitekit import NOW, article, congress, draft, judge, make_site, snapshot

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


MARK = "机密★5年"
# Every optional part present, so that every string the contract holds has a value.
FULL: dict[str, Any] = {
    "kind": "consultation",
    "cover": {"src": "pic.png", "alt": "图"},
    "video": {"src": "https://media.example.com/v.mp4", "type": "video/mp4"},
    "consultation": {
        "opens": "2026-11-20T10:00:00+08:00",
        "deadline": "2026-12-20T17:00:00+08:00",
        "channels": {"email": "a@example.com", "post": "某路1号", "url": "https://example.com/"},
    },
    "corrections": [{"at": "2026-11-21T08:00:00+08:00", "note": "已更正。"}],
    "withdrawn": {"at": "2026-11-25T10:00:00+08:00", "reason": "撤稿。"},
}


def _string_leaves(schema: dict[str, Any], node: dict[str, Any], loc: tuple[str, ...]) -> Any:
    """Key paths of every string the model's JSON schema holds (lists: their first item)."""
    if "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    for option in node.get("anyOf", []):
        yield from _string_leaves(schema, option, loc)
    if node.get("type") == "object":
        for key, sub in node.get("properties", {}).items():
            yield from _string_leaves(schema, sub, (*loc, key))
    elif node.get("type") == "array":
        yield from _string_leaves(schema, node["items"], (*loc, "0"))
    elif node.get("type") == "string" and "format" not in node and "enum" not in node:
        yield loc, node.get("pattern", "")


def _marked(pattern: str) -> str:
    if pattern.startswith("^https?"):
        return f"https://example.com/{MARK}"
    return f"{MARK}@example.com" if "@" in pattern else f"内容{MARK}"


def _put(data: dict[str, Any], loc: tuple[str, ...], value: str) -> None:
    node: Any = data
    for key in loc[:-1]:
        node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
    if isinstance(node, list):
        node[int(loc[-1])] = value
    else:
        node[loc[-1]] = value


SCHEMA = FrontMatter.model_json_schema()
PUBLIC_STRINGS = sorted(
    {loc for loc, _ in _string_leaves(SCHEMA, SCHEMA, ()) if loc[0] not in NOT_PUBLISHED}
)


def test_the_unchecked_keys_are_an_explicit_short_list() -> None:
    assert {
        "uid", "column", "editor", "kind", "specialist", "feedback_for", "review", "exempt"
    } == NOT_PUBLISHED  # fmt: skip
    assert ("consultation", "channels", "post") in PUBLIC_STRINGS
    assert ("video", "type") in PUBLIC_STRINGS and ("cover", "src") in PUBLIC_STRINGS


@pytest.mark.parametrize("loc", PUBLIC_STRINGS, ids=".".join)
def test_every_published_front_matter_string_goes_through_the_text_checks(
    loc: tuple[str, ...], tmp_path: Path
) -> None:
    pattern = dict(_string_leaves(SCHEMA, SCHEMA, ()))[loc]
    front = json.loads(json.dumps(FULL))  # a deep copy
    if loc[0] in ("authors", "tags"):
        front[loc[0]] = ["甲"]
    _put(front, loc, _marked(pattern))
    source = draft("正文。\n", **front)
    v = judge(source)
    hits = [f for f in v.findings if f.code == "TEXT-SECRECY"]
    assert hits, [f.code for f in v.findings]
    assert MARK in source.split("\n")[hits[0].line - 1]  # at the field's own line


def test_a_huge_used_file_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site(
        tmp_path / "site",
        {
            "news/2026/a.md": article("正文。\n\n[附件](big.pdf)\n", uid="2026-1120-aaaaaa"),
            "news/2026/b.md": draft("正文。\n\n[附件](huge.pdf)\n", uid="2026-1120-bbbbbb"),
            "news/2026/c.md": article(uid="2026-1120-cccccc", title="丙稿"),
        },
        assets={"news/2026/big.pdf": b"%PDF-1.4 small and approved\n"},
        max_file_mb=1,
    )
    with open(root / "content/news/2026/big.pdf", "ab") as grown:
        grown.truncate(2 * 1024 * 1024)  # sparse: 2 MB over the 1 MB limit, after approval
    (root / "content/news/2026/huge.pdf").touch()
    os.truncate(root / "content/news/2026/huge.pdf", 4 * 1024**3)  # sparse 4 GB
    read: list[str] = []
    real = contentfiles._sha256
    monkeypatch.setattr(
        contentfiles,
        "_sha256",
        lambda path, limit=None: read.append(path.name) or real(path),
    )
    room = load_newsroom(load_site(root / "mkdocs.yml"))
    assert room.oversize == {"news/2026/big.pdf": 2 * 1024**2, "news/2026/huge.pdf": 4 * 1024**3}
    assert room.files["news/2026/huge.pdf"] is None
    assert read == []  # never opened: the size comes from the inode
    checked = congress("check", "--now", NOW, "--json", cwd=root)
    codes = {
        a["path"]: [f["code"] for f in a["findings"]]
        for a in json.loads(checked.stdout)["articles"]
    }
    assert "ASSET-TOO-LARGE" in codes["content/news/2026/a.md"]
    assert codes["content/news/2026/b.md"].count("ASSET-TOO-LARGE") == 1
    assert "GATE-FILE-MISSING" not in codes["content/news/2026/b.md"]
    congress("build", "--now", NOW, "--allow-removal", cwd=root)
    assert (root / "site/news/2026/c/index.html").is_file()
    assert not (root / "site/news/2026/a/index.html").exists()
    assert not (root / "site/news/2026/big.pdf").exists()
    assert not (root / "site/news/2026/huge.pdf").exists()


LINKED = {
    "content to /": ("content", "/"),
    "content to a folder outside": ("content", "OUTSIDE"),
    "staff.yml": ("editorial/staff.yml", "OUTSIDE/staff.yml"),
    "wording.yml": ("editorial/wording.yml", "OUTSIDE/wording.yml"),
    "editorial folder": ("editorial", "OUTSIDE"),
}


@pytest.mark.parametrize("case", LINKED)
def test_a_linked_content_folder_or_registry_is_a_configuration_error(
    tmp_path: Path, case: str
) -> None:
    root = make_site(tmp_path / "site", {"news/2026/a.md": article(uid="2026-1120-aaaaaa")})
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "editorial/wording.yml").write_text("forbidden: []\n", encoding="utf-8")
    for name in ("staff.yml", "wording.yml"):  # the same registries, only elsewhere
        (outside / name).write_bytes((root / "editorial" / name).read_bytes())
    (outside / "news/2026").mkdir(parents=True)
    (outside / "news/2026/a.md").write_bytes((root / "content/news/2026/a.md").read_bytes())
    rel, target = LINKED[case]
    moved = root / rel
    shutil.rmtree(moved) if moved.is_dir() else moved.unlink()
    moved.symlink_to(target.replace("OUTSIDE", str(outside)))
    for command in (("check",), ("build",)):
        done = congress(*command, "--now", NOW, cwd=root)
        assert done.returncode == 2, (command, done.stdout, done.stderr)
        assert "CFG-SYMLINK" in done.stderr and "Traceback" not in done.stderr
    assert not (root / "site").exists()
    plain = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert plain.returncode != 0 and not (root / "site").exists()
