"""Red team, markup (issue 13, point 3 and the server part of point 8): HTML written into front
matter or a body never becomes markup on a page, in the search index or in a feed; files a
browser would run are refused; deploy/nginx.conf and mkdocs.yml agree on what may be framed.

The same attacks in Chromium behind nginx: tests/browser/test_redteam_markup.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import markdown
import pytest
import yaml

from generator.derive.sanitize import HtmlPolicy, policy
from tests.redteam.forbidden import forbidden
from tests.redteam.hostile import FRAME_HOST, PAGE_KINDS, build, hostile_site
from tests.sitekit import NOW, ROOT, article, congress, make_site, snapshot

pytestmark = pytest.mark.site

HOSTS = frozenset({FRAME_HOST})


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = hostile_site(tmp_path_factory.mktemp("hostile"))
    build(root)
    return root / "site"


@pytest.mark.parametrize("kind", sorted(PAGE_KINDS))
def test_markup_in_front_matter_and_body_reaches_no_page_kind(hostile: Path, kind: str) -> None:
    page = hostile / PAGE_KINDS[kind]
    assert page.is_file(), kind
    assert forbidden(page.read_bytes(), HOSTS) == []


def test_every_field_is_shown_as_text(hostile: Path) -> None:
    """Escaped, not dropped: the reader sees what the editor wrote, as characters."""
    html = (hostile / PAGE_KINDS["article"]).read_text(encoding="utf-8")
    head = html.split("</head>")[0]
    for field in ("summary", "author"):  # material's head: description, author
        assert f"&lt;script&gt;alert(&#34;pwn-{field}&#34;)" in head, field
    assert "<title>title&lt;script&gt;" in head
    for field in ("source", "author", "correction", "cover-alt"):
        assert f"pwn-{field}" in html.split("</head>")[1], field
    notice = (hostile / PAGE_KINDS["withdrawn"]).read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;pwn-withdrawn-reason&#34;)" in notice
    asking = (hostile / PAGE_KINDS["consultation"]).read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;pwn-post&#34;)" in asking


def test_body_is_sanitized_before_the_search_index_and_the_feeds(hostile: Path) -> None:
    feed = json.loads((hostile / "feeds" / "all.json").read_text(encoding="utf-8"))
    body = next(i["content_html"] for i in feed["items"] if i["id"].endswith("a00001"))
    wrapped = f'<html><body><div class="md-content">{body}</div></body></html>'
    assert forbidden(wrapped, HOSTS) == []
    assert "<script" not in body and 'evil.example/pwn"' not in body
    assert f'<iframe src="https://{FRAME_HOST}/v/1"' in body
    text = (hostile / "pagefind" / "text" / "2026-1120-a00001.txt").read_text(encoding="utf-8")
    assert "pwn-body" not in text and "pwn-mxss" not in text  # script and style contents gone
    assert "正文第二段" in text
    for path in (hostile / "pagefind").rglob("*.js"):
        assert b"pwn" not in path.read_bytes()


def test_a_rebuild_from_the_cache_keeps_the_sanitized_pages_byte_for_byte(tmp_path: Path) -> None:
    root = hostile_site(tmp_path)
    build(root)
    build(root)  # the second build keeps every page from the spare and the cache
    reused = snapshot(root / "site")
    build(root, "--no-cache", "--site-dir", str(root / "fresh"))
    assert reused == snapshot(root / "fresh")
    assert forbidden(reused[PAGE_KINDS["article"]], HOSTS) == []


MARKDOWN = """# 标题 {#top}

正文[^1]，见 [条例](../x/ "标题")。
{: .lead }

| 项目 | 数量 |
|:-----|-----:|
| 甲 | 1 |

!!! note "提示"
    注意事项。

<figure markdown>
![图](images/a.png){width="640" height="360" loading="lazy"}
<figcaption>图注</figcaption>
</figure>

<video src="https://media.example.gov.cn/v.mp4" poster="images/p.jpg" controls></video>
<audio src="a.mp3" controls></audio>

