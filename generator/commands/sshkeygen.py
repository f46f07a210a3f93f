"""Signing through OpenSSH's `ssh-keygen -Y sign`, as git signs commits with SSH keys.

The private key never passes through this program: `ssh-keygen` takes it from ssh-agent
(given the public key) or from the file `--key` names, asks for its passphrase itself, and
signs every statement of one `congress review` in one run (up to 20,000 statements: one
passphrase, one touch of a hardware key per statement). Without `--key`, the signer's key
is the one the agent holds among those the registry lists for them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_ssh_private_key,
)

from generator.core import demo
from generator.core.findings import Code, Finding, Severity
from generator.core.schemes import APPROVAL, SchemeError, read_key, sshsig_value
from generator.core.staff import Staff

REVIEW_NO_KEY = Code(
    "REVIEW-NO-KEY",
    Severity.ERROR,
    "没有 {name}（{by}）的签名私钥：{problem}，文件未改动",
    "把本人私钥加入 ssh-agent（ssh-add ~/.ssh/id_ed25519），或用 --key 指定私钥文件；"
    "公钥须已登记在 editorial/staff.yml 中。",
)
REVIEW_SIGN_FAILED = Code(
    "REVIEW-SIGN-FAILED",
    Severity.ERROR,
    "ssh-keygen 签名失败：{problem}，文件未改动",
    "检查私钥文件和口令；需要 OpenSSH 8.2 或更高版本（ssh-keygen -Y sign）。",
)
# Statements per ssh-keygen run (one passphrase each): names like `19999.msg`, so 20,000 of
# them are about 200 kB of arguments, well inside Linux's 2 MB.
_CHUNK = 20_000


class NoKey(Exception):
    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


def _no_key(staff: Staff, by: str, problem: str) -> NoKey:
    return NoKey(REVIEW_NO_KEY.at("", None, name=staff.name(by), by=by, problem=problem))


def _failed(problem: str) -> NoKey:
    return NoKey(REVIEW_SIGN_FAILED.at("", None, problem=problem))


def _ssh_keygen() -> str:
    found = shutil.which("ssh-keygen")
    if found is None:
        raise _failed("找不到 ssh-keygen（请安装 OpenSSH 客户端）")
    return found


def agent_keys() -> list[str]:
    """The public keys ssh-agent holds ([] without an agent)."""
    if not os.environ.get("SSH_AUTH_SOCK") or shutil.which("ssh-add") is None:
        return []
    try:
        run = subprocess.run(
            ["ssh-add", "-L"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    return (
        [line.strip() for line in run.stdout.splitlines() if line.strip()]
        if run.returncode == 0
        else []
    )


def key_for(staff: Staff, by: str, at: datetime, key_file: Path | None) -> Path | str:
    """What `ssh-keygen -f` is given: `key_file`, or the agent's key of `by` valid at `at`
    (a string: the public key line, written to a file when signing)."""
    if key_file is not None:
        if not key_file.is_file():
            raise _no_key(staff, by, f"--key 指定的文件 {key_file} 不存在")
        _check_key_file(staff, by, at, key_file)
        return key_file
    person = staff.get(by)
    valid = [k for k in person.keys if k.valid_at(at)] if person is not None else []
    if not valid:
        raise _no_key(staff, by, "人员名录中没有此人在签署时有效的公钥")
    held = {_body(line): line for line in agent_keys()}
    for key in valid:
        if _body(key.key) in held:
            return key.key
    if not os.environ.get("SSH_AUTH_SOCK"):
        raise _no_key(staff, by, "未运行 ssh-agent，也未用 --key 指定私钥")
    raise _no_key(staff, by, "ssh-agent 中没有此人登记的公钥")


def _check_key_file(staff: Staff, by: str, at: datetime, key_file: Path) -> None:
    """Refuse, before anything is signed (no passphrase typed, no hardware key touched), a
    key file whose public key can be told and is not one of `by`'s registered keys valid at
    `at`. A key that cannot be told (encrypted, no .pub beside it) is checked after signing,
    as the gate checks every signature."""
    line = public_line(key_file)
    if line is None:
        return
    try:
        fingerprint = read_key(line).fingerprint
    except SchemeError:
        return  # ssh-keygen says what is wrong with it
    key = staff.key(by, fingerprint)
    if key is None:
        owners = [staff.name(i) for i in staff.owners(fingerprint)]
        whose = f"（登记在 {'、'.join(owners)} 名下）" if owners else "（人员名录中没有该密钥）"
        raise _no_key(staff, by, f"--key 指定的密钥 {fingerprint} 不是此人登记的密钥{whose}")
    if not key.valid_at(at):
        raise _no_key(staff, by, f"--key 指定的密钥 {fingerprint} 在签署时无效（已吊销或尚未登记）")


def public_line(key_file: Path) -> str | None:
    """The public key of a key file, when it can be told without its passphrase: a `.pub`
    file itself, an unencrypted private key, or the `.pub` that ssh-keygen wrote beside it."""
    try:
        with key_file.open("rb") as handle:
            data = handle.read(65536)
        if key_file.suffix == ".pub":
            return data.decode("ascii").strip() or None
        try:
            private = load_ssh_private_key(data, password=None)
            raw = private.public_key().public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH)
            return raw.decode("ascii")
        except (ValueError, TypeError, UnsupportedAlgorithm):
            beside = key_file.with_name(key_file.name + ".pub")
            return beside.read_text(encoding="ascii").strip() or None if beside.is_file() else None
    except (OSError, UnicodeDecodeError):
        return None


def _body(line: str) -> tuple[str, ...]:
    return tuple(line.split()[:2])


def _usable(key: Path, where: Path) -> Path:
    """`key`, or for a demo key checked out readable by all (git keeps no file modes, and
    ssh-keygen refuses such a private key) a private copy of it. Any other key is left to
    ssh-keygen, which says what is wrong with its permissions."""
    try:
        if key.stat().st_mode & 0o077 == 0:
            return key
    except OSError:
        return key
    line = public_line(key)
    if line is None or not demo.is_demo(line, (key.name,)):  # demo-keys/<id>
        return key
    copy = where / "demo-key"
    copy.write_bytes(key.read_bytes())
    copy.chmod(0o600)
    return copy


def _terminal() -> bool:
    """Whether this process has a terminal for ssh-keygen to ask a passphrase on. Without
    one, ssh-keygen reads the passphrase from its standard input, and waits for ever on a
    pipe nobody writes to (a CI job, an editor's task runner): it is then given none, and
    a key with a passphrase fails at once (REVIEW-SIGN-FAILED) instead."""
    try:
        fd = os.open("/dev/tty", os.O_RDWR | getattr(os, "O_NOCTTY", 0))
    except OSError:
        return False
    os.close(fd)
    return True


def sign(key: Path | str, messages: Sequence[bytes], namespace: str = APPROVAL) -> list[str]:
    """The `sshsig:` value of each message, signed by `key` in `namespace`."""
    program = _ssh_keygen()
    values: list[str] = []
    with tempfile.TemporaryDirectory(prefix="congress-sign-") as folder:
        where = Path(folder)
        if isinstance(key, str):
            try:
                read_key(key)
            except SchemeError as exc:
                raise _failed(str(exc)) from exc
            (where / "key.pub").write_text(key + "\n", encoding="ascii")
            key = where / "key.pub"
        else:
            key = _usable(key, where)
        for start in range(0, len(messages), _CHUNK):
            names = []
            for i, message in enumerate(messages[start : start + _CHUNK], start):
                (where / f"{i}.msg").write_bytes(message)
                names.append(f"{i}.msg")
            command = [program, "-Y", "sign", "-q", "-f", str(key.resolve()), "-n", namespace]
            asks = _terminal()
            try:
                run = subprocess.run(
                    [*command, *names],
                    cwd=where,
                    stdin=None if asks else subprocess.DEVNULL,
                    capture_output=True,
                    text=True,
                    check=False,
                )
            except OSError as exc:
                raise _failed(str(exc)) from exc
            if run.returncode != 0:
                said = " ".join(run.stderr.split())[-300:] or f"退出码 {run.returncode}"
                if not asks and "passphrase" in run.stderr:
                    said += "（没有终端可输入私钥口令：先用 ssh-add 把私钥加入 ssh-agent）"
                raise _failed(said)
            for name in names:
                try:
                    values.append(sshsig_value((where / f"{name}.sig").read_text("ascii")))
                except (OSError, UnicodeDecodeError, SchemeError) as exc:
                    raise _failed(f"没有读到签名 {name}.sig（{exc}）") from exc
    return values
