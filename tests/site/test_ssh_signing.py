"""Signed approvals checked by OpenSSH's own tools (ssh-keygen, ssh-agent, ssh-add), not by
this project's verifier: every approval of the sample verifies with `ssh-keygen -Y verify`,
ssh-keygen refuses what the gate refuses, and `congress review` signs through ssh-agent or
`--key` and refuses cleanly (exit 2, file unchanged, no hang) when it cannot.

Outside CI a missing OpenSSH client skips these tests, visibly; in CI (CI=true) it fails them.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
)

from generator.core import demo
from tests.sitekit import (
    NOW,
    ROOT,
    STAFF,
    approve,
    congress,
    demo_key_file,
    draft,
    make_site,
    office_env,
    office_key,
    office_line,
)

APPROVAL = "approval@congress-site"
REGISTRY = "registry@congress-site"
ARTICLE = "news/2026/a.md"


def tool(name: str) -> str:
    """The OpenSSH client program `name`: its absence skips outside CI and fails in CI."""
    found = shutil.which(name)
    if found is not None:
        return found
    message = f"{name} not found: install Debian's openssh-client to check signatures with it"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)


def plain_env(**extra: str) -> dict[str, str]:
    """This environment without an agent, a trust root or a way to ask a passphrase
    graphically: each test says which of them it has."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "SSH_AUTH_SOCK",
            "SSH_AGENT_PID",
            "SSH_ASKPASS",
            "SSH_ASKPASS_REQUIRE",
            "DISPLAY",
            "WAYLAND_DISPLAY",
            "CONGRESS_TRUST_ROOT",
        )
    }
    return {**env, **extra}


