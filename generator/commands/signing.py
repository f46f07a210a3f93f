"""`congress review`: how people sign a stage. It refuses, in Chinese, what the gate would
reject, writes the signature into the front matter and, for `final`, the digest of the text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from generator.build.atomic import write_atomic
from generator.commands.frontedit import FrontMatterShapeError, replace_review
from generator.core.clock import minute
from generator.core.findings import Code, Finding, Severity
from generator.core.model import FinalSignature, FrontMatter, Review, Signature
from generator.core.policy import REVIEWS, STAGE_LABELS, Policy, requirements, role_for
from generator.core.staff import role_name
from generator.gate.decide import Context, verdict
from generator.load.article import Article, load_article
from generator.load.assets import used_hashes
from generator.load.digest import with_files

E = Severity.ERROR

REVIEW_REFUSED = Code("REVIEW-REFUSED", E, "不能签署{label}：{reason}", "{hint}")
REVIEW_HAS_ERRORS = Code(
    "REVIEW-HAS-ERRORS",
    E,
    "不能签署{label}：稿件有 {count} 处错误（第一处：{first}）",
    "先修正错误（运行 congress check {path} 查看），再签署。",
)


REVIEW_FILE_FORMAT = Code(
    "REVIEW-FILE-FORMAT",
    E,
    "无法安全写入审核记录：{problem}，文件未改动",
    "将文件另存为 UTF-8 编码、稿件信息以 --- 行包围后再签署。",
)

REVIEW_WRITE = Code(
    "REVIEW-WRITE",
    E,
    "无法写入审核记录：{problem}，文件未改动",
    "检查磁盘空间和文件权限后重新签署。",
)


class Refused(Exception):
    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


class Unwritable(Refused):
    """The file is one the editor cannot splice a review block into without changing other
    bytes: nothing is written (exit 2: the file, not the review, is at fault)."""


@dataclass(frozen=True)
class Signed:
    path: str
    stage: str
    signer: str
    at: datetime


def _refuse(article: Article, stage: str, reason: str, hint: str = "") -> Refused:
    line = article.lines.get(("review", stage), article.lines.get(("review",), 1))
    return Refused(
        REVIEW_REFUSED.at(article.path, line, label=STAGE_LABELS[stage], reason=reason, hint=hint)
    )


def check_signature(article: Article, ctx: Context, stage: str, by: str, at: datetime) -> None:
    """Raise Refused unless `by` may sign `stage` of `article` at `at`."""
    meta = article.meta
    assert meta is not None
    staff, policy, label = ctx.staff, ctx.policy, STAGE_LABELS[stage]
    name = staff.name(by)
    role = role_for(policy, stage, meta)
    if stage == "committee" and not meta.specialist:
        raise _refuse(article, stage, "本稿未标注 specialist，不需要专业审核")
    if not staff.has_role(by, role):
        raise _refuse(
            article, stage, f"{name} 不具备{role_name(role, ctx.site.congress.committees)}角色"
        )
    if at > ctx.now:
        raise _refuse(article, stage, f"签署时间 {minute(at)} 晚于当前时间")
    review = meta.review
    _check_repeat(article, stage, review, ctx)
    _check_people(article, stage, by, name, ctx)
    _check_order(article, stage, at, ctx)
    # Last, the gate itself: the signed article must have no error (a void final sign-off,
    # or a correction after it, is what a new final sign-off repairs).
    review_after = signed_review(article, stage, by, at, files=ctx.files)
    after = replace(article, meta=meta.model_copy(update={"review": review_after}))
    errors = [f for f in verdict(after, ctx).findings if f.is_error]
    if errors:
        first = f"{errors[0].location()} {errors[0].message}"
        raise Refused(
            REVIEW_HAS_ERRORS.at(
                article.path, errors[0].line, label=label, count=len(errors), first=first
            )
        )


def _check_repeat(article: Article, stage: str, review: Review, ctx: Context) -> None:
    if stage == "proofread":
        rounds = ctx.policy.proofread.rounds
        if len(review.proofread) >= rounds:
            raise _refuse(article, stage, f"已完成{rounds}次校对")
        return
    existing = getattr(review, stage)
    if existing is None:
        return
    assert article.meta is not None
    if stage == "final" and existing.digest != _final_digest(article, ctx.files)[0]:
        return  # the text or a file changed since: a new final sign-off replaces the void one
    who = ctx.staff.name(existing.by)
    raise _refuse(article, stage, f"已由 {who} 于 {minute(existing.at)} 签署")


def _check_people(article: Article, stage: str, by: str, name: str, ctx: Context) -> None:
    meta = article.meta
    assert meta is not None
    review, policy = meta.review, ctx.policy
    if name in meta.authors:
        raise _refuse(article, stage, f"{name} 是本稿作者，不能审核自己的稿件")
    if stage == "first" and policy.first_by_editor and by != meta.editor:
        raise _refuse(article, stage, f"初审应由本稿责任编辑 {ctx.staff.name(meta.editor)} 签署")
    if stage in REVIEWS:
        for other in REVIEWS:
            sig = getattr(review, other)
            if other != stage and sig is not None and sig.by == by:
                raise _refuse(
                    article, stage, f"{name} 已签署{STAGE_LABELS[other]}，三审须由三个不同的人签署"
                )
    proofreaders = [s.by for s in review.proofread]
    if stage == "final" and by in proofreaders:
        raise _refuse(article, stage, f"{name} 参与了本稿校对，不能终审签发")
    if stage == "proofread":
        rounds, distinct = policy.proofread.rounds, policy.proofread.distinct
        after = [*proofreaders, by]
        if len(set(after)) + (rounds - len(after)) < distinct:
            raise _refuse(
                article, stage, f"{rounds}次校对至少应由{distinct}人完成，请换一位校对人员"
            )


def _check_order(article: Article, stage: str, at: datetime, ctx: Context) -> None:
    meta = article.meta
    assert meta is not None
    review = meta.review
    if stage == "final":
        missing = []
        for req in requirements(ctx.policy, meta):
            if req.stage == "final":
                continue
            if req.stage == "proofread":
                if len(review.proofread) < ctx.policy.proofread.rounds:
                    missing.append(f"校对（已校{len(review.proofread)}次）")
            elif getattr(review, req.stage) is None:
                missing.append(req.label)
        if missing:
            raise _refuse(article, stage, f"终审须在其他环节之后，尚缺{'、'.join(missing)}")
    if stage == "second" and review.first is None:
        raise _refuse(article, stage, "复审须在初审之后")
    before = {
        "second": ["first"],
        "final": ["first", "second", "committee", "procedure", "secrecy"],
    }
    earlier = [getattr(review, s) for s in before.get(stage, [])]
    if stage == "final":
        earlier += review.proofread
    late = [s for s in earlier if s is not None and s.at > at]
    if late:
        raise _refuse(article, stage, f"签署时间 {minute(at)} 早于此前环节（{minute(late[0].at)}）")


def _final_digest(
    article: Article, files: Mapping[str, str | None] | None
) -> tuple[str, dict[str, str]]:
    """The digest a final sign-off records, and the per-file hashes it keeps (generator/
    load/digest.py); `files` is None when signing text alone (fixtures in memory)."""
    assert article.meta is not None
    text = article.digest
    if files is None:
        return text, {}
    used = used_hashes(article, files)
    return with_files(text, used), {p: h for p, h in used.items() if h is not None}


def signed_review(
    article: Article,
    stage: str,
    by: str,
    at: datetime,
    *,
    files: Mapping[str, str | None] | None = None,
) -> Review:
    """The review block after `by` signs `stage` at `at` (`files`: the newsroom's file
    hashes, which a final sign-off binds)."""
    meta = article.meta
    assert meta is not None
    review = meta.review
    sig = Signature(by=by, at=at)
    if stage == "proofread":
        return review.model_copy(update={"proofread": [*review.proofread, sig]})
    if stage == "final":
        sealed, hashes = _final_digest(article, files)
        final = FinalSignature(by=by, at=at, digest=sealed, files=hashes)
        return review.model_copy(update={"final": final})
    return review.model_copy(update={stage: sig})


def sign(
    article: Article, file: Path, ctx: Context, *, stage: str, by: str, at: datetime
) -> Signed:
    """Check, then write the signature into `file`; the rest of the file is kept byte for byte."""
    check_signature(article, ctx, stage, by, at)
    data = file.read_bytes()
    try:
        signed = signed_review(article, stage, by, at, files=ctx.files)
        updated = replace_review(data.decode("utf-8"), signed)
    except (UnicodeDecodeError, FrontMatterShapeError) as exc:
        raise Unwritable(REVIEW_FILE_FORMAT.at(article.path, 1, problem=_problem(exc))) from exc
    try:
        write_atomic(file, updated.encode("utf-8"))
    except OSError as exc:  # a full disk, a read-only folder: the file is as it was
        problem = exc.strerror or str(exc)
        raise Unwritable(REVIEW_WRITE.at(article.path, 1, problem=problem)) from exc
    again = load_article(file, article.src, article.path)
    if again.meta is None or getattr(again.meta.review, stage) in (None, []):
        write_atomic(file, data)  # never leave a file the gate cannot read
        raise _refuse(article, stage, "写入审核记录失败，文件已恢复原样", "请检查稿件信息的格式。")
    return Signed(article.path, stage, ctx.staff.name(by), at)


def _problem(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return f"第 {exc.start} 字节起不是 UTF-8 编码"
    return {
        "no front matter": "文件不以 --- 行开头",
        "front matter not closed": "稿件信息没有以 --- 行结束",
    }.get(str(exc), "稿件信息中有 U+0085、U+2028 或 U+2029 换行符")


def sign_through(
    article: Article,
    signers: dict[str, list[str]],
    start: datetime,
    policy: Policy,
    *,
    skip: tuple[str, ...] = (),
    files: Mapping[str, str | None] | None = None,
) -> Review:
    """Every stage the policy requires, signed in order from `start` by `signers[stage]`.

    For test fixtures and the benchmark corpus, which need many approved articles; people
    sign one stage at a time with `congress review`, which checks each signature.
    """
    meta = article.meta
    assert meta is not None
    for n, req in enumerate(requirements(policy, meta)):
        if req.stage in skip:
            continue
        for i, by in enumerate(signers[req.stage]):
            at = start + timedelta(minutes=10 * n + i)
            review = signed_review(article, req.stage, by, at, files=files)
            meta = FrontMatter.model_validate({**meta.model_dump(), "review": review.model_dump()})
            article = replace(article, meta=meta)
    return meta.review
