"""What signed approvals cost: `python -m bench.signing [N] [--before REV] [--repeat 3]`
(`make bench-signing`).

On the bench corpus of N articles (bench/corpus.py, every stage signed with demo keys):

- verify: every approval signature verified once, in this process, on one core: the
  cryptography alone (what a cold check spends on it, before dividing by the cores);
- check (cold, no cache) and check* (warm cache), and a warm build with nothing changed (a
  scheduled build), each also with the code of `--before` (a commit before signatures, on
  the corpus it writes: the same articles without signatures), the commands taking turns;
- sign: the final sign-off of all N articles removed, then signed again by one leader in one
  `congress review` (one `ssh-keygen` run, the leader's demo key).

Ratios are printed; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.corpus import ROOT, write_corpus
from bench.run import NOW, _run, _turns


def verify_all(site: Path) -> tuple[int, float]:
    """(signatures, seconds) to verify every approval signature of `site` once, one core."""
    from generator.core.approval import stage_name, statement
    from generator.core.config import load_site
    from generator.core.schemes import split, verify_approval
    from generator.gate.rules import round_of, signatures
    from generator.load.newsroom import load_newsroom

    room = load_newsroom(load_site(site / "mkdocs.yml"))
    jobs = []
    for a in room.articles:
        if a.meta is None:
            continue
        for stage, loc, sig in signatures(a):
            index = round_of(stage, loc)
            assert sig.sig is not None and sig.digest is not None
            made = statement(a.meta.uid, stage_name(stage, index), sig.by, sig.at, sig.digest)
            assert made is not None
            scheme, data = split(sig.sig)
            jobs.append((scheme.name, data, made))
    started = time.perf_counter()
    ok = sum(verify_approval(*job) for job in jobs)
    seconds = time.perf_counter() - started
    assert ok == len(jobs), f"{len(jobs) - ok} signatures of the corpus do not verify"
    return len(jobs), seconds


def unsign_final(site: Path) -> list[Path]:
    """Every article's final sign-off removed (the other stages kept): N articles to sign."""
    paths = sorted((site / "content").glob("*/*/*.md"))
    for path in paths:
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"(?m)^  final: .*\n", "", text), encoding="utf-8")
    return paths


def before_corpus(rev: str, n: int, where: Path) -> tuple[list[str], Path]:
    """The command and corpus of `rev` (a git worktree of it, its own corpus writer)."""
    src = where / "before-src"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-f", str(src), rev],
        check=True,
        capture_output=True,
    )
    site = where / "before-corpus"
    env = {**os.environ, "PYTHONPATH": str(src)}
    subprocess.run(
        [sys.executable, "-m", "bench.corpus", str(n), str(site)], check=True, env=env, cwd=src
    )
    # The old code, run from its worktree: a tiny launcher that puts it first on the path.
    launcher = where / "before.py"
    launcher.write_text(
        f"import runpy, sys\nsys.path.insert(0, {str(src)!r})\n"
        "runpy.run_module('generator', run_name='__main__', alter_sys=True)\n",
        encoding="utf-8",
    )
    return [sys.executable, str(launcher)], site


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", nargs="?", type=int, default=10000)
    parser.add_argument("--before", default=None, help="a commit before signed approvals")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="congress-bench-signing-") as tmp:
        where = Path(tmp)
        site = where / "corpus"
        write_corpus(args.n, site)
        count, seconds = verify_all(site)
        now = [sys.executable, "-m", "generator"]
        runs = {
            "check": ([*now, "check", "--no-cache", "--now", NOW, "-q"], site),
            "check*": ([*now, "check", "--now", NOW, "-q"], site),
            "build*": ([*now, "build", "--now", NOW, "-q", "--site-dir", str(where / "s")], site),
        }
        if args.before:
            old, old_site = before_corpus(args.before, args.n, where)
            out = str(where / "s-before")
            runs |= {
                "check before": ([*old, "check", "--no-cache", "--now", NOW, "-q"], old_site),
                "check* before": ([*old, "check", "--now", NOW, "-q"], old_site),
                "build* before": ([*old, "build", "--now", NOW, "-q", "--site-dir", out], old_site),
            }
        for cmd, cwd in runs.values():  # warm every cache and build every live site once
            if "--no-cache" not in cmd:
                _run(cmd, cwd)
        results = {}
        for name, (cmd, cwd) in runs.items():
            results |= _turns({name: (cmd, None)}, cwd, args.repeat)
        paths = unsign_final(site)
        leader = "gu-chengzhi"
        key = where / leader
        shutil.copy(ROOT / "demo-keys" / leader, key)
        key.chmod(0o600)
        sign = [*now, "review", "-q", *map(str, paths), "--stage", "final", "--by", leader]
        sign += ["--key", str(key), "--at", NOW, "--now", NOW]
        signed = _run(sign, site)[0]
        if args.before:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "-f", str(where / "before-src")],
                check=False,
                capture_output=True,
            )
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {platform.platform()}"
    )
    print(f"N = {args.n}: {count} approval signatures")
    print(f"verify, one core: {seconds:.2f} s ({1e6 * seconds / count:.0f} µs each)")
    for name, (t, memory) in results.items():
        print(f"{name:>14}: {t:7.2f} s  {memory / 2**20:6.0f} MB")
    if args.before:
        for name in ("check", "check*", "build*"):
            added = results[name][0] / results[f"{name} before"][0] - 1
            print(f"{name:>14} added: {added:+.1%}")
    print(f"sign final of {len(paths)} articles in one command: {signed:.1f} s")


if __name__ == "__main__":
    main()
