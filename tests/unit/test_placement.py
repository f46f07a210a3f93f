"""The rules that judge one article against the site: where its file is (rules/placement.py),
the registries it names (rules/registry.py), its consultation (rules/consultation.py) and its
expiry (schedule.lifetime). Each is a pure function `(article, ctx)`, called here alone."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

import pytest

from generator.core.findings import Finding
from generator.gate.peers import Peers
from generator.gate.rules import Context, consultation, placement, registry, schedule
from generator.load.article import Article, parse_article
from tests.sitekit import context, draft

Rule = Callable[[Article, Context], Iterable[Finding]]
CONSULTATION = {"deadline": "2026-12-20T10:00:00+08:00", "channels": {"email": "a@example.cn"}}


def parsed(text: str, src: str = "news/2026/x.md") -> Article:
    return parse_article(text.encode("utf-8"), src, f"content/{src}")


def found(
    rule: Rule, text: str, src: str = "news/2026/x.md", ctx: Context | None = None
) -> list[Finding]:
    return list(rule(parsed(text, src), ctx or context()))


def codes(
    rule: Rule, text: str, src: str = "news/2026/x.md", ctx: Context | None = None
) -> list[str]:
    return [f.code for f in found(rule, text, src, ctx)]


def peers(**over: object) -> Peers:
    base: dict[str, object] = {
        "uids": {},
        "urls": {},
        "kinds": {},
        "unread": frozenset(),
        "reserved": frozenset(),
    }
    return Peers(**(base | over))  # type: ignore[arg-type]


# --- placement.file_name ---


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ("news/2026/zhifa-jiancha.md", []),
        ("news/2026/x.markdown", []),
        ("a.md", ["ART-LOCATION"]),
        ("news/a.md", ["ART-LOCATION"]),
        ("sports/2026/a.md", ["ART-LOCATION"]),
        ("news/twenty/a.md", ["ART-LOCATION"]),
        ("news/index.md", ["ART-RESERVED-PATH"]),
        ("news/page/2.md", ["ART-RESERVED-PATH"]),
        ("index.md", ["ART-RESERVED-PATH"]),
        ("news/2026/upper.MD", ["ART-SUFFIX"]),
        ("news/upper.MD", ["ART-SUFFIX", "ART-LOCATION"]),
        ("news/2026/执法检查.md", ["ART-SLUG"]),
        ("news/2026/Upper.md", ["ART-SLUG"]),
        ("news/2026/index.md", ["ART-SLUG"]),
        ("news/2026/readme.md", ["ART-SLUG"]),
    ],
)
def test_file_name_and_place(src: str, expected: list[str]) -> None:
    assert codes(placement.file_name, draft(), src) == expected


def test_file_name_findings_say_what_to_do() -> None:
    (suffix,) = found(placement.file_name, draft(), "news/2026/upper.MD")
    assert (suffix.line, suffix.hint) == (1, "把文件改名为小写扩展名（upper.md），再送审。")
    (slug,) = found(placement.file_name, draft(), "news/2026/执法检查.md")
    assert (slug.severity, slug.line) == ("warning", 1) and "zhi-fa-jian-cha.md" in slug.hint
    (location,) = found(placement.file_name, draft(), "news/a.md")
    assert location.message == "稿件不在栏目目录中：news/a.md"


def test_file_name_judges_an_unreadable_file_but_not_an_unread_entry() -> None:
    """A file whose front matter is broken is still judged by its name; an entry that stands
    for a file never read as an article (a link, a failure) is not."""
    broken = "---\ntitle: [x\n---\n"
    assert parsed(broken, "a.md").meta is None
    assert codes(placement.file_name, broken, "a.md") == ["ART-LOCATION"]
    ctx = replace(context(), peers=peers(unread=frozenset({"a.md"})))
    assert codes(placement.file_name, broken, "a.md", ctx) == []


# --- placement.folder ---


def test_unknown_column_lists_the_known_ones() -> None:
    (f,) = found(placement.folder, draft(column="sports"))
    assert f.code == "ART-COLUMN-UNKNOWN"
    assert "sports" in f.message and f.hint == "可用栏目：news、sessions、notices"
    assert f.line == 4


def test_column_must_match_its_folder() -> None:
    (f,) = found(placement.folder, draft(column="notices"))
    assert f.code == "ART-COLUMN-MISMATCH" and "content/notices/" in f.hint
    assert codes(placement.folder, draft(column="notices"), "notices/2026/x.md") == []


def test_year_folder_differs_from_date_is_a_warning() -> None:
    (f,) = found(placement.folder, draft(), "news/2025/x.md")
    assert (f.code, f.severity, f.line) == ("ART-YEAR", "warning", 5)
    assert codes(placement.folder, draft(column="sports"), "news/2025/x.md") == [
        "ART-COLUMN-UNKNOWN",
        "ART-YEAR",
    ]


def test_folder_is_not_judged_outside_a_column_folder() -> None:
    """A misplaced file has ART-LOCATION already: no folder to compare with."""
    assert codes(placement.folder, draft(column="notices"), "a.md") == []


# --- placement.used_files_placed ---


def test_a_used_file_at_a_generated_place_is_an_error_on_its_line() -> None:
    text = draft("正文。\n\n![图](../../feeds/x.png)\n")
    ctx = replace(context(), peers=peers(reserved=frozenset({"feeds/x.png"})))
    (f,) = found(placement.used_files_placed, text, ctx=ctx)
    assert (f.code, f.severity) == ("ASSET-RESERVED-PATH", "error")
    assert "feeds/x.png" in f.message
    assert f.line == text.split("\n").index("![图](../../feeds/x.png)") + 1
    assert codes(placement.used_files_placed, text) == []  # judging text alone: no files
    other = replace(context(), peers=peers(reserved=frozenset({"feeds/y.png"})))
    assert codes(placement.used_files_placed, text, ctx=other) == []


# --- registry ---


@pytest.mark.parametrize(
    ("editor", "problem"), [("nobody", "不在人员名录中"), ("boss", "不具备编辑角色")]
)
def test_editor_must_be_staff_with_the_editor_role(editor: str, problem: str) -> None:
    (f,) = found(registry.editor, draft(editor=editor))
    assert f.code == "ART-EDITOR" and f.message == f"责任编辑 {editor} {problem}"
    assert f.line == 8
    assert codes(registry.editor, draft(editor="ed-b")) == []


def test_specialist_committee_must_exist() -> None:
    (f,) = found(registry.specialist, draft(specialist="nope"))
    assert f.code == "ART-SPECIALIST" and "fagongwei" in f.hint
    assert codes(registry.specialist, draft(specialist="fagongwei")) == []


# --- consultation.consultation ---


@pytest.mark.parametrize(
    ("over", "problem"),
    [
        ({"kind": "consultation"}, "征求意见稿件缺少 consultation"),
        ({"consultation": CONSULTATION}, "只有 kind: consultation 的稿件可以写 consultation"),
        (
            {"kind": "consultation", "consultation": {**CONSULTATION, "channels": {}}},
            "征求意见至少要列出一种意见提交渠道",
        ),
        (
            {
                "kind": "consultation",
                "consultation": {**CONSULTATION, "opens": "2026-12-20T10:00:00+08:00"},
            },
            "征求意见的截止时间早于开始时间",
        ),
    ],
)
def test_consultation_needs_deadline_and_channels(over: dict[str, object], problem: str) -> None:
    (f,) = found(consultation.consultation, draft(**over))
    assert f.code == "ART-CONSULTATION" and f.message.startswith(problem)


def test_a_complete_consultation_passes() -> None:
    text = draft(kind="consultation", consultation=CONSULTATION)
    assert codes(consultation.consultation, text) == []


def test_channels_and_dates_are_reported_together_in_order() -> None:
    bad = {**CONSULTATION, "channels": {}, "opens": "2026-12-21T10:00:00+08:00"}
    found_ = found(consultation.consultation, draft(kind="consultation", consultation=bad))
    assert [f.message[:6] for f in found_] == ["征求意见至少", "征求意见的截"]


# --- schedule.lifetime ---


def test_expiry_before_going_live_is_an_error() -> None:
    (f,) = found(schedule.lifetime, draft(expires_at="2026-11-20T10:00:00+08:00"))
    assert f.code == "ART-EXPIRY"
    assert f.message == "下线时间 2026-11-20 10:00 早于上线时间 2026-11-20 10:00"
    later = draft(publish_at="2026-11-25T10:00:00+08:00", expires_at="2026-11-24T10:00:00+08:00")
    assert codes(schedule.lifetime, later) == ["ART-EXPIRY"]
    assert codes(schedule.lifetime, draft(expires_at="2026-11-21T10:00:00+08:00")) == []
