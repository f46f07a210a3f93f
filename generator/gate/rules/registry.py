"""Front matter that names an entry of a registry: the editor in charge (a person of
editorial/staff.yml with the editor role) and the specialist committee (mkdocs.yml)."""

from __future__ import annotations

from collections.abc import Iterable

from generator.core.findings import Code, Finding, Severity
from generator.gate.rules import Context
from generator.load.article import Article

E = Severity.ERROR

ART_EDITOR = Code(
    "ART-EDITOR",
    E,
    "责任编辑 {editor} {problem}",
    "填写 editorial/staff.yml 中具有编辑角色的人员编号。",
)
ART_SPECIALIST = Code(
    "ART-SPECIALIST",
    E,
    "专业审核委员会 {committee} 不存在",
    "可用：{known}（见 mkdocs.yml 的 committees）。",
)


def editor(article: Article, ctx: Context) -> Iterable[Finding]:
    """The editor in charge is in the staff registry and holds the editor role."""
    meta = article.meta
    assert meta is not None
    problem = ""
    if meta.editor not in ctx.staff:
        problem = "不在人员名录中"
    elif not ctx.staff.has_role(meta.editor, "editor"):
        problem = "不具备编辑角色"
    if problem:
        line = article.line_of("editor")
        yield ART_EDITOR.at(article.path, line, editor=meta.editor, problem=problem)


def specialist(article: Article, ctx: Context) -> Iterable[Finding]:
    """The committee named for 专业审核 is one of the site's."""
    meta = article.meta
    assert meta is not None
    committees = ctx.site.congress.committees
    if meta.specialist and meta.specialist not in committees:
        yield ART_SPECIALIST.at(
            article.path,
            article.line_of("specialist"),
            committee=meta.specialist,
            known="、".join(committees),
        )
