"""The gate, one rule at a time: each rule with a case that passes and a case that fails."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.gate.decide import RULES, State
from tests.sitekit import approve, article, draft, judge


def codes(text: str, **kw: object) -> list[str]:
    return [f.code for f in judge(text, **kw).findings]  # type: ignore[arg-type]


def errors(text: str, **kw: object) -> list[str]:
    return [f.code for f in judge(text, **kw).findings if f.is_error]  # type: ignore[arg-type]


def test_rule_table_lists_every_rule_once() -> None:
    assert len(RULES) == len(set(RULES))


def test_fully_approved_article_is_published() -> None:
    v = judge(article())
    assert v.state is State.PUBLISHED
    assert v.findings == ()


# --- every required stage is signed ---


@pytest.mark.parametrize("stage", ["first", "proofread", "second", "secrecy", "final"])
def test_each_missing_stage_leaves_the_article_pending(stage: str) -> None:
    v = judge(approve(draft(), skip=(stage,)))
    assert v.state is State.PENDING
    assert [f.code for f in v.findings] == [f"GATE-PENDING-{stage.upper()}"]
    assert all(f.severity == "info" for f in v.findings)


def test_nothing_signed_lists_every_stage() -> None:
    v = judge(draft())
    assert v.state is State.PENDING
    messages = [f.message for f in v.findings]
    assert messages == [
        "缺少初审",
        "缺少校对（已校0次，需3次）",
        "缺少复审",
        "缺少保密审查",
        "缺少终审",
    ]


def test_specialist_piece_needs_committee_review_by_that_committee() -> None:
    assert codes(approve(draft(specialist="fagongwei"), skip=("committee",))) == [
        "GATE-PENDING-COMMITTEE"
    ]
    assert judge(article(specialist="fagongwei")).state is State.PUBLISHED
    wrong = approve(draft(specialist="fagongwei"), committee="proc")
    assert errors(wrong) == ["GATE-COMMITTEE-ROLE"]


def test_meeting_report_and_sessions_column_need_the_procedure_check() -> None:
    report = draft(kind="meeting-report")
    assert codes(approve(report, skip=("procedure",))) == ["GATE-PENDING-PROCEDURE"]
    assert judge(approve(report)).state is State.PUBLISHED
    session = draft(column="sessions")
    pending = judge(approve(session, skip=("procedure",)), src="sessions/2026/x.md")
    assert [f.code for f in pending.findings] == ["GATE-PENDING-PROCEDURE"]
    assert codes(approve(draft())) == []  # a plain news piece needs none


def test_policy_can_drop_a_stage_but_never_the_final_sign_off() -> None:
    text = approve(draft(), skip=("secrecy",))
    assert (
        judge(text, policy={"secrecy": {"required": False, "role": "secrecy"}}).state
        is State.PUBLISHED
    )
    with pytest.raises(ValueError, match=r"final\.required"):
        judge(text, policy={"final": {"required": False, "role": "leader"}})


def test_proofreading_rounds_and_people_are_configurable() -> None:
    text = approve(draft(), proofread="pr-1,pr-2")
    assert codes(text) == ["GATE-PENDING-PROOFREAD"]
    policy = {"proofread": {"rounds": 2, "distinct": 2}}
    assert judge(text, policy=policy).state is State.PUBLISHED


# --- signed by a known person holding the role ---


def test_final_sign_off_by_non_leader_blocks_publication() -> None:
    v = judge(approve(draft(), final="proc"))
    assert v.state is State.INVALID
    (f,) = v.findings
    assert (f.code, f.message) == ("GATE-FINAL-ROLE", "终审人 秘书庚 不具备领导签发权限")
    assert f.line is not None and f.line > 1


def test_other_stages_by_the_wrong_role() -> None:
    assert errors(approve(draft(), second="pr-1")) == ["GATE-SECOND-ROLE"]
    assert errors(approve(draft(), secrecy="boss")) == ["GATE-SECRECY-ROLE"]
    assert errors(approve(draft(), proofread="pr-1,pr-2,head")) == ["GATE-PROOFREAD-ROLE"]


def test_unknown_signer() -> None:
    text = approve(draft()).replace("by: head", "by: ghost")
    v = judge(text)
    assert [f.code for f in v.findings] == ["GATE-SIGNER-UNKNOWN"]
    assert "ghost" in v.findings[0].message


# --- people: three different reviewers, final signer proofreads nothing, no self-review ----


def test_first_second_and_final_must_be_three_people() -> None:
    v = judge(approve(draft(editor="multi"), second="multi"))
    assert [f.code for f in v.findings] == ["GATE-SAME-PERSON"]
    assert v.findings[0].message == "初审和复审由同一人（全能壬）签署"
    assert errors(approve(draft(), second="multi", final="multi")) == ["GATE-SAME-PERSON"]


def test_final_signer_must_not_have_proofread() -> None:
    assert errors(approve(draft(), proofread="pr-1,pr-2,multi", final="multi")) == [
        "GATE-FINAL-PROOFREAD"
    ]


def test_three_proofreads_need_two_people() -> None:
    assert errors(approve(draft(), proofread="pr-1,pr-1,pr-1")) == ["GATE-PROOFREAD-DISTINCT"]
    assert errors(approve(draft(), proofread="pr-1,pr-1,pr-2")) == []


def test_author_does_not_review_their_own_piece() -> None:
    assert errors(approve(draft(authors=["处长丙"]))) == ["GATE-AUTHOR-REVIEW"]
    assert errors(approve(draft(authors=["记者甲"]))) == []


def test_first_review_is_by_the_articles_own_editor() -> None:
    assert errors(approve(draft(), first="ed-b", proofread="pr-1,pr-2,multi")) == [
        "GATE-FIRST-EDITOR"
    ]


# --- chronology ---


def test_signature_later_than_now_is_an_error() -> None:
    v = judge(article(), now="2026-11-19T00:00:00+08:00")
    assert "GATE-FUTURE-SIGNATURE" in [f.code for f in v.findings]
    assert v.state is State.INVALID


def test_second_review_before_first_is_out_of_order() -> None:
    text = approve(draft())
    first_at = re.search(r"first: \{by: ed-a, at: (\S+),", text)
    assert first_at
    text = text.replace(first_at.group(1), "2026-11-20T09:59:00+08:00")  # after second and final
    # The time is part of what the signature covers: changed by hand, it no longer verifies.
    assert set(errors(text)) == {"GATE-ORDER", "GATE-SIGNATURE"}


def test_correction_after_the_final_sign_off_is_out_of_order() -> None:
    late = {"at": "2026-11-21T09:00:00+08:00", "note": "原文数据有误，已更正。"}
    signed_before = approve(draft(corrections=[late]), start="2026-11-20T08:00:00+08:00")
    assert errors(signed_before) == ["GATE-ORDER"]
    assert errors(article(corrections=[late])) == []  # approved again after the correction
    early = {"at": "2026-11-19T09:00:00+08:00", "note": "原文数据有误，已更正。"}
    assert errors(article(corrections=[early])) == []


# --- the final sign-off binds the approved text ---


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("正文第二段。", "正文第二段有改动。"),
        ("title: 测试稿件", "title: 测试稿件（修改）"),
        ("summary: 一句话摘要。", "summary: 另一句摘要。"),
        ("- 测试\n", "- 测试\n- 新标签\n"),
        ("date: '2026-11-20T10:00:00+08:00'", "date: '2026-11-20T11:00:00+08:00'"),
        ("source: 测试市人大常委会办公室", "source: 别的来源"),
        ("kind: news", "kind: notice"),
        # an exemption from the personal-data check is approved with the text
        ("kind: news", "kind: news\nexempt: [{value: '13912345678', reason: 值班电话}]"),
    ],
)
def test_any_change_after_final_voids_the_approval(old: str, new: str) -> None:
    text = article()
    assert old in text
    v = judge(text.replace(old, new, 1))
    assert v.state is State.INVALID
    assert [f.code for f in v.findings if f.is_error] == ["GATE-DIGEST"]
    assert v.findings[0].message == "终审后内容被修改"


def test_cosmetic_changes_keep_the_approval() -> None:
    text = article()
    same_instant = text.replace("'2026-11-20T10:00:00+08:00'", "2026-11-20T02:00:00Z")
    assert judge(same_instant).state is State.PUBLISHED
    assert judge(text + "\n\n").state is State.PUBLISHED


def test_withdrawal_needs_no_new_approval_and_leaves_a_notice() -> None:
    text = article().replace(
        "kind: news\n",
        "kind: news\nwithdrawn: {at: 2026-11-25T10:00:00+08:00, reason: 数据核实中}\n",
    )
    v = judge(text)
    assert v.state is State.WITHDRAWN
    assert v.notice


def test_withdrawal_of_a_piece_never_approved_leaves_nothing() -> None:
    v = judge(draft(withdrawn={"at": "2026-11-25T10:00:00+08:00", "reason": "不再发布"}))
    assert v.state is State.WITHDRAWN
    assert not v.notice


# --- embargo and expiry ---


def test_embargo_and_expiry() -> None:
    assert judge(article(publish_at="2026-12-01T00:00:00+08:00")).state is State.SCHEDULED
    assert judge(article(publish_at="2026-11-21T00:00:00+08:00")).state is State.PUBLISHED
    assert judge(article(date="2026-11-29T10:00:00+08:00")).state is State.SCHEDULED
    assert judge(article(expires_at="2026-11-28T00:00:00+08:00")).state is State.EXPIRED
    assert judge(article(expires_at="2026-12-28T00:00:00+08:00")).state is State.PUBLISHED


def test_scheduled_then_due() -> None:
    text = article(publish_at="2026-12-04T08:00:00+08:00")
    assert judge(text, now="2026-12-04T07:59:59+08:00").state is State.SCHEDULED
    assert judge(text, now="2026-12-04T08:00:00+08:00").state is State.PUBLISHED


def test_state_precedence_error_over_pending_over_schedule() -> None:
    pending_and_scheduled = draft(publish_at="2026-12-01T00:00:00+08:00")
    assert judge(pending_and_scheduled).state is State.PENDING
    broken = approve(draft(publish_at="2026-12-01T00:00:00+08:00")).replace("正文第二段", "改")
    assert judge(broken).state is State.INVALID


# --- hand-edited or malformed review blocks ---


def test_malformed_review_block() -> None:
    assert errors(draft().replace("kind: news\n", "kind: news\nreview: 已审核\n")) == ["FM-INVALID"]
    assert errors(
        draft().replace(
            "kind: news\n",
            "kind: news\nreview: {fourth: {by: boss, at: 2026-11-20T09:00:00+08:00}}\n",
        )
    ) == ["FM-UNKNOWN-KEY"]


def test_digest_that_is_not_sha256() -> None:
    text = re.sub(r"(final: .*?digest: )sha256:[0-9a-f]{64}", r"\1md5:abc", article())
    v = judge(text)
    assert [f.code for f in v.findings] == ["FM-INVALID"]
    assert (
        v.findings[0].line
        == text.split("\n").index(next(ln for ln in text.split("\n") if "md5" in ln)) + 1
    )


def test_naive_signature_time_is_an_error() -> None:
    text = re.sub(r"(second: \{by: head, at: \S+?)\+08:00", r"\1", article())
    v = judge(text)
    assert [f.code for f in v.findings] == ["FM-NAIVE-SIGNATURE"]
    assert v.state is State.INVALID


def test_an_unknown_editor_is_not_offered_as_the_first_signer() -> None:
    """The gate reports the editor (ART-EDITOR, a rule of the table), and the pending first
    review names nobody to sign it rather than the unknown id."""
    v = judge(draft(editor="nobody"))
    assert [f.code for f in v.findings if f.is_error] == ["ART-EDITOR"]
    (pending,) = [f for f in v.findings if f.code == "GATE-PENDING-FIRST"]
    assert "nobody" not in pending.hint
    assert "无（责任编辑不在人员名录中" in pending.hint


def test_a_copy_with_other_front_matter_is_judged_anew_not_from_the_originals_memo() -> None:
    """`dataclasses.replace(article, meta=…)` (as the signing pre-check does) must not answer
    with the original's memoized findings: a copy without the first review stage is pending
    for it, not only for the final sign-off. The memos are the gate's, kept by what the file
    holds (`source_key`); a copy holds something else."""
    import dataclasses

    from generator.gate.decide import Memos
    from generator.gate.decide import verdict as judge
    from generator.load.article import parse_article
    from tests.sitekit import article as approved_text
    from tests.sitekit import context

    text = approved_text(uid="2026-1120-memo01").encode("utf-8")
    original = parse_article(text, "news/2026/x.md", "content/news/2026/x.md")
    ctx, memos = context(), Memos()
    assert judge(original, ctx, memos).public
    assert memos.learned()  # the original's groups are memoized
    assert original.meta is not None
    review = original.meta.review.model_copy(update={"first": None})
    copy = dataclasses.replace(original, meta=original.meta.model_copy(update={"review": review}))
    codes = {f.code for f in judge(copy, ctx, memos).findings}
    assert "GATE-PENDING-FIRST" in codes
    assert judge(original, ctx, memos).public  # the original's memo is untouched


def test_the_memos_are_kept_by_the_settings_they_were_found_with(tmp_path: Path) -> None:
    """A second run with the same settings takes every group from the memos; changing the
    wording list judges the text again, and its new finding shows."""
    from generator.core.clock import aware
    from generator.core.config import load_site
    from generator.gate.decide import Memos, decide
    from generator.load.newsroom import load_newsroom
    from tests.sitekit import NOW, make_site

    body = "市人大常委会听取一府两院工作报告。\n"
    root = make_site(tmp_path, {"news/2026/x.md": article(body=body, uid="2026-1120-memo02")})
    site = load_site(root / "mkdocs.yml")

    def run(memos: Memos) -> list[str]:
        decision = decide(load_newsroom(site), aware(NOW), memos=memos)
        return [f.code for v in decision.verdicts for f in v.findings]

    first = Memos()
    assert run(first) == []
    again = Memos(first.learned())
    assert run(again) == [] and again.learned() == {}  # nothing judged again
    wording = "preferred:\n  - use: 一府一委两院\n    not: [一府两院]\n"
    (root / "editorial" / "wording.yml").write_text(wording, encoding="utf-8")
    changed = Memos(first.learned())
    assert run(changed) == ["TEXT-WORDING"]
    ((source, now),) = changed.learned().items()
    before = first.learned()[source]
    assert now["text"] != before["text"]  # judged again, under the new list's key
    assert now["review"] is before["review"] and now["nesting"] is before["nesting"]
