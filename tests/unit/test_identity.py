"""Signed approvals: the scheme, the statement, the registry's keys, and the gate's identity
rule against a corpus of forgeries, each never public and each with its own finding."""

from __future__ import annotations

import base64
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.core import demo
from generator.core.approval import statement
from generator.core.configerror import ConfigError
from generator.core.schemes import (
    APPROVAL,
    REGISTRY,
    SchemeError,
    armored,
    key_of,
    read_key,
    sign_with_key,
    split,
    sshsig_value,
)
from generator.core.staff import Person, Staff, parse_staff
from generator.gate.decide import State, verdict
from generator.gate.memos import Memos
from generator.load.article import parse_article
from tests.sitekit import STAFF, approve, article, context, draft, judge, with_keys

T = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
DIGEST = "sha256:" + "ab" * 32


def message(**over: Any) -> bytes:
    fields: dict[str, Any] = {"uid": "2026-1120-aaaaaa", "stage": "final", "by": "boss"}
    fields |= {"at": T, "digest": DIGEST, **over}
    made = statement(**fields)
    assert made is not None
    return made


def errors(text: str, **kw: Any) -> list[str]:
    return [f.code for f in judge(text, **kw).findings if f.is_error]


def final_line(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("  final:"))


def sig_of(line: str) -> str:
    found = re.search(r'sig: "([^"]+)"', line)
    assert found
    return found.group(1)


# --- the statement and the scheme -----------------------------------------------------------


def test_the_statement_is_plain_text_anyone_can_write_out_again() -> None:
    assert message() == (
        b"congress-approval-v1\nuid: 2026-1120-aaaaaa\nstage: final\nby: boss\n"
        b"at: 2026-11-20T08:00:00Z\ndigest: sha256:" + b"ab" * 32 + b"\n"
    )
    # A value that would add a line of its own cannot be signed.
    assert statement("u", "final", "boss\nstage: first", T, DIGEST) is None


def test_a_signature_verifies_for_its_statement_and_namespace_only() -> None:
    value = sign_with_key(demo.private_key("boss"), message(), APPROVAL)
    scheme, data = split(value)
    assert scheme.verify(data, message(), APPROVAL)
    assert not scheme.verify(data, message(stage="second"), APPROVAL)
    assert not scheme.verify(data, message(), REGISTRY)  # another use, another namespace
    assert key_of(value) == read_key(demo.public_line("boss")).fingerprint
    # The armour ssh-keygen reads, and back.
    assert sshsig_value(armored(value)) == value


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("sm2:AAAA", "未知的签名方案"),
        ("no scheme at all", "未知的签名方案"),
        ("sshsig:!!!not base64", "base64"),
        ("sshsig:" + base64.b64encode(b"SSHSIG\x00\x00").decode(), "不完整"),
        ("sshsig:" + base64.b64encode(b"garbage" * 20).decode(), "SSHSIG"),
    ],
)
def test_unreadable_signatures_say_why(value: str, problem: str) -> None:
    with pytest.raises(SchemeError, match=problem):
        scheme, data = split(value)
        scheme.signer_key(data)


@pytest.mark.parametrize(
    "line",
    [
        "ssh-ed25519",
        "ssh-ed25519 not-base64!",
        "ssh-rsa " + demo.public_line("boss").split()[1],  # the type does not match the blob
        "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIA==",
    ],
)
def test_a_registry_key_this_scheme_cannot_verify_is_refused(line: str) -> None:
    with pytest.raises(SchemeError):
        read_key(line)


# --- the registry's keys --------------------------------------------------------------------


def registry(tmp_path: Path, people: dict[str, Any]) -> Staff:
    path = tmp_path / "staff.yml"
    path.write_text(yaml.safe_dump(people, allow_unicode=True), encoding="utf-8")
    return parse_staff(path, "editorial/staff.yml", {})


def test_keys_are_listed_with_their_times(tmp_path: Path) -> None:
    staff = registry(tmp_path, with_keys({"boss": STAFF["boss"]}))
    fingerprint = read_key(demo.public_line("boss")).fingerprint
    key = staff.key("boss", fingerprint)
    assert (
        key is not None and key.valid_at(T) and not key.valid_at(datetime(2015, 1, 1, tzinfo=UTC))
    )
    assert staff.owners(fingerprint) == ["boss"]


