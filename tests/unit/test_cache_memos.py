"""The build cache keeps the gate's memos in a table of their own, by what each file holds and
by the settings they were found with: a second run judges nothing again, a changed wording list
judges the text again, and an edited file is judged afresh."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build.cache import open_cache
from generator.core.clock import aware
from generator.core.config import load_site
from generator.gate.decide import decide
from generator.gate.memos import Memo
from generator.load.newsroom import load_newsroom
from tests.sitekit import NOW, article, make_site


def run(root: Path) -> tuple[list[str], dict[bytes, dict[str, Memo]]]:
    """Every finding of a checked site, and the memos the run had to work out."""
    site = load_site(root / "mkdocs.yml")
    cache = open_cache(site.root)
    assert cache is not None
    try:
        room = load_newsroom(site, cache=cache)
        decision = decide(room, aware(NOW), memos=cache.memos)
        return [f.code for v in decision.verdicts for f in v.findings], cache.memos.learned()
    finally:
        cache.close()


def test_the_memos_outlive_the_run_by_source_and_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CONGRESS_NO_CACHE", raising=False)
    monkeypatch.setenv("CONGRESS_CACHE_DIR", str(tmp_path / "cache"))
    body = "市人大常委会听取一府两院工作报告。\n"
    root = make_site(
        tmp_path,
        {
            "news/2026/a.md": article(body=body, uid="2026-1120-cache1"),
            "news/2026/b.md": article(uid="2026-1120-cache2"),
        },
    )
    codes, learned = run(root)
    assert codes == [] and len(learned) == 2
    codes, learned = run(root)
    assert codes == [] and learned == {}  # every group from the cache
    wording = "preferred:\n  - use: 一府一委两院\n    not: [一府两院]\n"
    (root / "editorial" / "wording.yml").write_text(wording, encoding="utf-8")
    codes, learned = run(root)
    assert codes == ["TEXT-WORDING"] and len(learned) == 2  # the text of both, again
    codes, learned = run(root)
    assert codes == ["TEXT-WORDING"] and learned == {}
    edited = root / "content" / "news" / "2026" / "b.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    codes, learned = run(root)
    assert codes == ["TEXT-WORDING"] and len(learned) == 1  # the edited file alone
