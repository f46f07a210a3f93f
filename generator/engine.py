"""Which rendering engine runs `congress build` and `serve`: ProperDocs when it is installed
(the `congress-site[properdocs]` extra), MkDocs 1.6 otherwise; `CONGRESS_ENGINE` forces one.

ProperDocs is a fork of MkDocs 1.x that keeps its plugin and theme API. Importing
`properdocs.replacement` puts an import hook in front of every `mkdocs.*` import (the adapter's,
mkdocs-material's) that answers with the matching `properdocs.*` module; ProperDocs itself
still finds plugins and themes under the `mkdocs.plugins` / `mkdocs.themes` entry points. The
hook must be in place before anything imports mkdocs, so this module imports neither engine
and the choice is made once, at the start of the command (cli.py).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import sys
from dataclasses import dataclass

from generator.core.findings import Code, Finding, Severity

ENGINE_ENV = "CONGRESS_ENGINE"
NAMES = {"mkdocs": "MkDocs", "properdocs": "ProperDocs"}

ENGINE_UNKNOWN = Code(
    "ENGINE-UNKNOWN",
    Severity.ERROR,
    "环境变量 CONGRESS_ENGINE 的值无效：{value}（可选 mkdocs 或 properdocs）",
    "改为 mkdocs 或 properdocs，或删除这个环境变量（已安装 ProperDocs 时默认用它）。",
)
ENGINE_MISSING = Code(
    "ENGINE-MISSING",
    Severity.ERROR,
    "指定的渲染引擎 {engine} 未安装",
    "安装它（pip install 'congress-site[properdocs]'），或删除环境变量 CONGRESS_ENGINE。",
)


class EngineError(Exception):
    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


@dataclass(frozen=True)
class Engine:
    package: str  # "mkdocs" or "properdocs"
    version: str

    def __str__(self) -> str:
        return f"{NAMES[self.package]} {self.version}"


def _installed(package: str) -> Engine | None:
    if importlib.util.find_spec(package) is None:
        return None
    return Engine(package, importlib.metadata.version(package))


def _loaded() -> Engine | None:
    """The engine already imported into this process (a library user, a test), if any: it
    cannot be swapped any more, so it is the one that runs."""
    module = sys.modules.get("mkdocs")
    if module is None:
        return None
    package = "properdocs" if module.__name__ == "properdocs" else "mkdocs"
    return _installed(package)


def chosen() -> Engine:
    """The engine the next build will run on, without importing it."""
    loaded = _loaded()
    if loaded is not None:
        return loaded
    wanted = os.environ.get(ENGINE_ENV, "").strip().lower()
    if wanted and wanted not in NAMES:
        raise EngineError(ENGINE_UNKNOWN.at("", None, value=wanted))
    for package in [wanted] if wanted else ["properdocs", "mkdocs"]:
        engine = _installed(package)
        if engine is not None:
            return engine
    raise EngineError(ENGINE_MISSING.at("", None, engine=NAMES[wanted or "mkdocs"]))


def activate() -> Engine:
    """Choose the engine and, for ProperDocs, route `mkdocs.*` imports to it."""
    engine = chosen()
    if engine.package == "properdocs" and "mkdocs" not in sys.modules:
        import properdocs.replacement  # noqa: F401  (the import hook is its side effect)
    return engine
