"""`congress review`: how people sign a stage. It refuses, in Chinese, what the gate would
reject, and writes the stage's record into the front matter: who, when, the digest of the
article as signed (which a final sign-off binds), and the signer's signature of the stage's
statement (core/approval.py), made by ssh-keygen (commands/sshkeygen.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from generator.build.atomic import write_atomic
from generator.commands.frontedit import FrontMatterShapeError, replace_review
from generator.core.approval import stage_name, statement
from generator.core.clock import minute
from generator.core.findings import Code, Finding, Severity
from generator.core.model import FinalSignature, Review, Signature
from generator.core.policy import STAGE_LABELS, progress, role_for, stage_progress
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


def check_signature(
    article: Article, ctx: Context, stage: str, by: str, at: datetime, *, sig: str | None = None
) -> None:
    """Raise Refused unless `by` may sign `stage` of `article` at `at` (with `sig`, the
    signature made for it: checked as the gate checks it)."""
    precheck(article, ctx, stage, by)
    check_signed(
        article, ctx, stage, signed_review(article, stage, by, at, files=ctx.files, sig=sig)
    )


def precheck(article: Article, ctx: Context, stage: str, by: str) -> None:
    """What only a signing can tell, before anything is signed: the stage is needed and not
    signed yet, the signer holds its role, the stages it follows are signed, enough
    proofreaders remain possible."""
    meta = article.meta
    assert meta is not None
    staff, policy = ctx.staff, ctx.policy
    role = role_for(policy, stage, meta)
    if stage == "committee" and not meta.specialist:
        raise _refuse(article, stage, "本稿未标注 specialist，不需要专业审核")
    if not staff.has_role(by, role):
        name = staff.name(by)
        raise _refuse(
            article, stage, f"{name} 不具备{role_name(role, ctx.site.congress.committees)}角色"
        )
    _check_repeat(article, stage, ctx)
    _check_order(article, stage, ctx)
    _check_proofreaders(article, stage, by, ctx)


def check_signed(article: Article, ctx: Context, stage: str, review_after: Review) -> None:
    """The gate itself, on the article as it would be signed: an error the new signature
    brings (the same person twice, an author, a time out of order or in the future, a key
    that is not the signer's …) is the reason for the refusal; an error already there must
    be fixed first (a void final sign-off, or a correction after it, is what a new final
    sign-off repairs)."""
    meta = article.meta
    assert meta is not None
    after = replace(article, meta=meta.model_copy(update={"review": review_after}))
    errors = [f for f in verdict(after, ctx).findings if f.is_error]
    if not errors:
        return
    already = {f for f in verdict(article, ctx).findings if f.is_error}
    brought = [f for f in errors if f not in already]
    if brought:
        raise _refuse(article, stage, brought[0].message, brought[0].hint)
    first = f"{errors[0].location()} {errors[0].message}"
    raise Refused(
        REVIEW_HAS_ERRORS.at(
            article.path,
            errors[0].line,
            label=STAGE_LABELS[stage],
            count=len(errors),
            first=first,
        )
    )


def _check_repeat(article: Article, stage: str, ctx: Context) -> None:
    assert article.meta is not None
    step = stage_progress(ctx.policy, article.meta, stage)
    if not step.done:
        return
    if stage == "proofread":
        raise _refuse(article, stage, f"已完成{step.rounds}次校对")
    final = article.meta.review.final
    if (
        stage == "final"
        and final is not None
        and final.digest != _final_digest(article, ctx.files)[0]
    ):
        return  # the text or a file changed since: a new final sign-off replaces the void one
    who, when = ctx.staff.name(step.signed[0].by), minute(step.signed[0].at)
    raise _refuse(article, stage, f"已由 {who} 于 {when} 签署")


def _check_order(article: Article, stage: str, ctx: Context) -> None:
    """The final sign-off comes after every other stage the article needs, the second review
    after the first (the times themselves are the gate's: GATE-ORDER)."""
    meta = article.meta
    assert meta is not None
    if stage == "final":
        missing = [
            f"校对（已校{len(step.signed)}次）" if step.stage == "proofread" else step.label
            for step in progress(ctx.policy, meta)
            if step.stage != "final" and not step.done
        ]
        if missing:
            raise _refuse(article, stage, f"终审须在其他环节之后，尚缺{'、'.join(missing)}")
    if stage == "second" and meta.review.first is None:
        raise _refuse(article, stage, "复审须在初审之后")


def _check_proofreaders(article: Article, stage: str, by: str, ctx: Context) -> None:
    """A round that would leave too few rounds for enough different proofreaders (the gate
    sees it only once every round is signed: GATE-PROOFREAD-DISTINCT)."""
    if stage != "proofread":
        return
    assert article.meta is not None
    rounds, distinct = ctx.policy.proofread.rounds, ctx.policy.proofread.distinct
    after = [*(s.by for s in article.meta.review.proofread), by]
    if len(set(after)) + (rounds - len(after)) < distinct:
        raise _refuse(article, stage, f"{rounds}次校对至少应由{distinct}人完成，请换一位校对人员")


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
    sig: str | None = None,
) -> Review:
    """The review block after `by` signs `stage` at `at` (`files`: the newsroom's file
    hashes, which each stage records and a final sign-off binds; `sig`: the signature of
    `statement_of` the same)."""
    meta = article.meta
    assert meta is not None
    review = meta.review
    sealed, hashes = _final_digest(article, files)
    if stage == "final":
        final = FinalSignature(by=by, at=at, digest=sealed, files=hashes, sig=sig)
        return review.model_copy(update={"final": final})
    signature = Signature(by=by, at=at, digest=sealed, sig=sig)
    if stage == "proofread":
        return review.model_copy(update={"proofread": [*review.proofread, signature]})
    return review.model_copy(update={stage: signature})


def statement_of(
    article: Article,
    stage: str,
    by: str,
    at: datetime,
    files: Mapping[str, str | None] | None = None,
) -> bytes:
    """What the signature of `by` for `stage` at `at` covers (core/approval.py)."""
    meta = article.meta
    assert meta is not None
    index = len(meta.review.proofread) if stage == "proofread" else None
    message = statement(
        meta.uid, stage_name(stage, index), by, at, _final_digest(article, files)[0]
    )
    if message is None:
        raise _refuse(article, stage, "稿件编号或签署人编号含控制字符，无法签名")
    return message


def sign(
    article: Article,
    file: Path,
    ctx: Context,
    *,
    stage: str,
    by: str,
    at: datetime,
    sig: str | None = None,
) -> Signed:
    """Check, then write the signature into `file`; the rest of the file is kept byte for byte."""
    check_signature(article, ctx, stage, by, at, sig=sig)
    data = file.read_bytes()
    try:
        signed = signed_review(article, stage, by, at, files=ctx.files, sig=sig)
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
