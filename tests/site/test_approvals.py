"""Signed approvals through the commands: the cache keeps what was verified, check shows who
signed with which key, the manifest records it, the audit lists keys revoked since, and a
registry no registrar signed stops a build (the live site stays) but not a preview."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.build.cache import open_cache
from generator.core import demo
from generator.core.clock import aware
from generator.core.config import load_site
from generator.core.schemes import read_key
from generator.gate.decide import decide
from generator.load.newsroom import load_newsroom
from tests.sitekit import (
    NOW,
    STAFF,
    article,
    congress,
    demo_key_file,
    make_site,
    office_env,
    snapshot,
    with_keys,
    write_staff,
)


def fingerprint(staff_id: str) -> str:
    return read_key(demo.public_line(staff_id)).fingerprint


def verified(root: Path) -> tuple[list[str], dict[bytes, bool]]:
    """Every finding of a checked site, and the signature outcomes the run worked out."""
    site = load_site(root / "mkdocs.yml")
    cache = open_cache(site.root)
    assert cache is not None
    try:
        decision = decide(load_newsroom(site, cache=cache), aware(NOW), memos=cache.memos)
        return [f.code for v in decision.verdicts for f in v.findings], (
            cache.memos.learned_signatures()
        )
    finally:
        cache.close()


def test_each_signature_is_verified_once_and_kept_across_registry_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CONGRESS_NO_CACHE", raising=False)
    monkeypatch.setenv("CONGRESS_CACHE_DIR", str(tmp_path / "cache"))
    root = make_site(
        tmp_path,
        {f"news/2026/a{i}.md": article(uid=f"2026-1120-sig00{i}") for i in range(3)},
    )
    codes, learned = verified(root)
    assert codes == [] and len(learned) == 21 and all(learned.values())  # 3 × 7 stages
    codes, learned = verified(root)
    assert codes == [] and learned == {}  # the review memos themselves come from the cache
    # A new person in the registry: every review is judged again, no signature verified again.
    write_staff(root, {**STAFF, "new": {"name": "新人", "roles": ["editor"]}})
    codes, learned = verified(root)
    assert codes == [] and learned == {}
    # The leader's key revoked before the articles were signed: judged again, from the store.
    people = with_keys(STAFF)
    people["boss"]["keys"][0]["revoked"] = "2026-11-01T00:00:00+08:00"
    write_staff(root, people)
    codes, learned = verified(root)
    assert codes == ["GATE-SIGNATURE-REVOKED"] * 3 and learned == {}


def test_check_shows_who_signed_each_stage_with_which_key(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"news/2026/a.md": article()})
    shown = congress("check", "content/news/2026/a.md", "--now", NOW, cwd=root)
    assert shown.returncode == 0, shown.stderr
    assert f"签署：终审 领导丁（boss）2026-11-20 02:40 密钥 {fingerprint('boss')}" in shown.stdout
    assert shown.stdout.count("签署：") == 7 and "第3次校对" in shown.stdout
    data = json.loads(congress("check", "--json", "--now", NOW, cwd=root).stdout)
    approvals = data["articles"][0]["approvals"]
    final = next(a for a in approvals if a["stage"] == "final")
    assert final["by"] == "boss" and final["name"] == "领导丁"
    assert final["key"] == fingerprint("boss") and final["digest"].startswith("sha256:")
    assert [a["stage"] for a in approvals if a["stage"].startswith("proofread")] == [
        "proofread-1",
        "proofread-2",
        "proofread-3",
    ]
    assert data["registry"] == [] or {f["code"] for f in data["registry"]} == {"TRUST-DEMO"}


def test_the_manifest_records_each_signer_and_key(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"news/2026/a.md": article()})
    built = congress("build", "--now", NOW, cwd=root)
    assert built.returncode == 0, built.stderr
    manifest = json.loads((root / "build/publication-manifest.json").read_text("utf-8"))
    signers = manifest["published"][0]["signers"]
    assert {s["by"]: s["key"] for s in signers}["boss"] == fingerprint("boss")
    assert all(s["key"] == fingerprint(s["by"]) and s["saw"] for s in signers)


def test_the_audit_lists_approvals_whose_key_was_revoked_since(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"news/2026/a.md": article()})
    people = with_keys(STAFF)
    people["boss"]["keys"][0]["revoked"] = "2026-11-25T00:00:00+08:00"  # after the signing
    write_staff(root, people)
    audited = congress("audit", "--json", "--now", NOW, cwd=root)
    found = [f for f in json.loads(audited.stdout)["findings"] if f["code"] == "AUDIT-KEY-REVOKED"]
    assert len(found) == 1 and "终审" in found[0]["message"], audited.stdout
    assert fingerprint("boss") in found[0]["message"]
    # Still valid: made before the revocation, so the article stays public.
    assert (
        json.loads(congress("check", "--json", "--now", NOW, cwd=root).stdout)["summary"][
            "published"
        ]
        == 1
    )


def _tamper(root: Path) -> None:
    """A key added to the registry by someone who is not the registrar."""
    path = root / "editorial/staff.yml"
    people: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    people["ed-a"]["roles"].append("leader")
    path.write_text(yaml.safe_dump(people, allow_unicode=True), encoding="utf-8")


def test_an_unsigned_registry_change_publishes_nothing_and_keeps_the_live_site(
    tmp_path: Path,
) -> None:
    root = make_site(tmp_path, {"news/2026/a.md": article()})
    assert congress("build", "--now", NOW, cwd=root).returncode == 0
    live = snapshot(root / "site")
    _tamper(root)
    built = congress("build", "--now", NOW, cwd=root)
    assert built.returncode == 1
    assert "[REGISTRY-SIGNATURE]" in built.stderr and "[REGISTRY-REFUSED]" in built.stderr
    assert "Traceback" not in built.stderr
    assert snapshot(root / "site") == live
    checked = congress("check", "--json", "--now", NOW, cwd=root)
    assert checked.returncode == 1
    assert "REGISTRY-SIGNATURE" in {f["code"] for f in json.loads(checked.stdout)["registry"]}
    # Plain mkdocs, through the plugin, refuses the same way.
    mkdocs = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(tmp_path / "plain")],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert mkdocs.returncode != 0 and "REGISTRY-SIGNATURE" in mkdocs.stderr
    assert not (tmp_path / "plain" / "index.html").exists()


def test_production_needs_the_offices_own_keys(tmp_path: Path) -> None:
    env = office_env()
    demo_site = make_site(tmp_path / "demo", {"news/2026/a.md": article()})
    refused = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--now", NOW],
        cwd=demo_site,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 1 and "[REGISTRY-DEMO-KEY]" in refused.stderr
    assert not (demo_site / "site").exists()
    office = make_site(tmp_path / "office", {"news/2026/a.md": article()}, office=True)
    built = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--now", NOW],
        cwd=office,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    assert "TRUST-DEMO" not in built.stderr
    assert (office / "site/news/2026/a/index.html").is_file()
    # Without the trust root, the office's registry is no demo registrar's: refused too.
    assert congress("build", "--now", NOW, cwd=office).returncode == 1


def _unsigned(text: str) -> str:
    """The review block as it was before signatures: no `sig`, no digest but the final's."""
    text = re.sub(r', sig: "[^"]+"', "", text)
    return re.sub(
        r"(?m)^(  (?!final)\w+: \{by: \S+, at: \S+|    - \{by: \S+, at: \S+), digest: \S+\}",
        r"\1}",
        text,
    )


