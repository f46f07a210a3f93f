"""海报: one article as a one-page PDF poster for a notice board (代表联络站, 基层立法联系点).

The caller (`congress poster`) picks the public articles and builds a `Poster`; `render` lays
it out with WeasyPrint (HTML and CSS paged media) from the theme's Jinja2 template and
stylesheet (themes/congress/channels/poster.html, poster.css, which the office edits) and the
site's mark, with a QR code (segno) of the article's address, or of the feedback article's
once a consultation has closed and its feedback is published.

Approved text is never cut: a title or summary too long for the page is set smaller, step by
step (the template's elements of class "poster-fit"), and a poster that does not fit one page
even in the smallest type is refused (POSTER-TOO-LONG), never printed on two pages or clipped.

Nothing is fetched: the QR code and the mark are data: URLs and the URL fetcher refuses every
other address (a theme or a text cannot make the renderer reach the network or read a file).
The same poster gives the same bytes: the PDF's dates are the article's date, its identifier
comes from the address and the size, and the metadata are set here, not by the template.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from generator.core.findings import Code, Finding, Severity

E = Severity.ERROR

POSTER_EXTRA = Code(
    "POSTER-EXTRA",
    E,
    "未安装生成海报所需的 Python 包 {package}，或它缺少系统库",
    "安装打印和海报的附加依赖：pip install 'congress-site[print]'；WeasyPrint 还需要 Pango"
    "（Debian/Ubuntu：apt-get install libpango-1.0-0 libpangoft2-1.0-0）。",
)
POSTER_RENDER = Code(
    "POSTER-RENDER",
    E,
    "海报排版失败：{problem}",
    "检查主题中的 poster.html、poster.css 和 mark.svg（themes/congress/channels/）是否改坏；"
    "仍然失败时请把这条信息转给技术人员。",
)
POSTER_TOO_LONG = Code(
    "POSTER-TOO-LONG",
    E,
    "海报排不下一页：{problem}，未生成",
    "审定的文字不会被删节，A3 海报与 A4 版式相同、同样排不下：请为这篇稿件另拟一条较短的摘要"
    "（须重新审核后再生成海报），或请技术人员调整主题中的 poster.css。",
)

# Problems of the machine, not of an article (the command exits 2).
SETUP_CODES = frozenset({POSTER_EXTRA.code})

OPEN, CLOSED, PENDING = "征求意见中", "已截止", "尚未开始"
STATUSES = (OPEN, CLOSED, PENDING)
# The root font size on each paper: the stylesheet's lengths are in rem, so A3 (√2 the length
# of A4) scales the same layout.
ROOT_PT = {"A4": 10.0, "A3": 10.0 * math.sqrt(2)}
# The font sizes of the "poster-fit" elements, in rem, largest first: the largest that fits wins.
FITS = tuple(round(1 - 0.04 * i, 2) for i in range(12))  # 1.0 … 0.56
MAX_TEXT = 5000  # characters of a title or a summary laid out at all (bounds the layout time)
MAX_URL = 600  # beyond this a QR code's modules get too small to scan from a notice board
MAX_MARK = 1 << 20
MAX_THEME = 1 << 20  # the template's and the stylesheet's characters
SLACK = 0.5  # CSS px: rounding in the layout's coordinates
QR_BORDER = 4  # the quiet zone, in modules (ISO/IEC 18004 asks for 4)
CAPTION = "扫码阅读全文"
FEEDBACK_CAPTION = "扫码查看意见采纳情况"


class PosterError(Exception):
    """A poster could not be made; `finding` says why, in Chinese."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


@dataclass(frozen=True)
class Consultation:
    """What a consultation's poster shows, as text (the caller formats the times)."""

    status: str  # OPEN, CLOSED or PENDING
    deadline_text: str  # "2026年12月20日 17:00"
    opens_text: str = ""
    email: str = ""  # each channel "" when it is not offered
    post: str = ""
    url: str = ""
    feedback_title: str = ""  # the 采纳情况反馈 article's title, "" while there is none
    feedback_url: str = ""  # its absolute address, "" while there is none


@dataclass(frozen=True)
class Poster:
    """One article's poster: all text, as approved."""

    site_name: str
    column: str
    title: str
    summary: str
    date_text: str  # "2026年11月20日": also the PDF's dates
    url: str  # the article's absolute address, percent-encoded
    consultation: Consultation | None = None
    size: str = "A4"  # "A4" or "A3"


@dataclass(frozen=True)
class _Code:
    """The QR code as the template sees it."""

    src: str
    url: str
    caption: str


