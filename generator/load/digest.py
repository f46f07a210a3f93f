"""The digest that binds a final sign-off to the exact text approved.

It covers every public field of the front matter and the body; it leaves out only `review`
(the signatures themselves) and `withdrawn` (taking a piece down needs no new approval).
Values are hashed as validated, not as typed: quoting or re-spelling a time as the same
instant keeps the approval; changing a word, a time, a tag or a correction voids it. A field
left at its default counts as absent, so that a later version of the contract with a new
optional field does not void the approvals of the archive.

    text digest = sha256( canonical JSON of {"front": {...}, "body": "..."} )

It also covers the bytes of every file the article uses (images, attachments, cover, a local
video poster, a file without suffix: `assets.sealed_files`, the same set that is copied
into the site). When there are such files:

    sha256( "congress-files-v1\n" + text digest + "\n" + canonical JSON of {path: sha256} )

and the final record keeps the per-file hashes (`final.files`), so that a replaced file is
named by the finding. An article using no file keeps the text digest: approvals made before
files were covered stay valid for such articles.

The text digest is worked out once, when the article is made (`Article.digest`); what the
sign-off must carry now, files included, is `assets.approval_digest`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from generator.core.model import FrontMatter

EXCLUDED = frozenset({"review", "withdrawn"})


def _canonical(value: Any) -> Any:
    """A time as the JSON encoder cannot write it: the instant, in UTC, to the second (the
    encoder asks only for such values; lists and tuples are both arrays to it)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds")
    raise TypeError(f"{type(value).__name__} in the front matter has no canonical form")


_JSON = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_canonical
)


def normal_body(body: str) -> str:
    """Blank lines around the body do not change what is published."""
    return body.strip("\n").rstrip() + "\n"


def digest(meta: FrontMatter, body: str) -> str:
    # Fields at their default are left out: a field added to the contract later voids no approval.
    front = meta.model_dump(exclude=set(EXCLUDED), exclude_defaults=True)
    data = _JSON.encode({"front": front, "body": normal_body(body)})
    return "sha256:" + hashlib.sha256(data.encode("utf-8")).hexdigest()


def with_files(text_digest: str, files: Mapping[str, str | None]) -> str:
    """The digest of the text and of the files' bytes (the text digest if there are none)."""
    if not files:
        return text_digest
    listed = json.dumps(dict(sorted(files.items())), sort_keys=True, separators=(",", ":"))
    data = f"congress-files-v1\n{text_digest}\n{listed}"
    return "sha256:" + hashlib.sha256(data.encode("utf-8")).hexdigest()
