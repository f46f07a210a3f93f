"""`congress registry` (the registrar signs the staff registry) and `congress approvals`
(an article's approvals written out for `ssh-keygen -Y verify`)."""

from __future__ import annotations

import os
import shlex
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from generator.build.atomic import write_atomic
from generator.build.publishing import newsroom
from generator.commands import sshkeygen
from generator.core import clock, legacy
from generator.core.approval import stage_name, statement
from generator.core.config import load_site
from generator.core.configerror import ConfigError
from generator.core.schemes import (
    APPROVAL,
    LEGACY,
    POLICY,
    REGISTRY,
    SchemeError,
    armored,
    split,
)
from generator.core.staff import load_staff
from generator.core.trust import (
    SUFFIX,
    Trust,
    policy_path,
    policy_text,
    registry_check,
    registry_problem,
    trust_from,
)
from generator.failure import config_failed, registry_reported, usage_failed
from generator.gate.rules import round_of, signatures
from generator.load.article import load_article
from generator.options import CONFIG_OPTION, NOW_OPTION

REGISTRAR_KEY = click.option(
    "--key",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="登记员私钥文件（或 ssh-agent 中私钥对应的 .pub 文件）",
)


def _signed(key: Path, data: bytes, namespace: str, trust: Trust) -> str:
    """The registrar's armoured signature of `data`; the command ends (nothing written) if
    ssh-keygen cannot make it or it is no trusted registrar's."""
    try:
        text = armored(sshkeygen.sign(key, [data], namespace)[0])
    except sshkeygen.NoKey as exc:
        usage_failed(exc.finding, "签名失败")
    problem = registry_problem(data, text, trust, namespace)
    if problem:
        click.echo(f"未写入签名 [REGISTRY-SIGNATURE]：{problem}。", err=True)
        click.echo("    建议：用 CONGRESS_TRUST_ROOT 中登记员公钥对应的私钥签名。", err=True)
        sys.exit(1)
    return text


@click.group()
def registry() -> None:
    """人员名录的登记员签名：名录（人员、角色、公钥）的每次改动都须登记员签名。"""


@registry.command(name="sign")
@REGISTRAR_KEY
@CONFIG_OPTION
def registry_sign(key: Path, config_file: str) -> None:
    """登记员核对人员名录和审核规则后签名：写入 staff.yml.sig、policy.lock 和 policy.lock.sig。"""
    try:
        site = load_site(config_file)
        load_staff(site)  # a registry that does not load is not signed
        trust = trust_from(os.environ)
    except ConfigError as exc:
        config_failed(exc.findings)
    path = site.root / site.congress.staff
    lock = policy_path(path)
    # The registry and the review policy in effect, each in its own namespace: one signature
    # cannot stand for the other.
    signed = {path: (path.read_bytes(), REGISTRY), lock: (policy_text(site), POLICY)}
    texts = {where: _signed(key, data, ns, trust) for where, (data, ns) in signed.items()}
    write_atomic(lock, signed[lock][0])
    for where, text in texts.items():
        write_atomic(where.with_name(where.name + SUFFIX), text.encode("ascii"))
    click.echo(f"已签名人员名录和审核规则：{site.rel(path)}{SUFFIX}、{site.rel(lock)}{SUFFIX}")


@registry.command(name="verify")
@CONFIG_OPTION
def registry_verify(config_file: str) -> None:
    """验证人员名录的登记员签名；无效时退出码为 1。"""
    try:
        site = load_site(config_file)
        staff = load_staff(site)
        found = registry_check(site, staff, os.environ)
    except ConfigError as exc:
        config_failed(exc.findings)
    registry_reported(found, refuse=False)
    if any(f.is_error for f in found):
        sys.exit(1)
    keys = sum(len(p.keys) for p in staff.people.values())
    click.echo(f"人员名录和审核规则签名有效：{len(staff.people)} 人，{keys} 个公钥。")


def _openssh_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%d%H%M%SZ")


