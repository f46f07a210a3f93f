"""`congress check`: every article loaded and judged, the safe fixes applied when asked, and
the verdicts of the files asked about printed for an editor or, with `--json`, a program."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import click

from generator.build import publishing
from generator.build.cache import open_cache
from generator.build.runtime import Runtime
from generator.commands.editionreport import editions_json, editions_judged, editions_text
from generator.commands.fixing import fix_articles
from generator.commands.report import as_json, as_text
from generator.core.config import Site
from generator.core.findings import Finding
from generator.core.progress import reporting
from generator.core.staff import Staff
from generator.gate.decide import Decision


def check(
    site: Site,
    staff: Staff,
    moment: datetime,
    paths: Sequence[Path],
    *,
    registry: Sequence[Finding] = (),
    fix: bool,
    as_json_flag: bool,
    use_cache: bool,
    quiet: bool,
    runtime: Runtime,
) -> int:
    """Print the verdicts of `paths` (every article if none); the exit code: 1 if any of them
    has an error finding, or the staff registry does (`registry`: core/trust.py), else 0."""
    with reporting(quiet=quiet):
        decision = judge(site, staff, moment, use_cache=use_cache, runtime=runtime)
    wanted = [p.resolve() for p in paths]
    if fix:
        chosen = [v for v in decision.verdicts if _selected(site, v.article.path, wanted)]
        for line in fix_articles(site, chosen):
            click.echo(line)
        with reporting(quiet=quiet):
            decision = judge(site, staff, moment, use_cache=use_cache, runtime=runtime)
    verdicts = [v for v in decision.verdicts if _selected(site, v.article.path, wanted)]
    editions = [
        e for e in editions_judged(site, staff, decision) if _selected(site, e.edition.path, wanted)
    ]
    if as_json_flag:
        data = {
            **as_json(decision, verdicts, staff),
            "editions": editions_json(editions),
            "registry": [f.to_dict() for f in registry],
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        # Files asked about by name: who signed each stage, with which key.
        shown = staff if paths else None
        colour = sys.stdout.isatty()
        click.echo(as_text(decision, verdicts, colour=colour, staff=shown))
        text = editions_text(editions, colour=colour)
        if text:
            click.echo(text)
    errors = [f for v in verdicts for f in v.findings] + list(registry)
    errors += [f for e in editions for f in e.findings]
    return 1 if any(f.is_error for f in errors) else 0


def judge(
    site: Site, staff: Staff, moment: datetime, *, use_cache: bool, runtime: Runtime
) -> Decision:
    """Load and judge every article, reusing the build cache for unchanged files (a cache
    that fails to read is reported and left out: the answer is the same without it)."""
    cache = open_cache(site.root) if use_cache else None
    try:
        return publishing.judge(site, staff, moment, runtime=runtime, cache=cache)
    except sqlite3.Error as exc:
        assert cache is not None  # only the cache is SQLite
        cache.failed(exc)
        return publishing.judge(site, staff, moment, runtime=runtime)
    finally:
        if cache is not None:
            cache.close()


def _selected(site: Site, display_path: str, wanted: list[Path]) -> bool:
    """Whether an article (as findings show its path) is one of the given files or folders."""
    if not wanted:
        return True
    path = (site.root / display_path).resolve()
    return any(p == path or p in path.parents for p in wanted)
