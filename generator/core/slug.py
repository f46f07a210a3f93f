"""Readable ASCII slugs from Chinese text (pinyin), for file names and tag URLs."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_length: int = 60) -> str:
    """`市人大常委会开展执法检查` → `shi-ren-da-chang-wei-hui-kai-zhan-zhi-fa-jian-cha`."""
    from pypinyin import Style, lazy_pinyin  # a large dictionary: loaded when first needed

    parts: list[str] = []
    for chunk in lazy_pinyin(text, style=Style.NORMAL, errors="default"):
        ascii_chunk = unicodedata.normalize("NFKD", chunk).encode("ascii", "ignore").decode()
        parts.extend(p for p in _NON_SLUG.split(ascii_chunk.lower()) if p)
    slug = "-".join(parts)
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug


# Tag slugs made so far (the build cache keeps them: pypinyin's dictionary takes a while to
# load, and a tag's slug never changes).
TAG_SLUGS: dict[str, str] = {}


def tag_slug(tag: str) -> str:
    """A tag's URL segment: pinyin, plus a short hash unless the tag is its own slug
    (`npc`, `2026-lianghui`), so that homophones, `NPC` beside `npc` and tags of punctuation
    only (`!!!`, `???`) do not collide. `unique_slugs` settles what a hash still shares."""
    known = TAG_SLUGS.get(tag)
    if known is None:
        base = slugify(tag, max_length=48) or "tag"
        digest = hashlib.sha1(tag.encode("utf-8")).hexdigest()[:6]
        known = TAG_SLUGS[tag] = base if base == tag else f"{base}-{digest}"
    return known


def unique_slugs(tags: Iterable[str]) -> dict[str, str]:
    """tag → slug for one build, never one slug for two tags: a tag written as another's
    hashed slug (`npc-3f2a1b`) would otherwise share its URL. The tag that is its own slug
    keeps it; the others get the full hash, then a number, in a stable order."""
    result: dict[str, str] = {}
    by_slug: dict[str, list[str]] = {}
    for tag in sorted(set(tags)):
        by_slug.setdefault(tag_slug(tag), []).append(tag)
    taken = set(by_slug)
    for slug, group in sorted(by_slug.items()):
        group.sort(key=lambda t: (t != slug, t))  # the tag that is its own slug first
        result[group[0]] = slug
        for tag in group[1:]:
            longer = f"{slug}-{hashlib.sha1(tag.encode('utf-8')).hexdigest()}"
            n = 2
            while longer in taken:
                longer, n = f"{slug}-{hashlib.sha1(tag.encode('utf-8')).hexdigest()}-{n}", n + 1
            taken.add(longer)
            result[tag] = longer
    return result
