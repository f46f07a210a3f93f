"""Readable ASCII slugs from Chinese text (pinyin), for file names and tag URLs."""

from __future__ import annotations

import hashlib
import re
import unicodedata

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
    """A tag's URL segment: pinyin, plus a short hash so that homophones do not collide."""
    known = TAG_SLUGS.get(tag)
    if known is None:
        base = slugify(tag, max_length=48) or "tag"
        digest = hashlib.sha1(tag.encode("utf-8")).hexdigest()[:6]
        known = TAG_SLUGS[tag] = f"{base}-{digest}" if not tag.isascii() else base
    return known
