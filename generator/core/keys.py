"""Content keys: a digest of some parts, under which something worked out from them is kept
(the build cache's entries, the gate's memos, the page keys of a rebuild)."""

from __future__ import annotations

import hashlib


def fingerprint(*parts: str | bytes) -> bytes:
    """SHA-256 of the parts, each length-prefixed so that no two sequences collide."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.digest()
