"""The access token kept between runs (generator/channels/wechattoken.py): 0600 in a 0700
folder, reused by the next push, never read or written through a symbolic link, ignored when
it is not exactly what was written."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.channels import wechatapi
from tests.channels.wechatkit import TOKEN, Run, export
from tests.wechatserver import APPID, SECRET, WechatServer


def test_the_token_is_cached_0600_and_reused_by_a_second_push(
    tmp_path: Path, server: WechatServer
) -> None:
    run = Run(tmp_path, server)
    run.push(export(tmp_path / "one"))
    run.push(export(tmp_path / "two"))
    assert server.paths().count(TOKEN) == 1 and len(server.drafts) == 2
    path = run.cache / f"wechat-token-{APPID}.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(run.cache.stat().st_mode) == 0o700
    kept = json.loads(path.read_text())
    assert kept["access_token"] == server.tokens_issued()[0] and kept["base"] == server.base
    assert "使用缓存的接口调用凭据" in run.lines


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda p: p.write_text("{not json"), id="corrupt"),
        pytest.param(lambda p: p.write_text("[]"), id="not-an-object"),
        pytest.param(
            lambda p: p.write_text(json.dumps({**json.loads(p.read_text()), "expires_at": 1})),
            id="expired",
        ),
        pytest.param(
            lambda p: p.write_text(
                json.dumps({**json.loads(p.read_text()), "base": "https://api.weixin.qq.com"})
            ),
            id="another-base",
        ),
        pytest.param(lambda p: p.chmod(0o644), id="readable-by-others"),
    ],
)
def test_a_cache_file_that_is_not_right_is_ignored_and_replaced(
    tmp_path: Path, server: WechatServer, spoil: Callable[[Path], None]
) -> None:
    run = Run(tmp_path, server)
    run.push(export(tmp_path / "one"))
    path = run.cache / f"wechat-token-{APPID}.json"
    spoil(path)
    run.push(export(tmp_path / "two"))
    assert server.paths().count(TOKEN) == 2
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["access_token"] in server.tokens_issued()


def test_a_symlink_in_place_of_the_cache_file_is_not_followed(
    tmp_path: Path, server: WechatServer
) -> None:
    run = Run(tmp_path, server)
    run.cache.mkdir(parents=True, mode=0o700)
    target = tmp_path / "elsewhere.json"
    target.write_text("precious")
    (run.cache / f"wechat-token-{APPID}.json").symlink_to(target)
    run.push(export(tmp_path))
    assert target.read_text() == "precious"
    path = run.cache / f"wechat-token-{APPID}.json"
    assert not path.is_symlink() and stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_default_cache_is_under_xdg_cache_home(tmp_path: Path, server: WechatServer) -> None:
    env = {
        "WECHAT_APPID": APPID,
        "WECHAT_SECRET": SECRET,
        "WECHAT_API_BASE": server.base,
        "XDG_CACHE_HOME": str(tmp_path / "xdg"),
    }
    wechatapi.push(export(tmp_path), env=env)
    path = tmp_path / "xdg" / "congress-site" / f"wechat-token-{APPID}.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_cache_folder_that_is_a_symlink_is_not_written_to(
    tmp_path: Path, server: WechatServer
) -> None:
    run = Run(tmp_path, server)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    run.cache.parent.mkdir(parents=True)
    run.cache.symlink_to(elsewhere)
    run.push(export(tmp_path))
    assert list(elsewhere.iterdir()) == []
    assert any("未能缓存" in line for line in run.lines)
