"""Small helpers to write a throwaway site (mkdocs.yml, staff, articles) into a folder.

Unit tests load single files with them; site tests build the folder with the real mkdocs.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from bench.signoff import sign_through
from generator.commands.frontedit import replace_review
from generator.core import demo
from generator.core.approval import stage_name, statement
from generator.core.clock import aware
from generator.core.config import CongressConfig, Site, load_site
from generator.core.configerror import ConfigError
from generator.core.policy import Policy
from generator.core.schemes import APPROVAL, POLICY, armored, sign_with_key
from generator.core.staff import Person, Staff
from generator.core.trust import policy_text, sign_in_process
from generator.core.wording import Wording
from generator.gate.decide import Context, Verdict, verdict
from generator.gate.rules import round_of, signatures
from generator.load.article import parse_article
from generator.load.assets import sealed_files
from generator.load.contentfiles import hash_files, scan
from generator.load.digest import with_files

NOW = "2026-11-28T12:00:00+08:00"
ROOT = Path(__file__).resolve().parent.parent

STAFF: dict[str, dict[str, Any]] = {
    "ed-a": {"name": "编辑甲", "roles": ["editor"]},
    "ed-b": {"name": "编辑乙", "roles": ["editor", "proofreader"]},
    "head": {"name": "处长丙", "roles": ["dept-head"]},
    "boss": {"name": "领导丁", "roles": ["leader"]},
    "boss2": {"name": "领导戊", "roles": ["leader"]},
    "pr-1": {"name": "校对一", "roles": ["proofreader"]},
    "pr-2": {"name": "校对二", "roles": ["proofreader"]},
    "law": {"name": "委员己", "roles": ["committee:fagongwei"]},
    "proc": {"name": "秘书庚", "roles": ["procedure"]},
    "sec": {"name": "保密辛", "roles": ["secrecy"]},
    "multi": {"name": "全能壬", "roles": ["editor", "dept-head", "leader", "proofreader"]},
}


OFFICE_SEED = b"tests: an office's own keys, trusted where a trust root is set: "


def office_key(staff_id: str) -> Ed25519PrivateKey:
    """A key of the tests' "office": no demo key, so a production configuration trusts it
    once its registrar (`office_key(demo.REGISTRAR)`) is the trust root (`office_env`)."""
    return Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256(OFFICE_SEED + staff_id.encode()).digest()
    )


def office_line(staff_id: str) -> str:
    raw = office_key(staff_id).public_key().public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH)
    return f"{raw.decode()} office-{staff_id}"


def office_env() -> dict[str, str]:
    """The environment of a production build of an office site (`make_site(office=True)`)."""
    return {**os.environ, "CONGRESS_TRUST_ROOT": office_line(demo.REGISTRAR)}


def with_keys(
    staff: dict[str, dict[str, Any]], *, office: bool = False
) -> dict[str, dict[str, Any]]:
    """The registry with each person's demo key (core/demo.py), or office key, where none
    is listed."""
    line = office_line if office else demo.public_line

    def key(i: str) -> dict[str, str]:
        return {"key": line(i), "added": demo.ADDED}

    return {i: {**p, "keys": p.get("keys", [key(i)])} for i, p in staff.items()}


def write_staff(
    root: Path,
    staff: dict[str, dict[str, Any]] | None = None,
    *,
    sign: bool = True,
    office: bool = False,
) -> None:
    """editorial/staff.yml with demo (or `office`) keys, signed by that registrar (`sign`)."""
    path = root / "editorial" / "staff.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = yaml.safe_dump(with_keys(staff or STAFF, office=office), allow_unicode=True)
    path.write_bytes(data.encode("utf-8"))
    if sign:
        keys = office_key if office else demo.private_key
        registrar = keys(demo.REGISTRAR)
        (root / "editorial" / "staff.yml.sig").write_text(
            sign_in_process(data.encode("utf-8"), registrar)
        )
        if (root / "mkdocs.yml").is_file():
            sign_policy(root, office=office)


def sign_policy(root: Path, *, office: bool = False) -> None:
    """editorial/policy.lock for the site's mkdocs.yml as it is now, signed by the demo (or
    `office`) registrar, as `congress registry sign` writes it."""
    try:
        site = load_site(root / "mkdocs.yml")
    except ConfigError:
        return  # a site whose configuration is refused never reaches its registry
    lock = root / "editorial" / "policy.lock"
    lock.write_bytes(policy_text(site))
    registrar = (office_key if office else demo.private_key)(demo.REGISTRAR)
    signed = sign_with_key(registrar, lock.read_bytes(), POLICY)
    (root / "editorial" / "policy.lock.sig").write_text(armored(signed))


def resign_with_office_keys(root: Path) -> None:
    """Every signature of every article under content/ made again with the signer's office
    key (the same statement: stage, time and digest as recorded)."""
    for path in sorted((root / "content").rglob("*.md")):
        raw = path.read_bytes().decode("utf-8", errors="replace")
        a = parse_article(raw.encode("utf-8"), "x.md", "x.md")
        if a.meta is None:
            continue
        review = a.meta.review
        update: dict[str, Any] = {}
        for stage, loc, sig in signatures(a):
            if sig.sig is None or sig.digest is None:
                continue
            index = round_of(stage, loc)
            made = statement(a.meta.uid, stage_name(stage, index), sig.by, sig.at, sig.digest)
            if made is None:
                continue
            new = sig.model_copy(update={"sig": sign_with_key(office_key(sig.by), made, APPROVAL)})
            if index is not None:
                update.setdefault("proofread", list(review.proofread))[index] = new
            else:
                update[stage] = new
        if update:
            path.write_bytes(replace_review(raw, review.model_copy(update=update)).encode())


FOOTER: dict[str, str] = {
    "sponsor": "测试市人民代表大会常务委员会",
    "organizer": "测试市人大常委会办公室",
    "address": "测试市人民路1号",
    "phone": "0123-12345678",
    "site_code": "1234567890",
    "icp": "测ICP备12345678号",
    "police": "测公网安备12345678901234号",
}

COLUMNS: list[dict[str, Any]] = [
    {"id": "news", "name": "要闻", "description": "测试要闻栏目", "kind": "news"},
    {"id": "sessions", "name": "会议报道", "kind": "news"},
    {"id": "notices", "name": "通知公告", "kind": "notice"},
]


def mkdocs_yml(columns: list[dict[str, Any]] | None = None, **plugin: Any) -> str:
    config = {
        "site_name": "测试市人大常委会",
        "site_url": "https://www.example.gov.cn/",
        "docs_dir": "content",
        "site_dir": "site",
        "theme": {
            "name": "material",
            "custom_dir": str(ROOT / "themes" / "congress"),
            "language": "zh",
        },
        "extra": {"footer": FOOTER},
        "plugins": [
            {
                "congress": {
                    "columns": columns or COLUMNS,
                    "committees": {"fagongwei": "法制工作委员会"},
                    **plugin,
                }
            }
        ],
    }
    return yaml.safe_dump(config, allow_unicode=True, sort_keys=False)


def fields(**over: Any) -> dict[str, Any]:
    """Valid front matter for a news article; `None` removes a key."""
    base: dict[str, Any] = {
        "uid": "2026-1120-aaaaaa",
        "title": "测试稿件",
        "column": "news",
        "date": "2026-11-20T10:00:00+08:00",
        "authors": ["记者甲"],
        "editor": "ed-a",
        "source": "测试市人大常委会办公室",
        "summary": "一句话摘要。",
        "tags": ["测试"],
        "kind": "news",
    }
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def draft(body: str = "正文第一段。\n\n## 小标题\n\n正文第二段。\n", **over: Any) -> str:
    """An article with no review block (pending)."""
    front = yaml.safe_dump(fields(**over), allow_unicode=True, sort_keys=False)
    return f"---\n{front}---\n\n{textwrap.dedent(body)}"


def approve(
    text: str, *, skip: tuple[str, ...] = (), start: str | None = None, **signers: str
) -> str:
    """Sign every stage the default policy asks of `text` (except `skip`), through the real
    signature writer and digest. Signers default to the STAFF roles; times precede the date."""
    a = parse_article(text.encode("utf-8"), "news/2026/x.md", "x.md")
    if a.meta is None:
        return text  # invalid input cannot be signed; tests of bad input use it as it is
    who = {
        "first": a.meta.editor,
        "second": "head",
        "final": "boss",
        "committee": "law",
        "procedure": "proc",
        "secrecy": "sec",
        "proofread": "pr-1,pr-2,ed-b",
        **signers,
    }
    begin = min(a.meta.date, aware(NOW)) - timedelta(hours=8)
    if a.meta.corrections:  # a corrected piece is approved again after its last correction
        begin = max(c.at for c in a.meta.corrections) + timedelta(minutes=1)
    if start is not None:
        begin = aware(start)
    plan = {stage: people.split(",") for stage, people in who.items()}
    return replace_review(text, sign_through(a, plan, begin, Policy(), skip=skip))


def article(body: str = "正文第一段。\n\n## 小标题\n\n正文第二段。\n", **over: Any) -> str:
    """A fully approved article: published unless its dates say otherwise."""
    return approve(draft(body, **over))


def make_site(
    root: Path,
    articles: dict[str, str | bytes],
    *,
    columns: list[dict[str, Any]] | None = None,
    staff: dict[str, dict[str, Any]] | None = None,
    assets: dict[str, bytes] | None = None,
    seal: bool = True,
    office: bool = False,
    **plugin: Any,
) -> Path:
    """Write a site into `root`: articles are keyed by their path under content/. With
    `seal`, approved articles' final sign-offs then bind the files they use (`seal_files`)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(mkdocs_yml(columns, **plugin), encoding="utf-8")
    write_staff(root, staff, office=office)
    # The server configuration the web archive's records take their headers from.
    (root / "deploy").mkdir(exist_ok=True)
    shutil.copy(ROOT / "deploy" / "nginx.conf", root / "deploy" / "nginx.conf")
    for rel, text in {**articles, **(assets or {})}.items():
        path = root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    (root / "content").mkdir(exist_ok=True)
    if seal:
        seal_files(root)
    if office:  # a production site: the office's own keys, its registrar the trust root
        resign_with_office_keys(root)
    return root


