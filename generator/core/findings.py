"""Findings: every problem the core reports is data, never an exception.

A `Code` is declared once, next to the code that raises it, with its severity and its
Chinese message and hint (templates); `Code.at(...)` makes a `Finding`. All codes are kept
in `CODES`, so they can be listed in the README and checked for uniqueness.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How bad a finding is.

    `info` is a state (not signed yet, embargoed, withdrawn), `error` means something is
    wrong and blocks publication, `warning` is advice.
    """

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def label(self) -> str:
        return {"error": "错误", "warning": "警告", "info": "提示"}[self.value]


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: Severity
    path: str
    line: int | None
    message: str
    hint: str = ""
    column: int | None = None
    excerpt: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "hint": self.hint,
            "excerpt": self.excerpt,
        }

    def location(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where


CODES: dict[str, Code] = {}


@dataclass(frozen=True, slots=True)
class Code:
    """A stable finding code with its Chinese message and hint templates."""

    code: str
    severity: Severity
    message: str
    hint: str = ""
    doc: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.code in CODES:
            raise ValueError(f"duplicate finding code {self.code}")
        CODES[self.code] = self

    def at(
        self,
        path: str,
        line: int | None = None,
        /,
        *,
        col: int | None = None,
        excerpt: str = "",
        severity: Severity | None = None,
        **params: object,
    ) -> Finding:
        params.setdefault("line", line if line is not None else "?")
        params.setdefault("path", path)
        return Finding(
            code=self.code,
            severity=severity or self.severity,
            path=path,
            line=line,
            column=col,
            message=self.message.format(**params),
            hint=self.hint.format(**params),
            excerpt=excerpt,
        )


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.is_error for f in findings)


def sort_key(f: Finding) -> tuple[str, int, int, str]:
    return (f.path, f.line or 0, f.column or 0, f.code)
