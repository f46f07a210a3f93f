"""The audit's look at the approvals: every public article's signatures are verified again
(the audit judges without the build cache), and an approval made with a key revoked since is
listed: it stays valid (made before the revocation), but the office should know of it."""

from __future__ import annotations

from collections.abc import Iterator

from generator.core.clock import minute
from generator.core.findings import Code, Finding, Severity
from generator.core.schemes import key_of
from generator.derive.publication import Publication
from generator.gate.rules import round_of, signatures
from generator.gate.rules.identity import label_of

AUDIT_KEY_REVOKED = Code(
    "AUDIT-KEY-REVOKED",
    Severity.WARNING,
    "{label}的签名密钥（{name}，{key}）已于 {revoked} 吊销；签名作于 {at}，在吊销之前，仍然有效",
    "核实该密钥吊销前所签的稿件；如疑有冒签，撤回稿件并重新审核。",
)


def revoked_since(pub: Publication) -> Iterator[Finding]:
    """Each approval of a public article whose key has been revoked since it was made."""
    now = pub.decision.now
    for article in pub.decision.published:
        for stage, loc, sig in signatures(article):
            fingerprint = key_of(sig.sig)
            key = pub.staff.key(sig.by, fingerprint) if fingerprint else None
            if key is None or key.revoked is None or key.revoked > now:
                continue
            index = round_of(stage, loc)
            yield AUDIT_KEY_REVOKED.at(
                article.path,
                article.line_of(*loc, "sig"),
                label=label_of(stage, index),
                name=pub.staff.name(sig.by),
                key=fingerprint,
                revoked=minute(key.revoked),
                at=minute(sig.at),
            )