def test_approvals_made_before_signatures_are_vouched_for_by_the_registrar(
    tmp_path: Path,
) -> None:
    old = _unsigned(article())
    root = make_site(
        tmp_path, {"news/2026/a.md": old, "news/2026/b.md": article(uid="2026-1120-bbbbbb")}
    )
    before = json.loads(congress("check", "--json", "--now", NOW, cwd=root).stdout)
    states = {a["path"]: a["state"] for a in before["articles"]}
    assert states["content/news/2026/a.md"] == "invalid"
    missing = [f["code"] for a in before["articles"] for f in a["findings"]]
    assert missing.count("GATE-SIGNATURE-MISSING") == 7
    key = str(demo_key_file(demo.REGISTRAR))
    attested = congress("registry", "attest-legacy", "--key", key, "--now", NOW, cwd=root)
    assert attested.returncode == 0, attested.stderr
    assert "已确认 7 条历史审核记录" in attested.stdout
    listed = root / "editorial/legacy-approvals.yml"
    assert listed.is_file() and (root / "editorial/legacy-approvals.yml.sig").is_file()
    after = json.loads(congress("check", "--json", "--now", NOW, cwd=root).stdout)
    assert after["summary"]["published"] == 2
    codes = [f["code"] for a in after["articles"] for f in a["findings"]]
    assert codes.count("GATE-SIGNATURE-LEGACY") == 7 and "GATE-SIGNATURE-MISSING" not in codes
    # Again: nothing new to vouch for.
    again = congress("registry", "attest-legacy", "--key", key, "--now", NOW, cwd=root)
    assert again.returncode == 0 and "没有需要确认" in again.stdout
    # A record moved to another leader is no longer the one vouched for.
    path = root / "content/news/2026/a.md"
    path.write_text(
        path.read_text("utf-8").replace("final: {by: boss,", "final: {by: boss2,"), "utf-8"
    )
    moved = json.loads(congress("check", "--json", "--now", NOW, cwd=root).stdout)
    codes = [f["code"] for a in moved["articles"] for f in a["findings"]]
    assert "GATE-SIGNATURE-MISSING" in codes
    # The list changed by someone who is not the registrar: nothing is published.
    path.write_text(old, "utf-8")
    listed.write_text(listed.read_text("utf-8").replace("boss", "boss2"), "utf-8")
    built = congress("build", "--now", NOW, cwd=root)
    assert built.returncode == 1 and "[REGISTRY-SIGNATURE]" in built.stderr
    assert "legacy-approvals.yml" in built.stderr


