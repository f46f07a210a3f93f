"""Hand-made print editions (generator/channels/printing.py) and the poppler tools that read
their PDFs back: per-page text (pdftotext -layout), fonts (pdffonts), size (pdfinfo), pictures
(pdfimages -list). Outside CI a missing tool skips the test; in CI it fails it."""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
from pathlib import Path

from generator.channels.printing import Edition, PrintArticle
from tests.browser.conftest import require
from tests.sitekit import ROOT

THEME = ROOT / "themes" / "congress" / "channels"
TEMPLATE = (THEME / "edition.html").read_text(encoding="utf-8")
CSS = (THEME / "edition.css").read_text(encoding="utf-8")
POPPLER = "apt-get install poppler-utils"
PHOTO = "assets/images/photo.jpg"  # 1200 × 800
BADGE = "assets/images/badge.png"  # 120 × 80: printed at its own size, never enlarged
CHART = "assets/images/chart.svg"
ESCAPE = "assets/images/escape.png"  # a symbolic link to a picture outside base
SECRET = "private/secret.png"  # under base, not allowed
ALLOWED = frozenset({PHOTO, BADGE, CHART, ESCAPE})
HEADER = "常委会公报2026年第6号"  # the running header, whitespace removed

SENTENCE = (
    "示例市人大常委会坚持好、完善好、运行好人民代表大会制度，依法履行立法、监督、决定、任免等职权，"
    "密切同人民群众的联系，认真听取和反映人民群众的意见和要求。"
)


def para(n: int = 4) -> str:
    return "<p>" + SENTENCE * n + "</p>"


def table(rows: int) -> str:
    body = "".join(
        f"<tr><td>{i}</td><td>第{i}项　示例市某某条例修正案（草案）</td>"
        f"<td>2026年{i % 12 + 1}月</td><td>法制工作委员会</td></tr>"
        for i in range(1, rows + 1)
    )
    head = (
        "<thead><tr><th>序号</th><th>立法项目</th><th>提请时间</th><th>起草单位</th></tr></thead>"
    )
    return f"<table>{head}<tbody>{body}</tbody></table>"


def pictures(base: Path) -> None:
    """The pictures under `base` (and one outside it, behind a link)."""
    from PIL import Image, ImageDraw

    images = base / "assets" / "images"
    images.mkdir(parents=True, exist_ok=True)
    photo = Image.new("RGB", (1200, 800), (205, 222, 240))
    ImageDraw.Draw(photo).rectangle((100, 100, 1100, 700), outline=(160, 0, 0), width=14)
    photo.save(base / PHOTO, quality=90)
    Image.new("RGB", (120, 80), (176, 28, 28)).save(base / BADGE)
    (base / CHART).write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200">'
        '<rect x="10" y="10" width="380" height="180" fill="#eee" stroke="#900"/>'
        '<text x="200" y="110" text-anchor="middle" font-size="24"'
        ' font-family="Noto Sans CJK SC">示意图</text></svg>',
        encoding="utf-8",
    )
    (base / "private").mkdir(exist_ok=True)
    shutil.copy(base / BADGE, base / SECRET)
    outside = base.parent / f"{base.name}-outside.png"
    shutil.copy(base / BADGE, outside)
    (base / ESCAPE).symlink_to(outside)


def articles(port: int) -> tuple[PrintArticle, ...]:
    """Five articles: a long title, a table over several pages, pictures under base, an
    external picture (the local server at `port`) and files that may not be embedded."""
    external = f"http://127.0.0.1:{port}"
    return (
        PrintArticle(
            "decision",
            "示例市人民代表大会常务委员会关于批准示例市2025年市级决算的决议",
            "2026年11月10日",
            "常委会办公室",
            "",
            para() + para(3) + '<p>说明见注释<a href="#fn:1" id="fnref:1">1</a>。</p>'
            '<div class="footnote"><ol><li id="fn:1"><p>注释正文。</p></li></ol></div>',
        ),
        PrintArticle(
            "plan",
            "示例市人大常委会2026年度立法计划",
            "2026年11月11日",
            "法制工作委员会",
            "王敏、刘洋",
            para(2) + "<h2>一、审议项目</h2>" + table(90) + para(2),
        ),
        PrintArticle(
            "station",
            "代表联络站开展集中接待活动",
            "2026年11月12日",
            "",
            "李华",
            para(3)
            + f'<figure><img src="{PHOTO}" alt="接待现场">'
            + "<figcaption>接待现场</figcaption></figure>"
            + f'<p><img src="{BADGE}" alt="徽标"></p>'
            + para(2)
            + f'<p><img src="{CHART}" alt="示意图"></p>',
        ),
        PrintArticle(
            "abroad",
            "外部图片不被下载",
            "2026年11月13日",
            "新华社",
            "",
            para(2)
            + f'<p><img src="{external}/picture.png" alt="外部图片"></p>'
            + f'<p><img src="https://127.0.0.1:{port}/tls.png" alt="外部图片二"></p>'
            + para(1),
        ),
        PrintArticle(
            "private",
            "目录以外的文件不被嵌入",
            "2026年11月14日",
            "",
            "",
            para(1)
            + f'<p><img src="{SECRET}" alt="未公开图片"></p>'
            + '<p><img src="../../../../etc/hostname" alt="系统文件"></p>'
            + f'<p><img src="{ESCAPE}" alt="链接到目录外"></p>'
            + f'<p><img src="file://{ROOT}/README.md" alt="仓库文件"></p>'
            + '<p><img src="x\u202egnp.exe" alt="反向文字"></p>'
            + para(1),
        ),
    )