def seal_files(root: Path) -> None:
    """Bind the files each approved article uses into its final sign-off, as
    `congress review --stage final` does once the files exist (`approve` signs text in
    memory, before the files are written). A sign-off whose text was changed after it, or
    that already binds files, is left as it is; so is one using a missing file."""
    docs = root / "content"
    content = scan(docs)
    for src in content.articles:
        path = docs / src
        try:
            raw = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        a = parse_article(raw.encode("utf-8"), src, f"content/{src}")
        final = a.meta.review.final if a.meta is not None else None
        if a.meta is None or final is None or final.files or final.digest != a.digest:
            continue
        used = hash_files(docs, sealed_files(a, set(content.files)), set(content.files))
        if not used or None in used.values():
            continue
        files = {p: h for p, h in used.items() if h is not None}
        digest = with_files(final.digest, used)
        message = statement(a.meta.uid, "final", final.by, final.at, digest)
        assert message is not None
        sig = sign_with_key(demo.private_key(final.by), message, APPROVAL)
        sealed = final.model_copy(update={"digest": digest, "files": files, "sig": sig})
        review = a.meta.review.model_copy(update={"final": sealed})
        path.write_bytes(replace_review(raw, review).encode("utf-8"))


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by its path relative to it: two builds compared whole."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def demo_key_file(staff_id: str) -> Path:
    """The demo private key of `staff_id` as a file only its owner reads (ssh-keygen refuses
    others), in a folder of this process outside any test's site (a full disk included)."""
    folder = Path(tempfile.gettempdir()) / f"congress-demo-keys-{os.getpid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / staff_id
    if not path.exists():
        path.write_bytes(demo.private_pem(staff_id))
        path.chmod(0o600)
    return path


