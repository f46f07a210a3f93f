"""Who signed: every stage's signature is the named person's, by a key the registry lists
for them at the signing time, over that stage's statement (core/approval.py).

The role a stage needs is review.signers' rule, an unknown signer GATE-SIGNER-UNKNOWN; this
rule says whether the record was signed by the person it names. Each failure keeps the
article off the site and says which stage and why.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from generator.core import legacy
from generator.core.approval import stage_name, statement
from generator.core.clock import minute
from generator.core.findings import Code, Finding, Severity
from generator.core.model import Signature
from generator.core.policy import STAGE_LABELS
from generator.core.schemes import SchemeError, split
from generator.gate.rules import Context, round_of, signatures
from generator.load.article import Article

E = Severity.ERROR
_RESIGN = "由{name}本人用自己登记的密钥重新签署：congress review {path} --stage {stage} --by {by}"

GATE_SIGNATURE_MISSING = Code(
    "GATE-SIGNATURE-MISSING",
    E,
    "{label}（{name}）没有数字签名",
    "审核记录须由签署人用自己的密钥签名。" + _RESIGN,
)
GATE_SIGNATURE_LEGACY = Code(
    "GATE-SIGNATURE-LEGACY",
    Severity.INFO,
    "{label}（{name}）是签名启用前的审核记录，经登记员确认（editorial/legacy-approvals.yml）",
    "历史记录不需要补签；以后的审核一律由本人签名。",
)
GATE_SIGNATURE_MALFORMED = Code(
    "GATE-SIGNATURE-MALFORMED", E, "{label}（{name}）的签名无法读取：{problem}", _RESIGN
)
GATE_SIGNATURE_SCHEME = Code(
    "GATE-SIGNATURE-SCHEME", E, "{label}（{name}）的签名方案无法识别：{problem}", _RESIGN
)
GATE_SIGNATURE_KEY = Code(
    "GATE-SIGNATURE-KEY",
    E,
    "{label}的签名密钥 {key} 不是 {name} 登记的密钥{owner}",
    "签名只能用签署人本人在人员名录中登记的密钥。" + _RESIGN,
)
GATE_SIGNATURE_REVOKED = Code(
    "GATE-SIGNATURE-REVOKED",
    E,
    "{label}的签名密钥 {key} 在签署时（{at}）{problem}",
    "密钥吊销后所作的签名无效。" + _RESIGN,
)
GATE_SIGNATURE = Code(
    "GATE-SIGNATURE",
    E,
    "{label}（{name}）的签名与审核记录不符：签名后稿件编号、环节、签署人、时间或摘要被改动，"
    "或签名抄自别处",
    "审核记录只能由 congress review 写入。" + _RESIGN,
)

CODES = (
    GATE_SIGNATURE_MISSING,
    GATE_SIGNATURE_MALFORMED,
    GATE_SIGNATURE_SCHEME,
    GATE_SIGNATURE_KEY,
    GATE_SIGNATURE_REVOKED,
    GATE_SIGNATURE,
)


def label_of(stage: str, index: int | None) -> str:
    return (
        f"第{index + 1}次校对"
        if stage == "proofread" and index is not None
        else STAGE_LABELS[stage]
    )


def identity(article: Article, ctx: Context) -> Iterable[Finding]:
    """Each signature verifies, by a key of its signer valid when it was made."""
    meta = article.meta
    assert meta is not None
    for stage, loc, sig in signatures(article):
        if ctx.staff.get(sig.by) is None:
            continue  # GATE-SIGNER-UNKNOWN
        index = round_of(stage, loc)
        line = article.line_of(*loc, "sig")
        params: dict[str, Any] = {
            "label": label_of(stage, index),
            "name": ctx.staff.name(sig.by),
            "by": sig.by,
            "path": article.path,
            "stage": stage,
        }
        finding = _check(meta.uid, stage_name(stage, index), sig, ctx)
        if finding is not None:
            code, more = finding
            yield code.at(article.path, line, **{**params, **more})


def _check(
    uid: str, stage: str, sig: Signature, ctx: Context
) -> tuple[Code, dict[str, str]] | None:
    if sig.sig is None:
        vouched = legacy.record(uid, stage, sig.by, sig.at, sig.digest) in ctx.staff.legacy
        return (GATE_SIGNATURE_LEGACY if vouched else GATE_SIGNATURE_MISSING), {}
    try:
        scheme, data = split(sig.sig)
    except SchemeError as exc:
        return GATE_SIGNATURE_SCHEME, {"problem": str(exc)}
    try:
        fingerprint = scheme.signer_key(data)
    except SchemeError as exc:
        return GATE_SIGNATURE_MALFORMED, {"problem": str(exc)}
    key = ctx.staff.key(sig.by, fingerprint)
    if key is None:
        owners = [ctx.staff.name(i) for i in ctx.staff.owners(fingerprint)]
        owner = f"（登记在 {'、'.join(owners)} 名下）" if owners else "（人员名录中没有该密钥）"
        return GATE_SIGNATURE_KEY, {"key": fingerprint, "owner": owner}
    if not key.valid_at(sig.at):
        problem = (
            f"尚未登记（登记于 {minute(key.added)}）"
            if sig.at < key.added
            else f"已被吊销（吊销于 {minute(key.revoked)}）"  # type: ignore[arg-type]
        )
        return GATE_SIGNATURE_REVOKED, {
            "key": fingerprint,
            "at": minute(sig.at),
            "problem": problem,
        }
    if sig.at.microsecond:  # the statement names the second: a fraction was not signed
        return GATE_SIGNATURE, {}
    if sig.digest is None:
        return GATE_SIGNATURE_MALFORMED, {"problem": "记录缺少 digest（签署时的稿件摘要）"}
    message = statement(uid, stage, sig.by, sig.at, sig.digest)
    if message is None or not ctx.verify(scheme.name, data, message):
        return GATE_SIGNATURE, {}
    return None
