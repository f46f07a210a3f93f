"""`congress check` catches what would be broken on the site: a missing image, a path that
leaves content/, a link to an article that is not public (issue 16, point 7)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.sitekit import NOW, article, congress, draft, make_site, snapshot

pytestmark = pytest.mark.site

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"/>'


def _line(root: Path, src: str, needle: str) -> int:
    lines = (root / "content" / src).read_text(encoding="utf-8").split("\n")
    return next(i for i, text in enumerate(lines, 1) if needle in text)


def _findings(root: Path, code: str) -> dict[str, list[dict[str, Any]]]:
    checked = congress("check", "--now", NOW, "--json", cwd=root)
    assert "Traceback" not in checked.stderr
    data = json.loads(checked.stdout)
    return {
        a["path"]: [f for f in a["findings"] if f["code"] == code] for a in data["articles"]
    } | {
        "": [
            {
                "exit": checked.returncode,
                "states": {a["path"]: a["state"] for a in data["articles"]},
            }
        ]
    }


def test_a_missing_image_is_an_error_on_the_line_of_its_link_and_a_warning_in_a_draft(
    tmp_path: Path,
) -> None:
    # The file name also appears in the text above the image: the finding is the link's line.
    body = "图 gone.svg 见下。\n\n正文。\n\n![示意图](gone.svg)\n"
    root = make_site(
        tmp_path,
        {
            "news/2026/signed.md": article(body, uid="2026-1120-000001"),
            "news/2026/draft.md": draft(body, uid="2026-1120-000002"),
        },
    )
    found = _findings(root, "GATE-FILE-MISSING")
    line = _line(root, "news/2026/signed.md", "](gone.svg)")
    assert [(f["severity"], f["line"]) for f in found["content/news/2026/signed.md"]] == [
        ("error", line)
    ]
    draft_line = _line(root, "news/2026/draft.md", "](gone.svg)")
    assert [(f["severity"], f["line"]) for f in found["content/news/2026/draft.md"]] == [
        ("warning", draft_line)
    ]
    assert found[""][0]["exit"] == 1
    assert found[""][0]["states"]["content/news/2026/signed.md"] == "invalid"


OUTSIDE = [
    "../../../../etc/passwd",
    "../../../secret.png",
    "/../secret.png",
    "%2e%2e/%2e%2e/%2e%2e/secret.png",
    "..%2F..%2F..%2Fsecret.png",
]


def test_a_path_that_leaves_content_is_an_error_and_nothing_outside_is_copied(
    tmp_path: Path,
) -> None:
    body = "正文。\n\n" + "\n\n".join(f"[附件{i}]({t})" for i, t in enumerate(OUTSIDE)) + "\n"
    root = make_site(
        tmp_path,
        {
            "news/2026/out.md": article(body, uid="2026-1120-000001"),
            "news/2026/cover.md": article(
                uid="2026-1120-000002", cover={"src": "../../../secret.png", "alt": "图"}
            ),
            "news/2026/fine.md": article("正文。\n\n![图](pic.svg)\n", uid="2026-1120-000003"),
        },
        assets={"news/2026/pic.svg": SVG},
    )
    (root / "secret.png").write_bytes(b"SECRETBYTES")
    found = _findings(root, "LINK-OUTSIDE")
    lines = sorted(f["line"] for f in found["content/news/2026/out.md"])
    assert lines == sorted(_line(root, "news/2026/out.md", f"]({t})") for t in OUTSIDE)
    assert all(f["severity"] == "error" for f in found["content/news/2026/out.md"])
    [cover] = found["content/news/2026/cover.md"]
    assert cover["line"] == _line(root, "news/2026/cover.md", "src: ../../../secret.png")
    assert found[""][0]["states"]["content/news/2026/fine.md"] == "published"
    built = congress("build", "--now", NOW, cwd=root)
    assert built.returncode == 1 and "LINK-OUTSIDE" in built.stderr
    site = snapshot(root / "site")
    assert "news/2026/fine/index.html" in site and "news/2026/out/index.html" not in site
    assert not any(b"SECRETBYTES" in data or b"root:x:" in data for data in site.values())


def _linker(target: str, **over: Any) -> str:
    return article(f"正文。\n\n详见[相关报道]({target})。\n", **over)


TARGETS: dict[str, tuple[str, str | None, str]] = {
    # target file: (its source, severity of the linker's finding, linker's state)
    "pending.md": (draft(uid="2026-1120-000011"), "error", "invalid"),
    "scheduled.md": (
        article(uid="2026-1120-000012", publish_at="2026-12-01T10:00:00+08:00"),
        "warning",
        "published",
    ),
    "expired.md": (
        article(uid="2026-1120-000013", expires_at="2026-11-25T10:00:00+08:00"),
        "warning",
        "published",
    ),
    "withdrawn.md": (
        article(
            uid="2026-1120-000014",
            withdrawn={"at": "2026-11-25T10:00:00+08:00", "reason": "数据有误"},
        ),
        "warning",
        "published",
    ),
    "invalid.md": (article(uid="2026-1120-000015", title=""), "error", "invalid"),
    "public.md": (article(uid="2026-1120-000016"), None, "published"),
}


@pytest.mark.parametrize("form", ["file", "page-url"])
def test_a_link_to_an_article_that_is_not_public_is_an_error_or_a_warning(
    tmp_path: Path, form: str
) -> None:
    files: dict[str, str | bytes] = {}
    for i, (name, (source, _, _)) in enumerate(TARGETS.items()):
        files[f"news/2026/{name}"] = source
        link = name if form == "file" else f"../{name.removesuffix('.md')}/"
        files[f"news/2026/to-{name}"] = _linker(link, uid=f"2026-1120-00002{i}")
    files["news/2026/to-nothing.md"] = _linker(
        "nothing.md" if form == "file" else "/news/2026/public/", uid="2026-1120-000030"
    )
    root = make_site(tmp_path, files)
    found = _findings(root, "LINK-NOT-PUBLIC")
    states = found[""][0]["states"]
    for name, (_, severity, state) in TARGETS.items():
        linker = f"content/news/2026/to-{name}"
        got = [(f["severity"], f["line"]) for f in found[linker]]
        expected = (
            [] if severity is None else [(severity, _line(root, f"news/2026/to-{name}", "详见"))]
        )
        assert got == expected, (linker, found[linker])
        assert states[linker] == state, linker
        if severity is not None:
            assert f"content/news/2026/{name}" in found[linker][0]["message"]
    nothing = found["content/news/2026/to-nothing.md"]
    # A missing article file is an error; a page URL naming a public article is fine.
    assert [f["severity"] for f in nothing] == (["error"] if form == "file" else [])


def test_a_draft_may_link_to_a_draft_and_a_broken_linker_breaks_its_own_linkers(
    tmp_path: Path,
) -> None:
    root = make_site(
        tmp_path,
        {
            "news/2026/a.md": draft("见[乙](b.md)。\n", uid="2026-1120-000001"),
            "news/2026/b.md": draft(uid="2026-1120-000002"),
            # c (signed) → d (signed) → b (draft): d is kept out, and so then is c.
            "news/2026/c.md": _linker("d.md", uid="2026-1120-000003"),
            "news/2026/d.md": _linker("b.md", uid="2026-1120-000004"),
        },
    )
    found = _findings(root, "LINK-NOT-PUBLIC")
    assert [f["severity"] for f in found["content/news/2026/a.md"]] == ["warning"]
    states = found[""][0]["states"]
    assert states["content/news/2026/a.md"] == "pending"
    assert states["content/news/2026/d.md"] == states["content/news/2026/c.md"] == "invalid"
    assert "无效" in found["content/news/2026/c.md"][0]["message"]


def test_a_target_unpublished_between_builds_re_judges_its_linker_in_the_cached_build(
    tmp_path: Path,
) -> None:
    root = make_site(
        tmp_path,
        {
            "news/2026/target.md": article(uid="2026-1120-000001"),
            "news/2026/linker.md": _linker("target.md", uid="2026-1120-000002"),
            "news/2026/other.md": article(uid="2026-1120-000003"),
        },
    )
    first = congress("build", "--now", NOW, cwd=root)
    assert first.returncode == 0, first.stderr
    assert (root / "site/news/2026/linker/index.html").is_file()
    # The target loses its approval (back to a draft): the linker's link would be broken.
    (root / "content/news/2026/target.md").write_text(
        draft(uid="2026-1120-000001"), encoding="utf-8"
    )
    again = congress("build", "--now", NOW, "--allow-removal", cwd=root)
    assert again.returncode == 1 and "LINK-NOT-PUBLIC" in again.stderr
    assert not (root / "site/news/2026/linker").exists()
    fresh = congress(
        "build", "--now", NOW, "--no-cache", "--site-dir", str(root / "fresh"), cwd=root
    )
    assert fresh.returncode == 1
    assert snapshot(root / "site") == snapshot(root / "fresh")
    # Published again: the linker comes back, in the cached build as in a fresh one.
    (root / "content/news/2026/target.md").write_text(
        article(uid="2026-1120-000001"), encoding="utf-8"
    )
    back = congress("build", "--now", NOW, cwd=root)
    assert back.returncode == 0, back.stderr
    assert (root / "site/news/2026/linker/index.html").is_file()
    fresh = congress(
        "build", "--now", NOW, "--no-cache", "--site-dir", str(root / "fresh2"), cwd=root
    )
    assert snapshot(root / "site") == snapshot(root / "fresh2")