def edition(items: tuple[PrintArticle, ...], **changes: object) -> Edition:
    fields: dict[str, object] = {
        "publication": "示例市人民代表大会常务委员会公报",
        "short_name": "常委会公报",
        "issue": "2026年第6号",
        "running": "总第188号",
        "date": datetime.date(2026, 11, 10),
        "publisher": "示例市人民代表大会常务委员会办公室",
        "articles": items,
        "keywords": ("常委会公报", "人大", "立法"),
        "subject": "示例市人民代表大会常务委员会公报2026年第6号",
    }
    fields.update(changes)
    return Edition(**fields)  # type: ignore[arg-type]


TITLES = (
    "示例市人民代表大会常务委员会关于批准2025年市级决算的决议",
    "示例市人大常委会2026年度立法计划",
    "关于《示例市物业管理条例（修订草案）》的说明",
    "示例市人大常委会执法检查组关于检查《中华人民共和国食品安全法》实施情况的报告",
    "代表联络站开展集中接待活动",
    "示例市人民代表大会常务委员会任免名单",
    "关于市人大代表建议、批评和意见办理情况的报告",
    "示例市人民代表大会常务委员会关于加强基层立法联系点建设的决定",
    "常委会组成人员审议意见摘编",
    "基层立法联系点征求意见情况汇总",
)


def title(n: int) -> str:
    """The n-th title (from 1): the ten titles, then again as （2）, （3）, …"""
    round_, which = divmod(n - 1, len(TITLES))
    return TITLES[which] + (f"（{round_ + 1}）" if round_ else "")


def long_edition(articles: int) -> Edition:
    """`articles` articles of text, a table and a picture each (about two pages apiece)."""
    items = tuple(
        PrintArticle(
            f"a{n}",
            title(n),
            "2026年11月10日",
            "常委会办公室",
            "王敏",
            para(5) + para(4) + table(12) + f'<p><img src="{PHOTO}" alt="图"></p>' + para(3),
        )
        for n in range(1, articles + 1)
    )
    return edition(items)


def tool(name: str) -> str:
    path = shutil.which(name) or f"/usr/bin/{name}"
    require(path, name, POPPLER)
    return path


def run(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    return done.stdout.decode("utf-8")


def page_texts(pdf: Path) -> list[str]:
    """Each page's text (pdftotext -layout: pages end with a form feed)."""
    text = run(tool("pdftotext"), "-layout", str(pdf), "-")
    return text.split("\f")[:-1]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def fonts(pdf: Path) -> list[dict[str, str]]:
    """pdffonts' table: name, type, emb, sub, uni per font."""
    lines = run(tool("pdffonts"), str(pdf)).splitlines()[2:]
    out = []
    for line in lines:
        cells = line.split()
        # name type… encoding emb sub uni object generation
        out.append({"name": cells[0], "emb": cells[-5], "sub": cells[-4], "uni": cells[-3]})
    return out


def info(pdf: Path) -> dict[str, str]:
    out = {}
    for line in run(tool("pdfinfo"), str(pdf)).splitlines():
        key, _, value = line.partition(":")
        out[key.strip()] = value.strip()
    return out


def images(pdf: Path) -> list[dict[str, str]]:
    """pdfimages -list: page, width, height, x-ppi, y-ppi of each picture drawn."""
    lines = run(tool("pdfimages"), "-list", str(pdf)).splitlines()
    keys = lines[0].split()
    return [dict(zip(keys, line.split(), strict=False)) for line in lines[2:]]
