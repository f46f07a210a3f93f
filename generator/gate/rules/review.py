"""The review rules: 三审三校, 专业审核, 程序符合性校验, 保密审查, and the final sign-off's digest.

A stage not yet signed is a state (info, pending); a signature that breaks a rule is an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from itertools import combinations

from generator.core.clock import minute
from generator.core.findings import Code, Finding, Severity
from generator.core.policy import REVIEWS, STAGE_LABELS, STAGES, progress, role_for
from generator.core.staff import role_name
from generator.gate.rules import Context, signatures
from generator.load.article import Article
from generator.load.assets import approval_digest, line_using, used_hashes
from generator.load.contentfiles import ASSET_TOO_LARGE
from generator.load.digest import with_files

E, INFO = Severity.ERROR, Severity.INFO


def _upper(stage: str) -> str:
    return stage.upper()


PENDING = {
    stage: Code(
        f"GATE-PENDING-{_upper(stage)}",
        INFO,
        f"缺少{STAGE_LABELS[stage]}" + ("（{detail}）" if stage == "proofread" else ""),
        "可签署：{who}。签署：congress review {path} --stage " + stage + " --by <人员编号>",
    )
    for stage in STAGES
}
ROLE = {
    stage: Code(
        f"GATE-{_upper(stage)}-ROLE",
        E,
        "终审人 {name} 不具备领导签发权限"
        if stage == "final"
        else f"{STAGE_LABELS[stage]}签署人" + " {name} 不具备{role}角色",
        "由具备该角色的人员重新签署；人员角色见 editorial/staff.yml。",
    )
    for stage in STAGES
}
GATE_SIGNER_UNKNOWN = Code(
    "GATE-SIGNER-UNKNOWN",
    E,
    "{label}签署人 {by} 不在人员名录中",
    "审核记录只能由 congress review 写入。",
)
GATE_SAME_PERSON = Code(
    "GATE-SAME-PERSON",
    E,
    "{a}和{b}由同一人（{name}）签署",
    "初审、复审、终审须由三个不同的人签署。",
)
GATE_FINAL_PROOFREAD = Code(
    "GATE-FINAL-PROOFREAD", E, "终审人 {name} 同时担任了校对", "终审签发人不得参与本稿校对。"
)
GATE_PROOFREAD_DISTINCT = Code(
    "GATE-PROOFREAD-DISTINCT",
    E,
    "{rounds}次校对至少应由{distinct}人完成，现仅{count}人",
    "请由另一位校对人员重新校对。",
)
GATE_AUTHOR_REVIEW = Code(
    "GATE-AUTHOR-REVIEW", E, "作者 {name} 不能审核自己的稿件（{label}）", "请由其他人员签署该环节。"
)
GATE_FIRST_EDITOR = Code(
    "GATE-FIRST-EDITOR",
    E,
    "初审应由本稿责任编辑 {editor} 签署，实际签署人是 {name}",
    "请由责任编辑签署初审。",
)
GATE_FUTURE_SIGNATURE = Code(
    "GATE-FUTURE-SIGNATURE",
    E,
    "{label}的签署时间 {at} 晚于当前时间",
    "签署时间不能在将来；审核记录只能由 congress review 写入。",
)
GATE_ORDER = Code(
    "GATE-ORDER",
    E,
    "{later}（{later_at}）早于{earlier}（{earlier_at}）",
    "审核须按初审、复审、终审的顺序进行；终审在其他环节之后。",
)
GATE_DIGEST = Code(
    "GATE-DIGEST",
    E,
    "终审后内容被修改{detail}",
    "改动后的稿件须重新终审：congress review {path} --stage final --by <领导人员编号>",
)
GATE_FILE_MISSING = Code(
    "GATE-FILE-MISSING",
    E,
    "稿件使用的文件 {file} 不存在或不是普通文件",
    "把文件放到 content/{file}（普通文件，不能是链接），或改正稿件中的路径。",
)

STATE_CODES = {code.code: "pending" for code in PENDING.values()}


def signers(article: Article, ctx: Context) -> Iterable[Finding]:
    """Every signature is by a known person holding the stage's role."""
    meta = article.meta
    assert meta is not None
    for stage, loc, sig in signatures(article):
        line = article.line_of(*loc, "by")
        person = ctx.staff.get(sig.by)
        if person is None:
            yield GATE_SIGNER_UNKNOWN.at(article.path, line, label=STAGE_LABELS[stage], by=sig.by)
            continue
        role = role_for(ctx.policy, stage, meta)
        held = (
            any(r.startswith("committee:") for r in person.roles)
            if role == "committee:"
            else role in person.roles
        )
        if not held:
            name = role_name(role, ctx.site.congress.committees)
            yield ROLE[stage].at(article.path, line, name=person.name, role=name)


