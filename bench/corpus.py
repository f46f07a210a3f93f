"""A seeded generator of realistic Chinese articles in the front-matter contract.

`python -m bench.corpus N DIR [SHAPE]` writes a complete site (mkdocs.yml, editorial/, content/)
with N articles of a shape (bench/shapes.py: lengths, tags, images, tables, corrections,
pending, scheduled and withdrawn articles) spread over every column of the sample site, with
headings, lists, tables and images, so that builds can be timed on archives of any size and
kind. Signed articles are signed stage by stage through the real signature writer.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
import shutil
import sys
from datetime import datetime, timedelta
from pathlib import Path

import yaml

from bench.shapes import DEFAULT, SHAPES, Shape
from bench.signoff import sign_through
from generator.commands.frontedit import replace_review
from generator.core.clock import CHINA
from generator.core.policy import Policy
from generator.load.article import parse_article

ROOT = Path(__file__).resolve().parent.parent

PLACES = ["临江区", "青山区", "北湖区", "云溪县", "南屏镇", "东港街道", "西岭乡", "滨河社区"]
TOPICS = [
    "物业管理",
    "民生实事",
    "营商环境",
    "养老服务",
    "生态环境保护",
    "历史文化名城保护",
    "电动自行车管理",
    "基层立法联系点",
    "代表联络站",
    "预算审查监督",
    "国有资产管理",
    "乡村振兴",
    "城市更新",
    "食品安全",
    "义务教育",
    "医疗保障",
    "水污染防治",
    "优化营商环境",
]
ACTIONS = [
    "开展执法检查",
    "召开专题询问",
    "听取和审议专项工作报告",
    "开展专题调研",
    "组织代表视察",
    "召开座谈会",
    "审议法规草案",
    "开展工作评议",
    "听取整改情况报告",
    "召开新闻发布会",
]
HEADINGS = ["主要做法", "存在问题", "意见建议", "下一步工作", "工作成效"]
SENTENCES = [
    "会议指出，要坚持以人民为中心的发展思想，把{topic}工作抓细抓实。",
    "检查组深入{place}，实地查看{topic}相关工作落实情况，听取基层干部群众意见建议。",
    "常委会组成人员认为，{topic}工作取得积极进展，但仍存在制度落实不到位、部门协同不够等问题。",
    "市人大常委会将持续跟踪监督，推动“一府一委两院”依法履职，确保整改落到实处。",
    "与会代表围绕{topic}提出意见建议{n}条，相关部门现场作了回应。",
    "{place}人大代表联络站组织代表走访群众{n}户，收集社情民意{n2}条。",
    "截至目前，{topic}领域共有{n}项问题完成整改，整改完成率达到百分之{pct}。",
    "下一步，将以“十五五”开局之年为契机，进一步完善{topic}相关地方性法规。",
]


# Tags: the topics, then place + topic, then topic + activity, as many as a shape asks for.
VOCABULARY = [
    *TOPICS,
    *(f"{place}{topic}" for topic in TOPICS for place in PLACES),
    *(f"{topic}{action[2:6]}" for topic in TOPICS for action in ACTIONS),
    *(f"{place}{action[2:6]}" for place in PLACES for action in ACTIONS),
    *(f"{place}{topic}{action[2:6]}" for topic in TOPICS for place in PLACES for action in ACTIONS),
]
ZIPF = [1 / (rank + 1) for rank in range(len(VOCABULARY))]  # a few tags used most
IMAGE_LINK = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
NOW_OF_BENCH = datetime(2026, 11, 28, 12, 0, tzinfo=CHINA)  # bench/run.py's --now


def _paragraph(rng: random.Random, topic: str) -> str:
    return "".join(
        rng.choice(SENTENCES).format(
            topic=topic,
            place=rng.choice(PLACES),
            n=rng.randint(3, 90),
            n2=rng.randint(10, 300),
            pct=rng.randint(40, 99),
        )
        for _ in range(rng.randint(3, 6))
    )


def _tags(rng: random.Random, shape: Shape) -> list[str]:
    low, high = shape.tags
    wanted = rng.randint(low, high)
    vocabulary = VOCABULARY[: shape.vocabulary]
    chosen: list[str] = []
    while len(chosen) < min(wanted, len(vocabulary)):
        tag = rng.choices(vocabulary, weights=ZIPF[: len(vocabulary)])[0]
        if tag not in chosen:
            chosen.append(tag)
    return chosen


def _length(rng: random.Random, shape: Shape) -> int:
    median, low, high = shape.chars
    return max(low, min(high, int(rng.lognormvariate(math.log(median), 0.45))))


def _table(rng: random.Random) -> str:
    rows = "\n".join(
        f"| {rng.choice(PLACES)} | {rng.randint(5, 80)} | {rng.randint(1, 60)} |"
        for _ in range(rng.randint(3, 8))
    )
    return f"| 地区 | 问题数 | 已整改 |\n|---|---|---|\n{rows}"


def _body(rng: random.Random, topic: str, shape: Shape, images: list[str]) -> str:
    target = _length(rng, shape)
    parts = [_paragraph(rng, topic)]
    size = len(parts[0])
    section = 0
    while size < target:
        section += 1
        parts.append(f"## {rng.choice(HEADINGS)}（{section}）")
        paragraph = _paragraph(rng, topic)
        parts.append(paragraph)
        size += len(paragraph) + 8
        if rng.random() < 0.3:
            items = [f"- {rng.choice(PLACES)}：{_paragraph(rng, topic)[:40]}" for _ in range(3)]
            parts.append("\n".join(items))
            size += sum(len(i) for i in items)
    if len(parts) == 1 or len(parts[0]) > target:
        parts[0] = parts[0][: max(target, 60)]
    share, most = shape.tables
    if most and rng.random() < share:
        for _ in range(rng.randint(1, most)):
            parts.insert(rng.randint(1, len(parts)), _table(rng))
    for n, image in enumerate(images):
        parts.insert(min(1 + 2 * n, len(parts)), f"![{topic}工作现场示意图（{n + 1}）]({image})")
    return "\n\n".join(parts) + "\n"


IMAGE_SRC = "assets/images/bench.svg"
IMAGE = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="180" viewBox="0 0 320 180">'
    '<title>示意图</title><rect width="320" height="180" fill="#b3121b"/></svg>\n'
)


def _image(number: str) -> str:
    return IMAGE.replace("<title>示意图</title>", f"<title>示意图 {number}</title>")


def _hash(data: str) -> str:
    return "sha256:" + hashlib.sha256(data.encode("utf-8")).hexdigest()


def _approve(
    text: str, src: str, rng: random.Random, when: datetime, files: dict[str, str | None]
) -> str:
    """Sign every required stage through the real signature writer and digest (`files`: the
    hashes of the images the article uses, which the final sign-off binds)."""
    article = parse_article(text.encode("utf-8"), src, src)
    assert article.meta is not None, article.findings
    proofreaders = rng.sample(["fang-xiao", "qin-yue", "luo-ping"], 3)
    signers = {
        "first": [article.meta.editor],
        "proofread": proofreaders,
        "second": [rng.choice(["tang-jing", "xu-wen"])],
        "committee": [],
        "procedure": ["jiang-tao"],
        "secrecy": ["wei-ning"],
        "final": [rng.choice(["gu-chengzhi", "lu-mingyuan"])],
    }
    review = sign_through(article, signers, when - timedelta(hours=6), Policy(), files=files)
    return replace_review(text, review)


def _images_of(path: Path, body: str, docs: Path) -> dict[str, str | None]:
    """The docs paths and hashes of the images the body uses."""
    found: dict[str, str | None] = {}
    for target in IMAGE_LINK.findall(body):
        file = (path.parent / target).resolve()
        found[file.relative_to(docs.resolve()).as_posix()] = _hash(file.read_text(encoding="utf-8"))
    return found


def resign(path: Path, sentence: str) -> None:
    """A correction: `sentence` added to the body, every stage signed again for the new text."""
    text = path.read_text(encoding="utf-8")
    end = text.index("\n---\n", 4)
    meta = yaml.safe_load(text[4:end])
    meta.pop("review", None)
    body = text[end + 5 :].rstrip() + f"\n\n{sentence}\n"
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    when = (
        meta["date"] if isinstance(meta["date"], datetime) else datetime.fromisoformat(meta["date"])
    )
    docs = path.parents[2]
    src = path.relative_to(docs).as_posix()
    files = _images_of(path, body, docs)
    signed = _approve(
        f"---\n{front}---\n{body}", src, random.Random(sentence), when + timedelta(hours=14), files
    )
    path.write_text(signed, encoding="utf-8")


def _lifecycle(rng: random.Random, shape: Shape, meta: dict[str, object], when: datetime) -> bool:
    """Corrections, an embargo or a withdrawal, by the shape's shares; False: left pending."""
    draw = rng.random()
    if draw < shape.pending:
        return False
    draw -= shape.pending
    if draw < shape.scheduled:
        meta["publish_at"] = (NOW_OF_BENCH + timedelta(days=rng.randint(1, 30))).isoformat()
    elif draw - shape.scheduled < shape.withdrawn:
        meta["withdrawn"] = {
            "at": (when + timedelta(days=2)).isoformat(),
            "reason": "稿件所涉统计数据正在核实，暂予撤回。",
        }
    if rng.random() < shape.corrected:
        meta["corrections"] = [
            {"at": (when + timedelta(hours=5)).isoformat(), "note": "原文第二段数据有误，已更正。"}
        ]
    return True


