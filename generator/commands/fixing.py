"""`congress check --fix`: apply the safe typographic corrections in place.

Never to an article whose final sign-off still matches its text: changing it would void the
approval, so the editor is told to correct it and send it back for review instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from generator.build.atomic import write_atomic
from generator.core.config import Site
from generator.gate.decide import Verdict
from generator.gate.rules.review import GATE_DIGEST
from generator.gate.rules.typography import FIXABLE, fix_body, rewrite


def fix_articles(site: Site, verdicts: Iterable[Verdict]) -> Iterator[str]:
    """Correct each article's fixable findings; yield one Chinese line per change or refusal."""
    spacing = site.congress.text.spacing == "none"
    for v in verdicts:
        article = v.article
        fixable = [f for f in v.findings if f.code in FIXABLE]
        if article.meta is None or not fixable:
            continue
        final = article.meta.review.final
        # Still approved: the gate found its digest (text and files) matching.
        if final is not None and not any(f.code == GATE_DIGEST.code for f in v.findings):
            yield f"未修改 {article.path}：已终审签发，修改须重新终审；请由编辑改后重新送审。"
            continue
        file = site.root / article.path
        raw = file.read_bytes().decode("utf-8")
        updated = rewrite(raw, article, fix_body(article, spacing))
        if updated != raw:
            write_atomic(file, updated.encode("utf-8"))
            for f in fixable:
                yield f"已修正 {f.location()} [{f.code}] {f.message}"
