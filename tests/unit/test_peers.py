"""The rules that compare an article with the rest of the newsroom (rules/unique.py,
consultation.feedback, placement.used_files_placed) read `Context.peers`, which `decide`
builds from the newsroom (gate/peers.py); and no check decides publication outside the
rule table."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from dataclasses import replace
from pathlib import Path
from types import ModuleType

from generator.core.clock import aware
from generator.core.config import load_site
from generator.core.findings import Code
from generator.gate import rules
from generator.gate.decide import RULES, Decision, decide
from generator.gate.peers import peers_of
from generator.gate.rules import consultation, unique
from generator.load.newsroom import Newsroom, load_newsroom
from tests.sitekit import NOW, article, context, draft, make_site
from tests.unit.test_placement import found, peers


def room(tmp_path: Path, articles: dict[str, str | bytes], **kw: object) -> Newsroom:
    make_site(tmp_path, articles, **kw)  # type: ignore[arg-type]
    return load_newsroom(load_site(tmp_path / "mkdocs.yml"))


def decided(tmp_path: Path, articles: dict[str, str | bytes], **kw: object) -> Decision:
    return decide(room(tmp_path, articles, **kw), aware(NOW))


def codes_of(d: Decision, src: str) -> list[str]:
    return [f.code for v in d.verdicts if v.article.src == src for f in v.findings]


# --- the rules alone ---


def test_uid_held_twice_names_the_approved_one_as_the_keeper() -> None:
    ctx = replace(
        context(),
        peers=peers(
            uids={"2026-1120-aaaaaa": (("content/a.md", False), ("content/news/2026/x.md", True))}
        ),
    )
    assert found(unique.uid, draft(), ctx=ctx) == []  # x.md is the approved one: it keeps it
    alone = replace(
        ctx,
        peers=peers(
            uids={"2026-1120-aaaaaa": (("content/a.md", True), ("content/news/2026/x.md", False))}
        ),
    )
    (f,) = found(unique.uid, draft(), ctx=alone)
    assert (f.code, f.line) == ("ART-UID-DUPLICATE", 2)
    assert f.message == "稿件编号 2026-1120-aaaaaa 与 content/a.md 重复"
    assert found(unique.uid, draft()) == []  # judging text alone: no other article


def test_a_uid_none_or_several_approve_is_a_duplicate_on_each() -> None:
    for ok in (False, True):
        group = (("content/news/2026/x.md", ok), ("content/b.md", ok), ("content/c.md", ok))
        ctx = replace(context(), peers=peers(uids={"2026-1120-aaaaaa": group}))
        (f,) = found(unique.uid, draft(), ctx=ctx)
        assert f.message.endswith("与 content/b.md 重复")


def test_url_clash_names_the_other_file() -> None:
    ctx = replace(
        context(),
        peers=peers(urls={"news/2026/x/": ("content/news/2026/x.md", "content/news/2026/X.md")}),
    )
    (f,) = found(unique.url, draft(), ctx=ctx)
    assert (f.code, f.line) == ("ART-URL-CLASH", 1)
    assert f.message == "与 content/news/2026/X.md 生成同一网址 /news/2026/x/"
    assert found(unique.url, draft()) == []


def test_feedback_names_a_consultation_of_the_newsroom() -> None:
    text = draft(feedback_for="2026-1120-cccccc")
    for kinds, problem in (({}, "不存在"), ({"2026-1120-cccccc": "news"}, "不是征求意见稿件")):
        (f,) = found(consultation.feedback, text, ctx=replace(context(), peers=peers(kinds=kinds)))
        assert f.code == "ART-FEEDBACK"
        assert f.message == f"feedback_for 指向的稿件 2026-1120-cccccc {problem}"
    ok = replace(context(), peers=peers(kinds={"2026-1120-cccccc": "consultation"}))
    assert found(consultation.feedback, text, ctx=ok) == []
    assert found(consultation.feedback, text) == []  # judging text alone


# --- what decide builds from the newsroom ---


def test_peers_of_a_newsroom(tmp_path: Path) -> None:
    r = room(
        tmp_path,
        {
            "news/2026/a.md": article(),
            "news/2026/b.md": draft(title="副本", kind="consultation"),
            "news/2026/c.md": draft(uid="2026-1120-cccccc"),
            "news/2026/c.markdown": "---\ntitle: [x\n---\n",
        },
        assets={"feeds/x.png": b"x"},
    )
    p = peers_of(r)
    assert p.uids == {
        "2026-1120-aaaaaa": (("content/news/2026/a.md", True), ("content/news/2026/b.md", False))
    }
    assert p.urls == {"news/2026/c/": ("content/news/2026/c.markdown", "content/news/2026/c.md")}
    assert p.kinds == {"2026-1120-aaaaaa": "consultation", "2026-1120-cccccc": "news"}
    assert (p.unread, p.reserved) == (frozenset({"feeds/x.png"}), frozenset({"feeds/x.png"}))


def test_duplicate_uid_is_reported_on_both_files(tmp_path: Path) -> None:
    d = decided(tmp_path, {"news/2026/a.md": draft(), "news/2026/b.md": draft(title="另一篇")})
    for src in ("news/2026/a.md", "news/2026/b.md"):
        assert [c for c in codes_of(d, src) if not c.startswith("GATE-PENDING")] == [
            "ART-UID-DUPLICATE"
        ]


def test_a_copy_of_a_live_article_does_not_take_it_offline(tmp_path: Path) -> None:
    d = decided(tmp_path, {"news/2026/a.md": article(), "news/2026/b.md": draft(title="副本")})
    assert codes_of(d, "news/2026/a.md") == []
    assert "ART-UID-DUPLICATE" in codes_of(d, "news/2026/b.md")
    assert [a.src for a in d.published] == ["news/2026/a.md"]


def test_two_files_resolving_to_one_url(tmp_path: Path) -> None:
    d = decided(
        tmp_path,
        {"news/2026/a.md": article(), "news/2026/a.markdown": article(uid="2026-1120-bbbbbb")},
    )
    assert codes_of(d, "news/2026/a.md") == ["ART-URL-CLASH"]
    assert codes_of(d, "news/2026/a.markdown") == ["ART-URL-CLASH"]


def test_an_unreadable_file_and_a_link_are_judged_by_their_url_only(tmp_path: Path) -> None:
    """An article whose front matter is broken still gets its file's findings; a link stands
    for a file never read: its own finding, and a clash of URL, nothing about its place."""
    make_site(tmp_path, {"news/2026/a.md": article(), "Bad.md": "---\ntitle: [x\n---\n"})
    os.symlink(tmp_path / "content/news/2026/a.md", tmp_path / "content/a.md")
    os.symlink(tmp_path / "content/news/2026/a.md", tmp_path / "content/news/2026/A.md")
    d = decide(load_newsroom(load_site(tmp_path / "mkdocs.yml")), aware(NOW))
    assert codes_of(d, "Bad.md") == ["FM-YAML", "ART-LOCATION"]
    assert codes_of(d, "a.md") == ["CONTENT-SYMLINK"]
    assert codes_of(d, "news/2026/A.md") == ["CONTENT-SYMLINK", "ART-URL-CLASH"]
    assert codes_of(d, "news/2026/a.md") == ["ART-URL-CLASH"]


def test_findings_keep_their_order_across_the_table(tmp_path: Path) -> None:
    """The rules that judge an article against the site and the newsroom come first, in the
    order the newsroom used to report them, then the review and text rules."""
    d = decided(
        tmp_path,
        {
            "news/2026/z.md": article(
                "正文。\n\n![图](../../feeds/x.png)\n", uid="2026-1120-zzzzzz"
            ),
            "news/2026/many.md": article(
                "正文。\n\n![图](../../feeds/x.png)\n",
                uid="2026-1120-zzzzzz",
                editor="head",
                column="notices",
                specialist="x",
                expires_at="2026-11-01T10:00:00+08:00",
                feedback_for="2026-1120-nothere",
                date="2025-11-20T10:00:00+08:00",
                kind="consultation",
            ),
            "news/2026/many.markdown": draft(uid="2026-1120-mmmmmm"),
        },
        assets={"feeds/x.png": b"x"},
    )
    assert codes_of(d, "news/2026/many.md")[:10] == [
        "ART-COLUMN-MISMATCH",
        "ART-YEAR",
        "ART-EDITOR",
        "ART-SPECIALIST",
        "ART-CONSULTATION",
        "ASSET-RESERVED-PATH",
        "ART-UID-DUPLICATE",
        "ART-URL-CLASH",
        "ART-FEEDBACK",
        "GATE-FIRST-ROLE",
    ]


# --- one table ---


def _declared(module: ModuleType) -> set[str]:
    """The codes a module holds, alone or in a table of codes (review.PENDING, review.ROLE)."""
    held: set[str] = set()
    for value in vars(module).values():
        values = value.values() if isinstance(value, dict) else [value]
        held |= {v.code for v in values if isinstance(v, Code)}
    return held


def test_every_rule_module_is_in_the_rule_table() -> None:
    """A rule module that declares codes has its rules in RULES: which rules decide
    publication is one list."""
    in_table = {sys.modules[rule.__module__] for rule in RULES}
    for info in pkgutil.iter_modules(rules.__path__, f"{rules.__name__}."):
        module = importlib.import_module(info.name)
        if _declared(module):
            assert module in in_table, module.__name__


def test_loading_only_parses_and_the_table_judges(tmp_path: Path) -> None:
    """On a newsroom with a problem of each kind the loading layer used to judge, the loaded
    entries carry only parsing and discovery findings, and every finding the gate adds comes
    from a module of the rule table."""
    cons = {"deadline": "2026-12-20T10:00:00+08:00", "channels": {}}
    r = room(
        tmp_path,
        {
            "a.md": article(editor="nobody", specialist="x", kind="consultation"),
            "news/2025/b.md": article(column="sports", expires_at="2026-01-01T10:00:00+08:00"),
            "news/2026/b.markdown": article(
                "![图](../../feeds/x.png)\n", feedback_for="2026-1120-nothere"
            ),
            "news/2026/B.md": draft(uid="2026-1120-bbbbbb", consultation=cons),
            "news/index.MD": "---\ntitle: [x\n---\n",
        },
        assets={"feeds/x.png": b"x"},
    )
    loaded = {f.code for a in r.articles for f in a.findings}
    assert loaded == {"FM-YAML", "ART-RESERVED-PATH"}
    assert [a.src for a in r.articles if a.findings] == ["feeds/x.png", "news/index.MD"]
    table = set().union(*(_declared(sys.modules[rule.__module__]) for rule in RULES))
    d = decide(r, aware(NOW))
    added = {f.code for v in d.verdicts for f in v.findings[len(v.article.findings) :]}
    assert added <= table
    moved = {"ART-LOCATION", "ART-EDITOR", "ART-SPECIALIST", "ART-CONSULTATION", "ART-YEAR"}
    moved |= {"ART-COLUMN-UNKNOWN", "ART-EXPIRY", "ASSET-RESERVED-PATH", "ART-FEEDBACK"}
    moved |= {"ART-UID-DUPLICATE", "ART-URL-CLASH", "ART-SUFFIX", "ART-RESERVED-PATH", "ART-SLUG"}
    assert moved <= added