def write_corpus(
    n: int, out: Path, *, seed: int = 20261128, shape: Shape = SHAPES[DEFAULT]
) -> list[Path]:
    """Write a site with `n` articles of `shape` into `out` (replaced if it exists)."""
    rng = random.Random(f"{seed}-{shape.name}")
    if out.exists():
        shutil.rmtree(out)
    docs = out / "content"
    (docs / "assets" / "images").mkdir(parents=True)
    shutil.copytree(ROOT / "editorial", out / "editorial")
    # The server configuration the web archive's records take their headers from.
    (out / "deploy").mkdir()
    shutil.copy(ROOT / "deploy" / "nginx.conf", out / "deploy" / "nginx.conf")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace(
        "custom_dir: themes/congress", f"custom_dir: {ROOT / 'themes' / 'congress'}"
    )
    (out / "mkdocs.yml").write_text(config, encoding="utf-8")
    site = yaml.load(config, Loader=yaml.BaseLoader)
    columns = [c["id"] for c in site["plugins"][0]["congress"]["columns"]]
    (docs / IMAGE_SRC).write_text(IMAGE, encoding="utf-8")
    editors = ["zhou-yun", "he-lan", "song-yi"]
    start = datetime(2016, 1, 1, 9, 0, tzinfo=CHINA)
    span = (datetime(2026, 11, 27, tzinfo=CHINA) - start).total_seconds()
    written = []
    for i in range(n):
        column = columns[i % len(columns)]
        when = start + timedelta(seconds=int(span * (i + rng.random()) / n))
        when = when.replace(second=0)
        topic = rng.choice(TOPICS)
        title = f"市人大常委会{rng.choice(ACTIONS)}推进{topic}工作（第{i + 1}号）"
        meta: dict[str, object] = {
            "uid": f"{when:%Y-%m%d}-{i:06x}",
            "title": title,
            "column": column,
            "date": when.isoformat(),
            "authors": [rng.choice(["林晓", "郑文", "苏岩", "孟琳"])],
            "editor": rng.choice(editors),
            "source": "示例市人大常委会办公室",
            "summary": _paragraph(rng, topic)[:80],
            "tags": _tags(rng, shape),
            "kind": "meeting-report" if column == "sessions" else "news",
        }
        folder = docs / column / f"{when:%Y}"
        folder.mkdir(parents=True, exist_ok=True)
        share, most = shape.images
        images: list[str] = []
        if most and rng.random() < share:
            for k in range(rng.randint(1, most)):
                if shape.own_images:
                    (folder / "images").mkdir(exist_ok=True)
                    name = f"images/a{i:06d}-{k}.svg"
                    (folder / name).write_text(_image(f"{i}-{k}"), encoding="utf-8")
                    images.append(name)
                else:
                    images.append("../../assets/images/bench.svg")
        body = _body(rng, topic, shape, images)
        path = folder / f"article-{i:06d}.md"
        signed = _lifecycle(rng, shape, meta, when)
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
        text = f"---\n{front}---\n\n{body}"
        if signed:
            src = path.relative_to(docs).as_posix()
            # A correction is signed again after it (the gate's order), as an editor would.
            signing = when + timedelta(hours=12) if "corrections" in meta else when
            text = _approve(text, src, rng, signing, _images_of(path, body, docs))
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    chosen = SHAPES[sys.argv[3] if len(sys.argv) > 3 else DEFAULT]
    default = ROOT / "bench" / "corpus" / f"{chosen.name}-{count}"
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else default
    write_corpus(count, target, shape=chosen)
    print(f"{count} articles ({chosen.name}) in {target}")
