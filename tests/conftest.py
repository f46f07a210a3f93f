from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.channels.sample import copy_sample, states
from tests.sitekit import NOW, ROOT, congress

# The suite builds at fixed times in the past (NOW and others): the web archive records such
# publications only when told to (generator/archivecli.py; tests/site/test_archive.py checks
# that it refuses them otherwise).
os.environ.setdefault("CONGRESS_ARCHIVE_BACKDATE", "1")


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample newsroom of content/, built once with the real command at a fixed time."""
    out = tmp_path_factory.mktemp("sample") / "site"
    result = congress("build", "--now", NOW, "--site-dir", str(out), cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(autouse=True)
def _thaw() -> Iterator[None]:
    """A build in this process freezes the heap, as a one-shot command may
    (generator/build/heap.py): return it to the collector after each test."""
    yield
    gc.unfreeze()


@pytest.fixture(scope="session")
def sample_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample newsroom in a temporary folder: exports append to its own record."""
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
