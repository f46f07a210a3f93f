"""Print editions (《常委会公报》, 《代表之声》) as PDF: an edition's articles laid out by
WeasyPrint from HTML and CSS paged media, the office's template and stylesheet
(themes/congress/channels/edition.html and edition.css), never drawn by hand.

The PDF is PDF/A-3b (WeasyPrint's variant: an sRGB output intent, every font embedded, XMP
metadata that declares pdfaid:part 3 / conformance B), for the archive. Its metadata are set on
the laid-out document, not read from the template, so an edited template cannot lose them: the
title 《publication》issue, the publisher as author, the subject, the keywords, the language,
and as both creation and modification date the edition's date at 00:00 in Beijing time.

Reproducible: the same edition gives the same bytes. WeasyPrint writes no date but the ones it
is given, names fonts and images by hashes of their content and URL (the URLs are under a
virtual root, printchild.ROOT, not under `base`), and the PDF identifier's first half is fixed
from the edition (publication, issue, running number): its second half is WeasyPrint's hash of
the content, as the PDF spec asks of a file that changes.

WeasyPrint runs in a child process (printchild.py) with a time and memory limit, and fetches
nothing but the allowed pictures under `base`.
"""

from __future__ import annotations

import importlib.util
import json
import posixpath
import resource
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.channels.printedition import Edition, PrintArticle
from generator.channels.printpage import LANG, SizeProblem, TemplateProblem, document, page_css
from generator.core.findings import Code, Finding, Severity
from generator.core.invisible import terminal_safe

__all__ = ["Edition", "PrintArticle", "PrintError", "Printed", "draw", "render"]

E = Severity.ERROR

PRINT_EXTRA = Code(
    "PRINT-EXTRA",
    E,
    "未安装生成印刷版 PDF 所需的 WeasyPrint：{problem}",
    "安装印刷版的附加依赖：pip install 'congress-site[print]'；"
    "WeasyPrint 还需要系统的 Pango 库（Debian/Ubuntu：apt-get install libpango-1.0-0 "
    "libpangoft2-1.0-0）和中文字体（apt-get install fonts-noto-cjk）。",
)
PRINT_RENDER = Code(
    "PRINT-RENDER",
    E,
    "印刷版 PDF 排版失败：{problem}",
    "检查本期稿件中的图片和表格（过大或过于复杂的图片、超长的表格）以及 edition.css；"
    "仍然失败时请把这条信息转给技术人员。",
)
PRINT_TEMPLATE = Code(
    "PRINT-TEMPLATE",
    E,
    "印刷版模板 edition.html 有误：{problem}",
    "修改 themes/congress/channels/edition.html（Jinja2 模板）后重试；"
    "可用的变量：edition、articles、title、created、lang。",
)

TIMEOUT = 900  # seconds for one edition: a 60-page edition takes well under a minute
MEMORY = 6 * 1024 * 1024 * 1024  # the child's address space (Pango maps the CJK fonts)
MAX_ARTICLES = 500
MAX_HTML = 40 * 1024 * 1024  # the whole edition's HTML, pictures not counted
PAGE_MM = (50.0, 1000.0)


