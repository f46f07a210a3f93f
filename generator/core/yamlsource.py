"""YAML with line numbers, for front matter and the editorial files.

Values are loaded with the C-accelerated parser; plain scalars stay strings (the pydantic
model converts the few numbers), so that a naive time is noticed and reported. The composed node
tree gives the line of every key, so a validation error can point at its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Loc = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """Safe loader that reads every plain scalar as a string (null aside, see _build): the
    model converts the few numbers, and times stay strings so that a naive one is noticed.
    Skipping YAML 1.1's implicit typing also spares its regular expressions on every value."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP


# PyYAML's most frequent complaints, said the way an editor can act on them.
_PROBLEMS = {
    "mapping values are not allowed": "此处不能出现“键: 值”，常见原因是值里有未加引号的英文冒号",
    "could not find expected ':'": "缺少英文冒号“:”，或上一行的引号没有闭合",
    "found character '\\t' that cannot start any token": "不能用 Tab 缩进，请改用空格",
    "found a tab character that violates indentation": "不能用 Tab 缩进，请改用空格",
    "did not find expected key": "缩进不一致，或列表、映射的写法混在了一起",
    "found undefined alias": "引用了未定义的锚点（*别名）",
    "found unexpected end of stream": "引号或括号没有闭合",
    "did not find expected ',' or ']'": "方括号列表没有正确闭合，或元素之间缺少英文逗号",
    "did not find expected ',' or '}'": "花括号映射没有正确闭合，或元素之间缺少英文逗号",
    "found duplicate anchor": "锚点名称重复",
    "exceeded maximum nesting depth": "嵌套层数过多",
    "could not determine a constructor": "不支持这种 YAML 标签（!!…），请直接写出值",
}
_REFUSED = {"exceeded maximum nesting depth": "depth", "found undefined alias": "alias"}


# Deeper than any file of ours needs (front matter: review.proofread[0].at is 4), far below
# where building the value would exhaust Python's stack (libyaml itself stops at 1,000).
MAX_DEPTH = 32


class YamlSyntaxError(ValueError):
    """A YAML syntax error, with a 1-based line and column and a Chinese explanation.
    `kind` is "syntax", or what was refused: "alias" (anchors, aliases) or "depth"."""

    def __init__(self, line: int, column: int, problem: str, kind: str = "syntax") -> None:
        super().__init__(problem)
        self.line = line
        self.column = column
        self.problem = problem
        self.kind = kind


@dataclass(slots=True)
class YamlDoc:
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    duplicates: list[tuple[Loc, int]] = field(default_factory=list)
    watch: frozenset[str] = frozenset()
    watched: list[tuple[Loc, str]] = field(default_factory=list)  # string values under `watch` keys

    def line_of(self, loc: Loc, default: int | None = None) -> int | None:
        """The line of `loc`, or of its nearest ancestor that has one."""
        for end in range(len(loc), 0, -1):
            line = self.lines.get(loc[:end])
            if line is not None:
                return line
        return default


_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


def parse(text: str, first_line: int = 1, watch: frozenset[str] = frozenset()) -> YamlDoc:
    """Parse one YAML document; `first_line` is the file line where `text` starts. The string
    values of keys named in `watch` are also listed in `watched`, with their key paths."""
    loader = _Loader(text)
    try:
        if "&" in text:  # every alias needs an anchor: without "&" there is neither
            _refuse_anchors(text, first_line)
        node = loader.get_single_node()
        doc = YamlDoc(None, watch=watch)
        if node is not None:
            _refuse_depth(node, first_line)
            doc.data = _build(node, (), doc, first_line, loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line if mark else 0) + first_line
        column = (mark.column + 1) if mark else 1
        raw = (exc.problem or exc.context or "").strip()
        explained = next((cn for en, cn in _PROBLEMS.items() if raw.startswith(en)), "")
        kind = _REFUSED.get(raw.split(" in ")[0].strip(), "syntax")
        raise YamlSyntaxError(line, column, explained or raw, kind) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(first_line, 1, str(exc)) from exc
    finally:
        loader.dispose()
    return doc


def _refuse_anchors(text: str, first_line: int) -> None:
    """Refuse anchors and aliases from the event stream, before anything is composed: our
    files never need them, and expanding nested aliases (a "billion laughs") is exponential."""
    loader = _Loader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                mark = event.start_mark
                raise YamlSyntaxError(
                    mark.line + first_line,
                    mark.column + 1,
                    "不能使用锚点（&）或别名（*），请把值直接写出来",
                    kind="alias",
                )
    finally:
        loader.dispose()


def _refuse_depth(root: yaml.Node, first_line: int) -> None:
    """Refuse nesting deeper than MAX_DEPTH, walking without recursion (anchors are refused
    already, so the composed tree has no shared or cyclic nodes)."""
    todo = [(root, 1)]
    while todo:
        node, depth = todo.pop()
        if depth > MAX_DEPTH:
            mark = node.start_mark
            raise YamlSyntaxError(
                mark.line + first_line,
                mark.column + 1,
                f"嵌套超过 {MAX_DEPTH} 层",
                kind="depth",
            )
        if isinstance(node, yaml.SequenceNode):
            todo += [(item, depth + 1) for item in node.value]
        elif isinstance(node, yaml.MappingNode):
            todo += [(n, depth + 1) for pair in node.value for n in pair]


def _build(node: yaml.Node, loc: Loc, doc: YamlDoc, offset: int, loader: Any) -> Any:
    """The value of `node`, recording the line of every key and item on the way. A node with
    an explicit tag (!!int, !!bool…) goes to PyYAML's safe constructor; a merge key (<<) is
    just a key, which the model then reports as unknown."""
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP:
            value = loader.construct_object(node, deep=True)
            _index(node, loc, doc, offset)
            return value
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):  # `? [a, b]`: a list as a key
                mark = key_node.start_mark
                raise YamlSyntaxError(
                    mark.line + offset, mark.column + 1, "键必须是文字，不能是列表或映射"
                )
            key = _build(key_node, loc, doc, offset, loader)
            here = (*loc, str(key))
            line = key_node.start_mark.line + offset
            if key in out:
                doc.duplicates.append((here, line))
            doc.lines[here] = line
            value = out[key] = _build(value_node, here, doc, offset, loader)
            if key in doc.watch and isinstance(value, str):
                doc.watched.append((here, value))
        return out
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ:
            return loader.construct_object(node, deep=True)
        items = []
        for i, item in enumerate(node.value):
            here = (*loc, i)
            doc.lines[here] = item.start_mark.line + offset
            items.append(_build(item, here, doc, offset, loader))
        return items
    if node.tag != _STR:
        return loader.construct_object(node, deep=True)
    if not getattr(node, "style", None) and node.value in _NULLS:  # plain empty, ~ or null
        return None
    return node.value


def _index(node: yaml.Node, loc: Loc, doc: YamlDoc, offset: int) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            here = (*loc, key)
            line = key_node.start_mark.line + offset
            if key in seen:
                doc.duplicates.append((here, line))
            seen.add(key)
            doc.lines[here] = line
            _index(value_node, here, doc, offset)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            here = (*loc, i)
            doc.lines[here] = item.start_mark.line + offset
            _index(item, here, doc, offset)