def render(
    poster: Poster, *, template: str, css: str, mark: bytes | None, where: str = ""
) -> bytes:
    """The poster as a one-page PDF; PosterError otherwise. `where` is the path findings name
    (the article's file; its address when not given)."""
    where = where or poster.url
    _check(poster, template, css, mark, where)
    weasyprint = _import("weasyprint", where)
    segno = _import("segno", where)
    code = _code(segno, poster)
    document = _html(template, poster, code, _mark_uri(mark, where), where)
    laid = _fit(
        lambda fit: _layout(weasyprint, document, css, poster.size, fit, where=where), where
    )
    _metadata(laid, poster)
    identifier = hashlib.sha256(f"{poster.url}\n{poster.size}".encode()).hexdigest()[:32]
    try:
        pdf = laid.write_pdf(pdf_identifier=identifier.encode("ascii"))
    except Exception as exc:  # WeasyPrint's and its font tools' errors have no common base
        raise PosterError(POSTER_RENDER.at(where, problem=_say(exc))) from None
    assert isinstance(pdf, bytes)
    return pdf


def _check(poster: Poster, template: str, css: str, mark: bytes | None, where: str) -> None:
    """The poster's data, bounded and of the kinds the layout expects."""

    def bad(problem: str) -> PosterError:
        return PosterError(POSTER_RENDER.at(where, problem=problem))

    if poster.size not in ROOT_PT:
        raise bad(f"纸张 {poster.size!r} 不支持（只支持 A4、A3）")
    if not poster.title.strip():
        raise bad("标题为空")
    c = poster.consultation
    if c is not None and c.status not in STATUSES:
        raise bad(f"征求意见状态 {c.status!r} 无效（应为 {'、'.join(STATUSES)} 之一）")
    if len(template) > MAX_THEME or len(css) > MAX_THEME:
        raise bad(f"poster.html 或 poster.css 超过 {MAX_THEME >> 20} MB")
    if mark is not None and len(mark) > MAX_MARK:
        raise bad(f"标志文件超过 {MAX_MARK >> 20} MB")
    urls = {"稿件网址": poster.url}
    texts = {"标题": poster.title, "摘要": poster.summary}
    if c is not None:
        texts["反馈稿件标题"] = c.feedback_title
        if c.feedback_url:
            urls["反馈稿件网址"] = c.feedback_url
    for label, url in urls.items():
        if not re.fullmatch(r"https?://[^\s/?#]+\S*", url) or not url.isprintable():
            raise bad(f"{label}不是 http(s) 网址：{url[:80]!r}")
    too_long = [
        f"{label}长 {len(text)} 个字符，超过 {limit}"
        for limit, pairs in ((MAX_URL, urls), (MAX_TEXT, texts))
        for label, text in pairs.items()
        if len(text) > limit
    ]
    if too_long:
        raise PosterError(POSTER_TOO_LONG.at(where, problem=too_long[0]))


def _import(name: str, where: str) -> Any:
    import importlib

    try:
        return importlib.import_module(name)
    except (ImportError, OSError):  # OSError: WeasyPrint without Pango
        raise PosterError(POSTER_EXTRA.at(where, package=name)) from None


def _code(segno: Any, poster: Poster) -> _Code:
    """The QR code of exactly the address the poster leads to, as an SVG data: URL (vector,
    sharp at any size), error correction Q (a notice board's paper gets worn), quiet zone kept."""
    c = poster.consultation
    url, caption = poster.url, CAPTION
    if c is not None and c.status == CLOSED and c.feedback_url:
        url, caption = c.feedback_url, FEEDBACK_CAPTION
    qr = segno.make(
        url,
        error="q",
        boost_error=False,
        micro=False,
        encoding=None if url.isascii() else "utf-8",
    )
    src = qr.svg_data_uri(scale=1, border=QR_BORDER, omitsize=True, dark="#000", light="#fff")
    return _Code(src=str(src), url=url, caption=caption)


def _mark_uri(mark: bytes | None, where: str) -> str:
    """The mark as a data: URL, by what its bytes are (SVG, PNG or JPEG); "" for none."""
    if not mark:
        return ""
    if mark.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "image/png"
    elif mark.startswith(b"\xff\xd8\xff"):
        kind = "image/jpeg"
    elif b"<svg" in mark[:4096]:
        kind = "image/svg+xml"
    else:
        problem = "标志文件不是 SVG、PNG 或 JPEG 图片"
        raise PosterError(POSTER_RENDER.at(where, problem=problem))
    return f"data:{kind};base64,{base64.b64encode(mark).decode('ascii')}"


