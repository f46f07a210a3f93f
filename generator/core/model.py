"""The front-matter contract as typed, validated data (pydantic v2).

Unknown keys are errors, not warnings: a mistyped `publish_at` or `withdrawn` would
otherwise publish silently. Datetimes arrive as strings (see yamlsource) and leave aware.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from generator.core.clock import parse_datetime


def _moment(value: Any) -> datetime:
    return parse_datetime(value)[0]


def _listify(value: Any) -> Any:
    if isinstance(value, str | int | float):
        return [value]
    return value


Moment = Annotated[datetime, BeforeValidator(_moment)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Names = Annotated[list[Text], BeforeValidator(_listify)]
Uid = Annotated[str, StringConstraints(pattern=r"^[0-9a-z][0-9a-z-]{5,63}$")]
Digest = Annotated[str, StringConstraints(pattern=r"^sha256:[0-9a-f]{64}$")]
HttpUrl = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^https?://\S+$")]
Email = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[^@\s]+@[^@\s]+\.\w+$")]

Kind = Literal["news", "meeting-report", "notice", "consultation", "gazette", "video"]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class Cover(Strict):
    src: Text
    alt: Text


class Video(Strict):
    src: HttpUrl
    type: Text = "video/mp4"
    length: int | None = Field(default=None, ge=0)


class Channels(Strict):
    email: Email | None = None
    post: Text | None = None
    url: HttpUrl | None = None


class Consultation(Strict):
    opens: Moment | None = None
    deadline: Moment
    channels: Channels


class Correction(Strict):
    at: Moment
    note: Text


class Withdrawal(Strict):
    at: Moment
    reason: Text


class Signature(Strict):
    by: Text
    at: Moment
    # The article as this stage saw it (text and files: generator/load/digest.py); a later
    # edit leaves an earlier stage's signature valid, and the record shows what it approved.
    digest: Digest | None = None
    # The signer's signature of the stage's statement (core/approval.py), `<scheme>:<data>`
    # (core/schemes.py): what proves who approved. Written by `congress review`.
    sig: Text | None = None


class FinalSignature(Signature):
    digest: Digest
    # The sha256 of each file the approved article used (generator/load/digest.py), by docs path:
    # lets GATE-DIGEST name a file replaced after the sign-off. Absent in older records.
    files: dict[str, Digest] = {}


class Review(Strict):
    first: Signature | None = None
    second: Signature | None = None
    final: FinalSignature | None = None
    proofread: list[Signature] = []
    committee: Signature | None = None
    procedure: Signature | None = None
    secrecy: Signature | None = None


class Exemption(Strict):
    """One value a text check lets pass in this article (e.g. a deputy's published hotline)."""

    value: Text
    reason: Text


class FrontMatter(Strict):
    uid: Uid
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    column: Text
    date: Moment
    publish_at: Moment | None = None
    expires_at: Moment | None = None
    authors: Names = []
    editor: Text
    source: Text | None = None
    summary: Text | None = None
    tags: Names = []
    cover: Cover | None = None
    video: Video | None = None
    kind: Kind = "news"
    specialist: Text | None = None
    consultation: Consultation | None = None
    feedback_for: Uid | None = None
    corrections: list[Correction] = []
    withdrawn: Withdrawal | None = None
    exempt: list[Exemption] = []
    review: Review = Review()


def updated(meta: FrontMatter) -> datetime:
    """When an article last changed in public: its latest correction, else its 发布时间."""
    return max([meta.date, *(c.at for c in meta.corrections)])


def goes_live(meta: FrontMatter) -> datetime:
    """When an article may first be public: its 发布时间, or its embargo if that is later."""
    return max(meta.date, meta.publish_at or meta.date)


# What each key is called in the newsroom, for messages.
LABELS: dict[str, str] = {
    "uid": "稿件编号",
    "title": "标题",
    "column": "栏目",
    "date": "发布时间",
    "publish_at": "定时发布时间",
    "expires_at": "下线时间",
    "authors": "作者",
    "editor": "责任编辑",
    "source": "来源",
    "summary": "摘要",
    "tags": "标签",
    "cover": "封面图",
    "video": "视频",
    "kind": "稿件类型",
    "specialist": "专业审核委员会",
    "consultation": "征求意见",
    "feedback_for": "所反馈的征求意见稿件编号",
    "corrections": "更正",
    "withdrawn": "撤稿",
    "review": "审核记录",
    "exempt": "检查豁免",
    "first": "初审",
    "second": "复审",
    "final": "终审",
    "proofread": "校对",
    "committee": "专业审核",
    "procedure": "程序符合性校验",
    "secrecy": "保密审查",
    "deadline": "截止时间",
    "opens": "开始时间",
    "channels": "意见提交渠道",
    "at": "时间",
    "by": "签署人",
    "digest": "内容摘要值",
    "note": "更正说明",
    "reason": "撤稿原因",
    "src": "地址",
    "alt": "替代文字",
}

# Keys whose values are datetimes, so that a naive one can be reported at its line.
DATETIME_KEYS = frozenset({"date", "publish_at", "expires_at", "at", "opens", "deadline"})

# An example per key, for hints.
EXAMPLES: dict[str, str] = {
    "uid": "2026-1128-7f3a9c（由 congress new 生成，不要手改）",
    "title": "市人大常委会开展物业管理条例执法检查",
    "column": "supervision",
    "date": "2026-11-28T09:30:00+08:00",
    "publish_at": "2026-11-28T10:00:00+08:00",
    "expires_at": "2027-11-28T00:00:00+08:00",
    "at": "2026-11-28T09:30:00+08:00",
    "deadline": "2026-12-20T17:00:00+08:00",
    "authors": "[王敏, 刘洋]",
    "tags": "[执法检查, 物业管理]",
    "editor": "zhou-yun（editorial/staff.yml 中的人员编号）",
    "kind": " | ".join(KINDS),
    "cover": "{src: images/x.jpg, alt: 检查组在小区实地查看}",
    "video": "{src: https://…/x.mp4, type: video/mp4, length: 12345678}",
    "withdrawn": "{at: 2026-11-29T08:00:00+08:00, reason: 撤稿原因}",
    "digest": "sha256:（64位十六进制，由 congress review 生成）",
}


def label(loc: tuple[str | int, ...]) -> str:
    """`review.first.by` → `审核记录.初审.签署人 (review.first.by)`."""
    dotted = ".".join(str(p) for p in loc)
    named = ".".join(LABELS.get(p, str(p)) if isinstance(p, str) else f"第{p + 1}项" for p in loc)
    return f"{named}（{dotted}）" if named != dotted else dotted
