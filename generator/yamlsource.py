"""YAML with line numbers, for front matter and the editorial files.

Values are loaded with the C-accelerated safe loader, except that timestamps stay strings:
the core parses them itself so that a naive time is noticed and reported. The composed node
tree gives the line of every key, so a validation error can point at its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Loc = tuple[str | int, ...]

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """Safe loader that leaves timestamps as strings."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}

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
}


class YamlSyntaxError(ValueError):
    """A YAML syntax error, with a 1-based line and column and a Chinese explanation."""

    def __init__(self, line: int, column: int, problem: str) -> None:
        super().__init__(problem)
        self.line = line
        self.column = column
        self.problem = problem


@dataclass(slots=True)
class YamlDoc:
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    duplicates: list[tuple[Loc, int]] = field(default_factory=list)

    def line_of(self, loc: Loc, default: int | None = None) -> int | None:
        """The line of `loc`, or of its nearest ancestor that has one."""
        for end in range(len(loc), 0, -1):
            line = self.lines.get(loc[:end])
            if line is not None:
                return line
        return default


def parse(text: str, first_line: int = 1) -> YamlDoc:
    """Parse one YAML document; `first_line` is the file line where `text` starts."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line if mark else 0) + first_line
        column = (mark.column + 1) if mark else 1
        raw = (exc.problem or exc.context or "").strip()
        explained = next((cn for en, cn in _PROBLEMS.items() if raw.startswith(en)), "")
        raise YamlSyntaxError(line, column, explained or raw) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(first_line, 1, str(exc)) from exc
    finally:
        loader.dispose()
    doc = YamlDoc(data)
    if node is not None:
        _index(node, (), doc, first_line)
    return doc


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