def congress(
    *args: str, cwd: Path, demo_key: bool = True, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real `congress` command in a fresh process (exit codes, stderr, no traceback).
    A `review` naming no `--key` signs with the signer's demo key (`demo_key`; without it,
    the command looks in ssh-agent, as for a person). `env`: the whole environment (default:
    this process's)."""
    if demo_key and args[:1] == ("review",) and "--key" not in args and "--by" in args:
        by = args[args.index("--by") + 1]
        args = (*args, "--key", str(demo_key_file(by)))
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        env=None if env is None else dict(env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def context(now: str = NOW, wording: dict[str, Any] | None = None, **plugin: Any) -> Context:
    """A gate context for in-memory articles: the STAFF registry and COLUMNS site."""
    options = yaml.safe_load(mkdocs_yml(**plugin))["plugins"][0]["congress"]
    site = Site(
        root=Path("/nonexistent"),
        docs_dir=Path("/nonexistent/content"),
        site_dir=Path("/nonexistent/site"),
        site_url="https://www.example.gov.cn/",
        site_name="测试市人大常委会",
        congress=CongressConfig.model_validate(options),
        extra={"footer": FOOTER},
    )
    staff = Staff({k: Person.model_validate(v) for k, v in with_keys(STAFF).items()})
    return Context(
        now=aware(now), site=site, staff=staff, wording=Wording.model_validate(wording or {})
    )


def judge(source: str, now: str = NOW, src: str = "news/2026/x.md", **plugin: Any) -> Verdict:
    """The gate's verdict on one article given as text (plugin options, `wording=` too)."""
    return verdict(
        parse_article(source.encode("utf-8"), src, f"content/{src}"), context(now, **plugin)
    )


@contextlib.contextmanager
def previewing(root: Path, address: str, base: str, *args: str) -> Iterator[str]:
    """`congress serve` on `address` for the site in `root`, waited for at `base`; stopped
    after, and its output must hold no traceback."""
    import pytest

    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--now", NOW, "-a", address, *args],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for _ in range(300):  # generous: a slow machine builds the preview first
            try:
                with urllib.request.urlopen(base, timeout=5):
                    break
            except urllib.error.HTTPError:
                break  # it answers
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None:
                    pytest.fail(f"serve exited: {server.stdout.read() if server.stdout else ''}")
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0]
        assert "Traceback" not in output, output


def sign_written(text: str) -> str:
    """A hand-written stage line `  <stage>: {by: ID, at: TIME}` (not a proofreading round)
    signed as `congress review` would have: the article's digest, the signer's demo key."""
    a = parse_article(text.encode("utf-8"), "news/2026/x.md", "content/news/2026/x.md")
    assert a.meta is not None

    def signed(m: re.Match[str]) -> str:
        stage, by, at = m.group(2), m.group(3), m.group(4)
        made = statement(a.meta.uid, stage, by, aware(at), a.digest)  # type: ignore[union-attr]
        assert made is not None
        sig = sign_with_key(demo.private_key(by), made, APPROVAL)
        return f'{m.group(1)}{stage}: {{by: {by}, at: {at}, digest: {a.digest}, sig: "{sig}"}}'

    return re.sub(r"(?m)^(  )(\w+): \{by: ([\w-]+), at: (\S+)\}$", signed, text)
