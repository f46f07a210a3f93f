"""`congress review`: signing writes only the review block, and refuses what the gate rejects."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.commands.frontedit import replace_review
from generator.core.model import Review
from tests.sitekit import NOW, congress, draft, make_site

HAND_WRITTEN = """---
uid: 2026-1120-abcdef   # 稿件编号
title: "市人大常委会开展执法检查：第一站"
column: news
date: 2026-11-20T10:00:00+08:00   # 发布时间
authors: [记者甲]
editor: ed-a
source: '测试市人大常委会办公室'
summary: >-
  一句话
  摘要。
tags:
  - 测试
# a comment the editor left

kind: news
---

正文第一段。

## 小标题

正文第二段。
"""

STEPS = [
    ("first", "ed-a", "2026-11-20T06:00:00+08:00"),
    ("proofread", "pr-1", "2026-11-20T06:10:00+08:00"),
    ("proofread", "pr-2", "2026-11-20T06:20:00+08:00"),
    ("proofread", "ed-b", "2026-11-20T06:30:00+08:00"),
    ("second", "head", "2026-11-20T07:00:00+08:00"),
    ("secrecy", "sec", "2026-11-20T07:30:00+08:00"),
    ("final", "boss", "2026-11-20T08:00:00+08:00"),
]


def sign(root: Path, stage: str, by: str, at: str, *paths: str):  # type: ignore[no-untyped-def]
    return congress(
        "review", *paths, "--stage", stage, "--by", by, "--at", at, "--now", NOW, cwd=root
    )


def without_review(text: str) -> str:
    return re.sub(r"review:.*\n(?:  .*\n)*", "", text)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_signing_round_trip_keeps_every_other_byte(tmp_path: Path, newline: str) -> None:
    original = HAND_WRITTEN.replace("\n", newline)
    make_site(tmp_path, {})
    path = tmp_path / "content/news/2026/a.md"
    path.parent.mkdir(parents=True)
    path.write_bytes(original.encode("utf-8"))
    assert '"state": "pending"' in congress("check", "--json", "--now", NOW, cwd=tmp_path).stdout
    for stage, by, at in STEPS:
        result = sign(tmp_path, stage, by, at, "content/news/2026/a.md")
        assert result.returncode == 0, result.stderr
    signed = path.read_bytes().decode("utf-8")
    assert without_review(signed.replace("\r\n", "\n")) == HAND_WRITTEN
    assert ("\r\n" in signed) == (newline == "\r\n")
    assert re.search(
        r"final: \{by: boss, at: 2026-11-20T08:00:00\+08:00, digest: sha256:[0-9a-f]{64}, "
        r'sig: "sshsig:[A-Za-z0-9+/=]+"\}',
        signed,
    )
    check = congress("check", "--json", "--now", NOW, cwd=tmp_path)
    assert '"state": "published"' in check.stdout


def test_review_block_is_replaced_in_place(tmp_path: Path) -> None:
    text = (
        "---\nuid: 2026-1120-abcdef\nreview:\n  first: {by: a, at: 2026-11-20T06:00:00+08:00}\n"
        "\ntitle: x\n---\nbody\n"
    )
    review = Review.model_validate({"first": {"by": "b", "at": "2026-11-20T07:00:00+08:00"}})
    out = replace_review(text, review)
    assert out.startswith("---\nuid: 2026-1120-abcdef\nreview:  # ")
    assert "  first: {by: b, at: 2026-11-20T07:00:00+08:00}\n\ntitle: x\n---\nbody\n" in out
    bom = replace_review("\ufeff" + text, review)
    assert bom.startswith("\ufeff---\n")


def test_many_files_in_one_call(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {
            "news/2026/a.md": draft(uid="2026-1120-aaaaa1"),
            "news/2026/b.md": draft(uid="2026-1120-aaaaa2", editor="ed-b"),
        },
    )
    result = sign(
        tmp_path,
        "first",
        "ed-a",
        "2026-11-20T06:00:00+08:00",
        "content/news/2026/a.md",
        "content/news/2026/b.md",
    )
    assert result.returncode == 1  # b's first review belongs to its own editor
    assert "已签署初审：content/news/2026/a.md" in result.stdout
    assert "content/news/2026/b.md" in result.stderr and "责任编辑" in result.stderr
    assert "review:" in (tmp_path / "content/news/2026/a.md").read_text(encoding="utf-8")
    assert "review:" not in (tmp_path / "content/news/2026/b.md").read_text(encoding="utf-8")


def signed_up_to(tmp_path: Path, last: int) -> Path:
    make_site(tmp_path, {"news/2026/a.md": draft()})
    for stage, by, at in STEPS[:last]:
        assert sign(tmp_path, stage, by, at, "content/news/2026/a.md").returncode == 0
    return tmp_path / "content/news/2026/a.md"


def refused(tmp_path: Path, stage: str, by: str, at: str = "2026-11-20T09:00:00+08:00") -> str:
    before = (tmp_path / "content/news/2026/a.md").read_bytes()
    result = sign(tmp_path, stage, by, at, "content/news/2026/a.md")
    assert result.returncode == 1, result.stdout
    assert "拒绝签署" in result.stderr and "Traceback" not in result.stderr
    assert (tmp_path / "content/news/2026/a.md").read_bytes() == before
    return result.stderr


def test_refuses_a_signer_without_the_role(tmp_path: Path) -> None:
    signed_up_to(tmp_path, 4)
    assert "不具备部门负责人角色" in refused(tmp_path, "second", "pr-1")


def test_refuses_a_second_review_stage_by_the_same_person(tmp_path: Path) -> None:
    make_site(tmp_path, {"news/2026/a.md": draft(editor="multi")})
    steps = [("first", "multi", "2026-11-20T06:00:00+08:00"), *STEPS[1:4]]
    for stage, by, at in steps:
        assert sign(tmp_path, stage, by, at, "content/news/2026/a.md").returncode == 0
    assert "不能签署复审：初审和复审由同一人（全能壬）签署" in refused(tmp_path, "second", "multi")


def test_refuses_final_by_someone_who_already_reviewed(tmp_path: Path) -> None:
    make_site(tmp_path, {"news/2026/a.md": draft(editor="multi")})
    steps = [("first", "multi", "2026-11-20T06:00:00+08:00"), *STEPS[1:6]]
    for stage, by, at in steps:
        assert sign(tmp_path, stage, by, at, "content/news/2026/a.md").returncode == 0
    message = refused(tmp_path, "final", "multi")
    assert "不能签署终审：初审和终审由同一人（全能壬）签署" in message
    assert "初审、复审、终审须由三个不同的人签署" in message


def test_refuses_final_before_the_other_stages(tmp_path: Path) -> None:
    signed_up_to(tmp_path, 4)
    message = refused(tmp_path, "final", "boss")
    assert "终审须在其他环节之后" in message and "复审" in message and "保密审查" in message


def test_refuses_second_before_first(tmp_path: Path) -> None:
    signed_up_to(tmp_path, 0)
    assert "复审须在初审之后" in refused(tmp_path, "second", "head")


def test_refuses_a_signature_earlier_than_the_stage_before_with_the_gates_reason(
    tmp_path: Path,
) -> None:
    """What the gate would find on the signed article is the reason given (GATE-ORDER
    here), not "the article has errors": the article has none until the signature."""
    signed_up_to(tmp_path, 4)
    message = refused(tmp_path, "second", "head", "2026-11-20T05:00:00+08:00")
    assert (
        "[REVIEW-REFUSED] 不能签署复审：复审（2026-11-20 05:00）早于初审（2026-11-20 06:00）"
        in message
    )


def test_refuses_a_file_with_errors(tmp_path: Path) -> None:
    path = signed_up_to(tmp_path, 1)
    path.write_text(
        path.read_text(encoding="utf-8").replace("column: news", "column: sports"), encoding="utf-8"
    )
    assert "稿件有 1 处错误" in refused(tmp_path, "proofread", "pr-1")


def test_refuses_a_future_time_and_an_author(tmp_path: Path) -> None:
    signed_up_to(tmp_path, 0)
    assert "晚于当前时间" in refused(tmp_path, "first", "ed-a", "2026-12-01T00:00:00+08:00")
    path = tmp_path / "content/news/2026/a.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("- 记者甲", "- 编辑甲"), encoding="utf-8"
    )
    assert "不能签署初审：作者 编辑甲 不能审核自己的稿件（初审）" in refused(
        tmp_path, "first", "ed-a"
    )


def test_refuses_to_sign_a_stage_twice(tmp_path: Path) -> None:
    signed_up_to(tmp_path, 7)
    assert "已由 领导丁" in refused(tmp_path, "final", "boss2")
    assert "已完成3次校对" in refused(tmp_path, "proofread", "pr-1")


def test_a_changed_article_gets_a_new_final_sign_off(tmp_path: Path) -> None:
    path = signed_up_to(tmp_path, 7)
    text = path.read_text(encoding="utf-8").replace("正文第二段。", "正文第二段（已更正）。")
    text = text.replace(
        "kind: news\n",
        "kind: news\ncorrections:\n- {at: 2026-11-21T09:00:00+08:00, note: 第二段有误，已更正。}\n",
    )
    path.write_text(text, encoding="utf-8")
    check = congress("check", "--now", NOW, cwd=tmp_path)
    assert check.returncode == 1 and "GATE-DIGEST" in check.stdout
    result = sign(tmp_path, "final", "boss2", "2026-11-21T10:00:00+08:00", "content/news/2026/a.md")
    assert result.returncode == 0, result.stderr
    after = path.read_text(encoding="utf-8")
    assert (
        "first: {by: ed-a, at: 2026-11-20T06:00:00+08:00, digest: sha256:" in after
    )  # the rest of the history stays
    assert "final: {by: boss2, at: 2026-11-21T10:00:00+08:00" in after
    assert congress("check", "--now", NOW, cwd=tmp_path).returncode == 0


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    signed_up_to(tmp_path, 0)
    assert sign(tmp_path, "fourth", "ed-a", NOW, "content/news/2026/a.md").returncode == 2
    unknown = sign(tmp_path, "first", "ghost", NOW, "content/news/2026/a.md")
    assert unknown.returncode == 2 and "ghost" in unknown.stderr
