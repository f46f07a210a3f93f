"""The gate's clock-free checks shared with a forked process give the same verdicts.

Each case runs in a fresh process: forking is used only where no other thread runs, and a
test runner's process may have some."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.corpus import write_corpus
from tests.sitekit import NOW, ROOT

linux_with_two_cores = pytest.mark.skipif(
    sys.platform != "linux" or (os.cpu_count() or 1) < 2, reason="forks on Linux with 2 cores"
)

PIDS = """
import json, os
from generator.build.parallel import map_on_two_cores
def work(i):
    return i * i, os.getpid()
print(json.dumps([os.getpid(), map_on_two_cores(work, range(10), minimum={minimum})]))
"""


def run_script(source: str, **env: str) -> Any:
    """What a script run in a fresh process prints, as JSON."""
    done = subprocess.run(
        [sys.executable, "-c", source],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **env},
        timeout=60,
    )
    return json.loads(done.stdout)


def run_pids(minimum: int, **env: str) -> tuple[int, list[list[int]]]:
    me, result = run_script(PIDS.format(minimum=minimum), **env)
    assert [square for square, _ in result] == [i * i for i in range(10)]
    return me, result


@linux_with_two_cores
def test_the_second_half_is_worked_out_in_another_process() -> None:
    me, result = run_pids(4)
    assert {pid for _, pid in result[:5]} == {me}
    assert me not in {pid for _, pid in result[5:]}


def test_small_jobs_stay_here() -> None:
    me, result = run_pids(50)
    assert {pid for _, pid in result} == {me}
    me, result = run_pids(4, CONGRESS_ONE_CORE="1")
    assert {pid for _, pid in result} == {me}


@linux_with_two_cores
def test_a_large_newsroom_gets_the_same_verdicts_on_one_core_and_on_two(tmp_path: Path) -> None:
    write_corpus(600, tmp_path)

    def check(**env: str) -> object:
        done = subprocess.run(
            [sys.executable, "-m", "generator", "check", "--json", "--no-cache", "--now", NOW],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, **env},
        )
        assert done.returncode in (0, 1), done.stderr
        return json.loads(done.stdout)

    two, one = check(), check(CONGRESS_ONE_CORE="1")
    assert two == one
    assert sum(len(a["findings"]) for a in one["articles"]) > 0  # type: ignore[index]
    # The signatures verified in the forked half come back to be kept: the cache holds the
    # outcome of every one of them after a cold run on two cores.
    cache = tmp_path / "cache"
    subprocess.run(
        [sys.executable, "-m", "generator", "check", "-q", "--now", NOW],
        cwd=tmp_path,
        capture_output=True,
        check=False,
        env={**os.environ, "CONGRESS_CACHE_DIR": str(cache)},
    )
    signed = sum(len(a["approvals"]) for a in one["articles"])  # type: ignore[index]
    with sqlite3.connect(cache / "cache.sqlite3") as db:
        assert db.execute("select count(*), sum(ok) from signatures").fetchone() == (signed, signed)


AHEAD = """
import json, os, sys
from generator.build.parallel import Ahead
def work(i):
    if i == 3 and os.environ.get("DIE_AHEAD") and os.getpid() != PARENT:
        os._exit(7)  # the process sent ahead dies half-way
    return i * i, os.getpid()
PARENT = os.getpid()
ahead = Ahead(work, list(range(10)), minimum={minimum})
forked = ahead.forked
print(json.dumps([PARENT, forked, ahead.result()]))
"""


def run_ahead(minimum: int, **env: str) -> tuple[int, bool, list[list[int]]]:
    parent, forked, results = run_script(AHEAD.format(minimum=minimum), **env)
    return parent, forked, results


@linux_with_two_cores
def test_work_sent_ahead_is_done_in_another_process_and_comes_back_whole() -> None:
    parent, forked, results = run_ahead(5)
    assert forked
    assert [r[0] for r in results] == [i * i for i in range(10)]
    assert {r[1] for r in results} != {parent}  # done by the process sent ahead


def test_work_sent_ahead_is_done_here_when_small_when_asked_or_when_the_process_dies() -> None:
    for minimum, env in ((50, {}), (5, {"CONGRESS_ONE_CORE": "1"}), (5, {"DIE_AHEAD": "1"})):
        parent, _, results = run_ahead(minimum, **env)
        assert [r[0] for r in results] == [i * i for i in range(10)], env
        assert {r[1] for r in results} == {parent}, env