@registry.command(name="attest-legacy")
@REGISTRAR_KEY
@NOW_OPTION
@CONFIG_OPTION
def attest_legacy(key: Path, now: datetime | None, config_file: str) -> None:
    """登记员确认签名启用前的审核记录：尚无签名的记录列入 legacy-approvals.yml 并签名。"""
    try:
        site = load_site(config_file)
        staff = load_staff(site)
        trust = trust_from(os.environ)
    except ConfigError as exc:
        config_failed(exc.findings)
    # What is already listed is signed again with the new records: only if the registrar
    # signed it (and the registry) before; a record appended by anyone else would be signed
    # unseen. The command also says how many it adds, for the registrar to read in the diff.
    wrong = [f for f in registry_check(site, staff, os.environ) if f.is_error]
    if wrong:
        registry_reported(wrong, refuse=False)
        click.echo(
            "人员名录或历史审核记录的签名无效，不能在其上追加 [REGISTRY-SIGNATURE]。", err=True
        )
        sys.exit(1)
    moment = clock.now(now)
    found: set[legacy.Record] = set()
    for article in newsroom(site, staff).articles:
        if article.meta is None:
            continue
        for stage, loc, sig in signatures(article):
            if sig.sig is None and sig.at <= moment:
                name = stage_name(stage, round_of(stage, loc))
                found.add(legacy.record(article.meta.uid, name, sig.by, sig.at, sig.digest))
    new = found - staff.legacy
    if not new:
        click.echo("没有需要确认的历史审核记录（每条审核记录都已签名或已确认）。")
        return
    data = legacy.dump(staff.legacy | found, moment)
    text = _signed(key, data, LEGACY, trust)
    path = legacy.path_beside(site.root / site.congress.staff)
    write_atomic(path, data)
    write_atomic(path.with_name(path.name + SUFFIX), text.encode("ascii"))
    people = Counter(by for _uid, _stage, by, _at, _digest in new)
    shown = "、".join(f"{staff.name(b)} {n} 条" for b, n in people.most_common())
    latest = clock.minute(datetime.fromisoformat(max(at for _u, _s, _b, at, _d in new)))
    click.echo(f"已确认 {len(new)} 条历史审核记录（{shown}；最晚 {latest}）：{site.rel(path)}")
    click.echo("请核对该文件的改动后提交；以后的审核一律由本人签名。")


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="写出到此目录：每个环节的声明（.txt）、签名（.sig）和 allowed_signers",
)
@CONFIG_OPTION
def approvals(path: Path, out: Path, config_file: str) -> None:
    """导出一篇稿件的审核签名，供 ssh-keygen -Y verify 独立核验。"""
    try:
        site = load_site(config_file)
        staff = load_staff(site)
        # allowed_signers comes from the registry: only from one the registrar signed.
        wrong = [f for f in registry_check(site, staff, os.environ) if f.is_error]
    except ConfigError as exc:
        config_failed(exc.findings)
    if wrong:
        registry_reported(wrong, refuse=False)
        click.echo("人员名录的签名无效，不导出其中的公钥 [REGISTRY-SIGNATURE]。", err=True)
        sys.exit(1)
    article = load_article(path, site.rel(path), site.rel(path))
    if article.meta is None:
        click.echo(f"无法读取稿件信息：{site.rel(path)}，先运行 congress check。", err=True)
        sys.exit(2)
    out.mkdir(parents=True, exist_ok=True)
    allowed = []
    for stage, loc, sig in signatures(article):
        name = stage_name(stage, round_of(stage, loc))
        message = statement(article.meta.uid, name, sig.by, sig.at, sig.digest or "")
        if sig.sig is None or message is None:
            click.echo(f"{name}：没有签名", err=True)
            continue
        try:
            split(sig.sig)
            (out / f"{name}.sig").write_text(armored(sig.sig), encoding="ascii")
        except SchemeError as exc:
            click.echo(f"{name}：签名无法读取（{exc}）", err=True)
            continue
        (out / f"{name}.txt").write_bytes(message)
        # Quoted for a POSIX shell: `by` is the article's text, and the line is for pasting.
        q = shlex.quote
        click.echo(
            f"ssh-keygen -Y verify -f {q(str(out / 'allowed_signers'))} -I {q(sig.by)} "
            f"-n {APPROVAL} -O verify-time={_openssh_time(sig.at)} "
            f"-s {q(str(out / f'{name}.sig'))} < {q(str(out / f'{name}.txt'))}"
        )
    for staff_id, person in staff.people.items():
        for k in person.keys:
            # ssh-keygen's own check of the key's validity at the signing time (-O verify-time).
            # ssh-keygen's times are whole seconds: the first whole second the key is valid.
            first = k.added + timedelta(microseconds=(1_000_000 - k.added.microsecond) % 1_000_000)
            valid = f',valid-after="{_openssh_time(first)}"'
            if k.revoked is not None:
                # ssh-keygen takes valid-before as the last valid second (verify-time after
                # it fails); the gate refuses a signature made at the revocation itself.
                last = _openssh_time(k.revoked - timedelta(microseconds=1))
                valid += f',valid-before="{last}"'
            allowed.append(f'{staff_id} namespaces="{APPROVAL}"{valid} {k.key}')
    (out / "allowed_signers").write_text("\n".join(allowed) + "\n", encoding="utf-8")
