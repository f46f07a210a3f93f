"""The printed channels' data from a publication: an approved edition as the printing library's
`Edition` (generator/channels/printing.py), a public article as a `Poster`
(generator/channels/poster.py), each laid out by the theme's files (themes/congress/channels/).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from generator.channels.printbody import print_body
from generator.core.clock import china
from generator.core.config import Site
from generator.core.findings import Code, Finding, Severity
from generator.derive.address import web_address
from generator.derive.publication import Publication
from generator.gate.decide import Verdict
from generator.gate.editions import EditionVerdict

EDITION_NOT_APPROVED = Code(
    "EDITION-NOT-APPROVED",
    Severity.ERROR,
    "刊期未审定（{state}），不能排印：{lacks}",
    "先完成刊期的审核（congress review 刊期文件 --stage …），并确保所列稿件都已公开。",
)
PRINT_THEME = Code(
    "PRINT-THEME",
    Severity.ERROR,
    "主题中缺少印刷版式文件 {file}",
    "在 themes/congress/channels/ 中放入 edition.html、edition.css、poster.html、poster.css。",
)


class PrintError(Exception):
    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


def _chinese_date(moment: object) -> str:
    from datetime import date, datetime

    assert isinstance(moment, (date, datetime))
    return f"{moment.year}年{moment.month}月{moment.day}日"


def _theme_text(theme: Path, name: str) -> str:
    path = theme / "channels" / name
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PrintError(PRINT_THEME.at(str(path), None, file=name)) from exc


def edition_document(
    pub: Publication, edition: EditionVerdict, body: Callable[[Verdict], str]
) -> object:
    """The printing library's description of an approved edition."""
    from generator.channels import printing

    data, publication = edition.edition.data, edition.publication
    assert data is not None and publication is not None
    site = pub.site
    articles = []
    for v in edition.members:
        meta = v.article.meta
        assert meta is not None
        view = pub.view(v)
        articles.append(
            printing.PrintArticle(
                uid=meta.uid,
                title=meta.title,
                date_text=_chinese_date(china(meta.date).date()),
                source=view.source,
                authors=view.authors,
                body_html=print_body(body(v), v.article.url, pub.assets, site),
            )
        )
    return printing.Edition(
        publication=publication.name,
        short_name=publication.short_name or publication.name,
        issue=data.issue,
        running=data.running,
        date=china(data.date).date(),
        publisher=publication.publisher or site.footer.sponsor,
        articles=tuple(articles),
        page_width_mm=publication.page_width_mm,
        page_height_mm=publication.page_height_mm,
        body_font=publication.body_font,
        heading_font=publication.heading_font,
        keywords=tuple(dict.fromkeys([*publication.keywords, *data.keywords])),
        subject=f"《{publication.name}》{data.issue}（{data.running}）",
    )


def render_edition(
    doc: object, site: Site, theme: Path, *, say: Callable[[str], None] = lambda s: None
) -> tuple[bytes, int]:
    """The edition's PDF and its page count."""
    from generator.channels import printing

    assert isinstance(doc, printing.Edition)
    allowed = frozenset(a for article in doc.articles for a in _sources(article.body_html))
    try:
        printed = printing.draw(
            doc,
            base=site.docs_dir,
            allowed=allowed,
            template=_theme_text(theme, "edition.html"),
            css=_theme_text(theme, "edition.css"),
            say=say,
        )
    except printing.PrintError as exc:
        raise PrintError(exc.finding) from exc
    return printed.pdf, printed.pages


def _sources(html: str) -> list[str]:
    """The pictures a printed body embeds (print_body made each a published file's path)."""
    from lxml import html as lxml_html

    if not html.strip():
        return []
    root = lxml_html.fragment_fromstring(html, create_parent="section")
    return [img.get("src") for img in root.iter("img") if img.get("src")]


def poster_document(pub: Publication, v: Verdict, size: str) -> object:
    from generator.channels import poster as poster_lib

    meta = v.article.meta
    assert meta is not None
    site = pub.site
    view = pub.view(v)
    consultation = None
    c = view.consultation
    if c is not None:
        feedback = pub.feedback.get(meta.uid)
        consultation = poster_lib.Consultation(
            status=c.status,
            deadline_text=c.deadline,
            opens_text=c.opens,
            email=c.email,
            post=c.post,
            url=c.url,
            feedback_title=feedback.meta.title if feedback and feedback.meta else "",
            feedback_url=web_address(site.absolute(feedback.url)) if feedback else "",
        )
    return poster_lib.Poster(
        site_name=site.site_name,
        column=view.column.name if view.column else meta.column,
        title=meta.title,
        summary=meta.summary or "",
        date_text=_chinese_date(china(meta.date).date()),
        url=web_address(site.absolute(v.article.url)),
        consultation=consultation,
        size=size,
    )


def render_poster(
    doc: object, site: Site, root: Path, theme: Path | None = None, where: str = ""
) -> bytes:
    from generator.channels import poster as poster_lib

    assert isinstance(doc, poster_lib.Poster)
    folder = theme or root / "themes" / "congress"
    mark_path = folder / "channels" / "mark.svg"
    mark = mark_path.read_bytes() if mark_path.is_file() else None
    try:
        pdf: bytes = poster_lib.render(
            doc,
            template=_theme_text(folder, "poster.html"),
            css=_theme_text(folder, "poster.css"),
            mark=mark,
            where=where,
        )
    except poster_lib.PosterError as exc:
        raise PrintError(exc.finding) from exc
    return pdf