@pytest.mark.parametrize(
    ("keys", "problem"),
    [
        ([{"key": "ssh-ed25519 garbage", "added": demo.ADDED}], "base64"),
        ([{"key": demo.public_line("boss")}], "added"),
        (
            [{"key": demo.public_line("boss"), "added": demo.ADDED, "revoked": demo.ADDED}],
            "revoked 应晚于 added",
        ),
    ],
)
def test_a_bad_key_entry_is_a_configuration_error(
    tmp_path: Path, keys: list[dict[str, str]], problem: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        registry(tmp_path, {"boss": {**STAFF["boss"], "keys": keys}})
    assert any(problem in f.message for f in caught.value.findings)


def test_one_key_belongs_to_one_person(tmp_path: Path) -> None:
    def shared() -> list[dict[str, str]]:  # written out twice (the loader refuses aliases)
        return [{"key": demo.public_line("boss"), "added": demo.ADDED}]

    people = {
        "boss": {**STAFF["boss"], "keys": shared()},
        "head": {**STAFF["head"], "keys": shared()},
    }
    with pytest.raises(ConfigError) as caught:
        registry(tmp_path, people)
    assert "一个密钥只能属于一个人" in caught.value.findings[0].message


# --- the forgery corpus ---------------------------------------------------------------------


def test_every_stage_of_an_approved_article_is_signed_and_verifies() -> None:
    text = article()
    assert text.count('sig: "sshsig:') == 7  # first, second, final, 3 proofreads, secrecy
    assert judge(text).state is State.PUBLISHED


def _resign_final(text: str, by: str, key_of_whom: str) -> str:
    """The final sign-off's `by` set to `by`, signed by `key_of_whom`'s key."""
    line = final_line(text)
    fields = yaml.safe_load(line.strip().removeprefix("final:"))
    made = statement("2026-1120-aaaaaa", "final", by, fields["at"], fields["digest"])
    assert made is not None
    forged = sign_with_key(demo.private_key(key_of_whom), made, APPROVAL)
    new = line.replace("by: boss,", f"by: {by},").replace(sig_of(line), forged)
    return text.replace(line, new)


def test_a_stage_signed_with_someone_elses_key() -> None:
    text = _resign_final(article(), "boss2", "boss")  # boss signs, the record names boss2
    assert errors(text) == ["GATE-SIGNATURE-KEY"]
    finding = next(f for f in judge(text).findings if f.is_error)
    assert "领导戊" in finding.message and "登记在 领导丁 名下" in finding.message


def test_a_stage_signed_with_a_key_nobody_registered() -> None:
    text = _resign_final(article(), "boss", "intruder")
    assert errors(text) == ["GATE-SIGNATURE-KEY"]


def test_by_changed_by_hand_after_signing() -> None:
    text = article().replace("final: {by: boss,", "final: {by: boss2,")
    assert errors(text) == ["GATE-SIGNATURE-KEY"]  # boss's key is not boss2's


def test_by_changed_to_a_person_with_the_same_key_material_is_still_caught() -> None:
    # The statement names the signer: a record whose `by` and key agree but whose statement
    # was made for another person fails the signature itself.
    text = article()
    line = final_line(text)
    fields = yaml.safe_load(line.strip().removeprefix("final:"))
    made = statement("2026-1120-aaaaaa", "final", "boss2", fields["at"], fields["digest"])
    assert made is not None
    forged = sign_with_key(demo.private_key("boss"), made, APPROVAL)
    assert errors(text.replace(sig_of(line), forged)) == ["GATE-SIGNATURE"]


def test_a_signature_copied_from_another_article() -> None:
    one, other = article(), article(uid="2026-1120-bbbbbb")
    copied = one.replace(sig_of(final_line(one)), sig_of(final_line(other)))
    assert errors(copied) == ["GATE-SIGNATURE"]


def test_a_signature_copied_from_another_stage() -> None:
    text = approve(draft(), final="multi", second="multi", skip=())
    # multi signs second and final (GATE-SAME-PERSON aside): the second's signature on final.
    second = next(x for x in text.splitlines() if x.startswith("  second:"))
    copied = text.replace(sig_of(final_line(text)), sig_of(second))
    assert "GATE-SIGNATURE" in errors(copied)


def test_a_signature_copied_from_another_proofreading_round() -> None:
    text = approve(draft(), proofread="pr-1,pr-2,pr-1")
    rounds = re.findall(r'    - \{by: pr-1, .*sig: "([^"]+)"\}', text)
    assert len(rounds) == 2
    assert errors(text.replace(rounds[1], rounds[0])) == ["GATE-SIGNATURE"]


def test_a_signature_over_an_older_digest_on_final() -> None:
    old = article()
    new_text = old.replace("正文第二段。", "正文第二段，改过了。")
    new_digest = parse_article(new_text.encode(), "news/2026/x.md", "x.md").digest
    old_digest = re.search(r"final: .*digest: (sha256:[0-9a-f]+)", old)
    assert old_digest
    # The digest updated by hand to the new text; the signature still covers the old one.
    line = final_line(new_text)
    forged = new_text.replace(line, line.replace(old_digest.group(1), new_digest))
    assert errors(forged) == ["GATE-SIGNATURE"]
    # Left as it was, the digest no longer matches the text: the approval is void.
    assert errors(new_text) == ["GATE-DIGEST"]


def test_a_key_revoked_before_the_signing_time() -> None:
    people = with_keys(STAFF)
    people["boss"]["keys"] = [
        {
            "key": demo.public_line("boss"),
            "added": demo.ADDED,
            "revoked": "2026-11-01T00:00:00+08:00",
        }
    ]
    ctx = context()
    ctx = replace(ctx, staff=Staff({k: Person.model_validate(v) for k, v in people.items()}))
    v = verdict(parse_article(article().encode(), "news/2026/x.md", "x.md"), ctx)
    found = [f for f in v.findings if f.is_error]
    assert [f.code for f in found] == ["GATE-SIGNATURE-REVOKED"]
    assert "已被吊销" in found[0].message and v.state is State.INVALID


def test_a_signature_before_the_key_was_added() -> None:
    people = with_keys(STAFF)
    people["boss"]["keys"] = [
        {"key": demo.public_line("boss"), "added": "2026-11-25T00:00:00+08:00"}
    ]
    ctx = replace(context(), staff=Staff({k: Person.model_validate(v) for k, v in people.items()}))
    v = verdict(parse_article(article().encode(), "news/2026/x.md", "x.md"), ctx)
    assert [f.code for f in v.findings if f.is_error] == ["GATE-SIGNATURE-REVOKED"]


@pytest.mark.parametrize(
    ("forge", "code"),
    [
        (lambda s: s[: len(s) // 2], "GATE-SIGNATURE-MALFORMED"),  # truncated
        (
            lambda s: "sshsig:" + base64.b64encode(b"\x00" * 200).decode(),
            "GATE-SIGNATURE-MALFORMED",
        ),
        (lambda s: "sshsig:%%%", "GATE-SIGNATURE-MALFORMED"),
        (lambda s: "sm2:" + s.removeprefix("sshsig:"), "GATE-SIGNATURE-SCHEME"),
        (lambda s: s.removeprefix("sshsig:"), "GATE-SIGNATURE-SCHEME"),
    ],
)
def test_truncated_garbage_or_unknown_scheme(forge: Any, code: str) -> None:
    text = article()
    value = sig_of(final_line(text))
    assert errors(text.replace(value, forge(value))) == [code]


def test_a_missing_signature() -> None:
    text = re.sub(r'(  final: .*), sig: "[^"]+"\}', r"\1}", article())
    found = [f for f in judge(text).findings if f.is_error]
    assert [f.code for f in found] == ["GATE-SIGNATURE-MISSING"]
    assert "终审" in found[0].message and "领导丁" in found[0].message


def test_a_record_without_the_digest_the_stage_saw() -> None:
    text = re.sub(r"(  first: \{by: ed-a, at: \S+), digest: sha256:[0-9a-f]+", r"\1", article())
    assert errors(text) == ["GATE-SIGNATURE-MALFORMED"]


def test_a_signature_made_for_the_registry_is_no_approval() -> None:
    text = article()
    line = final_line(text)
    fields = yaml.safe_load(line.strip().removeprefix("final:"))
    made = statement("2026-1120-aaaaaa", "final", "boss", fields["at"], fields["digest"])
    assert made is not None
    other_use = sign_with_key(demo.private_key("boss"), made, REGISTRY)
    assert errors(text.replace(sig_of(line), other_use)) == ["GATE-SIGNATURE"]


def test_earlier_stages_stay_valid_after_an_edit_and_record_what_they_saw() -> None:
    text = approve(draft(), skip=("final",))
    edited = text.replace("正文第二段。", "正文第二段（三校改）。")
    v = judge(edited)
    assert v.state is State.PENDING and not [f for f in v.findings if f.is_error]
    seen = re.search(r"first: .*digest: (sha256:[0-9a-f]+)", edited)
    now = parse_article(edited.encode(), "news/2026/x.md", "x.md").digest
    assert seen and seen.group(1) != now


# --- verification outcomes are kept -----------------------------------------------------------


def test_outcomes_are_kept_by_signature_and_statement() -> None:
    value = sign_with_key(demo.private_key("boss"), message(), APPROVAL)
    _scheme, data = split(value)
    memos = Memos()
    assert memos.verify("sshsig", data, message()) is True
    assert memos.verify("sshsig", data, message(stage="second")) is False
    learned = memos.learned_signatures()
    assert sorted(learned.values()) == [False, True]
    # A store that knows an outcome is believed without verifying again: here a stored
    # (wrong) answer shows that nothing was verified twice.
    key = Memos.signature_key("sshsig", data, message())
    assert Memos(verified={key: False}).verify("sshsig", data, message()) is False
    assert Memos(verified=learned).learned_signatures() == {}


def test_an_oversized_signature_is_refused_unread() -> None:
    text = article()
    value = sig_of(final_line(text))
    huge = "sshsig:" + "A" * 20_000  # under the front matter's own limit (FM-TOO-LARGE)
    found = [f for f in judge(text.replace(value, huge)).findings if f.is_error]
    assert [f.code for f in found] == ["GATE-SIGNATURE-MALFORMED"] and "签名过长" in found[
        0
    ].message


def _with_hash(name: bytes, algorithm: bytes = b"ssh-ed25519") -> str:
    """A signature of message() by boss's key, made with the hash `name` (and a signature
    blob naming `algorithm`): what a key holder could make, not what ssh-keygen makes."""
    import hashlib

    from sshsig.sshsig import SshsigSignature, SshsigWrapper

    key = demo.private_key("boss")
    good = split(sign_with_key(key, message(), APPROVAL))[1]
    sig = SshsigSignature(base64.b64decode(good))
    digest = (
        hashlib.new(name.decode(), message()).digest(16)
        if name.startswith(b"shake")
        else (hashlib.new(name.decode(), message()).digest())
    )
    signed = SshsigWrapper(namespace=APPROVAL.encode(), hash_algo=name, hash=digest).to_bytes()
    raw = key.sign(signed)
    sig.hash_algo = name
    sig.signature = (
        len(algorithm).to_bytes(4, "big") + algorithm + len(raw).to_bytes(4, "big") + raw
    )
    return base64.b64encode(bytes(sig)).decode()


@pytest.mark.parametrize(
    ("name", "algorithm"),
    [
        (b"md5", b"ssh-ed25519"),
        (b"sha1", b"ssh-ed25519"),
        (b"shake_128", b"ssh-ed25519"),
        (b"sha512", b"rsa-sha2-512"),
    ],
)
def test_only_what_ssh_keygen_accepts_verifies_and_nothing_raises(
    name: bytes, algorithm: bytes
) -> None:
    scheme, _ = split("sshsig:")
    assert scheme.verify(_with_hash(name, algorithm), message(), APPROVAL) is False
