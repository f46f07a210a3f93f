"""The sample newsroom copied into a temporary folder (an export appends to the copy's
editorial/exports.jsonl, never the repository's), its public articles exported once, and the
local stand-in for the WeChat API (tests/wechatserver.py), one per test."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sitekit import NOW, ROOT, congress
from tests.wechatserver import WechatServer

SAMPLE_PARTS = ("mkdocs.yml", "content", "editorial", "themes")


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


@pytest.fixture(scope="session")
def sample_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_sample(tmp_path_factory.mktemp("sample-copy") / "newsroom")


@pytest.fixture(scope="session")
def exported(sample_copy: Path) -> Path:
    """Every public article of the sample exported for WeChat, at the suite's time."""
    public = sorted(u for u, s in states(sample_copy).items() if s == "published")
    out = sample_copy.parent / "wechat"
    result = congress("wechat", *public, "--out", str(out), "--now", NOW, "-q", cwd=sample_copy)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == public
    return out


@pytest.fixture
def server() -> Iterator[WechatServer]:
    with WechatServer() as running:
        yield running
    assert running.errors == []
