"""Files an article uses that a browser would run: refused, so they never reach the site.

The site serves every copied file from its own origin, where the CSP trusts `'self'`: a
`.js` attachment could be loaded by `<script src>`, an `.html` one would be a page of the
site with whatever script it holds, an SVG opened by its URL is a document that runs its
`<script>` and `on*` handlers. Such files are refused with an error (the article is not
published, the file is not copied) rather than served, because nothing a newsroom attaches
needs to be any of these; deploy/nginx.conf serves SVG with a sandboxing CSP as well.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from generator.core.findings import Code, Finding, Severity
from generator.gate.rules import Context
from generator.gate.rules.svg import static_drawing_problem
from generator.load.article import Article
from generator.load.assets import used_files

ASSET_EXECUTABLE = Code(
    "ASSET-EXECUTABLE",
    Severity.ERROR,
    "稿件引用的文件 {file} 是浏览器会执行的类型（{suffix}），不能随稿件发布",
    "网页、脚本等文件不能作为附件；请改用 PDF、图片等格式，或把内容写进正文。",
)
ASSET_SVG_ACTIVE = Code(
    "ASSET-SVG-ACTIVE",
    Severity.ERROR,
    "SVG 图片 {file} 含有{what}，不能发布",
    "请用绘图软件重新导出不含脚本、事件和外部引用的 SVG，或改用 PNG、JPEG。",
)

# Types a browser renders as a document or runs as code when served from the site.
EXECUTABLE = frozenset(
    {".js", ".mjs", ".cjs", ".html", ".htm", ".xhtml", ".xht", ".shtml", ".xml", ".xsl"}
    | {".xslt", ".svgz", ".swf", ".hta", ".wasm", ".jsp", ".php", ".appcache"}
    # XML a browser renders as a document, where elements in the XHTML namespace (an
    # `<h:script>`) run: feeds, MathML, KML, XSPF, XUL/XBL, RDF/OWL, GPX, WML, schemas.
    | {".rss", ".atom", ".xspf", ".mml", ".mathml", ".kml", ".xbl", ".xul", ".rdf", ".owl"}
    | {".gpx", ".wml", ".xsd", ".opml", ".xbel", ".dtd"}
)
SVG_LIMIT = 8 * 1024 * 1024  # bytes read of one SVG; a larger one is refused unread


def executable(article: Article, ctx: Context) -> Iterator[Finding]:
    """Refuse each file of docs_dir the article uses that a browser would run."""
    for rel in sorted(used_files(article)):
        path = ctx.site.docs_dir / rel
        suffix = PurePosixPath(rel).suffix.lower()
        if suffix not in EXECUTABLE and suffix != ".svg":
            continue
        if not path.is_file():
            continue  # a page of the site or a missing file: not an attachment
        line = _line_of(article, PurePosixPath(rel).name)
        if suffix in EXECUTABLE:
            yield ASSET_EXECUTABLE.at(article.path, line, file=rel, suffix=suffix)
            continue
        what = svg_activity(path.read_bytes()[: SVG_LIMIT + 1])
        if what is not None:
            yield ASSET_SVG_ACTIVE.at(article.path, line, file=rel, what=what)


def svg_activity(data: bytes) -> str | None:
    """What makes this SVG able to run or fetch something, or None for a plain drawing."""
    if len(data) > SVG_LIMIT:
        return "超出大小上限的内容"
    return static_drawing_problem(data)


def _line_of(article: Article, name: str) -> int | None:
    """The body line that names the file (the cover's key line if only the cover does)."""
    for i, line in enumerate(article.body.splitlines()):
        if name in line:
            return article.body_line + i
    return article.line_of("cover")
