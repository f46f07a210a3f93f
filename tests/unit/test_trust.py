"""Who may change the staff registry: the registrar's signature, checked against a trust root
configured outside the repository; demo keys trusted only where none is configured."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.core import demo
from generator.core.configerror import ConfigError
from generator.core.schemes import APPROVAL, armored, sign_with_key
from generator.core.staff import Staff, parse_staff
from generator.core.trust import (
    REQUIRE,
    TRUST_ROOT,
    Trust,
    check_registry,
    sign_in_process,
    trust_from,
)
from tests.sitekit import write_staff

OFFICE = "office-registrar"  # a key that is no demo key's: derived from another seed below


def office_key() -> tuple[object, str]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    private = Ed25519PrivateKey.from_private_bytes(b"\x07" * 32)
    line = private.public_key().public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH).decode()
    return private, f"{line} {OFFICE}"


def codes(root: Path, trust: Trust) -> list[str]:
    path = root / "editorial/staff.yml"
    staff: Staff = parse_staff(path, "editorial/staff.yml", {"fagongwei": "法制工作委员会"})
    return [f.code for f in check_registry(path, "editorial/staff.yml", staff, trust)]


def test_without_a_trust_root_the_demo_registrar_is_trusted_and_says_so(tmp_path: Path) -> None:
    write_staff(tmp_path)
    trust = trust_from({})
    assert not trust.configured
    assert codes(tmp_path, trust) == ["TRUST-DEMO"]


def test_a_registry_changed_after_signing_does_not_verify(tmp_path: Path) -> None:
    write_staff(tmp_path)
    path = tmp_path / "editorial/staff.yml"
    # A key added by someone who is not the registrar.
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "roles:\n  - editor\n", "roles:\n  - editor\n  - leader\n", 1
        ),
        encoding="utf-8",
    )
    assert codes(tmp_path, trust_from({})) == ["TRUST-DEMO", "REGISTRY-SIGNATURE"]


def test_an_unsigned_registry(tmp_path: Path) -> None:
    write_staff(tmp_path, sign=False)
    assert codes(tmp_path, trust_from({})) == ["TRUST-DEMO", "REGISTRY-UNSIGNED"]


def test_a_garbage_or_untrusted_signature(tmp_path: Path) -> None:
    write_staff(tmp_path)
    sig = tmp_path / "editorial/staff.yml.sig"
    sig.write_text("-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n")
    assert codes(tmp_path, trust_from({})) == ["TRUST-DEMO", "REGISTRY-SIGNATURE"]
    data = (tmp_path / "editorial/staff.yml").read_bytes()
    sig.write_text(sign_in_process(data, demo.private_key("boss")))  # a person, not the registrar
    assert codes(tmp_path, trust_from({})) == ["TRUST-DEMO", "REGISTRY-SIGNATURE"]
    # An approval signature over the same bytes is no registry signature (namespaces).
    registrar = demo.private_key(demo.REGISTRAR)
    sig.write_text(armored(sign_with_key(registrar, data, APPROVAL)))
    assert codes(tmp_path, trust_from({})) == ["TRUST-DEMO", "REGISTRY-SIGNATURE"]


def test_a_configured_trust_root_trusts_no_demo_key(tmp_path: Path) -> None:
    private, line = office_key()
    trust = trust_from({TRUST_ROOT: line})
    assert trust.configured
    write_staff(tmp_path)  # signed by the demo registrar, listing demo keys
    assert codes(tmp_path, trust) == ["REGISTRY-SIGNATURE", *["REGISTRY-DEMO-KEY"] * 11]
    path = tmp_path / "editorial/staff.yml"
    (tmp_path / "editorial/staff.yml.sig").write_text(sign_in_process(path.read_bytes(), private))
    assert codes(tmp_path, trust) == ["REGISTRY-DEMO-KEY"] * 11  # signed, but by demo keys


def test_the_trust_root_may_be_a_file_of_several_keys(tmp_path: Path) -> None:
    _private, line = office_key()
    roots = tmp_path / "roots.pub"
    roots.write_text(
        f"# 2026 registrar, and its successor\n{line}\n{line.replace(OFFICE, 'next')}\n"
    )
    assert len(trust_from({TRUST_ROOT: str(roots)}).keys) == 2


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("ssh-ed25519 garbage", "base64"),
        ("/nonexistent/roots.pub", "无法读取"),
        (demo.public_line(demo.REGISTRAR), "演示"),
    ],
)
def test_a_trust_root_that_cannot_be_used_is_a_configuration_error(
    value: str, problem: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        trust_from({TRUST_ROOT: value})
    assert caught.value.findings[0].code == "TRUST-ROOT-INVALID"
    assert problem in caught.value.findings[0].message


def test_a_deployment_requires_a_trust_root() -> None:
    with pytest.raises(ConfigError) as caught:
        trust_from({REQUIRE: "1"})
    assert caught.value.findings[0].code == "TRUST-ROOT-MISSING"
