"""`congress wechat`: an approved article as a folder the 公众号 editor (or its draft API) takes.

For each public article: `article.html` (every style inline, only tags WeChat keeps: see
wechathtml.py), `images/01.jpg`… (pictures.py), `cover.jpg` with its 2.35 : 1 and 1 : 1
crops, and `meta.json` (title, author, 摘要, 阅读原文 URL, uid, the approval digest, the
export time). The body is the HTML the site page shows (rendered by the engine exactly as a
build renders it: mkdocs_plugin/single.py), so the words are the words the leader signed.

An article is made in memory first (`make`), then written into a temporary folder beside the
destination and swapped in: an export that fails leaves the earlier one, never half a folder.
Everything but `meta.json`'s `exported_at` is the same bytes for the same article.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import jinja2
from markupsafe import Markup

from generator.channels import pictures
from generator.channels.wechathtml import inline, local_source, wechat_body
from generator.core.clock import iso, minute
from generator.core.findings import Code, Finding, Severity
from generator.derive.address import web_address
from generator.derive.publication import Publication
from generator.gate.decide import Verdict
from generator.load.refs import resolve

TITLE_MAX = 64
TITLE_DRAFT = 32  # draft/add's current page: "标题，不超过32个字" (older pages: 64)
DIGEST_MAX = 120
CONTENT_MAX = 20_000  # draft/add: content "必须少于2万字符，小于1M"
_UID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")

WECHAT_TITLE_LONG = Code(
    "WECHAT-TITLE-LONG",
    Severity.ERROR,
    "标题共 {length} 个字，超过公众号图文标题的上限 {limit} 个字",
    "公众号不接受过长的标题；请缩短标题并重新审核。",
)
WECHAT_TITLE_DRAFT = Code(
    "WECHAT-TITLE-DRAFT",
    Severity.WARNING,
    "标题共 {length} 个字，超过公众号草稿接口现行文档的 {limit} 个字",
    "上传草稿（--push）可能被拒绝；可在公众号编辑器中粘贴，或缩短标题并重新审核。",
)
WECHAT_DIGEST_LONG = Code(
    "WECHAT-DIGEST-LONG",
    Severity.ERROR,
    "摘要（summary）共 {length} 个字，超过公众号摘要的上限 {limit} 个字",
    "缩短 summary 并重新审核（导出不截断已审定的文字）。",
)
WECHAT_NO_COVER = Code(
    "WECHAT-NO-COVER",
    Severity.WARNING,
    "稿件没有封面图，正文中也没有图片：没有生成公众号封面",
    "在稿件信息中加 cover（封面图），否则上传草稿时需要在公众号后台另选封面。",
)
WECHAT_IMAGE_REMOTE = Code(
    "WECHAT-IMAGE-REMOTE",
    Severity.WARNING,
    "正文图片 {src} 不在本站，公众号不显示外部图片：导出时已略去",
    "把图片放到稿件旁边的 images/ 文件夹中，重新审核后再导出。",
)
WECHAT_IMAGE_MISSING = Code(
    "WECHAT-IMAGE-MISSING",
    Severity.WARNING,
    "正文图片 {src} 在网站页面上也找不到（地址指向未发布的位置）：导出时已略去",
    "图片写成相对于稿件文件的地址（如 images/x.jpg）；原始 HTML 的 <img> 地址相对于页面网址。",
)
WECHAT_DIRECTION = Code(
    "WECHAT-DIRECTION",
    Severity.ERROR,
    "正文设置了文字方向（bdo、bdi 或 dir）：公众号不保留，文字顺序会与网站页面不同",
    "去掉文字方向标记，直接写出页面上应显示的顺序，重新审核后再导出。",
)
WECHAT_CONTENT_LONG = Code(
    "WECHAT-CONTENT-LONG",
    Severity.WARNING,
    "正文 HTML 共 {length} 个字符，超过公众号草稿接口的上限 {limit}：上传草稿会被拒绝",
    "可在公众号编辑器中粘贴（--clipboard-html），或在 wechat.css 中减少样式。",
)
WECHAT_THEME = Code(
    "WECHAT-THEME",
    Severity.ERROR,
    "主题中缺少公众号版式文件 {file}",
    "在 themes/congress/channels/ 中放入 wechat.html 和 wechat.css（见 README）。",
)
WECHAT_EXTRA = Code(
    "WECHAT-EXTRA",
    Severity.ERROR,
    "缺少导出到其他渠道所需的软件包：{modules}",
    "安装：pip install 'congress-site[wechat]'；长图另需 'congress-site[media]' 和 chromium。",
)
WECHAT_OUT = Code(
    "WECHAT-OUT",
    Severity.ERROR,
    "无法写入导出目录 {folder}：{reason}",
    "换一个可写的目录（--out），它不能是符号链接。",
)


class ExportError(Exception):
    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


@dataclass
class Made:
    """One article's export, in memory."""

    uid: str
    html: str  # article.html
    files: dict[str, bytes]  # relative path → bytes: images/NN.*, cover*.jpg
    meta: dict[str, object]
    findings: list[Finding] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return any(f.is_error for f in self.findings)

    def clipboard(self) -> str:
        """One self-contained HTML document: images as data URLs, for pasting."""
        text = self.html
        for name, data in self.files.items():
            if name.startswith("images/"):
                kind = "image/png" if name.endswith(".png") else "image/jpeg"
                url = f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"
                text = text.replace(f'src="{name}"', f'src="{url}"')
        return text


