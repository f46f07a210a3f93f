"""`congress wechat --push` end to end: the real command exports an approved article of the
sample and creates a draft on the local stand-in for the WeChat API (tests/wechatserver.py,
written to the documented requests and responses: the real API cannot be reached from here)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.sitekit import congress
from tests.wechatserver import APPID, SECRET, WechatServer

UID = "2026-1118-f69021"  # a table, a picture, a cover


def _env(server: WechatServer, tmp: Path) -> dict[str, str]:
    return {
        **os.environ,
        "WECHAT_API_BASE": server.base,
        "WECHAT_APPID": APPID,
        "WECHAT_SECRET": SECRET,
        "XDG_CACHE_HOME": str(tmp / "cache"),
    }


def test_push_creates_a_draft_and_records_it(
    server: WechatServer, sample_copy: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = congress(
        "wechat",
        UID,
        "--push",
        "--out",
        str(out),
        cwd=sample_copy,
        env=_env(server, tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "已在公众号草稿箱创建草稿" in result.stderr
    assert SECRET not in result.stdout + result.stderr
    for token in server.tokens_issued():
        assert token not in result.stdout + result.stderr
    (draft,) = server.drafts.values()
    article = draft["articles"][0]
    meta = json.loads((out / UID / "meta.json").read_text(encoding="utf-8"))
    assert article["title"] == meta["title"]
    assert article["content_source_url"] == meta["content_source_url"]
    assert article["pic_crop_235_1"] == meta["cover"]["crop_235_1"]
    assert 'src="images/' not in article["content"]  # every picture is WeChat's own now
    assert "mmbiz.qpic.cn" in article["content"]
    paths = server.paths()
    assert not [p for p in paths if "freepublish" in p or "mass" in p]  # never published
    ledger = (sample_copy / "editorial/exports.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in ledger]
    drafts = [r for r in records if r["channel"] == "wechat-draft" and r["uid"] == UID]
    assert drafts and drafts[-1]["media_id"] in server.drafts


def test_push_with_a_wrong_secret_says_so_and_makes_no_draft(
    server: WechatServer, sample_copy: Path, tmp_path: Path
) -> None:
    env = {**_env(server, tmp_path), "WECHAT_SECRET": "0" * 32}
    out = tmp_path / "out"
    result = congress("wechat", UID, "--push", "--out", str(out), cwd=sample_copy, env=env)
    assert result.returncode == 1
    assert "[WECHAT-SECRET]" in result.stderr and "0" * 32 not in result.stderr
    assert "Traceback" not in result.stderr
    assert not server.drafts


def test_push_without_credentials_is_refused_before_anything_is_exported(
    sample_copy: Path, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WECHAT_")}
    out = tmp_path / "out"
    result = congress("wechat", UID, "--push", "--out", str(out), cwd=sample_copy, env=env)
    assert result.returncode == 2 and "[WECHAT-CREDENTIALS]" in result.stderr
    assert not out.exists()
