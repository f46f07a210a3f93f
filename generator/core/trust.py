"""Who may change the staff registry: a registrar, whose key is configured outside the
repository.

`editorial/staff.yml` lists who may sign what, with which keys. Whoever could edit it could
add a key of their own under a leader's name, so every change to it is itself approved: the
file carries a detached SSHSIG signature, `staff.yml.sig`, in the namespace
`registry@congress-site`, by a registrar key. Which registrar keys are trusted comes from the
environment, never from the repository: `CONGRESS_TRUST_ROOT` holds one or more OpenSSH
public key lines, or the path of a file holding them (several keys while the office rotates
its registrar key). Without it, the demo registrar of the sample is trusted, and a warning
says so; with it, no demo key is trusted anywhere (core/demo.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.core import demo, legacy
from generator.core.config import Site
from generator.core.configerror import ConfigError
from generator.core.findings import Code, Finding, Severity
from generator.core.schemes import (
    LEGACY,
    POLICY,
    REGISTRY,
    Key,
    SchemeError,
    armored,
    read_key,
    sign_with_key,
    split,
    sshsig_value,
)
from generator.core.staff import Staff

TRUST_ROOT = "CONGRESS_TRUST_ROOT"
# Set by deploy/publish.sh whenever it deploys: a missing trust root is then an error.
REQUIRE = "CONGRESS_REQUIRE_TRUST_ROOT"
SUFFIX = ".sig"
# The most a trust root file or a registry signature is read: keys and an armoured
# signature are a few KB; more is no such file (and is not read into memory whole).
LIMIT = 64 * 1024

TRUST_ROOT_INVALID = Code(
    "TRUST-ROOT-INVALID",
    Severity.ERROR,
    "信任根 CONGRESS_TRUST_ROOT 无法使用：{problem}",
    "把登记员公钥（OpenSSH 格式，每行一个）或存放公钥的文件路径设为 CONGRESS_TRUST_ROOT。",
)
TRUST_ROOT_MISSING = Code(
    "TRUST-ROOT-MISSING",
    Severity.ERROR,
    "部署到正式环境须配置信任根 CONGRESS_TRUST_ROOT（登记员公钥），未配置时不构建、不部署",
    "由仓库管理员在 CI 的变量中设置 CONGRESS_TRUST_ROOT；演示登记员只用于不部署的演练。",
)
TRUST_DEMO = Code(
    "TRUST-DEMO",
    Severity.WARNING,
    "未配置信任根 CONGRESS_TRUST_ROOT：人员名录按演示登记员密钥验证，仅适用于演示和测试",
    "正式发布前在 CI 中设置 CONGRESS_TRUST_ROOT（登记员公钥）；演示密钥不能用于正式环境。",
)
REGISTRY_UNSIGNED = Code(
    "REGISTRY-UNSIGNED",
    Severity.ERROR,
    "{file} 没有登记员签名（缺少 {sig}）",
    "由登记员核对名录后签名：congress registry sign --key <登记员私钥>",
)
REGISTRY_SIGNATURE = Code(
    "REGISTRY-SIGNATURE",
    Severity.ERROR,
    "{file} 的登记员签名无效：{problem}",
    "名录在签名后被改动，或签名不是受信任的登记员所做：由登记员核对后重新签名"
    "（congress registry sign --key <登记员私钥>）。",
)
REGISTRY_POLICY = Code(
    "REGISTRY-POLICY",
    Severity.ERROR,
    "审核规则（mkdocs.yml 中的 policy 和 committees）与登记员签名的 {file} 不一致{detail}",
    "审核规则决定谁可以签署哪个环节，改动须经登记员核对："
    "congress registry sign --key <登记员私钥>（同时签名人员名录和审核规则）。",
)
REGISTRY_DEMO_KEY = Code(
    "REGISTRY-DEMO-KEY",
    Severity.ERROR,
    "人员名录中 {who} 的公钥是公开的演示密钥，正式环境不能信任",
    "为该人员生成自己的密钥（ssh-keygen -t ed25519），登记后由登记员重新签名。",
)


@dataclass(frozen=True)
class Trust:
    keys: tuple[Key, ...]
    configured: bool  # False: the demo registrar, as no trust root is set

    def trusts(self, fingerprint: str) -> bool:
        return any(k.fingerprint == fingerprint for k in self.keys)


def trust_from(environ: Mapping[str, str]) -> Trust:
    """The registrar keys to trust; ConfigError (exit 2) for a root that cannot be used."""
    value = environ.get(TRUST_ROOT, "").strip()
    if not value and environ.get(REQUIRE):
        raise ConfigError([TRUST_ROOT_MISSING.at("", None)])
    if not value:
        return Trust((read_key(demo.public_line(demo.REGISTRAR)),), configured=False)
    text = value
    if "\n" not in value and not value.startswith(("ssh-", "ecdsa-", "sk-")):
        text = _read_bounded(Path(value), value)
    lines = [x.strip() for x in text.splitlines() if x.strip() and not x.startswith("#")]
    keys = []
    for line in lines:
        try:
            keys.append(read_key(line))
        except SchemeError as exc:
            raise _invalid(str(exc)) from exc
        if demo.is_demo(line, ()):
            raise _invalid("其中有演示登记员密钥，正式环境不能信任演示密钥")
    if not keys:
        raise _invalid("没有公钥")
    return Trust(tuple(keys), configured=True)


def _read_bounded(path: Path, shown: str) -> str:
    """A trust root file's text: a regular file of at most LIMIT bytes (a device such as
    /dev/zero would be read forever, a FIFO would block the build)."""
    try:
        if path.exists() and not path.is_file():
            raise _invalid(f"无法读取文件 {shown}（不是普通文件）")
        with path.open("rb") as handle:
            raw = handle.read(LIMIT + 1)
        if len(raw) > LIMIT:
            raise _invalid(f"文件 {shown} 超过 {LIMIT // 1024} KB，不像公钥文件")
        return raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _invalid(f"无法读取文件 {shown}（{exc.__class__.__name__}）") from exc


def _invalid(problem: str) -> ConfigError:
    return ConfigError([TRUST_ROOT_INVALID.at("", None, problem=problem)])


def check_registry(path: Path, display: str, staff: Staff, trust: Trust) -> list[Finding]:
    """Whether the registry at `path` (and the list of approvals made before signatures
    beside it, if there is one: core/legacy.py) is as a trusted registrar signed it."""
    found = [] if trust.configured else [TRUST_DEMO.at(display, None)]
    found += _signed_file(path, display, REGISTRY, trust)
    attested = legacy.path_beside(path)
    if attested.exists():
        shown = str(Path(display).with_name(attested.name))
        found += _signed_file(attested, shown, LEGACY, trust)
    if trust.configured:
        for staff_id, person in staff.people.items():
            if any(demo.is_demo(k.key, staff.people) for k in person.keys):
                who = f"{person.name}（{staff_id}）"
                found.append(REGISTRY_DEMO_KEY.at(display, None, who=who))
    return found


def _signed_file(path: Path, display: str, namespace: str, trust: Trust) -> list[Finding]:
    """Whether `path` carries a trusted registrar's signature beside it (`.sig`: a regular
    file, read no further than LIMIT: ssh-keygen writes a few hundred bytes)."""
    sig_path = path.with_name(path.name + SUFFIX)
    try:
        data = path.read_bytes()
        if sig_path.is_symlink():
            problem = "签名文件是符号链接"
            return [REGISTRY_SIGNATURE.at(display, None, file=display, problem=problem)]
        if not sig_path.is_file():
            return [REGISTRY_UNSIGNED.at(display, None, file=display, sig=display + SUFFIX)]
        with sig_path.open("rb") as handle:
            raw = handle.read(LIMIT + 1)
        if len(raw) > LIMIT:
            problem = f"签名文件超过 {LIMIT // 1024} KB，不是 ssh-keygen 写的签名"
            return [REGISTRY_SIGNATURE.at(display, None, file=display, problem=problem)]
        armoured = raw.decode("ascii")
    except (OSError, UnicodeDecodeError) as exc:
        problem = f"无法读取签名（{exc.__class__.__name__}）"
        return [REGISTRY_SIGNATURE.at(display, None, file=display, problem=problem)]
    problem = registry_problem(data, armoured, trust, namespace)
    return [REGISTRY_SIGNATURE.at(display, None, file=display, problem=problem)] if problem else []


def registry_check(site: Site, staff: Staff, environ: Mapping[str, str]) -> list[Finding]:
    """The site's registry, and the review policy it goes with, checked against the trust
    root of `environ` (ConfigError, exit 2, for a trust root that cannot be used)."""
    path = site.root / site.congress.staff
    trust = trust_from(environ)
    return check_registry(path, site.rel(path), staff, trust) + check_policy(site, path, trust)


POLICY_FILE = "policy.lock"


def policy_text(site: Site) -> bytes:
    """The review policy as the registrar signs it: which stages each article needs and which
    role signs each (`policy`), and the committees whose roles exist (`committees`), in
    canonical JSON. Who may approve is the registry and this together."""
    data = {
        "format": 1,
        "policy": site.congress.policy.model_dump(mode="json"),
        "committees": dict(sorted(site.congress.committees.items())),
    }
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode()


def policy_path(staff_path: Path) -> Path:
    return staff_path.with_name(POLICY_FILE)


def check_policy(site: Site, staff_path: Path, trust: Trust) -> list[Finding]:
    """The policy in effect is the one the registrar signed (`editorial/policy.lock`)."""
    path = policy_path(staff_path)
    shown = site.rel(path)
    if path.is_symlink() or not path.is_file():
        return [REGISTRY_POLICY.at(shown, None, file=shown, detail="（缺少该文件）")]
    try:
        with path.open("rb") as handle:
            signed = handle.read(LIMIT + 1)
    except OSError as exc:
        detail = f"（无法读取：{exc.__class__.__name__}）"
        return [REGISTRY_POLICY.at(shown, None, file=shown, detail=detail)]
    found = _signed_file(path, shown, POLICY, trust)
    if signed != policy_text(site):
        found.append(REGISTRY_POLICY.at(shown, None, file=shown, detail=""))
    return found


def sign_in_process(data: bytes, private_key: object) -> str:
    """The armoured registrar signature of `data`, made in-process (the demo registrar and
    the tests' fixtures; a registrar signs with `congress registry sign`, through ssh-keygen)."""
    return armored(sign_with_key(private_key, data, REGISTRY))


def registry_problem(data: bytes, armoured: str, trust: Trust, namespace: str = REGISTRY) -> str:
    """Why `armoured` is no trusted registrar's signature of `data` in `namespace` ('' if
    it is one)."""
    try:
        scheme, sig = split(sshsig_value(armoured))
        signer = scheme.signer_key(sig)
    except SchemeError as exc:
        return str(exc)
    if not trust.trusts(signer):
        return f"签名密钥 {signer} 不是受信任的登记员密钥"
    if not scheme.verify(sig, data, namespace):
        return "签名与文件内容不符（签名后被改动）"
    return ""
