"""A Markdown extension for tests only: it raises while rendering a body that holds the
marker, as a buggy extension or a recursion deep inside Python-Markdown would; or, for a block
that holds NESTED_MARKER, half-way through the block parser (inside a list item, the parser's
state stack left as the list processor set it)."""

from __future__ import annotations

from typing import Any

from markdown import Extension, Markdown
from markdown.blockprocessors import BlockProcessor
from markdown.preprocessors import Preprocessor

MARKER = "本段触发渲染异常"
NESTED_MARKER = "列表中触发渲染异常"


class _Raise(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        if any(MARKER in line for line in lines):
            raise RecursionError("maximum recursion depth exceeded (test extension)")
        return lines


class _RaiseInBlock(BlockProcessor):
    def test(self, parent: Any, block: str) -> bool:
        return NESTED_MARKER in block and self.parser.state.isstate("list")

    def run(self, parent: Any, blocks: list[str]) -> bool:
        raise RecursionError("maximum recursion depth exceeded (test extension, in a list)")


class RaisingExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.register(_Raise(md), "congress_test_raise", 0)
        md.parser.blockprocessors.register(_RaiseInBlock(md.parser), "congress_test_nested", 200)


def makeExtension(**kwargs: Any) -> RaisingExtension:
    return RaisingExtension(**kwargs)
