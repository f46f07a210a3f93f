"""Readable ASCII slugs from Chinese text (pinyin), for file names and tag URLs."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from pypinyin import Style, lazy_pinyin

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_length: int = 60) -> str:
    """`市人大常委会开展执法检查` → `shi-ren-da-chang-wei-hui-kai-zhan-zhi-fa-jian-cha`."""
    parts: list[str] = []
    for chunk in lazy_pinyin(text, style=Style.NORMAL, errors="default"):
        ascii_chunk = unicodedata.normalize("NFKD", chunk).encode("ascii", "ignore").decode()
        parts.extend(p for p in _NON_SLUG.split(ascii_chunk.lower()) if p)
    slug = "-".join(parts)
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug


def tag_slug(tag: str) -> str:
    """A tag's URL segment: pinyin, plus a short hash so that homophones do not collide."""
    base = slugify(tag, max_length=48) or "tag"
    digest = hashlib.sha1(tag.encode("utf-8")).hexdigest()[:6]
    return f"{base}-{digest}" if not tag.isascii() else base
