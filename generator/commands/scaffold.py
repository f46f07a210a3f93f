"""`congress new`: a fresh article file with a new uid and a commented front-matter skeleton."""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from pathlib import Path

import click
import yaml

from generator.build.publishing import newsroom
from generator.core.clock import china
from generator.core.config import Column, Site
from generator.core.slug import slugify
from generator.core.staff import Staff


def new_uid(when: datetime, taken: set[str]) -> str:
    """`2026-1128-7f3a9c`: the creation date and 24 random bits; never reused."""
    while True:
        uid = f"{china(when):%Y-%m%d}-{secrets.token_hex(3)}"
        if uid not in taken:
            return uid


def _scalar(text: str) -> str:
    """A YAML scalar for `text`: plain when that reads back the same, else double-quoted."""
    try:
        plain_ok = yaml.safe_load(f"k: {text}") == {"k": text} and "#" not in text
    except yaml.YAMLError:
        plain_ok = False
    return text if plain_ok else json.dumps(text, ensure_ascii=False)


def skeleton(
    uid: str, title: str, column: Column, *, when: datetime, editor: str, source: str
) -> str:
    date = china(when).replace(second=0, microsecond=0).isoformat()
    kind = {
        "consultation": "consultation",
        "gazette": "gazette",
        "video": "video",
        "notice": "notice",
    }.get(column.kind, "news")
    src = _scalar(source) if source else ""
    return f"""---
uid: {uid}  # 稿件编号：自动生成，终身不变，媒体订阅以此识别稿件，请勿修改
title: {_scalar(title)}  # 标题
column: {column.id}  # 栏目：{column.name}（须与所在目录一致）
date: {date}  # 发布时间：页面显示的时间，须带 +08:00
# publish_at: {date}  # 定时发布（可选）：此时间之前不公开
# expires_at: 2099-12-31T00:00:00+08:00  # 下线时间（可选）：此时间之后不公开
authors: []  # 作者：按刊发署名填写，如 [王敏, 刘洋]
editor: {editor}  # 责任编辑：editorial/staff.yml 中的人员编号
source: {src}  # 来源
summary:  # 摘要：一句话概括全文，用于列表和订阅
tags: []  # 标签：如 [执法检查, 物业管理]
kind: {kind}  # 稿件类型：news 新闻 | meeting-report 会议报道 | notice 通知公告 | consultation 征求意见 | gazette 公报 | video 视频
# cover: {{src: images/tupian.jpg, alt: 图片内容说明}}  # 封面图（可选）：路径相对本文件，alt 必填
# video: {{src: https://example.gov.cn/video/x.mp4, type: video/mp4, length: 12345678}}  # 视频（可选）
# specialist: fagongwei  # 专业内容（可选）：须经该委员会审核，编号见 mkdocs.yml 的 committees
# consultation: {{deadline: 2026-12-31T17:00:00+08:00, channels: {{email: x@example.gov.cn, post: 地址, url: https://…}}}}  # 征求意见（kind: consultation 时必填）
# feedback_for: 2026-0101-abcdef  # 采纳情况反馈（可选）：所反馈的征求意见稿件编号
# corrections: [{{at: {date}, note: 更正说明}}]  # 更正（可选）：更正后须重新终审
# withdrawn: {{at: {date}, reason: 撤稿原因}}  # 撤稿（可选）：页面只保留撤稿说明
# review: 审核记录由 congress review 写入，请勿手工填写或修改
---

（在此撰写正文。正文中不要再写一级标题，标题取自上方 title。）
"""


def target_path(site: Site, column: Column, when: datetime, title: str, uid: str) -> Path:
    folder = site.docs_dir / column.id / f"{china(when):%Y}"
    stem = slugify(title) or uid
    path = folder / f"{stem}.md"
    n = 2
    while path.exists():
        path = folder / f"{stem}-{n}.md"
        n += 1
    return path


class NotWritten(Exception):
    """The new article could not be written (a full disk): said in Chinese, exit 2."""


def create_article(
    site: Site, staff: Staff, column: str, title: str, *, editor: str | None, when: datetime
) -> tuple[Path, str, str]:
    """Write a new article's skeleton; return its path, uid and editor. Usage errors (exit 2)
    name their code: NEW-COLUMN, NEW-TITLE, NEW-EDITOR, NEW-WRITE."""
    col = site.congress.column(column)
    if col is None:
        known = "、".join(f"{c.id}（{c.name}）" for c in site.columns)
        raise click.UsageError(f"栏目 {column} 不存在 [NEW-COLUMN]。可用栏目：{known}")
    if not title.strip():
        raise click.UsageError("标题不能为空 [NEW-TITLE]。")
    editors = [i for i in staff.people if staff.has_role(i, "editor")]
    editor = editor or (editors[0] if editors else None)
    if editor is None or not staff.has_role(editor, "editor"):
        raise click.UsageError(
            f"{editor or '人员名录'} 没有可用的编辑 [NEW-EDITOR]，请用 --editor 指定。"
        )
    taken = {a.uid for a in newsroom(site, staff).articles if a.meta}
    uid = new_uid(when, taken)
    path = target_path(site, col, when, title.strip(), uid)
    text = skeleton(
        uid, title.strip(), col, when=when, editor=editor, source=site.congress.default_source
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as out:  # never over an existing file
            out.write(text)
    except OSError as exc:  # a full disk, a read-only folder: leave no half-written file
        if not isinstance(exc, FileExistsError):
            path.unlink(missing_ok=True)
        raise NotWritten(f"无法写入 {site.rel(path)} [NEW-WRITE]：{exc.strerror or exc}") from exc
    return path, uid, editor
