"""Red team, files: only regular files of content/ reach the site, an article file is never an
attachment, the final sign-off binds the bytes of every file an article uses, and the
secondary text fields go through the body's text checks. Real builds with the real mkdocs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import mkdocs.commands.build
import pytest
from watchdog.observers.polling import PollingEmitter

from generator.mkdocs_plugin import walk
from tests.sitekit import NOW, article, congress, draft, judge, make_site, snapshot

pytestmark = pytest.mark.site

SECRET = b"SECRET-DEPLOY-KEY-CANARY"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><title>approved</title></svg>'
ID_NUMBER = "11010519491231002X"  # checksum-valid resident ID (a published example)
MOBILE = "13812345678"


def _run(args: list[str], cwd: Path, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    """A command that must finish: a regression that hangs fails here instead."""
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )


def _column(root: Path) -> Path:
    """Two approved articles of the news column, one showing an image from assets/."""
    return make_site(
        root,
        {
            "news/2026/one.md": article(
                "正文一。\n\n![图](../../assets/pic.svg)\n", uid="2026-1120-one001", title="稿件一"
            ),
            "news/2026/two.md": article("正文二。\n", uid="2026-1120-two002", title="稿件二"),
        },
        assets={"assets/pic.svg": SVG},
    )


def _link(root: Path, kind: str, outside: Path) -> tuple[Path, str]:
    """Make one kind of symbolic link in content/; returns it and how check names it."""
    secret = outside / "id_ed25519"
    secret.write_bytes(SECRET)
    folder = outside / "secrets"
    folder.mkdir()
    (folder / "key.svg").write_bytes(SECRET)
    (folder / "leak.md").write_text(draft("正文 " + SECRET.decode(), uid="2026-1120-leak01"))
    targets = {
        "outside-file": ("assets/key.svg", secret),
        "folder": ("assets/linked", folder),
        "loop": ("news/2026/loop", Path(".")),
        "root": ("news/root", Path("/")),
        "article": ("news/2026/three.md", folder / "leak.md"),
    }
    rel, target = targets[kind]
    link = root / "content" / rel
    link.symlink_to(target)
    return link, f"content/{rel}"


LINKS = ["outside-file", "folder", "loop", "root", "article"]


@pytest.mark.parametrize("kind", LINKS)
def test_symlink_of_each_kind_is_a_finding_never_followed(tmp_path: Path, kind: str) -> None:
    root = _column(tmp_path / "site")
    outside = tmp_path / "outside"
    outside.mkdir()
    # An approved article may even link to it: the link is still not followed.
    _, shown = _link(root, kind, outside)
    checked = _run([sys.executable, "-m", "generator", "check", "--now", NOW], root)
    assert checked.returncode == 1
    assert "CONTENT-SYMLINK" in checked.stdout and shown in checked.stdout
    assert "稿件一" in checked.stdout and "Traceback" not in checked.stderr
    built = _run([sys.executable, "-m", "generator", "build", "--now", NOW], root)
    assert built.returncode == 1 and "Traceback" not in built.stderr
    assert "CONTENT-SYMLINK" in built.stderr and shown in built.stderr
    site = root / "site"
    assert (site / "news/2026/one/index.html").is_file()
    assert (site / "news/2026/two/index.html").is_file()
    assert (site / "assets/pic.svg").read_bytes() == SVG
    for path, data in snapshot(site).items():
        assert SECRET not in data, path
        assert "linked" not in path and "loop" not in path and "key.svg" not in path


@pytest.mark.parametrize("kind", ["folder", "loop", "root"])
def test_plain_mkdocs_build_with_the_plugin_follows_no_link(tmp_path: Path, kind: str) -> None:
    root = _column(tmp_path / "site")
    outside = tmp_path / "outside"
    outside.mkdir()
    _link(root, kind, outside)
    env = {**os.environ, "CONGRESS_NOW": NOW}
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert built.returncode == 0, built.stderr
    assert "CONTENT-SYMLINK" in built.stderr
    assert (root / "site/news/2026/one/index.html").is_file()
    for path, data in snapshot(root / "site").items():
        assert SECRET not in data, path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_preview_server_starts_beside_a_link_to_root(tmp_path: Path) -> None:
    """mkdocs' watcher took a snapshot of docs_dir following links: a link to `/` kept
    `congress serve` from ever answering."""
    root = _column(tmp_path / "site")
    (root / "content/news/root").symlink_to("/")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--now", NOW, "-a", f"127.0.0.1:{port}"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        page = None
        for _ in range(240):  # up to about two minutes on a busy machine; a hang fails
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/news/2026/one/") as r:
                    page = r.read().decode("utf-8")
                break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.5)
        assert page is not None and "正文一" in page
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_mkdocs_seams_are_where_we_expect(tmp_path: Path) -> None:
    """walk.py replaces mkdocs.commands.build.get_files and watchdog's emitter class: if a
    new mkdocs or watchdog moves them, this fails before a link is followed again."""
    import inspect

    source = inspect.getsource(mkdocs.commands.build.build)
    assert "files = get_files(config)" in source
    assert source.index("on_config") < source.index("get_files(config)")
    root = _column(tmp_path / "site")
    (root / "content/news/root").symlink_to("/")
    from mkdocs.config import load_config

    config = load_config(str(root / "mkdocs.yml"))
    config.plugins.on_config(config)
    assert getattr(mkdocs.commands.build.get_files, "_congress_walk", False)
    files = mkdocs.commands.build.get_files(config)
    assert sorted(f.src_uri for f in files) == [
        "assets/pic.svg",
        "news/2026/one.md",
        "news/2026/two.md",
    ]

    class Server:
        def __init__(self) -> None:
            from watchdog.observers.polling import PollingObserver

            self.observer = PollingObserver()
            self.watched: list[str] = []

        def unwatch(self, path: str) -> None:
            self.watched.remove(path)

        def watch(self, path: str) -> None:
            self.watched.append(path)

    server = Server()
    server.watch("docs")
    walk.watch_without_links(server, "docs")
    emitter = server.observer._emitter_class  # type: ignore[attr-defined]
    assert emitter.func is PollingEmitter and emitter.keywords == {"stat": os.lstat}
    assert server.watched == ["docs"]


def test_article_suffix_variants_are_never_copied_raw(tmp_path: Path) -> None:
    drafts = {
        f"news/2026/draft-{i}{suffix}": draft(
            f"草稿正文 DRAFTCANARY{i}", uid=f"2026-1120-dr{i:04d}"
        )
        for i, suffix in enumerate([".MD", ".Md", ".markdown", ".MARKDOWN", ".mdown"])
    }
    links = "\n\n".join(f"[草稿{i}]({p.rsplit('/', 1)[1]})" for i, p in enumerate(drafts))
    root = make_site(
        tmp_path / "site",
        {"news/2026/one.md": article(f"正文一。\n\n{links}\n", uid="2026-1120-one001"), **drafts},
    )
    checked = congress("check", "--now", NOW, "--json", cwd=root)
    import json

    found = {
        a["path"]: {f["code"] for f in a["findings"]}
        for a in json.loads(checked.stdout)["articles"]
    }
    assert "ART-SUFFIX" in found["content/news/2026/draft-0.MD"]
    assert "ART-SUFFIX" in found["content/news/2026/draft-1.Md"]
    assert "ART-SUFFIX" not in found["content/news/2026/draft-2.markdown"]  # pending, rendered
    # Links to unpublished drafts would be broken: the linking article is kept out too.
    assert "LINK-NOT-PUBLIC" in found["content/news/2026/one.md"]
    built = congress("build", "--now", NOW, cwd=root)
    assert "Traceback" not in built.stderr
    site = root / "site"
    assert (site / "index.html").is_file() and not (site / "news/2026/one").exists()
    for path, data in snapshot(site).items():
        assert b"DRAFTCANARY" not in data, path
        assert not path.lower().endswith((".md", ".markdown", ".mdown")), path


def test_an_image_replaced_after_final_sign_off_voids_the_approval(tmp_path: Path) -> None:
    root = _column(tmp_path / "site")
    text = (root / "content/news/2026/one.md").read_text(encoding="utf-8")
    assert '"assets/pic.svg": sha256:' in text  # the final record keeps the file's hash
    assert congress("check", "--now", NOW, cwd=root).returncode == 0
    # Built once as approved: the next build starts from the build cache and the kept site.
    assert congress("build", "--now", NOW, cwd=root).returncode == 0
    assert (root / "site/assets/pic.svg").read_bytes() == SVG
    replaced = b'<svg xmlns="http://www.w3.org/2000/svg"><title>REPLACEDCANARY</title></svg>'
    (root / "content/assets/pic.svg").write_bytes(replaced)
    checked = congress("check", "--now", NOW, cwd=root)
    assert checked.returncode == 1
    assert "GATE-DIGEST" in checked.stdout and "content/assets/pic.svg" in checked.stdout
    # One of the column's two articles goes: more than the default share (BUILD-MASS-REMOVAL).
    built = congress("build", "--now", NOW, "--allow-removal", cwd=root)
    site = root / "site"
    assert not (site / "news/2026/one/index.html").exists()
    assert not (site / "assets/pic.svg").exists()
    assert (site / "news/2026/two/index.html").is_file()
    for path, data in snapshot(site).items():
        assert b"REPLACEDCANARY" not in data and "稿件一".encode() not in data, path
    assert "Traceback" not in built.stderr
    # The leader signs again, for the file as it is now: published again.
    resigned = congress(
        "review",
        "content/news/2026/one.md",
        "--stage",
        "final",
        "--by",
        "boss",
        "--now",
        NOW,
        cwd=root,
    )
    assert resigned.returncode == 0, resigned.stderr
    assert congress("check", "--now", NOW, cwd=root).returncode == 0


def test_a_missing_used_file_is_a_finding(tmp_path: Path) -> None:
    root = _column(tmp_path / "site")
    (root / "content/assets/pic.svg").unlink()
    checked = congress("check", "--now", NOW, cwd=root)
    assert checked.returncode == 1 and "GATE-FILE-MISSING" in checked.stdout
    assert "assets/pic.svg" in checked.stdout


SECONDARY = {
    "withdrawal reason": (
        {"withdrawn": {"at": "2026-11-25T10:00:00+08:00", "reason": "涉及秘密★10年内容"}},
        "",
        "TEXT-SECRECY",
        "秘密★",
    ),
    "correction note": (
        {
            "corrections": [
                {"at": "2026-11-21T08:00:00+08:00", "note": f"当事人身份证号{ID_NUMBER}已更正"}
            ]
        },
        "",
        "TEXT-ID-NUMBER",
        ID_NUMBER,
    ),
    "cover alt": (
        {"cover": {"src": "pic.svg", "alt": f"联系人手机{MOBILE}"}},
        "",
        "TEXT-MOBILE",
        MOBILE,
    ),
    "image alt": ({}, f"![身份证号{ID_NUMBER}](pic.svg)\n", "TEXT-ID-NUMBER", ID_NUMBER),
    "image caption": ({}, '![图](pic.svg "绝密 文件")\n', "TEXT-SECRECY", "绝密"),
}


@pytest.mark.parametrize("field", SECONDARY)
def test_secondary_fields_go_through_the_body_text_checks(field: str) -> None:
    over, body, code, flagged = SECONDARY[field]
    source = article("正文。\n\n" + body, **over)
    v = judge(source)
    assert not v.public and not v.notice
    hits = [f for f in v.findings if f.code == code]
    assert hits, [f.code for f in v.findings]
    lines = source.split("\n")
    assert flagged in lines[hits[0].line - 1]  # the finding points at the field's own line


def test_a_withdrawal_reason_with_a_marking_keeps_the_notice_off_the_site(tmp_path: Path) -> None:
    withdrawn = {"at": "2026-11-25T10:00:00+08:00", "reason": f"涉及秘密★内容 联系{MOBILE}"}
    root = make_site(
        tmp_path / "site",
        {
            "news/2026/gone.md": article(
                "正文撤稿。\n", uid="2026-1120-gone01", title="撤回稿件", withdrawn=withdrawn
            ),
            "news/2026/two.md": article("正文二。\n", uid="2026-1120-two002", title="稿件二"),
        },
    )
    built = congress("build", "--now", NOW, cwd=root)
    assert built.returncode == 1 and "TEXT-SECRECY" in built.stderr
    site = root / "site"
    assert not (site / "news/2026/gone/index.html").exists()
    assert (site / "news/2026/two/index.html").is_file()
    for path, data in snapshot(site).items():
        assert MOBILE.encode() not in data and "撤回稿件".encode() not in data, path