class PrintError(Exception):
    """No PDF could be made; `finding` says why, in Chinese."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


@dataclass(frozen=True)
class Printed:
    """A render: the PDF, its page count, and what was left out (path, reason in Chinese)."""

    pdf: bytes
    pages: int
    refused: tuple[tuple[str, str], ...]


def render(
    edition: Edition,
    *,
    base: Path,
    allowed: frozenset[str],
    template: str,
    css: str,
    say: Callable[[str], None] = lambda s: None,
    timeout: float = TIMEOUT,
) -> bytes:
    """The edition as a PDF/A-3b file's bytes; PrintError otherwise.

    `allowed`: the paths relative to `base` (POSIX, "assets/images/x.svg") that may be
    embedded; every other resource is left out, and `say` is told which and why."""
    return draw(
        edition, base=base, allowed=allowed, template=template, css=css, say=say, timeout=timeout
    ).pdf


def draw(
    edition: Edition,
    *,
    base: Path,
    allowed: frozenset[str],
    template: str,
    css: str,
    say: Callable[[str], None] = lambda s: None,
    timeout: float = TIMEOUT,
) -> Printed:
    """`render`, telling the page count and what was left out."""
    where = f"{edition.publication} {edition.issue}"
    _check(edition, where)
    if importlib.util.find_spec("weasyprint") is None:
        raise PrintError(PRINT_EXTRA.at(where, problem="找不到 weasyprint 包"))
    try:
        html = document(edition, template, edition.title, edition.created)
        styles = [css, page_css(edition)]
    except TemplateProblem as exc:
        raise PrintError(PRINT_TEMPLATE.at(where, problem=str(exc))) from None
    except SizeProblem as exc:
        raise PrintError(PRINT_RENDER.at(where, problem=str(exc))) from None
    if len(html) > MAX_HTML:
        problem = f"本期 HTML 共 {len(html) // (1024 * 1024)} MB，超过上限"
        raise PrintError(PRINT_RENDER.at(where, problem=problem))
    job = {
        "html": html,
        "styles": styles,
        "base": str(base.absolute()),
        "allowed": sorted({posixpath.normpath(a) for a in allowed}),
        "identifier": edition.identifier,
        "metadata": {
            "title": edition.title,
            "authors": [edition.publisher] if edition.publisher else [],
            "description": edition.subject,
            "keywords": list(edition.keywords),
            "created": edition.created,
            "lang": LANG,
        },
    }
    say(f"正在用 WeasyPrint 排版{edition.title}（{len(edition.articles)} 篇）……")
    answer, pdf = _run(json.dumps(job).encode("utf-8"), timeout, where)
    # What a body or a stylesheet names is written out safely (a control in a picture's name
    # must not act on the terminal).
    for path, reason in answer.get("refused", []):
        say(f"未嵌入 {terminal_safe(str(path))}：{reason}")
    for message in answer.get("messages", []):
        if "Refused: " not in message:  # the refusals were said above, in Chinese
            say(f"WeasyPrint：{terminal_safe(str(message))}")
    if answer.get("error"):
        raise PrintError(PRINT_RENDER.at(where, problem=_problem(answer)))
    if not pdf.startswith(b"%PDF-"):
        raise PrintError(PRINT_RENDER.at(where, problem="WeasyPrint 没有输出 PDF"))
    refused = tuple((str(p), str(r)) for p, r in answer.get("refused", []))
    pages = answer.get("pages", 0)
    say(f"{edition.title}共 {pages} 页")
    return Printed(pdf, pages if isinstance(pages, int) else 0, refused)


def _check(edition: Edition, where: str) -> None:
    for name, value in (("宽", edition.page_width_mm), ("高", edition.page_height_mm)):
        if not PAGE_MM[0] <= value <= PAGE_MM[1]:
            problem = f"版面{name} {value:g} 毫米不在 {PAGE_MM[0]:g}–{PAGE_MM[1]:g} 之间"
            raise PrintError(PRINT_RENDER.at(where, problem=problem))
    if not edition.articles:
        raise PrintError(PRINT_RENDER.at(where, problem="本期没有稿件"))
    if len(edition.articles) > MAX_ARTICLES:
        problem = f"本期 {len(edition.articles)} 篇，超过上限 {MAX_ARTICLES} 篇"
        raise PrintError(PRINT_RENDER.at(where, problem=problem))


def _run(job: bytes, timeout: float, where: str) -> tuple[dict[str, Any], bytes]:
    try:
        done = subprocess.run(
            [sys.executable, "-m", "generator.channels.printchild"],
            input=job,
            capture_output=True,
            timeout=timeout,
            preexec_fn=lambda: _limits(timeout),
            check=False,
        )
    except subprocess.TimeoutExpired:
        problem = f"排版超过 {timeout:g} 秒，已停止"
        raise PrintError(PRINT_RENDER.at(where, problem=problem)) from None
    except OSError as exc:
        problem = f"无法启动排版进程（{exc.strerror or exc}）"
        raise PrintError(PRINT_RENDER.at(where, problem=problem)) from None
    head, _, pdf = done.stdout.partition(b"\n")
    try:
        answer = json.loads(head)
        if not isinstance(answer, dict):
            raise ValueError("not an object")
    except ValueError:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        status = f"退出码 {done.returncode}" if done.returncode >= 0 else "被系统终止"
        problem = f"排版进程异常结束（{status}）{tail[0][:200]}"
        raise PrintError(PRINT_RENDER.at(where, problem=problem)) from None
    if done.returncode == 3:
        raise PrintError(PRINT_EXTRA.at(where, problem=str(answer.get("error", ""))[:300]))
    return answer, pdf


def _problem(answer: dict[str, Any]) -> str:
    problem = str(answer.get("error", ""))
    messages = answer.get("messages") or []
    if messages:
        problem += f"（WeasyPrint：{messages[-1]}）"
    return problem


def _limits(seconds: float) -> None:
    """In the child, before it runs: its address space and CPU time bounded."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    cpu = max(1, int(seconds) + 1)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
