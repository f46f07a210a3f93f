"""When a signed article is public: embargo (publish_at, a future date), expiry, withdrawal;
and an expiry that comes before the article would go live."""

from __future__ import annotations

from collections.abc import Iterable

from generator.core.clock import minute
from generator.core.findings import Code, Finding, Severity
from generator.core.model import goes_live
from generator.gate.rules import Context
from generator.load.article import Article

E, INFO = Severity.ERROR, Severity.INFO

ART_EXPIRY = Code(
    "ART-EXPIRY",
    E,
    "下线时间 {expires} 早于上线时间 {start}",
    "检查 expires_at 与 publish_at、date。",
)

GATE_WITHDRAWN = Code(
    "GATE-WITHDRAWN", INFO, "已撤稿（{at}）：{reason}", "撤稿后网址只保留撤稿说明。"
)
GATE_SCHEDULED = Code(
    "GATE-SCHEDULED", INFO, "定时发布：{at} 之前不公开", "到时间后的下一次构建会自动发布。"
)
GATE_EXPIRED = Code(
    "GATE-EXPIRED", INFO, "已于 {at} 下线", "如需继续公开，修改 expires_at 并重新终审。"
)

STATE_CODES = {
    GATE_WITHDRAWN.code: "withdrawn",
    GATE_SCHEDULED.code: "scheduled",
    GATE_EXPIRED.code: "expired",
}


def lifetime(article: Article, ctx: Context) -> Iterable[Finding]:
    """expires_at after the article goes live (never reads the clock)."""
    meta = article.meta
    assert meta is not None
    start = goes_live(meta)
    if meta.expires_at and meta.expires_at <= start:
        yield ART_EXPIRY.at(
            article.path,
            article.line_of("expires_at"),
            expires=minute(meta.expires_at),
            start=minute(start),
        )


def withdrawal(article: Article, ctx: Context) -> Iterable[Finding]:
    w = article.meta.withdrawn if article.meta else None
    if w is not None:
        yield GATE_WITHDRAWN.at(
            article.path, article.line_of("withdrawn"), at=minute(w.at), reason=w.reason
        )


def embargo(article: Article, ctx: Context) -> Iterable[Finding]:
    meta = article.meta
    assert meta is not None
    # A 发布时间 in the future embargoes too: a page must not show a time still to come.
    start = goes_live(meta)
    key = "publish_at" if meta.publish_at is not None and meta.publish_at >= meta.date else "date"
    if start > ctx.now:
        yield GATE_SCHEDULED.at(article.path, article.line_of(key), at=minute(start))


def expiry(article: Article, ctx: Context) -> Iterable[Finding]:
    meta = article.meta
    assert meta is not None
    if meta.expires_at is not None and meta.expires_at <= ctx.now:
        yield GATE_EXPIRED.at(
            article.path, article.line_of("expires_at"), at=minute(meta.expires_at)
        )
