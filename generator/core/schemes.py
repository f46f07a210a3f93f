"""Signature schemes: how an approval's `sig:` value is read and checked.

A value is `<scheme>:<data>`. The one scheme today is `sshsig`: OpenSSH's SSHSIG format (what
git uses for SSH commit signing), its base64 on one line, which `ssh-keygen -Y verify` checks
once wrapped in its armour (`armored`). Verification is in-process with the `sshsig` library
(on top of pyca/cryptography): it reproduces `ssh-keygen`'s `sshsig_verify_fd`, and verifies
`ssh-ed25519` and `ssh-rsa` keys; `sk-ssh-ed25519@openssh.com` (hardware keys) it does not,
so the registry refuses such keys rather than accept signatures nothing here can check.

A later scheme (SM2 with 商用密码 UKey certificates, say) is one more `Scheme` in `SCHEMES`:
how a registry key is read and fingerprinted, which key a signature names, and whether it
signs a message. The gate, the signing command and the cache ask only this interface.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from sshsig import PublicKey
from sshsig.sshsig import SshsigSignature, SshsigWrapper, do_sshsig_verify

# Namespaces (SSHSIG's domain separation): a signature made for one use is void for the other.
APPROVAL = "approval@congress-site"
REGISTRY = "registry@congress-site"
LEGACY = "legacy@congress-site"  # the registrar's list of approvals made before signatures
POLICY = "policy@congress-site"  # the review policy the registrar approved (core/trust.py)
HASHES = (b"sha256", b"sha512")  # the message hashes ssh-keygen -Y verify accepts


class SchemeError(ValueError):
    """A key or a signature that cannot be read: the message says why, in Chinese."""


@dataclass(frozen=True)
class Key:
    """A public key as the registry lists it."""

    scheme: str
    text: str  # as written, e.g. "ssh-ed25519 AAAA… comment"
    algorithm: str
    fingerprint: str  # as `ssh-keygen -l` prints it: SHA256:…


class Scheme(Protocol):
    name: str

    def read_key(self, text: str) -> Key:
        """The registry's key line; SchemeError if it is none this scheme verifies."""

    def signer_key(self, data: str) -> str:
        """The fingerprint of the key a signature value names; SchemeError if unreadable."""

    def verify(self, data: str, message: bytes, namespace: str) -> bool:
        """Whether `data` is a valid signature of `message` in `namespace` by the key it names."""


# An SSHSIG of the largest key OpenSSH makes (RSA 16384 bits) is about 4.2 kB in base64.
MAX_DATA = 8192


@lru_cache(maxsize=512)  # the gate reads a signature's key, then verifies it: parsed once
def _sshsig(data: str) -> SshsigSignature:
    if len(data) > MAX_DATA:
        raise SchemeError(f"签名过长（{len(data)} 个字符，上限 {MAX_DATA}）")
    try:
        blob = base64.b64decode(data.encode("ascii"), validate=True)
        sig = SshsigSignature(blob)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise SchemeError("签名不是有效的 base64 编码") from exc
    except NotImplementedError as exc:
        raise SchemeError("不支持的 SSHSIG 版本") from exc
    except Exception as exc:  # the reader's EOF, struct or value errors on a truncated blob
        raise SchemeError("签名数据不完整或不是 SSHSIG 格式") from exc
    # The library reads short strings without complaint and ignores what follows the last
    # field, outside and inside the signature; `ssh-keygen -Y verify` refuses both. Accept
    # only what it accepts: the blob is exactly its fields, the signature exactly two strings.
    if bytes(sig) != blob or not _two_strings(sig.signature):
        raise SchemeError("签名数据不完整、带有多余字节或不是 SSHSIG 格式")
    return sig


def _two_strings(data: bytes) -> bool:
    """Whether `data` is exactly two SSH strings (a signature: its algorithm, its bytes)."""
    at = 0
    for _ in range(2):
        if at + 4 > len(data):
            return False
        at += 4 + int.from_bytes(data[at : at + 4], "big")
    return at == len(data)


def _public_key(blob: bytes) -> PublicKey:
    try:
        return PublicKey.from_ssh_encoding(blob)
    except NotImplementedError as exc:
        raise SchemeError("密钥类型不受支持（支持 ssh-ed25519、ssh-rsa）") from exc
    except Exception as exc:
        raise SchemeError("签名中的公钥无法读取") from exc


# The smallest RSA modulus a registry key may have: 1024 bits has been too weak since 2013
# (NIST SP 800-131A); OpenSSH still accepts it, the registry does not.
RSA_MIN_BITS = 2048


def _rsa_bits(line: str) -> int:
    """The modulus size of an `ssh-rsa` key, as pyca/cryptography reads it."""
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
    from cryptography.hazmat.primitives.serialization import load_ssh_public_key

    key = load_ssh_public_key(" ".join(line.split()[:2]).encode("ascii"))
    return key.key_size if isinstance(key, RSAPublicKey) else RSA_MIN_BITS


def _fingerprint(blob: bytes) -> str:
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii").rstrip("=")
    return f"SHA256:{digest}"


