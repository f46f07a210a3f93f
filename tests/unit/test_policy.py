"""Sign-off progress, worked out once (`policy.progress`): the gate's pending findings, the
preview's checklist and `congress review` all read it."""

from __future__ import annotations

from generator.core.policy import Policy, progress, stage_progress
from generator.derive.present import checklist
from generator.load.article import Article, parse_article
from tests.sitekit import approve, context, draft, judge


def parsed(text: str) -> Article:
    return parse_article(text.encode("utf-8"), "news/2026/x.md", "content/news/2026/x.md")


def test_progress_lists_each_needed_stage_in_signing_order_with_its_signatures() -> None:
    a = parsed(approve(draft(), skip=("second", "secrecy", "final"), proofread="pr-1,pr-2"))
    assert a.meta is not None
    steps = progress(Policy(), a.meta)
    assert [(s.stage, s.done, len(s.signed), s.rounds) for s in steps] == [
        ("first", True, 1, 1),
        ("proofread", False, 2, 3),
        ("second", False, 0, 1),
        ("secrecy", False, 0, 1),
        ("final", False, 0, 1),
    ]
    assert next(s.label for s in steps if not s.done) == "校对"  # the next to sign
    assert steps[0].signed[0].by == "ed-a" and steps[0].role == "editor"


def test_progress_follows_the_policy_and_the_article() -> None:
    meta = parsed(draft(specialist="fagongwei", column="sessions")).meta
    assert meta is not None
    assert [s.stage for s in progress(Policy(), meta)] == [
        "first",
        "proofread",
        "second",
        "committee",
        "procedure",
        "secrecy",
        "final",
    ]
    assert progress(Policy(), meta)[3].role == "committee:fagongwei"


def test_stage_progress_reads_a_stage_the_policy_does_not_need() -> None:
    a = parsed(approve(draft()))
    assert a.meta is not None
    step = stage_progress(Policy(), a.meta, "procedure")
    assert (step.done, step.signed, step.role) == (False, (), "procedure")
    assert stage_progress(Policy(), a.meta, "proofread").done


def test_the_checklist_and_the_pending_findings_agree() -> None:
    text = approve(draft(), skip=("second", "final"), proofread="pr-1")
    ctx = context()
    steps = checklist(parsed(text), ctx.site, ctx.staff)
    pending = [f.message for f in judge(text).findings if f.code.startswith("GATE-PENDING")]
    assert [s.label for s in steps if not s.done] == ["校对", "复审", "终审"]
    assert pending == ["缺少校对（已校1次，需3次）", "缺少复审", "缺少终审"]
    assert [s.detail for s in steps][:2] == [
        "编辑甲 2026-11-20 02:00",
        "1/3：校对一 2026-11-20 02:10",
    ]