def front(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    match = re.match(r"---\n(.*?)\n---\n", text, re.S)
    assert match, path
    data = yaml.safe_load(match.group(1))
    assert isinstance(data, dict)
    return data


def signers(review: Mapping[str, Any]) -> list[str]:
    """Who signed each stage of a review block that carries a signature (read as plain YAML)."""
    entries: list[Any] = []
    for value in review.values():
        entries.extend(value if isinstance(value, list) else [value])
    return [e["by"] for e in entries if isinstance(e, dict) and e.get("sig")]


@dataclass(frozen=True)
class Verify:
    """One `ssh-keygen -Y verify ... -s SIG < TXT` command as `congress approvals` prints it."""

    args: list[str]
    stdin: Path
    signer: str

    @classmethod
    def parse(cls, line: str) -> Verify:
        words = shlex.split(line)
        assert words[:3] == ["ssh-keygen", "-Y", "verify"], line
        assert words[-2] == "<" and words.count("<") == 1, line
        args = words[3:-2]
        allowed = {"-f", "-I", "-n", "-O", "-s"}
        assert all(flag in allowed for flag in args[::2]) and len(args) % 2 == 0, line
        options = dict(zip(args[::2], args[1::2], strict=True))
        assert options["-n"] == APPROVAL, line
        return cls(args, Path(words[-1]), options["-I"])

    def run(self, *, allowed: Path | None = None) -> subprocess.CompletedProcess[str]:
        args = list(self.args)
        if allowed is not None:
            args[args.index("-f") + 1] = str(allowed)
        return keygen_verify(args, self.stdin.read_bytes())


def keygen_verify(args: list[str], message: bytes) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [tool("ssh-keygen"), "-Y", "verify", *args],
        input=message.decode("utf-8"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done


def said(done: subprocess.CompletedProcess[str]) -> str:
    return (done.stdout + done.stderr).strip()


def export(path: Path, out: Path, cwd: Path) -> list[Verify]:
    """`congress approvals PATH --out DIR`: one parsed command per signed stage."""
    done = congress("approvals", str(path), "--out", str(out), cwd=cwd, env=plain_env())
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return [Verify.parse(line) for line in done.stdout.splitlines() if line.strip()]


def good(done: subprocess.CompletedProcess[str], who: str, namespace: str = APPROVAL) -> bool:
    return done.returncode == 0 and said(done).startswith(
        f'Good "{namespace}" signature for {who} with '
    )


def check_json(root: Path, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    done = congress("check", "--json", "--now", NOW, cwd=root, env=env or plain_env())
    assert "Traceback" not in done.stderr, done.stderr
    data = json.loads(done.stdout)
    assert isinstance(data, dict)
    return data


def codes(data: Mapping[str, Any]) -> set[str]:
    return {f["code"] for a in data["articles"] for f in a["findings"]}


# --- 1. the shipped sample, checked by ssh-keygen -----------------------------------------


def test_every_approval_of_the_sample_verifies_with_ssh_keygen(tmp_path: Path) -> None:
    tool("ssh-keygen")
    reviewed = [
        p for p in sorted((ROOT / "content").rglob("*.md")) if front(p).get("review") is not None
    ]
    assert len(reviewed) > 20  # the sample newsroom, not an empty folder
    expected = good_count = 0
    for n, path in enumerate(reviewed):
        want = signers(front(path)["review"])
        expected += len(want)
        commands = export(path, tmp_path / str(n), ROOT)
        assert Counter(c.signer for c in commands) == Counter(want), path
        allowed = (tmp_path / str(n) / "allowed_signers").read_text(encoding="utf-8")
        assert f'namespaces="{APPROVAL}"' in allowed and 'valid-after="' in allowed
        for command in commands:
            done = command.run()
            assert good(done, command.signer), (path, command.args, said(done))
            good_count += 1
    assert good_count == expected
    assert good_count >= 300  # about 335 in the sample


def test_the_sample_registry_verifies_with_ssh_keygen(tmp_path: Path) -> None:
    tool("ssh-keygen")
    allowed = tmp_path / "registrars"
    pub = (ROOT / "demo-keys" / "registrar.pub").read_text(encoding="ascii").strip()
    allowed.write_text(f"registrar {pub}\n", encoding="ascii")
    args = ["-f", str(allowed), "-I", "registrar", "-n", REGISTRY]
    sig = ["-s", str(ROOT / "editorial" / "staff.yml.sig")]
    data = (ROOT / "editorial" / "staff.yml").read_bytes()
    done = keygen_verify([*args, *sig], data)
    assert good(done, "registrar", REGISTRY), said(done)
    # the same signature over a registry with one more byte is refused
    assert keygen_verify([*args, *sig], data + b"\n").returncode != 0


# --- 2. ssh-keygen refuses what the gate refuses ------------------------------------------


def test_a_changed_statement_is_a_bad_signature_for_ssh_keygen(tmp_path: Path) -> None:
    tool("ssh-keygen")
    path = ROOT / "content" / "supervision" / "2026" / "wuye-zhifa-jiancha-baogao-shenyi.md"
    commands = export(path, tmp_path / "out", ROOT)
    final = next(c for c in commands if c.stdin.name == "final.txt")
    assert good(final.run(), final.signer)
    text = final.stdin.read_bytes()
    final.stdin.write_bytes(text.replace(b"stage: final", b"stage: fina1"))
    done = final.run()
    assert done.returncode != 0
    assert "Good" not in said(done) and "verification failed" in said(done), said(done)


def test_a_stage_time_changed_by_hand_fails_in_the_gate_and_in_ssh_keygen(
    tmp_path: Path,
) -> None:
    tool("ssh-keygen")
    root = make_site(tmp_path / "site", {ARTICLE: approve(draft())})
    path = root / "content" / ARTICLE
    assert codes(check_json(root)).isdisjoint({"GATE-SIGNATURE"})
    text = path.read_text(encoding="utf-8")
    first = re.search(r"first: \{by: ed-a, at: (\S+?),", text)
    assert first
    moved = first.group(1).replace(":00+08:00", ":01+08:00", 1)
    assert moved != first.group(1)
    path.write_text(text.replace(first.group(0), first.group(0).replace(first.group(1), moved)))
    assert "GATE-SIGNATURE" in codes(check_json(root))
    commands = export(path, tmp_path / "out", root)
    stage = next(c for c in commands if c.stdin.name == "first.txt")
    done = stage.run()
    assert done.returncode != 0 and "Good" not in said(done), said(done)


def test_a_key_revoked_before_the_signing_time_is_refused_by_ssh_keygen(tmp_path: Path) -> None:
    tool("ssh-keygen")
    revoked = "2026-11-19T00:00:00+08:00"  # the stages are signed from 2026-11-20 02:00
    staff = {
        **STAFF,
        "ed-a": {
            **STAFF["ed-a"],
            "keys": [{"key": demo.public_line("ed-a"), "added": demo.ADDED, "revoked": revoked}],
        },
    }
    root = make_site(tmp_path / "site", {ARTICLE: approve(draft())}, staff=staff)
    assert "GATE-SIGNATURE-REVOKED" in codes(check_json(root))
    commands = export(root / "content" / ARTICLE, tmp_path / "out", root)
    allowed = tmp_path / "out" / "allowed_signers"
    # the last second the key was valid: 2026-11-19 00:00 China time, less one second
    assert 'valid-before="20261118155959Z"' in allowed.read_text(encoding="utf-8")
    first = next(c for c in commands if c.signer == "ed-a")
    done = first.run()
    assert done.returncode != 0 and "Good" not in said(done), said(done)
    # the same statement and signature, with the key not revoked: good (the time refused it)
    lenient = tmp_path / "lenient"
    lenient.write_text(
        re.sub(r',valid-before="[^"]*"', "", allowed.read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    assert good(first.run(allowed=lenient), "ed-a")
    # every other stage's signer still verifies
    assert all(good(c.run(), c.signer) for c in commands if c.signer != "ed-a")


def test_a_key_revoked_at_the_signing_time_itself_is_refused_by_both(tmp_path: Path) -> None:
    """The gate takes a key as valid while `at < revoked`; ssh-keygen's valid-before is
    inclusive, so the export names the last valid second, and both refuse a signature made
    at the very moment of the revocation."""
    tool("ssh-keygen")
    at = "2026-11-20T02:00:00+08:00"  # when `approve` signs the first stage
    staff = {
        **STAFF,
        "ed-a": {
            **STAFF["ed-a"],
            "keys": [{"key": demo.public_line("ed-a"), "added": demo.ADDED, "revoked": at}],
        },
    }
    root = make_site(tmp_path / "site", {ARTICLE: approve(draft())}, staff=staff)
    assert f"first: {{by: ed-a, at: {at}," in (root / "content" / ARTICLE).read_text()
    assert "GATE-SIGNATURE-REVOKED" in codes(check_json(root))
    commands = export(root / "content" / ARTICLE, tmp_path / "out", root)
    first = next(c for c in commands if c.signer == "ed-a")
    done = first.run()
    assert done.returncode != 0 and "Good" not in said(done), said(done)


def test_the_printed_commands_are_quoted_for_pasting_into_a_shell(tmp_path: Path) -> None:
    """`by:` is the article's text: a command printed for pasting must keep it one word,
    whatever it holds (and so must a folder name with a space)."""
    root = make_site(tmp_path / "site", {ARTICLE: approve(draft())})
    path = root / "content" / ARTICLE
    forged = "ed-a;touch pwned;echo $(id)"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "first: {by: ed-a,", f"first: {{by: '{forged}',", 1
        ),
        encoding="utf-8",
    )
    out = tmp_path / "an out folder"
    commands = export(path, out, root)  # parses each line as a POSIX shell would
    assert forged in [c.signer for c in commands]
    assert {c.stdin.parent for c in commands} == {out}
    assert all(Path(c.args[c.args.index("-f") + 1]) == out / "allowed_signers" for c in commands)
    # and ssh-keygen, given the forged name as one word, finds no such signer
    forged_stage = next(c for c in commands if c.signer == forged)
    assert forged_stage.run().returncode != 0
    assert all(good(c.run(), c.signer) for c in commands if c.signer != forged)


# --- 3. congress review through ssh-agent --------------------------------------------------


@dataclass
class Agent:
    sock: Path

    def env(self) -> dict[str, str]:
        return plain_env(SSH_AUTH_SOCK=str(self.sock))

    def add(self, key: Path) -> None:
        done = subprocess.run(
            [tool("ssh-add"), str(key)],
            env=self.env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert done.returncode == 0, done.stderr

    def listed(self) -> list[str]:
        done = subprocess.run(
            [tool("ssh-add"), "-L"],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        return done.stdout.splitlines() if done.returncode == 0 else []


@pytest.fixture
def agent() -> Iterator[Agent]:
    """A private ssh-agent on a socket of this test, stopped at the end."""
    program = tool("ssh-agent")
    tool("ssh-add")
    folder = Path(tempfile.mkdtemp(prefix="ssh-test-agent-", dir="/tmp"))
    sock = folder / "agent.sock"
    process = subprocess.Popen(
        [program, "-D", "-a", str(sock)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            if sock.exists() or process.poll() is not None:
                break
            time.sleep(0.05)
        assert sock.exists(), f"ssh-agent did not start (exit {process.poll()})"
        yield Agent(sock)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


STAGES = [  # the default policy's stages of a news article, in order, with who signs them
    ("first", "ed-a"),
    ("proofread", "pr-1"),
    ("proofread", "pr-2"),
    ("proofread", "ed-b"),
    ("second", "head"),
    ("secrecy", "sec"),
    ("final", "boss"),
]


def test_review_signs_through_ssh_agent_without_key(tmp_path: Path, agent: Agent) -> None:
    root = make_site(tmp_path / "site", {ARTICLE: draft()})
    path = root / "content" / ARTICLE
    for _stage, by in STAGES:
        agent.add(demo_key_file(by))
    assert len(agent.listed()) == len({by for _s, by in STAGES})
    for n, (stage, by) in enumerate(STAGES):
        at = f"2026-11-20T{2 + n:02d}:00:00+08:00"
        done = congress(
            "review", str(path), "--stage", stage, "--by", by, "--at", at, "--now", NOW,
            cwd=root, demo_key=False, env=agent.env(),
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        data = check_json(root)
        state = data["articles"][0]["state"]
        assert state == ("published" if stage == "final" else "pending"), data
        assert not {c for c in codes(data) if c.startswith("GATE-SIGNATURE")}, data
    review = front(path)["review"]
    assert review["first"]["sig"].startswith("sshsig:")
    # and OpenSSH agrees: every stage signed through the agent verifies
    commands = export(path, tmp_path / "out", root)
    assert len(commands) == len(STAGES)
    assert all(good(c.run(), c.signer) for c in commands)


def test_an_agent_holding_only_another_persons_key_is_refused(tmp_path: Path, agent: Agent) -> None:
    root = make_site(tmp_path / "site", {ARTICLE: draft()})
    path = root / "content" / ARTICLE
    before = path.read_bytes()
    agent.add(demo_key_file("ed-b"))
    done = congress(
        "review", str(path), "--stage", "first", "--by", "ed-a", "--now", NOW,
        cwd=root, demo_key=False, env=agent.env(),
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "REVIEW-NO-KEY" in done.stderr and "ssh-agent 中没有此人登记的公钥" in done.stderr
    assert "Traceback" not in done.stderr
    assert path.read_bytes() == before


def test_the_registrar_signs_from_ssh_agent_given_the_public_key(
    tmp_path: Path, agent: Agent
) -> None:
    """`registry sign --key FILE.pub`: ssh-keygen signs with the agent's private key."""
    root = make_site(tmp_path / "site", {ARTICLE: draft()})
    sig = root / "editorial" / "staff.yml.sig"
    sig.unlink()
    agent.add(demo_key_file("registrar"))
    pub = tmp_path / "registrar.pub"
    pub.write_text(demo.public_line("registrar") + "\n", encoding="ascii")
    done = congress("registry", "sign", "--key", str(pub), cwd=root, env=agent.env())
    assert done.returncode == 0, done.stderr
    assert sig.is_file()
    assert congress("registry", "verify", cwd=root, env=plain_env()).returncode == 0


# --- 4. no key, a missing key file, a key with a passphrase --------------------------------


def test_review_without_any_key_is_refused(tmp_path: Path) -> None:
    tool("ssh-keygen")
    root = make_site(tmp_path / "site", {ARTICLE: draft()})
    path = root / "content" / ARTICLE
    before = path.read_bytes()
    done = congress(
        "review", str(path), "--stage", "first", "--by", "ed-a", "--now", NOW,
        cwd=root, demo_key=False, env=plain_env(),
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "REVIEW-NO-KEY" in done.stderr and "Traceback" not in done.stderr
    assert "未运行 ssh-agent，也未用 --key 指定私钥" in done.stderr
    assert "文件未改动" in done.stderr
    assert path.read_bytes() == before


def test_review_with_a_missing_key_file_is_refused(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", {ARTICLE: draft()})
    path = root / "content" / ARTICLE
    before = path.read_bytes()
    done = congress(
        "review", str(path), "--stage", "first", "--by", "ed-a", "--now", NOW,
        "--key", str(tmp_path / "no-such-key"), cwd=root, env=plain_env(),
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "REVIEW-NO-KEY" in done.stderr and "不存在" in done.stderr
    assert "Traceback" not in done.stderr
    assert path.read_bytes() == before


def test_review_with_another_persons_key_file_is_refused(tmp_path: Path) -> None:
    """A key file whose public key can be told (here: unencrypted) is compared with the
    signer's registered keys before anything is signed: no key of the signer's, exit 2."""
    tool("ssh-keygen")
    root = make_site(tmp_path / "site", {ARTICLE: draft()})
    path = root / "content" / ARTICLE
    before = path.read_bytes()
    done = congress(
        "review", str(path), "--stage", "first", "--by", "ed-a", "--now", NOW,
        "--key", str(demo_key_file("ed-b")), cwd=root, env=plain_env(),
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "REVIEW-NO-KEY" in done.stderr and "登记在 编辑乙 名下" in done.stderr
    assert "Traceback" not in done.stderr
    assert path.read_bytes() == before


@pytest.mark.parametrize("stdin", ["devnull", "open-pipe"])
def test_a_key_with_a_passphrase_and_no_terminal_fails_cleanly(tmp_path: Path, stdin: str) -> None:
    """No controlling terminal (a new session): ssh-keygen would read the passphrase from
    standard input, and wait for ever on a pipe nobody writes to (a CI job): it must fail
    at once instead, with the file unchanged."""
    tool("ssh-keygen")
    root = make_site(tmp_path / "site", {ARTICLE: draft()})
    path = root / "content" / ARTICLE
    before = path.read_bytes()
    key = tmp_path / "ed-a-passphrase"
    key.write_bytes(demo.private_pem("ed-a"))
    key.chmod(0o600)
    protect = [tool("ssh-keygen"), "-p", "-q", "-N", "correct horse", "-f", str(key)]
    done = subprocess.run(protect, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    empty = [tool("ssh-keygen"), "-y", "-P", "", "-f", str(key)]  # no longer opens without it
    assert subprocess.run(empty, capture_output=True, timeout=60, check=False).returncode != 0
    command = [
        sys.executable, "-m", "generator", "review", str(path), "--stage", "first",
        "--by", "ed-a", "--now", NOW, "--key", str(key),
    ]  # fmt: skip
    read, write = os.pipe()
    try:
        process = subprocess.Popen(
            command,
            cwd=root,
            env=plain_env(),
            stdin=subprocess.DEVNULL if stdin == "devnull" else read,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # no controlling terminal, as in CI
        )
        try:
            out, err = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.communicate()
            pytest.fail("congress review waited for a passphrase nobody can type")
    finally:
        os.close(read)
        os.close(write)
    assert process.returncode == 2, err
    assert "REVIEW-SIGN-FAILED" in err and "文件未改动" in err, err
    assert "Traceback" not in err + out
    assert path.read_bytes() == before


# --- 5. many files in one command ----------------------------------------------------------


def test_two_hundred_drafts_signed_in_one_ssh_keygen_run(tmp_path: Path) -> None:
    real = tool("ssh-keygen")
    count = 200
    articles = {
        f"news/2026/d{i:03d}.md": draft(uid=f"2026-1120-{i:06x}", title=f"测试稿件{i}")
        for i in range(count)
    }
    root = make_site(tmp_path / "site", articles)
    # ssh-keygen itself, behind a script that notes each run (it changes nothing else)
    shim = tmp_path / "bin"
    shim.mkdir()
    runs = tmp_path / "runs"
    (shim / "ssh-keygen").write_text(
        f'#!/bin/sh\necho "$1 $2" >> {shlex.quote(str(runs))}\nexec {shlex.quote(real)} "$@"\n'
    )
    (shim / "ssh-keygen").chmod(0o755)
    env = plain_env(PATH=f"{shim}{os.pathsep}{os.environ.get('PATH', '')}")
    paths = [str(root / "content" / rel) for rel in sorted(articles)]
    started = time.perf_counter()
    done = congress(
        "review", *paths, "--stage", "first", "--by", "ed-a", "--now", NOW,
        "--key", str(demo_key_file("ed-a")), "--quiet", cwd=root, env=env,
    )  # fmt: skip
    took = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    assert runs.read_text().splitlines() == ["-Y sign"]  # one run for all 200
    print(f"\n200 drafts signed `first` in one congress review: {took:.2f} s")
    data = check_json(root)
    assert len(data["articles"]) == count
    assert {a["state"] for a in data["articles"]} == {"pending"}
    assert not {c for c in codes(data) if c.startswith("GATE-SIGNATURE")}
    # every one of them verifies with ssh-keygen: a tenth exported by `congress approvals`,
    # and each signature against its statement, which differs from the exported one only in
    # the uid and the digest (same stage, signer and time)
    template: Verify | None = None
    for rel in sorted(articles)[:: count // 10]:
        commands = export(root / "content" / rel, tmp_path / "out" / rel, root)
        assert [c.signer for c in commands] == ["ed-a"]
        assert good(commands[0].run(), "ed-a"), rel
        template = commands[0]
    assert template is not None
    model = template.stdin.read_text(encoding="utf-8")
    verified = 0
    for rel in sorted(articles):
        meta = front(root / "content" / rel)
        first = meta["review"]["first"]
        text = re.sub(r"(?m)^uid: .*$", f"uid: {meta['uid']}", model)
        text = re.sub(r"(?m)^digest: .*$", f"digest: {first['digest']}", text)
        sig = tmp_path / "one.sig"
        sig.write_text(armor(first["sig"]), encoding="ascii")
        args = list(template.args)
        args[args.index("-s") + 1] = str(sig)
        done = keygen_verify(args, text.encode("utf-8"))
        assert good(done, "ed-a"), (rel, said(done))
        verified += 1
    assert verified == count


def armor(value: str) -> str:
    """An `sshsig:<base64>` value as the armored file ssh-keygen reads."""
    body = value.removeprefix("sshsig:")
    lines = [body[i : i + 76] for i in range(0, len(body), 76)]
    return "-----BEGIN SSH SIGNATURE-----\n" + "\n".join(lines) + "\n-----END SSH SIGNATURE-----\n"


# --- 6. the registrar signs the registry ---------------------------------------------------


def private_file(path: Path, key: Any, mode: int = 0o600) -> Path:
    path.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.OpenSSH, NoEncryption()))
    path.chmod(mode)
    return path


def test_registry_sign_then_verify(tmp_path: Path) -> None:
    tool("ssh-keygen")
    root = make_site(tmp_path / "site", {ARTICLE: draft()})
    sig = root / "editorial" / "staff.yml.sig"
    sig.unlink()
    env = plain_env()
    done = congress("registry", "sign", "--key", str(demo_key_file("registrar")), cwd=root, env=env)
    assert done.returncode == 0, done.stderr
    assert sig.is_file()
    done = congress("registry", "verify", cwd=root, env=env)
    assert done.returncode == 0, done.stderr
    # ssh-keygen agrees
    allowed = tmp_path / "registrars"
    allowed.write_text(f"registrar {demo.public_line('registrar')}\n", encoding="ascii")
    staff = root / "editorial" / "staff.yml"
    args = ["-f", str(allowed), "-I", "registrar", "-n", REGISTRY, "-s", str(sig)]
    assert good(keygen_verify(args, staff.read_bytes()), "registrar", REGISTRY)
    # the registry edited after it was signed
    staff.write_text(
        staff.read_text(encoding="utf-8").replace("编辑甲", "编辑甲乙"), encoding="utf-8"
    )
    done = congress("registry", "verify", cwd=root, env=env)
    assert done.returncode == 1, done.stderr
    assert "REGISTRY-SIGNATURE" in done.stderr and "Traceback" not in done.stderr
    assert keygen_verify(args, staff.read_bytes()).returncode != 0


def test_registry_sign_with_a_key_the_trust_root_does_not_name(tmp_path: Path) -> None:
    tool("ssh-keygen")
    root = make_site(tmp_path / "site", {ARTICLE: draft()}, office=True)
    sig = root / "editorial" / "staff.yml.sig"
    sig.unlink()
    env = plain_env(CONGRESS_TRUST_ROOT=office_env()["CONGRESS_TRUST_ROOT"])
    assert env["CONGRESS_TRUST_ROOT"] == office_line(demo.REGISTRAR)
    wrong = private_file(tmp_path / "ed-a-office", office_key("ed-a"))
    done = congress("registry", "sign", "--key", str(wrong), cwd=root, env=env)
    assert done.returncode == 1, done.stderr
    assert "REGISTRY-SIGNATURE" in done.stderr and "Traceback" not in done.stderr
    assert not sig.exists()
    # the demo registrar is no registrar once a trust root is set
    done = congress("registry", "sign", "--key", str(demo_key_file("registrar")), cwd=root, env=env)
    assert done.returncode == 1, done.stderr
    assert not sig.exists()
    # the office's registrar: signed, and verified under the trust root
    right = private_file(tmp_path / "registrar-office", office_key(demo.REGISTRAR))
    done = congress("registry", "sign", "--key", str(right), cwd=root, env=env)
    assert done.returncode == 0, done.stderr
    assert congress("registry", "verify", cwd=root, env=env).returncode == 0


# --- 7. key files' modes -------------------------------------------------------------------


def test_a_demo_key_checked_out_readable_by_all_still_signs(tmp_path: Path) -> None:
    tool("ssh-keygen")
    root = make_site(tmp_path / "site", {ARTICLE: draft()})
    path = root / "content" / ARTICLE
    keys = root / "demo-keys"
    keys.mkdir()
    key = keys / "ed-a"
    key.write_bytes(demo.private_pem("ed-a"))
    key.chmod(0o644)  # as git checks it out
    done = congress(
        "review", str(path), "--stage", "first", "--by", "ed-a", "--now", NOW,
        "--key", "demo-keys/ed-a", cwd=root, env=plain_env(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert key.stat().st_mode & 0o777 == 0o644  # its copy was made private, not the file
    assert front(path)["review"]["first"]["sig"].startswith("sshsig:")
    assert "GATE-SIGNATURE" not in " ".join(codes(check_json(root)))


def test_a_non_demo_key_readable_by_all_is_refused_by_ssh_keygen(tmp_path: Path) -> None:
    tool("ssh-keygen")
    root = make_site(tmp_path / "site", {ARTICLE: draft()}, office=True)
    path = root / "content" / ARTICLE
    before = path.read_bytes()
    env = plain_env(CONGRESS_TRUST_ROOT=office_line(demo.REGISTRAR))
    key = private_file(tmp_path / "ed-a", office_key("ed-a"), mode=0o644)
    if os.geteuid() != key.stat().st_uid:  # ssh-keygen checks modes of its own user's files
        pytest.skip("the key file is not owned by this user")
    review = ["review", str(path), "--stage", "first", "--by", "ed-a", "--now", NOW]
    done = congress(*review, "--key", str(key), cwd=root, env=env)
    assert done.returncode == 2, done.stderr
    assert "REVIEW-SIGN-FAILED" in done.stderr and "Traceback" not in done.stderr
    assert "UNPROTECTED PRIVATE KEY FILE" in done.stderr or "too open" in done.stderr
    assert path.read_bytes() == before
    # the same key made private signs
    key.chmod(0o600)
    done = congress(*review, "--key", str(key), cwd=root, env=env)
    assert done.returncode == 0, done.stderr