class SshSig:
    """OpenSSH SSHSIG (PROTOCOL.sshsig), verified with the `sshsig` library."""

    name = "sshsig"

    def read_key(self, text: str) -> Key:
        parts = text.split()
        if len(parts) < 2:
            raise SchemeError("公钥应为 OpenSSH 格式的一行，如 ssh-ed25519 AAAA…")
        algorithm = parts[0]
        try:
            blob = base64.b64decode(parts[1].encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError) as exc:
            raise SchemeError("公钥不是有效的 base64 编码") from exc
        key = _public_key(blob)
        if key.algo_name != algorithm:
            raise SchemeError(f"公钥类型 {algorithm} 与内容（{key.algo_name}）不符")
        bits = _rsa_bits(text) if algorithm == "ssh-rsa" else RSA_MIN_BITS
        if bits < RSA_MIN_BITS:
            raise SchemeError(
                f"RSA 公钥只有 {bits} 位，至少须 {RSA_MIN_BITS} 位（建议改用 ssh-ed25519）"
            )
        return Key(self.name, text.strip(), algorithm, _fingerprint(blob))

    def signer_key(self, data: str) -> str:
        # The key blob is read when verifying: one that is no key matches no registered one.
        return _fingerprint(_sshsig(data).public_key)

    def verify(self, data: str, message: bytes, namespace: str) -> bool:
        sig = _sshsig(data)
        if sig.hash_algo not in HASHES:
            return False  # ssh-keygen accepts these two only (sshsig.c)
        try:
            found = do_sshsig_verify(sig, io.BytesIO(message), namespace)
        except Exception:  # a signature algorithm that does not match its key, say
            return False
        return isinstance(found, PublicKey)


SCHEMES: dict[str, Scheme] = {SshSig.name: SshSig()}


def split(value: str) -> tuple[Scheme, str]:
    """The scheme and data of a `sig:` value; SchemeError if it names no known scheme."""
    name, sep, data = value.partition(":")
    scheme = SCHEMES.get(name) if sep else None
    if scheme is None:
        shown = name if sep and len(name) <= 20 else value[:20]
        raise SchemeError(f"未知的签名方案 {shown!r}（可用：{'、'.join(SCHEMES)}）")
    return scheme, data


def key_of(value: str | None) -> str | None:
    """The fingerprint of the key a `sig:` value names (None: no value, or unreadable), for
    showing it (the manifest, `congress check`): whether the signature is valid is the
    gate's to say. Reads no more of an SSHSIG than its head: the manifest of a 10,000-article
    archive asks this of 63,000 signatures."""
    if value is None:
        return None
    name, _sep, data = value.partition(":")
    if name == SshSig.name:
        return _head_key(data)
    try:
        scheme, data = split(value)
        return scheme.signer_key(data)
    except SchemeError:
        return None


def _head_key(data: str) -> str | None:
    """The fingerprint of the key in an SSHSIG's head: magic, version, then the key blob."""
    try:
        head = base64.b64decode(data[:20], validate=True)
        if head[:6] != b"SSHSIG" or len(head) < 14:
            return None
        size = int.from_bytes(head[10:14], "big")
    except (binascii.Error, ValueError):
        return None
    return _head_fingerprint(data[: -(-(14 + size) // 3) * 4], size)


@lru_cache(maxsize=256)  # one entry per key: the head of every signature by it is the same
def _head_fingerprint(head: str, size: int) -> str | None:
    try:
        blob = base64.b64decode(head + "=" * (-len(head) % 4))[14 : 14 + size]
    except (binascii.Error, ValueError):
        return None
    return _fingerprint(blob) if len(blob) == size else None


def read_key(text: str) -> Key:
    """A registry key line: OpenSSH's format for the `sshsig` scheme (the only one so far)."""
    return SCHEMES[SshSig.name].read_key(text)


def verify_approval(scheme: str, data: str, message: bytes) -> bool:
    """Whether `data` of `scheme` is a valid approval signature of `message`."""
    try:
        return SCHEMES[scheme].verify(data, message, APPROVAL)
    except SchemeError:
        return False


def sshsig_value(armoured: str) -> str:
    """The `sig:` value of what `ssh-keygen -Y sign` wrote."""
    lines = [x.strip() for x in armoured.strip().splitlines()]
    if len(lines) < 3 or "BEGIN SSH SIGNATURE" not in lines[0] or "END" not in lines[-1]:
        raise SchemeError("ssh-keygen 输出的不是 SSH 签名")
    return f"{SshSig.name}:{''.join(lines[1:-1])}"


def armored(value: str) -> str:
    """The armour `ssh-keygen -Y verify -s FILE` reads, of an `sshsig:` value."""
    _scheme, data = split(value)
    sig = _sshsig(data)
    return sig.to_armored() + "\n"


def sign_with_key(private_key: object, message: bytes, namespace: str) -> str:
    """An `sshsig:` value made in-process with an Ed25519 private key of pyca/cryptography
    (the demo keys and the tests' fixtures; people sign through `ssh-keygen`, which holds
    their keys: commands/sshkeygen.py)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    assert isinstance(private_key, Ed25519PrivateKey)
    pub = private_key.public_key().public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH)
    key_blob = base64.b64decode(pub.split()[1])
    ns = namespace.encode("ascii")
    signed = SshsigWrapper(
        namespace=ns, hash_algo=b"sha512", hash=hashlib.sha512(message).digest()
    ).to_bytes()
    sig = SshsigSignature.__new__(SshsigSignature)  # the library writes it; it only reads
    sig.public_key, sig.namespace, sig.hash_algo = key_blob, ns, b"sha512"
    sig.signature = _string(b"ssh-ed25519") + _string(private_key.sign(signed))
    return f"{SshSig.name}:{base64.b64encode(bytes(sig)).decode('ascii')}"


def _string(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data
