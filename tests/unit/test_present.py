"""What a reader sees of an article (generator/derive/present.py `view`) and the review
checklist of the preview banner (`checklist`), from real parsed articles."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from generator.core.clock import aware
from generator.core.config import Site
from generator.core.staff import Person, Staff
from generator.derive.present import ArticleView, Link, Notice, checklist, view
from generator.load.article import Article, parse_article
from tests.sitekit import STAFF, approve, article, context, draft

SRC = "news/2026/x.md"
STAFF_REGISTRY = Staff({k: Person.model_validate(v) for k, v in STAFF.items()})


def site(**plugin: Any) -> Site:
    return context(**plugin).site


def parsed(text: str, src: str = SRC) -> Article:
    a = parse_article(text.encode("utf-8"), src, f"content/{src}")
    assert a.meta is not None, a.findings
    return a


def shown(
    text: str,
    tag_urls: dict[str, str] | None = None,
    *,
    now: str | None = None,
    feedback: Article | None = None,
    src: str = SRC,
) -> ArticleView:
    return view(
        parsed(text, src),
        site(),
        STAFF_REGISTRY,
        tag_urls if tag_urls is not None else {},
        now=aware(now) if now else None,
        feedback=feedback,
    )


# --- view ---------------------------------------------------------------------------------


def test_the_view_of_a_plain_article() -> None:
    v = shown(
        draft(title="市人大常委会开展执法检查", authors=["王敏", "刘洋"]),
        {"测试": "tags/ce-shi-123456/"},
    )
    assert v.uid == "2026-1120-aaaaaa"
    assert v.title == "市人大常委会开展执法检查"
    assert v.url == "news/2026/x/"
    assert (v.date, v.date_iso) == ("2026-11-20 10:00", "2026-11-20T10:00:00+08:00")
    assert v.source == "测试市人大常委会办公室" and v.summary == "一句话摘要。"
    assert v.authors == "王敏、刘洋"  # one Chinese byline
    assert v.editor == "编辑甲"  # the registry's name, not the id
    assert v.kind == "news" and v.column is not None and v.column.name == "要闻"
    assert v.tags == (Link("测试", "tags/ce-shi-123456/"),)
    assert (v.corrections, v.cover_url, v.cover_alt, v.withdrawn) == ((), None, "", None)
    assert v.consultation is None


def test_optional_fields_left_out_show_as_empty_text() -> None:
    v = shown(draft(source=None, summary=None, authors=None, tags=None))
    assert (v.source, v.summary, v.authors, v.tags) == ("", "", "", ())


def test_dates_show_in_china_time_whatever_offset_they_were_written_with() -> None:
    v = shown(draft(date="2026-11-19T23:30:00+00:00"))
    assert v.date == "2026-11-20 07:30"
    assert datetime.fromisoformat(v.date_iso) == aware("2026-11-20T07:30:00+08:00")


def test_tags_show_once_each_in_order_and_only_those_with_a_page() -> None:
    urls = {"预算": "tags/yu-suan-1/", "监督": "tags/jian-du-2/"}
    v = shown(draft(tags=["监督", "未列出", "预算", "监督"]), urls)
    assert v.tags == (Link("监督", "tags/jian-du-2/"), Link("预算", "tags/yu-suan-1/"))


def test_an_editor_missing_from_the_registry_shows_as_written() -> None:
    assert shown(draft(editor="someone-else")).editor == "someone-else"


@pytest.mark.parametrize(
    ("cover", "url"),
    [
        ("cover.png", "news/2026/cover.png"),
        ("./images/c.jpg", "news/2026/images/c.jpg"),
        ("../shared/c.jpg", "news/shared/c.jpg"),
        ("cover%20x.png", "news/2026/cover x.png"),
    ],
)
def test_a_cover_is_resolved_against_the_articles_folder(cover: str, url: str) -> None:
    v = shown(draft(cover={"src": cover, "alt": "检查组在小区实地查看"}))
    assert (v.cover_url, v.cover_alt) == (url, "检查组在小区实地查看")


def test_a_cover_outside_the_content_folder_is_never_shown() -> None:
    v = shown(draft(cover={"src": "../../../../etc/passwd.png", "alt": "封面"}))
    assert v.cover_url is None


def test_corrections_and_withdrawal_are_notices_in_china_time() -> None:
    v = shown(
        draft(
            corrections=[
                {"at": "2026-11-21T01:00:00+00:00", "note": "第二段数据有误。"},
                {"at": "2026-11-22T09:30:00+08:00", "note": "补充来源。"},
            ],
            withdrawn={"at": "2026-11-25T10:00:00+08:00", "reason": "数据核实中"},
        )
    )
    assert v.corrections == (
        Notice("2026-11-21 09:00", "第二段数据有误。"),
        Notice("2026-11-22 09:30", "补充来源。"),
    )
    assert v.withdrawn == Notice("2026-11-25 10:00", "数据核实中")


def test_markup_in_fields_is_kept_as_text_for_the_template_to_escape() -> None:
    title = '<script>alert("x")</script> & 人大'
    v = shown(draft(title=title, summary="<b>摘要</b>"))
    assert v.title == title and v.summary == "<b>摘要</b>"


# --- consultations ------------------------------------------------------------------------

CONSULTATION = {
    "kind": "consultation",
    "consultation": {
        "opens": "2026-12-01T09:00:00+08:00",
        "deadline": "2026-12-31T17:00:00+08:00",
        "channels": {
            "email": "fgw@example.gov.cn",
            "post": "测试市人民路1号",
            "url": "https://hudong.example.gov.cn/zqyj/",
        },
    },
}


def feedback_piece() -> Article:
    return parsed(
        draft(uid="2026-1120-fkfkfk", title="采纳情况反馈", feedback_for="2026-1120-aaaaaa"),
        "news/2026/feedback.md",
    )


@pytest.mark.parametrize(
    ("now", "status"),
    [
        ("2026-11-30T09:00:00+08:00", "尚未开始"),
        ("2026-12-01T09:00:00+08:00", "征求意见中"),  # opens on the minute
        ("2026-12-31T17:00:00+08:00", "征求意见中"),  # the deadline minute still counts
        ("2026-12-31T17:00:01+08:00", "已截止"),
        ("2026-12-31T09:00:01+00:00", "已截止"),  # the same moment, written in UTC
    ],
)
def test_a_consultations_status_at_build_time(now: str, status: str) -> None:
    c = shown(draft(**CONSULTATION), now=now, feedback=feedback_piece()).consultation
    assert c is not None and c.status == status and c.open is (status == "征求意见中")
    # The feedback is linked once the consultation is closed, never before.
    assert (c.feedback is not None) is (status == "已截止")


def test_a_consultation_shows_its_dates_channels_and_feedback() -> None:
    c = shown(
        draft(**CONSULTATION), now="2027-01-05T10:00:00+08:00", feedback=feedback_piece()
    ).consultation
    assert c is not None
    assert (c.opens, c.deadline) == ("2026-12-01 09:00", "2026-12-31 17:00")
    assert datetime.fromisoformat(c.deadline_iso) == aware("2026-12-31T17:00:00+08:00")
    assert (c.email, c.post, c.url) == (
        "fgw@example.gov.cn",
        "测试市人民路1号",
        "https://hudong.example.gov.cn/zqyj/",
    )
    assert c.feedback == Link("采纳情况反馈", "news/2026/feedback/")


def test_a_consultation_without_opening_time_or_feedback() -> None:
    fields = {**CONSULTATION, "consultation": {**CONSULTATION["consultation"], "opens": None}}
    fields["consultation"] = {k: v for k, v in fields["consultation"].items() if v is not None}
    c = shown(draft(**fields), now="2026-11-01T00:00:00+08:00").consultation
    assert c is not None and c.status == "征求意见中" and c.opens == ""
    closed = shown(draft(**fields), now="2027-01-05T10:00:00+08:00").consultation
    assert closed is not None and closed.status == "已截止" and closed.feedback is None


def test_without_a_build_time_there_is_no_consultation_status() -> None:
    assert shown(draft(**CONSULTATION)).consultation is None


# --- checklist ----------------------------------------------------------------------------


def steps(text: str, **plugin: Any) -> list[tuple[str, bool, str]]:
    return [
        (s.label, s.done, s.detail) for s in checklist(parsed(text), site(**plugin), STAFF_REGISTRY)
    ]


def test_nothing_signed_lists_every_stage_undone_in_signing_order() -> None:
    assert steps(draft()) == [
        ("初审", False, "未签署"),
        ("校对", False, "0/3：未校对"),
        ("复审", False, "未签署"),
        ("保密审查", False, "未签署"),
        ("终审", False, "未签署"),
    ]


def test_a_fully_signed_article_shows_who_signed_each_stage_and_when() -> None:
    got = steps(article())
    assert [(label, done) for label, done, _ in got] == [
        ("初审", True),
        ("校对", True),
        ("复审", True),
        ("保密审查", True),
        ("终审", True),
    ]
    details = {label: detail for label, _, detail in got}
    assert details["初审"].startswith("编辑甲 2026-11-")
    assert details["终审"].startswith("领导丁 2026-11-")
    assert details["校对"].startswith("3/3：校对一 ") and "、校对二 " in details["校对"]


def test_a_missing_stage_is_the_one_undone() -> None:
    got = steps(approve(draft(), skip=("second",)))
    assert [label for label, done, _ in got if not done] == ["复审"]


def test_specialist_pieces_and_meeting_reports_add_their_stages() -> None:
    labels = [label for label, _, _ in steps(draft(specialist="fagongwei", kind="meeting-report"))]
    assert labels == ["初审", "校对", "复审", "专业审核", "程序符合性校验", "保密审查", "终审"]


def test_the_policy_sets_the_proofreading_rounds_and_the_stages() -> None:
    policy = {
        "proofread": {"rounds": 1, "distinct": 1, "role": "proofreader"},
        "secrecy": {"required": False, "role": "secrecy"},
    }
    got = steps(approve(draft(), proofread="pr-1", skip=("secrecy",)), policy=policy)
    assert [label for label, _, _ in got] == ["初审", "校对", "复审", "终审"]
    assert got[1][1] is True and got[1][2].startswith("1/1：校对一 ")


def test_too_few_proofreads_is_undone_and_says_how_many() -> None:
    got = {
        label: (done, detail)
        for label, done, detail in steps(approve(draft(), proofread="pr-1,pr-2"))
    }
    done, detail = got["校对"]
    assert done is False and detail.startswith("2/3：校对一 ") and "、校对二 " in detail