def theme_files(theme: Path) -> tuple[jinja2.Template, str]:
    """The theme's article layout and stylesheet (themes/congress/channels/)."""
    folder = theme / "channels"
    for name in ("wechat.html", "wechat.css"):
        if not (folder / name).is_file():
            raise ExportError(WECHAT_THEME.at(str(folder / name), None, file=name))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)), autoescape=True, keep_trailing_newline=True
    )
    return env.get_template("wechat.html"), (folder / "wechat.css").read_text(encoding="utf-8")


class Exporter:
    def __init__(
        self,
        pub: Publication,
        body: Callable[[Verdict], str],
        theme: Path | None,
        moment: datetime,
    ) -> None:
        self.pub, self.site, self.body, self.moment = pub, pub.site, body, moment
        self.theme = theme or pub.site.root / "themes" / "congress"
        self.template, self.css = theme_files(self.theme)

    def make(self, v: Verdict) -> Made:
        article, meta = v.article, v.article.meta
        assert meta is not None and v.public
        findings: list[Finding] = []
        view = self.pub.view(v)
        url = web_address(self.site.absolute(article.url))
        files: dict[str, bytes] = {}
        images: list[dict[str, object]] = []
        named: dict[str, str] = {}

        def picture(src: str) -> str | None:
            path = local_source(src, article.url)
            if path is None or path not in self.pub.assets:
                code = WECHAT_IMAGE_REMOTE if path is None else WECHAT_IMAGE_MISSING
                shown = src if len(src) <= 120 else src[:100] + "…"
                findings.append(code.at(article.path, None, src=shown or "（空地址）"))
                return None
            if path in named:
                return named[path]
            try:
                made = pictures.picture(self.site.docs_dir / path)
            except pictures.PictureError as exc:
                findings.append(pictures.unreadable(article.path, src, exc))
                return None
            name = f"images/{len(named) + 1:02d}{made.suffix}"
            named[path] = name
            files[name] = made.data
            images.append(
                {"file": name, "sha256": made.sha256, "width": made.width, "height": made.height}
            )
            return name

        body = wechat_body(self.body(v), url, picture)
        if body.reordered:
            findings.append(WECHAT_DIRECTION.at(article.path, None))
        section = self.template.render(
            a=view, body=Markup(body.html), url=url, links=body.links, site_name=self.site.site_name
        )
        content = inline(section, self.css).strip()
        if len(content) >= CONTENT_MAX:
            findings.append(
                WECHAT_CONTENT_LONG.at(article.path, None, length=len(content), limit=CONTENT_MAX)
            )
        for text, code, limit, key in (
            (meta.title, WECHAT_TITLE_LONG, TITLE_MAX, "title"),
            (meta.summary or "", WECHAT_DIGEST_LONG, DIGEST_MAX, "summary"),
        ):
            if len(text) > limit:
                findings.append(
                    code.at(article.path, article.line_of(key), length=len(text), limit=limit)
                )
        if TITLE_DRAFT < len(meta.title) <= TITLE_MAX:
            findings.append(
                WECHAT_TITLE_DRAFT.at(
                    article.path,
                    article.line_of("title"),
                    length=len(meta.title),
                    limit=TITLE_DRAFT,
                )
            )
        cover = self._covers(v, named, files, findings)
        data: dict[str, object] = {
            "title": meta.title,
            "author": "、".join(meta.authors),
            "digest": meta.summary or "",
            "content_source_url": url,
            "uid": meta.uid,
            "approval_digest": _bound(v),
            "exported_at": iso(self.moment),
            "judged_at": iso(self.pub.decision.now),
            "date": iso(meta.date),
            "date_text": minute(meta.date),
            "source": meta.source or "",
            "site_name": self.site.site_name,
            "column": view.column.name if view.column else meta.column,
            "images": images,
            "cover": cover,
        }
        return Made(meta.uid, document(meta.title, content), files, data, findings)

    def _covers(
        self, v: Verdict, named: dict[str, str], files: dict[str, bytes], findings: list[Finding]
    ) -> dict[str, str] | None:
        """The cover and its crops: from the article's cover, else its first body picture."""
        article, meta = v.article, v.article.meta
        assert meta is not None
        candidates = []
        if meta.cover is not None:
            candidates.append(resolve(article.src, meta.cover.src))
        candidates += list(named)
        for path in candidates:
            if path is None or path not in self.pub.assets:
                continue
            try:
                made = pictures.covers(self.site.docs_dir / path)
            except pictures.PictureError as exc:
                findings.append(pictures.unreadable(article.path, path, exc))
                return None
            files["cover.jpg"] = made.cover.data
            files["cover-235.jpg"] = made.wide.data
            files["cover-1.jpg"] = made.square.data
            return {"file": "cover.jpg", "crop_235_1": made.crop_wide, "crop_1_1": made.crop_square}
        findings.append(WECHAT_NO_COVER.at(article.path, None))
        return None