def test_attest_legacy_never_signs_a_list_someone_else_changed(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"news/2026/a.md": _unsigned(article())})
    key = str(demo_key_file(demo.REGISTRAR))
    assert (
        congress("registry", "attest-legacy", "--key", key, "--now", NOW, cwd=root).returncode == 0
    )
    listed = root / "editorial/legacy-approvals.yml"
    forged = (
        '  - {uid: "2026-1120-ffffff", stage: "final", by: "boss", at: 2026-11-20T00:00:00+00:00}\n'
    )
    listed.write_text(listed.read_text("utf-8") + forged, "utf-8")
    (root / "content/news/2026/b.md").write_text(
        _unsigned(article(uid="2026-1120-bbbbbb")), "utf-8"
    )
    again = congress("registry", "attest-legacy", "--key", key, "--now", NOW, cwd=root)
    assert again.returncode == 1 and "REGISTRY-SIGNATURE" in again.stderr
    assert "2026-1120-ffffff" in listed.read_text("utf-8")  # left as it was, not signed
    exported = congress("approvals", "content/news/2026/a.md", "--out", "x", cwd=root)
    assert exported.returncode == 1 and "不导出" in exported.stderr


def test_publishing_refuses_a_build_cache_committed_to_the_repository(tmp_path: Path) -> None:
    import shutil

    from tests.sitekit import ROOT

    root = make_site(tmp_path, {"news/2026/a.md": article()})
    (root / "deploy").mkdir(exist_ok=True)
    shutil.copy(ROOT / "deploy/publish.sh", root / "deploy/publish.sh")
    (root / ".cache/congress").mkdir(parents=True)
    (root / ".cache/congress/cache.sqlite3-wal").write_bytes(b"poisoned")

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)

    git("init", "-q")
    git("add", "-f", ".")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "site")
    env = {**office_env(), "CONGRESS": f"{sys.executable} -m generator", "CONGRESS_NOW": NOW}
    done = subprocess.run(
        ["bash", "deploy/publish.sh"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1 and "[PUBLISH-TRACKED-OUTPUT]" in done.stderr
    assert not (root / "site").exists()


def test_the_review_policy_is_the_one_the_registrar_signed(tmp_path: Path) -> None:
    from tests.sitekit import mkdocs_yml

    root = make_site(tmp_path, {"news/2026/a.md": article()})
    assert congress("build", "--now", NOW, cwd=root).returncode == 0
    live = snapshot(root / "site")
    # An editor with a registered key of their own makes the final sign-off an editor's.
    policy = {
        "final": {"role": "editor", "required": True},
        "second": {"role": "dept-head", "required": False},
    }
    (root / "mkdocs.yml").write_text(mkdocs_yml(policy=policy), encoding="utf-8")
    built = congress("build", "--now", NOW, cwd=root)
    assert built.returncode == 1 and "[REGISTRY-POLICY]" in built.stderr
    assert snapshot(root / "site") == live
    # The registrar reviews the change and signs it: the policy is in effect.
    key = str(demo_key_file(demo.REGISTRAR))
    signed = congress("registry", "sign", "--key", key, cwd=root)
    assert signed.returncode == 0, signed.stderr
    assert congress("registry", "verify", cwd=root).returncode == 0
    checked = json.loads(congress("check", "--json", "--now", NOW, cwd=root).stdout)
    assert {f["code"] for f in checked["registry"]} <= {"TRUST-DEMO"}
    # In effect: the leader's final sign-off is no longer of the role the policy names.
    assert "GATE-FINAL-ROLE" in {f["code"] for f in checked["articles"][0]["findings"]}
    lock = json.loads((root / "editorial/policy.lock").read_text("utf-8"))
    assert lock["policy"]["final"]["role"] == "editor"
