"""The sample newsroom copied into a temporary folder (an export appends to the copy's
editorial/exports.jsonl, never the repository's), and the state of each of its articles."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.sitekit import NOW, ROOT, congress

SAMPLE_PARTS = ("mkdocs.yml", "content", "editorial", "editions", "themes")


def copy_sample(into: Path) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    for name in SAMPLE_PARTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, into / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, into / name)
    return into


def states(root: Path, now: str = NOW) -> dict[str, str]:
    """uid → state of every article of a newsroom."""
    result = congress("check", "--json", "--now", now, "--no-cache", cwd=root)
    return {a["uid"]: a["state"] for a in json.loads(result.stdout)["articles"]}
