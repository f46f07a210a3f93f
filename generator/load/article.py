"""Loading one article: bytes → front matter + body → a validated `Article`.

A bad file never raises: every problem becomes a finding on the article, and an article
without valid front matter has `meta = None`, so the gate keeps it out.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import InitVar, dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from generator.core import invisible, yamlsource
from generator.core.clock import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    TimeParseError,
    TimeRangeError,
    parse_datetime,
)
from generator.core.findings import Code, Finding, Severity
from generator.core.keys import fingerprint
from generator.core.model import DATETIME_KEYS, EXAMPLES, FrontMatter, label
from generator.load.digest import digest
from generator.load.lines import Lines
from generator.load.refs import Refs, scan, url_of

E, W = Severity.ERROR, Severity.WARNING

ART_READ = Code("ART-READ", E, "无法读取文件：{problem}", "检查文件是否存在、权限是否正确。")
ART_EMPTY = Code("ART-EMPTY", E, "文件是空的", "删除这个文件，或用 congress new 重新生成稿件。")
ART_ENCODING = Code(
    "ART-ENCODING",
    E,
    "文件不是 UTF-8 编码（第 {line} 行附近）",
    "请用编辑器将文件另存为 UTF-8 编码。",
)
ART_INTERNAL = Code(
    "ART-INTERNAL",
    E,
    "{stage}稿件时出错（{error}），本稿件不发布",
    "其他稿件照常发布。请检查正文有无异常的格式，或把这条提示转给技术人员。",
)
FM_MISSING = Code(
    "FM-MISSING",
    E,
    "缺少 front matter（文件开头应以 --- 开始、以 --- 结束的 YAML 稿件信息）",
    "用 congress new 生成稿件骨架，或在文件开头补上 --- 包围的稿件信息。",
)
FM_YAML = Code(
    "FM-YAML", E, "稿件信息不是合法的 YAML：{problem}", "检查第 {line} 行附近的缩进、冒号和引号。"
)
FM_YAML_ALIAS = Code(
    "FM-YAML-ALIAS",
    E,
    "稿件信息中不能使用 YAML 锚点（&）或别名（*）",
    "把第 {line} 行引用的值直接写出来。",
)
FM_YAML_DEPTH = Code(
    "FM-YAML-DEPTH",
    E,
    "稿件信息嵌套层数过多（超过 {depth} 层）",
    "检查第 {line} 行附近的括号和缩进。",
)
FM_TOO_LARGE = Code(
    "FM-TOO-LARGE",
    E,
    "稿件信息过长（{size} 个字符，上限 {limit}）",
    "稿件信息只写标题、时间、审核记录等字段，正文写在第二个 --- 之后。",
)
FM_NOT_MAPPING = Code(
    "FM-NOT-MAPPING",
    E,
    "稿件信息应为“键: 值”的映射，实际是{actual}",
    "每行写成“键: 值”，例如 title: 标题。",
)
FM_DUPLICATE_KEY = Code(
    "FM-DUPLICATE-KEY", E, "字段 {field} 重复出现", "删除重复的一行，只保留正确的值。"
)
FM_REQUIRED = Code("FM-REQUIRED", E, "缺少必填字段 {field}", "请补上，例如 {example}")
FM_UNKNOWN_KEY = Code(
    "FM-UNKNOWN-KEY", E, "未知字段 {field}", "{suggestion}可用字段见 README 的“稿件信息”一节。"
)
FM_DATE = Code(
    "FM-DATE",
    E,
    "{field} 不是有效的日期时间：{value}",
    "请写成 2026-11-28T09:30:00+08:00 这样的形式。",
)
FM_DATE_RANGE = Code(
    "FM-DATE-RANGE",
    E,
    "{field} 超出可用的时间范围（{earliest}–{latest} 年，时区在 ±14 小时内）：{value}",
    "检查年份和时区是否写错，例如 2026-11-28T09:30:00+08:00。",
)
FM_NAIVE_DATE = Code(
    "FM-NAIVE-DATE",
    W,
    "{field} 没有写时区，已按北京时间（+08:00）理解：{value}",
    "请在时间后加上 +08:00，例如 {fixed}",
)
FM_NAIVE_SIGNATURE = Code(
    "FM-NAIVE-SIGNATURE",
    E,
    "{field} 没有写时区：{value}",
    "审核记录只能由 congress review 写入，签署时间必带时区；请重新签署该环节。",
)
FM_INVALID = Code("FM-INVALID", E, "{field} 的值无效：{problem}", "{example}")

# A real front matter is a few KB; beyond this it is a mistake or an attack on the parser.
MAX_FRONT_MATTER = 256 * 1024  # characters

_FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)

# pydantic's error types, said in Chinese.
_PROBLEMS = {
    "string_type": "应为文字",
    "list_type": "应为列表，例如 [甲, 乙]",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "bool_type": "应为 true 或 false",
    "dict_type": "应为“键: 值”的映射",
    "model_type": "应为“键: 值”的映射",
    "model_attributes_type": "应为“键: 值”的映射",
    "string_too_short": "不能为空",
    "too_short": "不能为空",
    "string_too_long": "过长",
    "string_pattern_mismatch": "格式不正确",
    "literal_error": "应为以下之一：{expected}",
    "greater_than_equal": "不能小于 {ge}",
}


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Article:
    """One Markdown file of the newsroom, as loaded: front matter, body and findings.

    Immutable once made. What follows from its contents alone is worked out when it is made
    (`__post_init__`): the text digest its final sign-off binds and what it links to. A copy
    made with `dataclasses.replace(article, meta=…)` works them out again for its own
    contents, and has no `source_key` (it is not the file's bytes any more): nothing of the
    original's is taken for it.
    """

    src: str  # relative to docs_dir: "supervision/2026/x.md"
    path: str  # as findings show it: "content/supervision/2026/x.md"
    meta: FrontMatter | None = None
    body: str = ""
    body_line: int = 1
    lines: Lines = field(default_factory=Lines, repr=False, compare=False)  # of each key path
    findings: tuple[Finding, ...] = ()
    # The key of the bytes the article was parsed from (the build cache's key of the file).
    source: InitVar[bytes | None] = None
    # Worked out in `__post_init__`, never passed in (so never copied by `replace`).
    source_key: bytes | None = field(init=False, default=None, repr=False, compare=False)
    digest: str = field(init=False, default="", repr=False, compare=False)  # "" without meta
    refs: Refs = field(init=False, default=Refs(), repr=False, compare=False)

    def __post_init__(self, source: bytes | None) -> None:
        cover = self.meta.cover.src if self.meta is not None and self.meta.cover else None
        object.__setattr__(self, "source_key", source)
        if self.meta is not None:
            object.__setattr__(self, "digest", digest(self.meta, self.body))
        object.__setattr__(self, "refs", scan(self.src, self.body, cover))

    @property
    def url(self) -> str:
        return url_of(self.src)

    @property
    def uid(self) -> str:
        return self.meta.uid if self.meta else ""

    def line_of(self, *loc: str | int) -> int | None:
        """The file line of a front-matter key (or of its nearest parent)."""
        return self.lines.line_of(loc)


@dataclass(slots=True)
class _Draft:
    """An article while it is parsed: what is found so far."""

    src: str
    path: str
    body: str = ""
    body_line: int = 1
    lines: dict[yamlsource.Loc, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def line_of(self, *loc: str | int) -> int | None:
        return Lines(self.lines).line_of(loc)  # only for a finding (a naive time)

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)

    def done(self, meta: FrontMatter | None, source: bytes | None) -> Article:
        return Article(
            self.src,
            self.path,
            meta,
            self.body,
            self.body_line,
            Lines(self.lines),
            tuple(self.findings),
            source,
        )


def internal_error(path: str, stage: str, exc: BaseException) -> Finding:
    """ART-INTERNAL: what went wrong in our code (or a library's) on this one article, so that
    it is kept out and every other article goes on. `stage` is 读取, 检查 or 渲染."""
    return ART_INTERNAL.at(path, None, stage=stage, error=type(exc).__name__)


def load_article(file: Path, src: str, display_path: str) -> Article:
    """Read and validate one article file; never raises for bad content."""
    try:
        raw = file.read_bytes()
    except OSError as exc:
        problem = ART_READ.at(display_path, None, problem=exc.strerror or str(exc))
        return Article(src=src, path=display_path, findings=(problem,))
    return parse_article(raw, src, display_path)


def source_key(raw: bytes, display_path: str) -> bytes:
    """What an article's file holds, under the path it is shown as: the key of its parse in
    the build cache and of the gate's memos of it."""
    return fingerprint(raw, display_path)


def parse_article(raw: bytes, src: str, display_path: str, key: bytes | None = None) -> Article:
    """Parse and validate an article's bytes; never raises for bad content. `key` is
    `source_key(raw, display_path)` when the caller has it already."""
    article = _Draft(src, display_path)
    meta = _parse(raw, article)
    return article.done(meta, key or source_key(raw, display_path))


def _parse(raw: bytes, article: _Draft) -> FrontMatter | None:
    """The validated front matter, if any; the body and every finding go to `article`."""
    display_path = article.path
    if not raw.strip():
        article.add(ART_EMPTY.at(display_path, 1))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        article.add(ART_ENCODING.at(display_path, line))
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    match = _FRONT_MATTER.match(text)
    if not match:
        article.add(FM_MISSING.at(display_path, 1))
        return None
    article.body_line = text[: match.end()].count("\n") + 1
    controls = invisible.scan_text(display_path, text, article.body_line)
    if controls:  # reported, then parsed without them so that the rest is reported too
        article.findings += controls
        text = invisible.strip(text)
        match = _FRONT_MATTER.match(text)
        if not match:
            return None
    article.body = text[match.end() :]
    doc = _parse_front(article, match.group(1))
    if doc is None:
        return None
    article.lines = doc.lines
    article.findings += invisible.scan_values(
        display_path, doc.data, lambda loc: doc.line_of(loc, 1)
    )
    for loc, line in doc.duplicates:
        article.add(FM_DUPLICATE_KEY.at(display_path, line, field=label(loc)))
    if not isinstance(doc.data, dict):
        actual = "空的" if doc.data is None else f"“{type(doc.data).__name__}”"
        article.add(FM_NOT_MAPPING.at(display_path, 2, actual=actual))
        return None
    _check_naive_datetimes(article, doc.watched)
    try:
        return FrontMatter.model_validate(doc.data)
    except ValidationError as exc:
        for err in exc.errors():
            article.add(_finding_for(article, doc, err))
    return None


def _parse_front(article: _Draft, front: str) -> yamlsource.YamlDoc | None:
    """The front matter's YAML, or None with a finding: too large, not YAML, or refused
    (anchors and aliases, nesting too deep) before anything is expanded."""
    if len(front) > MAX_FRONT_MATTER:
        article.add(FM_TOO_LARGE.at(article.path, 2, size=len(front), limit=MAX_FRONT_MATTER))
        return None
    try:
        return yamlsource.parse(front, first_line=2, watch=DATETIME_KEYS)
    except yamlsource.YamlSyntaxError as exc:
        code = {"alias": FM_YAML_ALIAS, "depth": FM_YAML_DEPTH}.get(exc.kind, FM_YAML)
        depth = yamlsource.MAX_DEPTH
        article.add(
            code.at(article.path, exc.line, col=exc.column, problem=exc.problem, depth=depth)
        )
        return None


def _check_naive_datetimes(article: _Draft, values: list[tuple[yamlsource.Loc, str]]) -> None:
    for here, value in values:
        try:
            parsed, naive = parse_datetime(value)
        except TimeParseError:
            continue  # reported by validation
        if naive and here[0] == "review":
            # Signatures are written by the tool: a naive one was typed by hand.
            line = article.line_of(*here)
            article.add(FM_NAIVE_SIGNATURE.at(article.path, line, field=label(here), value=value))
        elif naive:
            article.add(
                FM_NAIVE_DATE.at(
                    article.path,
                    article.line_of(*here),
                    field=label(here),
                    value=value,
                    fixed=parsed.isoformat(timespec="seconds"),
                )
            )


def _finding_for(article: _Draft, doc: yamlsource.YamlDoc, err: Any) -> Finding:
    loc: tuple[str | int, ...] = tuple(err["loc"])
    line = doc.line_of(loc, 1)
    key = next((p for p in reversed(loc) if isinstance(p, str)), "")
    where = label(loc)
    kind = err["type"]
    if kind == "missing":
        example = f"{key}: {EXAMPLES.get(key, '…')}"
        return FM_REQUIRED.at(article.path, line, field=where, example=example)
    if kind == "extra_forbidden":
        known = [n for n in FrontMatter.model_fields if n != key]
        close = difflib.get_close_matches(str(key), known, n=1)
        suggestion = f"是否应为 {close[0]}？" if close else "请删除或改正。"
        return FM_UNKNOWN_KEY.at(article.path, line, field=where, suggestion=suggestion)
    ctx = err.get("ctx") or {}
    if isinstance(ctx.get("error"), TimeRangeError):
        return FM_DATE_RANGE.at(
            article.path,
            line,
            field=where,
            value=err["input"],
            earliest=EARLIEST_YEAR,
            latest=LATEST_YEAR,
        )
    if isinstance(ctx.get("error"), TimeParseError):
        return FM_DATE.at(article.path, line, field=where, value=err["input"])
    problem = _PROBLEMS.get(kind, str(err["msg"])).format(**{k: str(v) for k, v in ctx.items()})
    example = (
        f"例如 {key}: {EXAMPLES[key]}" if key in EXAMPLES else "请按 README 的“稿件信息”一节改正。"
    )
    return FM_INVALID.at(article.path, line, field=where, problem=problem, example=example)