def stages(article: Article, ctx: Context) -> Iterable[Finding]:
    """Every stage the policy requires of this article is signed (else: pending)."""
    meta = article.meta
    assert meta is not None
    policy = ctx.policy
    for step in progress(policy, meta):
        if step.done:
            continue
        detail = f"已校{len(step.signed)}次，需{step.rounds}次" if step.stage == "proofread" else ""
        holders = [p for p in ctx.staff.people if step.role in ctx.staff.people[p].roles]
        if step.stage == "first" and policy.first_by_editor:
            # The editor in charge signs first, if the registry knows them (else ART-EDITOR).
            holders = [meta.editor] if meta.editor in ctx.staff.people else []
        who = "、".join(f"{ctx.staff.name(p)}（{p}）" for p in holders) or (
            "无（责任编辑不在人员名录中，请先改正）"
            if step.stage == "first" and policy.first_by_editor
            else "人员名录中无人具备该角色"
        )
        line = article.lines.get(("review",), 1)
        yield PENDING[step.stage].at(article.path, line, detail=detail, who=who, path=article.path)


def people(article: Article, ctx: Context) -> Iterable[Finding]:
    """三审 by three people; the final signer proofreads nothing; authors review nothing."""
    meta = article.meta
    assert meta is not None
    review, policy, staff = meta.review, ctx.policy, ctx.staff
    signed = {s: getattr(review, s) for s in REVIEWS if getattr(review, s) is not None}
    for a, b in combinations(signed, 2):
        if signed[a].by == signed[b].by:
            yield GATE_SAME_PERSON.at(
                article.path,
                article.line_of("review", b, "by"),
                a=STAGE_LABELS[a],
                b=STAGE_LABELS[b],
                name=staff.name(signed[b].by),
            )
    proofreaders = [s.by for s in review.proofread]
    if review.final is not None and review.final.by in proofreaders:
        line = article.line_of("review", "final", "by")
        yield GATE_FINAL_PROOFREAD.at(article.path, line, name=staff.name(review.final.by))
    rounds, distinct = policy.proofread.rounds, policy.proofread.distinct
    if len(proofreaders) >= rounds and len(set(proofreaders)) < distinct:
        yield GATE_PROOFREAD_DISTINCT.at(
            article.path,
            article.line_of("review", "proofread"),
            rounds=rounds,
            distinct=distinct,
            count=len(set(proofreaders)),
        )
    authors = set(meta.authors)
    for stage, loc, sig in signatures(article):
        if staff.get(sig.by) is not None and staff.name(sig.by) in authors:
            yield GATE_AUTHOR_REVIEW.at(
                article.path,
                article.line_of(*loc, "by"),
                name=staff.name(sig.by),
                label=STAGE_LABELS[stage],
            )
    if policy.first_by_editor and review.first is not None and review.first.by != meta.editor:
        yield GATE_FIRST_EDITOR.at(
            article.path,
            article.line_of("review", "first", "by"),
            editor=staff.name(meta.editor),
            name=staff.name(review.first.by),
        )


def future(article: Article, ctx: Context) -> Iterable[Finding]:
    """No signature later than the build's clock."""
    for stage, loc, sig in signatures(article):
        if sig.at > ctx.now:
            yield GATE_FUTURE_SIGNATURE.at(
                article.path,
                article.line_of(*loc, "at"),
                label=STAGE_LABELS[stage],
                at=minute(sig.at),
            )


