"""The publication manifest (发布登记): what a build made public, when, and who approved it.

Written to build/publication-manifest.json, outside the public site. It lists every public
article with its digest and every signature, every withdrawal, and, without titles, every
article that is not public and why; `congress diff` compares two of them. Each signature is
listed with the fingerprint of the key that made it and the digest of the text it approved.
"""

from __future__ import annotations

import json
from typing import Any

from generator.core.clock import iso
from generator.core.model import goes_live, updated
from generator.core.policy import STAGE_LABELS
from generator.core.schemes import key_of
from generator.derive.publication import Publication
from generator.gate.decide import State, Verdict
from generator.gate.rules import signatures

FORMAT = 1


def _public(v: Verdict, pub: Publication) -> dict[str, Any]:
    a = v.article
    meta = a.meta
    assert meta is not None and meta.review.final is not None
    column = pub.site.congress.column(meta.column)
    return {
        "uid": meta.uid,
        "url": a.url,
        "path": a.path,
        "title": meta.title,
        "column": meta.column,
        "column_name": column.name if column else meta.column,
        "kind": meta.kind,
        "source": meta.source or "",
        "digest": meta.review.final.digest,
        "published": iso(meta.date),
        "updated": iso(updated(meta)),
        "corrections": len(meta.corrections),
        "expires_at": iso(meta.expires_at) if meta.expires_at else None,
        "signers": [
            {
                "stage": stage,
                "stage_name": STAGE_LABELS[stage],
                "by": sig.by,
                "name": pub.staff.name(sig.by),
                "at": iso(sig.at),
                # Who signed with which key, over which text (core/approval.py).
                "key": key_of(sig.sig),
                "saw": sig.digest,
            }
            for stage, _, sig in signatures(a)
        ],
    }


def _other(v: Verdict) -> dict[str, Any]:
    meta = v.article.meta
    entry: dict[str, Any] = {
        "uid": v.article.uid or None,
        "path": v.article.path,
        "state": v.state.value,
    }
    if meta is not None:
        if v.state is State.SCHEDULED:
            entry["publish_at"] = iso(goes_live(meta))
        if meta.expires_at is not None:
            entry["expires_at"] = iso(meta.expires_at)
        if meta.withdrawn is not None:
            entry |= {
                "withdrawn_at": iso(meta.withdrawn.at),
                "reason": meta.withdrawn.reason,
                "notice": v.notice,
            }
            if v.notice:
                entry["title"] = meta.title  # public anyway: the withdrawal notice shows it
    return entry


def manifest(pub: Publication) -> dict[str, Any]:
    verdicts = sorted(pub.decision.verdicts, key=lambda v: (v.article.uid, v.article.path))
    public = [_public(v, pub) for v in verdicts if v.public]
    others = [_other(v) for v in verdicts if not v.public]
    return {
        "format": FORMAT,
        "generator": "congress-site",
        "site_url": pub.site.site_url,
        "now": iso(pub.decision.now),
        "summary": {s.value: pub.decision.count(s) for s in State},
        "published": public,
        "not_public": others,
        "editions": [
            {
                "uid": p.uid,
                "path": p.path,
                "title": p.title,
                "pdf": p.url,
                "bytes": p.size,
                "pages": p.pages,
                "sha256": p.sha256,
                "digest": p.digest,
                "page": uid,
            }
            for uid, p in sorted(pub.printed.items())
        ],
    }


def dumps(data: dict[str, Any]) -> bytes:
    """Sorted keys, each list one entry per line: readable in a diff, and written by json's C
    encoder (indenting 10,000 entries goes through its pure-Python one: a second)."""

    def one(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    fields = []
    for key in sorted(data):
        value = data[key]
        if isinstance(value, list) and value:
            shown = "[\n" + ",\n".join(f"    {one(v)}" for v in value) + "\n  ]"
        else:
            shown = one(value)
        fields.append(f"  {one(key)}: {shown}")
    return ("{\n" + ",\n".join(fields) + "\n}\n").encode("utf-8")
