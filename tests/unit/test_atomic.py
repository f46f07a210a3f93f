"""Swapping a built site in: one exchange where the system can, a swap interrupted between
two renames undone, and one build of a site at a time."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.sitekit import NOW, article, make_site

pytestmark = pytest.mark.site


def test_a_swap_interrupted_between_its_renames_gives_the_previous_site_back(
    tmp_path: Path,
) -> None:
    from generator.build.atomic import clean_leftovers

    (tmp_path / ".site.old-4242").mkdir()
    (tmp_path / ".site.old-4242" / "index.html").write_text("previous", encoding="utf-8")
    (tmp_path / ".site.staging-4242").mkdir()
    clean_leftovers(tmp_path / "site")
    assert (tmp_path / "site" / "index.html").read_text(encoding="utf-8") == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


@pytest.mark.skipif(sys.platform != "linux", reason="renameat2 is Linux")
def test_the_swap_is_one_exchange_on_linux(tmp_path: Path) -> None:
    from generator.build.atomic import _exchange

    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x").write_text("a", encoding="utf-8")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x").write_text("b", encoding="utf-8")
    assert _exchange(tmp_path / "a", tmp_path / "b")
    assert (tmp_path / "a" / "x").read_text(encoding="utf-8") == "b"
    assert (tmp_path / "b" / "x").read_text(encoding="utf-8") == "a"


@pytest.mark.skipif(sys.platform == "win32", reason="flock")
def test_a_second_build_of_the_same_site_waits_for_the_first(tmp_path: Path) -> None:
    import fcntl

    make_site(tmp_path, {"news/2026/a.md": article()})
    with open(tmp_path / ".site.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a build in progress
        waiting = subprocess.Popen(
            [sys.executable, "-m", "generator", "build", "--now", NOW],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(3)
        assert waiting.poll() is None, "it waits"
        assert not (tmp_path / "site").exists()
    _, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert "BUILD-WAIT" in err
    assert (tmp_path / "site" / "index.html").exists()