def chronology(article: Article, ctx: Context) -> Iterable[Finding]:
    """first ≤ second ≤ final; proofreads, corrections and the other checks before final."""
    meta = article.meta
    assert meta is not None
    review = meta.review
    pairs = [("first", "second"), ("second", "final"), ("first", "final")]
    pairs += [(stage, "final") for stage in ("committee", "procedure", "secrecy")]
    for earlier, later in pairs:
        e, la = getattr(review, earlier), getattr(review, later)
        if e is not None and la is not None and la.at < e.at:
            yield _order(article, earlier, e.at, later, la.at)
    if review.final is not None:
        for i, sig in enumerate(review.proofread):
            if review.final.at < sig.at:
                yield _order(article, f"proofread.{i}", sig.at, "final", review.final.at)
        # A correction is part of what the leader approves, so it predates the final sign-off.
        for i, c in enumerate(meta.corrections):
            if review.final.at < c.at:
                yield _order(article, f"corrections.{i}", c.at, "final", review.final.at)


def _order(article: Article, earlier: str, e_at: object, later: str, l_at: object) -> Finding:
    label = STAGE_LABELS.get(earlier.split(".", maxsplit=1)[0], earlier)
    if "." in earlier:
        kind, index = earlier.split(".")
        label = f"第{int(index) + 1}次" + ("校对" if kind == "proofread" else "更正")
    return GATE_ORDER.at(
        article.path,
        article.line_of("review", later, "at"),
        later=STAGE_LABELS[later],
        later_at=minute(l_at),  # type: ignore[arg-type]
        earlier=label,
        earlier_at=minute(e_at),  # type: ignore[arg-type]
    )


def approval(article: Article, ctx: Context) -> Iterable[Finding]:
    """The final sign-off still matches the text and the bytes of every file the article
    uses: anything changed since voids it, and the finding names a replaced file."""
    meta = article.meta
    assert meta is not None
    final = meta.review.final
    if final is None or final.digest == approval_digest(article, ctx.files):
        return
    yield GATE_DIGEST.at(
        article.path,
        article.line_of("review", "final", "digest"),
        path=article.path,
        detail=_changed_file(article, ctx),
    )


def _changed_file(article: Article, ctx: Context) -> str:
    """What the digest says changed, when it can tell: a file replaced (or gone) while the
    text stayed as approved, or a sign-off made before files were covered."""
    final = article.meta.review.final if article.meta else None
    if final is None or ctx.files is None:
        return ""
    text = article.digest
    now = used_hashes(article, ctx.files)
    if final.files and with_files(text, final.files) == final.digest:
        # The recorded hashes are the ones approved: the text is unchanged, a file is not.
        changed = sorted(p for p in {*now, *final.files} if now.get(p) != final.files.get(p))
        if changed:
            return f"：文件 content/{changed[0]} 与终审时不同（被替换、删除或新增）"
    if not final.files and final.digest == text and now:
        first = sorted(now)[0]
        return f"：终审记录未包含所用文件（如 content/{first}）的校验值，须重新终审"
    return ""


def files_present(article: Article, ctx: Context) -> Iterable[Finding]:
    """Every file the article uses is a regular file of content/ (an error once the final
    sign-off binds it; advice while the article is a draft) within the size limit (an error:
    such a file is never read)."""
    if ctx.files is None or article.meta is None:
        return
    signed = article.meta.review.final is not None
    for path, sha in used_hashes(article, ctx.files).items():
        size = ctx.oversize.get(path)
        if size is not None:
            limit = ctx.site.congress.max_file_mb
            yield ASSET_TOO_LARGE.at(
                article.path,
                _line_using(article, path),
                file=path,
                size=f"{size / 1048576:.0f}",
                limit=limit,
            )
        elif sha is None:
            finding = GATE_FILE_MISSING.at(article.path, _line_using(article, path), file=path)
            yield finding if signed else _as_warning(finding)


def _as_warning(finding: Finding) -> Finding:
    return replace(finding, severity=Severity.WARNING)


def _line_using(article: Article, path: str) -> int | None:
    """The body line of the link or image that names the file, else the cover's line."""
    return line_using(article, path)
