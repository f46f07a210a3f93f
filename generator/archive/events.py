"""What a publication's metadata records say besides its files: the public part of the
manifest, each article's approvals, and every removal with its reason.

Only what was public goes in: of the articles not public, those that were public before, with
their state, and a withdrawal's reason only where its notice published it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from generator.archive.store import State
from generator.load.refs import url_of

# Why a URL left the site, as the removal record and `congress archive` say it.
REASONS = {
    "withdrawn": "撤回",
    "expired": "到期下线",
    "unpublished": "停止公开（审核失效或未通过）",
    "deleted": "稿件已删除",
    "moved": "网址变更",
    "gone": "不再发布",
}


def removals(
    state: State, now_live: set[str], manifest: dict[str, Any], base: str, docs: str = ""
) -> dict[str, dict[str, Any]]:
    """Every URL that left the site, and every article no longer public, with the reason.
    `docs`: the content folder as the manifest's paths begin with it."""
    public = {base + quote(str(e.get("url", ""))): str(e.get("uid")) for e in published(manifest)}
    moved_to = {uid: url for url, uid in public.items()}
    others = {str(e.get("uid")): e for e in manifest.get("not_public", [])}
    # An article whose front matter no longer reads has no uid: known by its file's address.
    at = {
        base + quote(url_of(str(e["path"]).removeprefix(docs))): e
        for e in manifest.get("not_public", [])
        if docs and str(e.get("path", "")).startswith(docs)
    }
    found: dict[str, dict[str, Any]] = {}
    for url, uid in sorted(state.articles.items()):
        if url in public:
            continue
        entry = others.get(uid) or at.get(url)
        code = "deleted"
        note = ""
        if uid in moved_to:  # still public, at another address
            code, note = "moved", f"现网址 {moved_to[uid]}"
        elif entry is not None:
            code = {"withdrawn": "withdrawn", "expired": "expired"}.get(
                str(entry.get("state")), "unpublished"
            )
            if code == "withdrawn" and entry.get("notice"):
                note = str(entry.get("reason") or "")  # published in the notice anyway
        found[url] = {"event": "removed", "uid": uid, "reason_code": code, "note": note}
    for url in sorted(set(state.captures) - set(now_live) - set(found)):
        found[url] = {"event": "removed", "uid": None, "reason_code": "gone", "note": ""}
    for url, removal in found.items():
        removal["reason"] = REASONS[removal["reason_code"]]
        removal["gone"] = url not in now_live
        removal["last_capture"] = state.captures[url].date if url in state.captures else None
    return dict(sorted(found.items()))


def public_manifest(manifest: dict[str, Any], state: State, base: str) -> dict[str, Any]:
    """The manifest without what was never public: of the articles not public, only those
    that were public before (by uid), with their state, and a withdrawal's reason only where
    its notice published it."""
    was = set(state.articles.values())
    gone = []
    for e in manifest.get("not_public", []):
        if e.get("uid") in was:
            kept = {k: e[k] for k in ("uid", "state", "withdrawn_at", "expires_at") if k in e}
            if e.get("notice"):
                kept |= {"reason": e.get("reason"), "title": e.get("title"), "notice": True}
            gone.append(kept)
    keep = ("format", "generator", "site_url", "now", "published", "editions")
    # Of the counts, only what is public: how many articles are pending, scheduled or
    # invalid was never shown to anyone.
    summary = {"published": len(published(manifest))}
    return {
        **{k: manifest[k] for k in keep if k in manifest},
        "summary": summary,
        "no_longer_public": gone,
    }


def published(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return list(manifest.get("published", []))


def approval(entry: dict[str, Any]) -> dict[str, Any]:
    keep = ("uid", "title", "column", "kind", "digest", "published", "updated", "signers")
    return {k: entry[k] for k in keep if k in entry}
