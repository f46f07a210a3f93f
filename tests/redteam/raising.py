"""A Markdown extension for tests only: it raises while rendering a body that holds the
marker, as a buggy extension or a recursion deep inside Python-Markdown would."""

from __future__ import annotations

from typing import Any

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

MARKER = "本段触发渲染异常"


class _Raise(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        if any(MARKER in line for line in lines):
            raise RecursionError("maximum recursion depth exceeded (test extension)")
        return lines


class RaisingExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.register(_Raise(md), "congress_test_raise", 0)


def makeExtension(**kwargs: Any) -> RaisingExtension:
    return RaisingExtension(**kwargs)
