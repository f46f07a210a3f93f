"""征求意见: a consultation carries its deadline and at least one channel (and only a
consultation does); a feedback piece names a consultation of the newsroom."""

from __future__ import annotations

from collections.abc import Iterable

from generator.core.findings import Code, Finding, Severity
from generator.gate.rules import Context
from generator.load.article import Article

E = Severity.ERROR

ART_CONSULTATION = Code("ART-CONSULTATION", E, "{problem}", "{hint}")
ART_FEEDBACK = Code(
    "ART-FEEDBACK", E, "feedback_for 指向的稿件 {uid} {problem}", "填写所反馈的征求意见稿件的 uid。"
)


def consultation(article: Article, ctx: Context) -> Iterable[Finding]:
    meta = article.meta
    assert meta is not None
    path, line = article.path, article.line_of
    if meta.kind == "consultation" and meta.consultation is None:
        yield ART_CONSULTATION.at(
            path,
            line("kind"),
            problem="征求意见稿件缺少 consultation（截止时间和意见提交渠道）",
            hint="补上 consultation: {deadline: …, channels: {email: …, post: …, url: …}}。",
        )
    elif meta.consultation is not None and meta.kind != "consultation":
        yield ART_CONSULTATION.at(
            path,
            line("consultation"),
            problem="只有 kind: consultation 的稿件可以写 consultation",
            hint="把 kind 改为 consultation，或删除 consultation。",
        )
    elif meta.consultation is not None:
        c = meta.consultation
        if not (c.channels.email or c.channels.post or c.channels.url):
            yield ART_CONSULTATION.at(
                path,
                line("consultation", "channels"),
                problem="征求意见至少要列出一种意见提交渠道",
                hint="在 channels 中填写 email、post 或 url。",
            )
        if c.opens and c.opens >= c.deadline:
            yield ART_CONSULTATION.at(
                path,
                line("consultation", "deadline"),
                problem="征求意见的截止时间早于开始时间",
                hint="检查 consultation 的 opens 和 deadline。",
            )


def feedback(article: Article, ctx: Context) -> Iterable[Finding]:
    """`feedback_for` is the uid of a consultation of the newsroom."""
    meta = article.meta
    assert meta is not None
    if meta.feedback_for is None or ctx.peers is None:
        return
    kind = ctx.peers.kinds.get(meta.feedback_for)
    problem = ""
    if kind is None:
        problem = "不存在"
    elif kind != "consultation":
        problem = "不是征求意见稿件"
    if problem:
        yield ART_FEEDBACK.at(
            article.path, article.line_of("feedback_for"), uid=meta.feedback_for, problem=problem
        )
