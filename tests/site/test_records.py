"""Publishing safety and records: atomic and reproducible builds, the publication manifest
and its diff, the periodic audit, and the publishing script CI runs."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from bench.corpus import write_corpus
from generator.build.verify import verify
from generator.core.clock import aware
from generator.core.config import load_site
from generator.core.staff import load_staff
from generator.derive.publication import prepare
from tests.sitekit import (
    NOW,
    ROOT,
    approve,
    article,
    congress,
    draft,
    make_site,
    office_env,
    resign_with_office_keys,
    snapshot,
)

pytestmark = pytest.mark.site


# --- atomic builds ---


def test_a_build_killed_midway_leaves_the_previous_site_untouched(tmp_path: Path) -> None:
    write_corpus(400, tmp_path)
    assert congress("build", "--now", NOW, cwd=tmp_path).returncode in (0, 1)
    before = snapshot(tmp_path / "site")
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "build", "--now", NOW],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(
        (p / "index.html").exists() for p in tmp_path.glob(".site.staging-*")
    ):
        time.sleep(0.02)  # wait until the new build has written pages into its staging folder
    assert process.poll() is None, "the build finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    time.sleep(0.5)
    assert snapshot(tmp_path / "site") == before
    assert list(tmp_path.glob(".site.staging-*"))  # the interrupted build's leftovers
    assert congress("build", "--now", NOW, cwd=tmp_path).returncode in (0, 1)
    leftovers = [*tmp_path.glob(".site.staging-*"), *tmp_path.glob(".site.old-*")]
    assert not leftovers, "the next build cleans up"
    assert snapshot(tmp_path / "site") == before


def test_the_built_site_is_checked_before_it_goes_live(tmp_path: Path) -> None:
    make_site(tmp_path, {"news/2026/a.md": article()})
    assert congress("build", "--now", NOW, cwd=tmp_path).returncode == 0
    site = load_site(tmp_path / "mkdocs.yml")
    pub = prepare(site, aware(NOW), staff=load_staff(site))
    assert verify(tmp_path / "site", pub) == []
    (tmp_path / "site/feeds/all.atom").write_text("<feed", encoding="utf-8")
    (tmp_path / "site/news/index.html").unlink()
    leaked = tmp_path / "site/news/2026/secret/index.html"
    leaked.parent.mkdir(parents=True)
    leaked.write_text("x", encoding="utf-8")
    make_site(tmp_path, {"news/2026/secret.md": draft(uid="2026-1120-bbbbbb")})
    pub = prepare(site, aware(NOW), staff=load_staff(site))
    problems = verify(tmp_path / "site", pub)
    assert any("news/index.html" in p for p in problems)
    assert any("all.atom" in p and "无法解析" in p for p in problems)
    assert any("未公开稿件出现在站点中" in p for p in problems)


def test_strict_build_keeps_the_old_site_when_any_article_has_an_error(tmp_path: Path) -> None:
    make_site(tmp_path, {"news/2026/a.md": article()})
    assert congress("build", "--now", NOW, cwd=tmp_path).returncode == 0
    before = snapshot(tmp_path / "site")
    (tmp_path / "content/news/2026/b.md").write_text(
        article(uid="2026-1120-bbbbbb", date="昨天"), encoding="utf-8"
    )
    strict = congress("build", "--strict", "--now", NOW, cwd=tmp_path)
    assert strict.returncode == 1 and "BUILD-VERIFY" in strict.stderr
    assert snapshot(tmp_path / "site") == before
    lenient = congress("build", "--now", NOW, cwd=tmp_path)
    assert lenient.returncode == 1  # reported, left out, the rest published
    assert (tmp_path / "site/news/2026/a/index.html").is_file()


# --- reproducible builds ---


def test_same_content_and_time_give_a_byte_identical_site(tmp_path: Path) -> None:
    for name in ("one", "two"):
        assert (
            congress("build", "--now", NOW, "--site-dir", str(tmp_path / name), cwd=ROOT).returncode
            == 0
        )
    one, two = snapshot(tmp_path / "one"), snapshot(tmp_path / "two")
    assert one == two
    assert any(name.startswith("pagefind/") for name in one) and "sitemap.xml" in one
    # SOURCE_DATE_EPOCH fixes build stamps only (never `now`: --now does): the same site.
    epoch = str(int(aware(NOW).timestamp()))
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch}
    three = str(tmp_path / "three")
    third = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--now", NOW, "--site-dir", three],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert third.returncode == 0, third.stderr
    assert snapshot(tmp_path / "three") == one


def test_sitemap_dates_are_each_pages_last_change(sample_site: Path) -> None:
    text = (sample_site / "sitemap.xml").read_text(encoding="utf-8")
    corrected = re.search(r"wuye-zhifa-jiancha-shidi-jiancha/</loc><lastmod>([^<]+)<", text)
    assert corrected and corrected.group(1) == "2026-09-23T09:00:00+08:00"  # the correction
    assert "xianfa-renda-zhidu-zhuti-zhan" not in text  # scheduled
    assert "minsheng-shishi-zhuanti-xunwen" not in text  # pending


# --- the publication manifest and its diff ---


def test_the_manifest_records_what_is_public_and_who_approved_it(tmp_path: Path) -> None:
    register = tmp_path / "manifest.json"
    assert (
        congress(
            "build",
            "--now",
            NOW,
            "--site-dir",
            str(tmp_path / "s"),
            "--manifest",
            str(register),
            cwd=ROOT,
        ).returncode
        == 0
    )
    data = json.loads(register.read_text(encoding="utf-8"))
    assert data["now"] == NOW and data["summary"]["published"] == len(data["published"]) == 39
    entry = next(a for a in data["published"] if a["uid"] == "2026-0922-ea7bb0")
    assert entry["url"] == "supervision/2026/wuye-zhifa-jiancha-shidi-jiancha/"
    assert entry["digest"].startswith("sha256:") and entry["corrections"] == 1
    assert entry["updated"] == "2026-09-23T09:00:00+08:00"
    stages = [s["stage"] for s in entry["signers"]]
    assert stages.count("proofread") == 3 and {"first", "second", "final", "secrecy"} <= set(stages)
    assert all(s["name"] and s["at"] for s in entry["signers"])
    pending = [o for o in data["not_public"] if o["state"] == "pending"]
    assert pending and all("title" not in o for o in pending)  # nothing unapproved, even here


def test_diff_of_two_states_says_what_changes(tmp_path: Path) -> None:
    correction = {"at": "2026-11-24T09:00:00+08:00", "note": "第二段数据有误，已更正。"}
    make_site(
        tmp_path,
        {
            "news/2026/stay.md": article(uid="2026-1120-000001", title="不变的稿件"),
            "news/2026/fix.md": article(uid="2026-1120-000002", title="将更正的稿件"),
            "news/2026/pull.md": article(uid="2026-1120-000003", title="将撤回的稿件"),
            "news/2026/old.md": article(
                uid="2026-1120-000004", title="将到期的稿件", expires_at="2026-12-01T00:00:00+08:00"
            ),
            "news/2026/due.md": article(
                uid="2026-1120-000005",
                title="定时发布的稿件",
                publish_at="2026-12-01T08:00:00+08:00",
            ),
            "news/2026/edit.md": article(uid="2026-1120-000006", title="终审后被改的稿件"),
            "news/2026/later.md": article(
                uid="2026-1120-000007",
                title="更晚的定时稿件",
                publish_at="2027-01-01T08:00:00+08:00",
            ),
        },
    )
    assert congress("build", "--now", NOW, "--manifest", "old.json", cwd=tmp_path).returncode == 0
    content = tmp_path / "content/news/2026"
    (content / "new.md").write_text(
        article(uid="2026-1120-000008", title="新写的稿件", date="2026-12-01T10:00:00+08:00"),
        encoding="utf-8",
    )
    (content / "fix.md").write_text(
        article(
            "正文第一段。\n\n## 小标题\n\n正文第二段（已更正）。\n",
            uid="2026-1120-000002",
            title="将更正的稿件",
            corrections=[correction],
        ),
        encoding="utf-8",
    )
    pulled = (content / "pull.md").read_text(encoding="utf-8")
    pulled = pulled.replace(
        "kind: news\n",
        "kind: news\nwithdrawn: {at: 2026-11-29T10:00:00+08:00, reason: 数据核实中}\n",
    )
    (content / "pull.md").write_text(pulled, encoding="utf-8")
    edited = (
        (content / "edit.md").read_text(encoding="utf-8").replace("正文第二段", "未经终审的改动")
    )
    (content / "edit.md").write_text(edited, encoding="utf-8")
    later = "2026-12-02T12:00:00+08:00"
    # Two of five live articles go, but the expiry was planned: only the edited one counts
    # (20 %, the most the guard lets through without --allow-removal).
    new = congress("build", "--now", later, "--manifest", "new.json", cwd=tmp_path)
    assert new.returncode == 1  # the edited one's error
    assert "[BUILD-MASS-REMOVAL]" not in new.stderr and "GATE-DIGEST" in new.stderr
    result = congress("diff", "old.json", "new.json", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    kinds = {c["uid"][-1]: c["kind"] for c in data["changes"]}
    assert kinds == {
        "2": "updated",
        "3": "withdrawn",
        "4": "expired",
        "5": "due",
        "6": "down",
        "8": "new",
    }
    assert [u["uid"] for u in data["upcoming"]] == ["2026-1120-000007"]
    text = congress("diff", "old.json", "new.json", cwd=tmp_path).stdout
    for heading in ("定时发布到期", "新发布", "更新（更正）", "撤回", "到期下线", "停止公开"):
        assert heading in text
    assert "将撤回的稿件" in text and "数据核实中" in text
    first = congress("diff", "missing.json", "old.json", cwd=tmp_path)
    assert first.returncode == 0 and "新发布（5 篇）" in first.stdout


# --- the periodic audit ---


def test_audit_reports_each_problem_once(tmp_path: Path) -> None:
    columns = [
        {"id": "news", "name": "要闻", "kind": "news"},
        {"id": "notices", "name": "通知公告", "kind": "notice"},
        {"id": "empty", "name": "空栏目", "kind": "news"},
        {"id": "slow", "name": "慢栏目", "kind": "news", "cadence_days": 7},
    ]
    consultation = {
        "deadline": "2026-10-01T17:00:00+08:00",
        "channels": {"email": "a@example.gov.cn"},
    }
    # A link to a missing article file is the gate's LINK-NOT-PUBLIC (the page is kept out);
    # a page URL that names no article is left to the audit of the built pages.
    body = "见[另一篇](../missing/)和[锚点](b.md#no-such-heading)。\n\n![](pic.svg)\n"
    make_site(
        tmp_path,
        {
            "news/2026/a.md": article(body, uid="2026-1120-000001", source=None),
            "news/2026/b.md": article(uid="2026-1120-000002"),
            "notices/2026/c.md": article(
                uid="2026-1120-000003",
                column="notices",
                kind="consultation",
                consultation=consultation,
            ),
            "slow/2026/d.md": article(
                uid="2026-1120-000004", column="slow", date="2026-11-01T10:00:00+08:00"
            ),
            "news/2026/e.md": approve(
                draft(uid="2026-1120-000005", date="2026-08-01T10:00:00+08:00"),
                skip=("final", "secrecy", "second"),
            ),
        },
        assets={"news/2026/pic.svg": b'<svg xmlns="http://www.w3.org/2000/svg"/>'},
        columns=columns,
    )
    result = congress("audit", "--json", "--now", NOW, cwd=tmp_path)
    data = json.loads(result.stdout)
    codes = sorted(f["code"] for f in data["findings"])
    assert codes == [
        "AUDIT-ALT",
        "AUDIT-ANCHOR",
        "AUDIT-COLUMN-BLANK",
        "AUDIT-COLUMN-STALE",
        "AUDIT-DRAFT-STALE",
        "AUDIT-FEEDBACK",
        "AUDIT-LINK",
        "AUDIT-NO-SOURCE",
    ], data["findings"]
    assert result.returncode == 0 and data["veto"] is False
    by_code = {f["code"]: f for f in data["findings"]}
    assert (
        by_code["AUDIT-LINK"]["path"] == "content/news/2026/a.md" and by_code["AUDIT-LINK"]["line"]
    )
    text = congress("audit", "--now", NOW, cwd=tmp_path).stdout
    assert "没有单项否决问题" in text


def test_audit_exits_1_on_the_inspections_veto_items(tmp_path: Path) -> None:
    columns = [{"id": f"c{i}", "name": f"栏目{i}", "kind": "news"} for i in range(6)]
    make_site(
        tmp_path,
        {
            "c0/2026/a.md": article(
                uid="2026-1020-000001", column="c0", date="2026-10-20T10:00:00+08:00"
            )
        },
        columns=columns,
    )
    result = congress("audit", "--json", "--now", NOW, cwd=tmp_path)
    assert result.returncode == 1
    codes = {f["code"] for f in json.loads(result.stdout)["findings"] if f["severity"] == "error"}
    assert codes == {"AUDIT-HOME-STALE", "AUDIT-COLUMNS-BLANK"}


# --- publishing by CI ---


def test_ci_workflows_publish_on_push_and_every_15_minutes() -> None:
    github = yaml.safe_load((ROOT / ".github/workflows/publish.yml").read_text(encoding="utf-8"))
    triggers = github[True] if True in github else github["on"]  # YAML 1.1 reads `on` as true
    assert triggers["push"]["branches"] == ["main"]
    assert triggers["schedule"] == [{"cron": "*/15 * * * *"}]
    steps = [s.get("run", "") for s in github["jobs"]["publish"]["steps"]]
    assert any("deploy/publish.sh" in run for run in steps)
    gitlab = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert gitlab["publish"]["script"] == ["deploy/publish.sh"]
    assert "schedule" in gitlab["workflow"]["rules"][0]["if"]
    # The web archive outlives every runner: kept between runs, and copied to its storage.
    cached = [
        s["with"]["path"]
        for s in github["jobs"]["publish"]["steps"]
        if "cache" in s.get("uses", "")
    ]
    assert cached.count("archive") == 2  # restored, then saved
    assert {"ARCHIVE_RSYNC_TARGET", "ARCHIVE_S3_URI"} <= set(github["jobs"]["publish"]["env"])
    assert any("archive/" in c["paths"] for c in gitlab["publish"]["cache"])


@pytest.mark.skipif(
    shutil.which("rsync") is None and os.environ.get("CI") != "true", reason="rsync not installed"
)
def test_publishing_script_builds_diffs_audits_and_deploys(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {
            "news/2026/a.md": article(),
            "notices/2026/b.md": article(uid="2026-1120-bbbbbb", column="notices"),
        },
        office=True,  # deployed: the office's own keys, its registrar the trust root
    )
    (tmp_path / "deploy").mkdir(exist_ok=True)
    shutil.copy(ROOT / "deploy/publish.sh", tmp_path / "deploy/publish.sh")
    target = tmp_path / "server"
    store = tmp_path / "archive-store"
    store.mkdir()  # made by the administrator with the storage: it is never created here
    env = {
        **os.environ,
        "CONGRESS": str(Path(sys.executable).parent / "congress"),
        "CONGRESS_NOW": NOW,
        "DEPLOY_RSYNC_TARGET": f"{target}/",
        "ARCHIVE_RSYNC_TARGET": f"{store}/",
        "CONGRESS_TRUST_ROOT": office_env()["CONGRESS_TRUST_ROOT"],
    }

    def publish() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "deploy/publish.sh"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    def publish_at(now: str) -> subprocess.CompletedProcess[str]:
        env["CONGRESS_NOW"] = now
        return publish()

    run = publish()
    assert run.returncode == 0, run.stdout + run.stderr
    assert (target / "news/2026/a/index.html").is_file() and (target / "feeds/all.rss").is_file()
    assert "新发布（2 篇）" in (tmp_path / "build/diff.txt").read_text(encoding="utf-8")
    assert (tmp_path / "build/previous-manifest.json").is_file()
    # The publication is archived after it went live, and its WARC file kept in the store.
    assert [p.name for p in store.glob("*/*.warc.gz")] == ["20261128040000.warc.gz"]
    # A fresh runner (no archive here) fetches the store's WARC files before it builds: the
    # next publication's unchanged pages are revisits of the first one's captures.
    shutil.rmtree(tmp_path / "archive")
    (tmp_path / "content/news/2026/c.md").write_text(
        article(uid="2026-1120-cccccc", title="第三篇"), encoding="utf-8"
    )
    resign_with_office_keys(tmp_path)
    later = publish_at("2026-11-28T13:00:00+08:00")
    assert later.returncode == 0, later.stdout + later.stderr
    assert len(list(store.glob("*/*.warc.gz"))) == 2
    assert len(list((tmp_path / "archive").glob("*/*.warc.gz"))) == 2
    assert "未变" in later.stdout and "新增" in later.stdout
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: x\n", encoding="utf-8"
    )  # a broken configuration
    broken = publish()
    assert broken.returncode != 0 and "未部署" in broken.stderr
    assert (target / "news/2026/a/index.html").is_file()  # the server keeps what it had
