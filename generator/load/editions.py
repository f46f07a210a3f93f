"""Print editions as data: `editions/<publication>/<issue>.yml`, one file per issue.

An edition names its issue (2026年第6号), its running number (总第188号), its date, the
staff member responsible (`editor`), optionally the column article of the issue (`page`, whose
page links the printed PDF) and the ordered list of the articles it prints, by uid. It is
reviewed like an article: its `review` block has the same stages, signed by `congress review`,
and its final sign-off binds the list, the order and each article's own approval
(gate/editions.py). Only the reading is here: regular files only (never a link), bounded in
size, YAML with line numbers, validated by one model; every problem is a finding.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from generator.core import yamlsource
from generator.core.config import Site
from generator.core.findings import Code, Finding, Severity
from generator.core.invisible import scan_text, scan_values
from generator.core.model import Moment, Review, Text, Uid
from generator.load.lines import Lines

MAX_BYTES = 256 * 1024
MAX_ARTICLES = 300
_NAME = "^[0-9a-z][0-9a-z._-]{0,63}$"

E = Severity.ERROR
EDITION_FILE = Code(
    "EDITION-FILE",
    E,
    "刊期文件 {path} 无法使用：{problem}",
    "刊期文件放在 editions/<刊物编号>/<期号>.yml，是普通的 UTF-8 文本文件（不超过 256 KB）。",
)
EDITION_YAML = Code(
    "EDITION-YAML",
    E,
    "刊期文件不是合法的 YAML：{problem}",
    "按示例刊期文件的格式改正（注意缩进和英文冒号）。",
)
EDITION_INVALID = Code(
    "EDITION-INVALID",
    E,
    "刊期信息 {field} 有误：{problem}",
    "必填：uid、issue（如 2026年第6号）、running（如 总第188号）、date、editor、"
    "articles（稿件编号列表）。",
)
EDITION_DUPLICATE_KEY = Code(
    "EDITION-DUPLICATE-KEY",
    E,
    "刊期信息中 {field} 写了两次（后一个会悄悄生效）",
    "删去重复的一处。",
)
EDITION_PUBLICATION = Code(
    "EDITION-PUBLICATION",
    E,
    "刊期文件所在的文件夹 {folder} 不是已配置的刊物",
    "在 mkdocs.yml 的 publications 中登记该刊物，或把文件移到已登记刊物的文件夹中。",
)

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class EditionData(BaseModel):
    """The contents of an edition file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    uid: Uid
    issue: Name
    running: Name
    date: Moment
    editor: Text
    page: Uid | None = None
    articles: list[Uid] = Field(min_length=1, max_length=MAX_ARTICLES)
    keywords: list[Name] = []
    review: Review = Review()


@dataclass(frozen=True)
class Edition:
    src: str  # relative to the editions folder: "gazette/2026-06.yml"
    path: str  # as findings show it: "editions/gazette/2026-06.yml"
    publication: str
    data: EditionData | None
    lines: Lines = field(default_factory=Lines, repr=False)
    findings: tuple[Finding, ...] = ()

    @property
    def name(self) -> str:
        """The issue's file name without its suffix: `2026-06`."""
        return Path(self.src).stem


def editions_root(site: Site) -> Path:
    return site.root / site.congress.editions


def load_editions(site: Site) -> list[Edition]:
    """Every edition file under the editions folder, in path order."""
    root = editions_root(site)
    found: list[Edition] = []
    if root.is_symlink():  # never read editions from elsewhere on the machine
        shown = site.rel(root)
        return [Edition("", shown, "", None, findings=(_file(shown, "是符号链接"),))]
    try:
        folders = sorted(os.scandir(root), key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        shown = site.rel(root)
        return [Edition("", shown, "", None, findings=(_file(shown, exc.strerror or str(exc)),))]
    for folder in folders:
        shown = site.rel(root / folder.name)
        if not folder.is_dir(follow_symlinks=False):
            if not folder.name.startswith("."):
                found.append(Edition(folder.name, shown, "", None, findings=(_file(shown),)))
            continue
        try:
            entries = sorted(os.scandir(folder.path), key=lambda e: e.name)
        except OSError as exc:
            found.append(
                Edition(folder.name, shown, "", None, findings=(_file(shown, str(exc.strerror)),))
            )
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            found.append(_load(site, folder.name, entry))
    return found


NOT_EDITION = "不是 editions/<刊物编号>/<期号>.yml 形式的普通文件"


def _file(path: str, problem: str = NOT_EDITION) -> Finding:
    return EDITION_FILE.at(path, None, path=path, problem=problem)


def _load(site: Site, publication: str, entry: os.DirEntry[str]) -> Edition:
    src = f"{publication}/{entry.name}"
    path = f"{site.congress.editions}/{src}"
    try:
        info = entry.stat(follow_symlinks=False)
    except OSError as exc:
        return Edition(src, path, publication, None, findings=(_file(path, str(exc.strerror)),))
    if not stat.S_ISREG(info.st_mode) or not entry.name.endswith(".yml"):
        return Edition(src, path, publication, None, findings=(_file(path),))
    if not re.match(_NAME, entry.name[:-4]):
        problem = "文件名只能用小写字母、数字、点、连字符和下划线"
        return Edition(src, path, publication, None, findings=(_file(path, problem),))
    if info.st_size > MAX_BYTES:
        problem = f"文件过大（{info.st_size} 字节）"
        return Edition(src, path, publication, None, findings=(_file(path, problem),))
    try:
        fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
        text = raw.decode("utf-8-sig").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError) as exc:
        problem = "不是 UTF-8 编码" if isinstance(exc, UnicodeDecodeError) else str(exc)
        return Edition(src, path, publication, None, findings=(_file(path, problem),))
    return parse_edition(site, src, path, publication, text)


def parse_edition(site: Site, src: str, path: str, publication: str, text: str) -> Edition:
    """An edition from its text; never raises for bad content."""
    findings = list(scan_text(path, text, text.count("\n") + 2))  # no body: all front
    if findings:
        return Edition(src, path, publication, None, findings=tuple(findings))
    if site.congress.publication(publication) is None:
        findings.append(EDITION_PUBLICATION.at(path, None, folder=publication))
    try:
        doc = yamlsource.parse(text)
    except yamlsource.YamlSyntaxError as exc:
        findings.append(EDITION_YAML.at(path, exc.line, problem=exc.problem))
        return Edition(src, path, publication, None, findings=tuple(findings))
    lines = Lines(doc.lines)
    # Control characters written as YAML escapes ("\e[31m"), and a key given twice (the
    # second would win unseen): refused, as in an article's front matter.
    findings += scan_values(path, doc.data, lambda loc: doc.line_of(loc, 1))
    for loc, twice in doc.duplicates:
        where = ".".join(str(p) for p in loc)
        findings.append(EDITION_DUPLICATE_KEY.at(path, twice, field=where))
    if findings:
        return Edition(src, path, publication, None, lines, tuple(findings))
    try:
        data = EditionData.model_validate(doc.data if isinstance(doc.data, dict) else {})
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            where = ".".join(str(p) for p in loc) or "（整个文件）"
            line = doc.line_of(loc, 1)
            findings.append(EDITION_INVALID.at(path, line, field=where, problem=err["msg"]))
        return Edition(src, path, publication, None, lines, tuple(findings))
    return Edition(src, path, publication, data, lines, tuple(findings))