def _html(template: str, poster: Poster, code: _Code, mark: str, where: str) -> str:
    """The template filled in: a sandbox (the theme is edited by hand), every value escaped,
    an unknown name an error rather than a blank."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)
    c = poster.consultation
    summary = [line.strip() for line in poster.summary.splitlines() if line.strip()]
    try:
        return env.from_string(template).render(
            p=poster,
            c=c,
            closed=c is not None and c.status == CLOSED,
            feedback=c is not None and c.status == CLOSED and bool(c.feedback_url),
            summary=summary,
            qr=code,
            mark=mark,
        )
    except jinja2.TemplateSyntaxError as exc:
        problem = f"poster.html 第 {exc.lineno} 行：{exc.message}"
        raise PosterError(POSTER_RENDER.at(where, problem=problem)) from None
    except jinja2.TemplateError as exc:
        problem = f"poster.html：{exc.message or exc}"
        raise PosterError(POSTER_RENDER.at(where, problem=problem)) from None


def _sizing(size: str, fit: float) -> str:
    """What the renderer decides, after the theme's sheet: paper, scale, the fit's type size."""
    return (
        f"@page {{ size: {size} portrait !important; }}\n"
        f"html {{ font-size: {ROOT_PT[size]:.4f}pt !important; }}\n"
        f".poster-fit {{ font-size: {fit:.2f}rem !important; }}\n"
    )


def _layout(weasyprint: Any, document: str, css: str, size: str, fit: float, *, where: str) -> Any:
    fetcher = _fetcher()
    try:
        html = weasyprint.HTML(string=document, url_fetcher=fetcher)
        sheets = [
            weasyprint.CSS(string=css, url_fetcher=fetcher),
            weasyprint.CSS(string=_sizing(size, fit), url_fetcher=fetcher),
        ]
        return html.render(stylesheets=sheets)
    except Exception as exc:  # WeasyPrint's errors have no common base
        raise PosterError(POSTER_RENDER.at(where, problem=_say(exc))) from None


def _fetcher() -> Any:
    """WeasyPrint's URL fetcher narrowed to data: URLs: any other address (http, file, …) is
    refused, and WeasyPrint leaves that image or sheet out."""
    from weasyprint.urls import URLFetcher

    class DataOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url[:5].lower() == "data:":
                raise ValueError(f"refused: {url[:80]}")
            return super().fetch(url, headers)

    return DataOnly(allowed_protocols=("data",), allow_redirects=False)


def _fit(layout: Callable[[float], Any], where: str) -> Any:
    """The layout in the largest type of FITS that fits one page: the full size first (most
    posters), then the smallest (else POSTER-TOO-LONG), then halving the steps between. Only a
    layout seen to fit is returned, whatever the steps do."""
    first = layout(FITS[0])
    if _fits(first):
        return first
    best = layout(FITS[-1])
    if not _fits(best):
        pages = len(best.pages)
        problem = f"标题和摘要缩到最小字号后仍需 {pages} 页" if pages > 1 else "文字超出页面"
        raise PosterError(POSTER_TOO_LONG.at(where, problem=problem))
    low, high = 0, len(FITS) - 1  # FITS[low] does not fit, FITS[high] does
    while high - low > 1:
        middle = (low + high) // 2
        laid = layout(FITS[middle])
        if _fits(laid):
            high, best = middle, laid
        else:
            low = middle
    return best


def _fits(document: Any) -> bool:
    """One page, and every element with an id (the footer in the margin included) inside it."""
    if len(document.pages) != 1:
        return False
    page = document.pages[0]
    for box in page.anchors.values():
        x0, y0, x1, y1 = box[:4]
        if min(x0, y0) < -SLACK or x1 > page.width + SLACK or y1 > page.height + SLACK:
            return False
    return True


def _metadata(document: Any, poster: Poster) -> None:
    """The PDF's metadata set here, whatever the template says: the title, the site as author,
    the article's date as both dates; nothing attached."""
    meta = document.metadata
    meta.title = poster.title
    meta.authors = [poster.site_name]
    meta.description = poster.summary or None
    meta.keywords = []
    meta.generator = "congress-site"
    meta.lang = "zh-CN"
    meta.attachments = []
    day = _date(poster.date_text)
    meta.created = meta.modified = day


def _date(text: str) -> str | None:
    """The date in a text like 2026年11月20日, as 2026-11-20 (None when there is none)."""
    found = re.search(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日", text)
    if found is None:
        return None
    year, month, day = (int(g) for g in found.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _say(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}：{text[0][:200] if text else ''}"