[^1]: 注释。
"""


def test_sanitizer_keeps_what_the_sample_and_the_theme_need() -> None:
    exts = ["tables", "attr_list", "md_in_html", "admonition", "footnotes", "toc"]
    html = markdown.markdown(
        MARKDOWN, extensions=exts, extension_configs={"toc": {"permalink": True}}
    )
    out = HtmlPolicy(["player.example.gov.cn"]).page(html)
    for kept in (
        '<h1 id="top">',
        'class="headerlink" href="#top"',
        '<p class="lead">',
        "<table>",
        '<div class="admonition note">',
        '<p class="admonition-title">',
        "<figure>",
        "<figcaption>",
        '<img alt="图" height="360" loading="lazy" src="images/a.png" width="640">',
        '<sup id="fnref:1"><a class="footnote-ref" href="#fn:1"',
        '<li id="fn:1">',
        'class="footnote-backref"',
        '<video src="https://media.example.gov.cn/v.mp4" poster="images/p.jpg" controls="">',
        '<audio src="a.mp3" controls="">',
        '<a href="../x/" title="标题">',
    ):
        assert kept in out, kept


@pytest.mark.parametrize(
    ("attack", "gone"),
    [
        ("<script>alert(1)</script>", "alert"),
        ("<p onclick=alert(1)>x</p>", "onclick"),
        ('<a href="javascript:alert(1)">x</a>', "javascript"),
        ('<a href=" jAvAsCrIpT:alert(1)">x</a>', "alert"),
        ('<a href="java&#x09;script:alert(1)">x</a>', "alert"),
        ('<a href="vbscript:msgbox(1)">x</a>', "vbscript"),
        ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', "data:"),
        ('<meta http-equiv="refresh" content="0;url=https://evil.example/">', "meta"),
        ('<base href="https://evil.example/">', "base"),
        ('<form action="https://evil.example/"><input name=q></form>', "form"),
        ("<input autofocus onfocus=alert(1)>", "input"),
        ('<object data="https://evil.example/x.swf"></object>', "object"),
        ('<embed src="https://evil.example/x.swf">', "embed"),
        ('<iframe src="https://evil.example/"></iframe>', "iframe"),
        ('<iframe src="http://player.example.gov.cn/v/1"></iframe>', "iframe"),
        ('<iframe src="https://player.example.gov.cn.evil.example/"></iframe>', "iframe"),
        ('<iframe srcdoc="<script>alert(1)</script>"></iframe>', "iframe"),
        ("<svg onload=alert(1)><script>alert(2)</script></svg>", "alert"),
        ('<math><a href="javascript:alert(1)">x</a></math>', "javascript"),
        ('<p style="background:url(https://evil.example/)">x</p>', "evil"),
        ("<style>body{display:none}</style>", "display"),
        ('<video src="x.mp4" onplay=alert(1)></video>', "onplay"),
        ('<a href="#" target="_top" formaction="javascript:alert(1)">x</a>', "javascript"),
    ],
)
def test_sanitizer_refuses_each_dangerous_construct(attack: str, gone: str) -> None:
    p = policy(frozenset({"player.example.gov.cn"}))
    assert gone not in p.page(attack).lower()
    assert gone not in p.feed(attack, "https://www.example.gov.cn/a/").lower()


def test_an_iframe_of_a_configured_host_stays() -> None:
    p = policy(frozenset({"player.example.gov.cn"}))
    frame = '<iframe src="https://player.example.gov.cn/v/1" width="640"></iframe>'
    assert p.page(frame) == frame
    assert policy().page(frame) == ""  # no host configured: no frame


def _check(root: Path) -> dict[str, list[str]]:
    result = congress("check", "--now", NOW, "--json", cwd=root)
    return {
        a["path"]: [f["code"] for f in a["findings"]] for a in json.loads(result.stdout)["articles"]
    }


@pytest.mark.parametrize("name", ["steal.js", "module.mjs", "page.html", "page.HTM", "doc.xhtml"])
def test_an_executable_attachment_is_refused_and_never_copied(tmp_path: Path, name: str) -> None:
    body = f'正文。\n\n[附件](../../assets/{name})\n\n<script src="../../assets/{name}"></script>\n'
    make_site(
        tmp_path,
        {"news/2026/a.md": article(body)},
        assets={f"assets/{name}": b"alert(document.cookie)"},
    )
    assert "ASSET-EXECUTABLE" in _check(tmp_path)["content/news/2026/a.md"]
    result = congress("build", "--now", NOW, cwd=tmp_path)
    assert "ASSET-EXECUTABLE" in result.stderr
    assert not (tmp_path / "site" / "assets" / name).exists()
    assert not (tmp_path / "site" / "news" / "2026" / "a").exists()


SVG_PLAIN = (
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
    b'<defs><linearGradient id="g"/></defs><rect fill="url(#g)"/><use xlink:href="#g"/></svg>'
)


@pytest.mark.parametrize(
    "svg",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><svg:script xmlns:svg="x">1</svg:script></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><text/></a></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/t.png"/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><use xlink:href="other.svg#x"/></svg>',
        b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
        b'<?xml-stylesheet href="x.xsl" type="text/xsl"?><svg/>',
    ],
)
def test_an_svg_that_can_run_script_is_refused(tmp_path: Path, svg: bytes) -> None:
    make_site(
        tmp_path,
        {
            "news/2026/a.md": article("正文。\n\n![图](../../assets/bad.svg)\n"),
            "news/2026/b.md": article(
                uid="2026-1120-bbbbbb", cover={"src": "../../assets/bad.svg", "alt": "封面"}
            ),
            "news/2026/c.md": article(
                "正文。\n\n![图](../../assets/ok.svg)\n", uid="2026-1120-cccccc"
            ),
        },
        assets={"assets/bad.svg": svg, "assets/ok.svg": SVG_PLAIN},
    )
    found = _check(tmp_path)
    assert "ASSET-SVG-ACTIVE" in found["content/news/2026/a.md"]
    assert "ASSET-SVG-ACTIVE" in found["content/news/2026/b.md"]
    assert found["content/news/2026/c.md"] == []
    assert congress("build", "--now", NOW, cwd=tmp_path).returncode == 1  # built, with errors
    assert not (tmp_path / "site" / "assets" / "bad.svg").exists()
    assert (tmp_path / "site" / "assets" / "ok.svg").exists()


def test_a_frame_host_that_is_not_a_host_name_is_a_configuration_error(tmp_path: Path) -> None:
    make_site(tmp_path, {}, embeds={"frame_hosts": ["https://player.example.gov.cn/*"]})
    result = congress("check", "--now", NOW, cwd=tmp_path)
    assert result.returncode == 2 and "CFG-INVALID" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def _csp(conf: str, name: str = "default") -> dict[str, list[str]]:
    line = re.search(rf'^\s*"?{re.escape(name)}"?\s+"([^"]+)";', conf, re.MULTILINE)
    assert line is not None, name
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in line.group(1).split(";")) if d}


def test_nginx_frame_src_lists_exactly_the_hosts_of_mkdocs_yml() -> None:
    class Loader(yaml.SafeLoader):
        """mkdocs.yml's own tags: !ENV (a default), python objects (not needed here)."""

    Loader.add_constructor("!ENV", lambda loader, node: None)
    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    options = next(p["congress"] for p in config["plugins"] if "congress" in p)
    hosts = options.get("embeds", {}).get("frame_hosts", []) + options.get("feeds", {}).get(
        "video_hosts", []
    )
    csp = _csp((ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8"))
    expected = sorted(f"https://{h}" for h in hosts) or ["'none'"]
    assert sorted(csp["frame-src"]) == expected


def test_nginx_csp_allows_no_inline_script_and_the_pages_need_none(tmp_path: Path) -> None:
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    csp = _csp(conf)
    for directive in ("script-src", "style-src", "default-src"):
        assert not {"'unsafe-inline'", "'unsafe-eval'", "data:", "https:"} & set(csp[directive])
    assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    assert "sandbox" in _csp(conf, r"~*\.svgz?$")
    root = hostile_site(tmp_path)
    build(root)
    for page in (root / "site").rglob("*.html"):
        for tag in re.findall(rb"<script\b[^>]*>", page.read_bytes()):
            assert b" src=" in tag or b'type="application/json"' in tag, (page, tag)
