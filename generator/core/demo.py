"""Demo keys: the sample's fictional staff, its registrar and the tests' people sign with keys
derived from their ids and a published seed, so anyone can make them again. They prove
nothing; a production configuration (a trust root set) refuses any of them
(core/trust.py). The private keys of the sample's staff are also written out, marked, in
`demo-keys/`, for trying `congress review --key` on the sample.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

SEED = "congress-site demo key, never for production: "
REGISTRAR = "registrar"  # the demo registrar's id: the key that signs the sample's registry
ADDED = "2016-01-01T00:00:00+08:00"  # when the sample's demo keys were added to its registry


@cache
def private_key(staff_id: str) -> Ed25519PrivateKey:
    seed = hashlib.sha256((SEED + staff_id).encode("utf-8")).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


@cache
def public_line(staff_id: str) -> str:
    """The OpenSSH public key line, its comment marking it as a demo key."""
    raw = private_key(staff_id).public_key().public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH)
    return f"{raw.decode('ascii')} demo-{staff_id}"


def private_pem(staff_id: str) -> bytes:
    """The private key in OpenSSH's file format (unencrypted: it is public anyway)."""
    return private_key(staff_id).private_bytes(Encoding.PEM, PrivateFormat.OpenSSH, NoEncryption())


def is_demo(key_text: str, ids: Iterable[str]) -> bool:
    """Whether `key_text` is the demo key of one of `ids` or of the demo registrar."""
    body = key_text.split()[:2]
    return any(public_line(i).split()[:2] == body for i in (*ids, REGISTRAR))