def _bound(v: Verdict) -> str:
    """The digest the final sign-off bound: the text and the files the article uses."""
    meta = v.article.meta
    final = meta.review.final if meta is not None and meta.review is not None else None
    return final.digest if final is not None and final.digest else v.article.digest


def document(title: str, section: str) -> str:
    escaped = str(Markup.escape(title))
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escaped}</title>\n</head>\n<body>\n{section}\n</body>\n</html>\n"
    )


def meta_json(meta: dict[str, object]) -> bytes:
    return (json.dumps(meta, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode()


def write(made: Made, out: Path) -> Path:
    """`out/<uid>/`, replaced as a whole: written beside it, then swapped in."""
    if not _UID.match(made.uid):
        reason = "稿件编号不能用作目录名"
        raise ExportError(WECHAT_OUT.at(str(out), None, folder=out, reason=reason))
    try:
        if out.is_symlink():
            raise OSError("是符号链接")
        out.mkdir(parents=True, exist_ok=True)
        dest = out / made.uid
        if dest.is_symlink() or (dest.exists() and not dest.is_dir()):
            raise OSError(f"{made.uid} 已存在且不是目录")
        tmp = Path(tempfile.mkdtemp(prefix=f".{made.uid}.", dir=out))
        try:
            (tmp / "images").mkdir()
            (tmp / "article.html").write_text(made.html, encoding="utf-8")
            for name, data in sorted(made.files.items()):
                (tmp / name).write_bytes(data)
            (tmp / "meta.json").write_bytes(meta_json(made.meta))
            os.chmod(tmp, 0o755)
            old = None
            if dest.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{made.uid}.old.", dir=out))
                os.replace(dest, old / "x")
            os.replace(tmp, dest)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ExportError(WECHAT_OUT.at(str(out), None, folder=out, reason=reason)) from exc
    return dest
