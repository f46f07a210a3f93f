"""The draft upload to the WeChat Official Account (generator/channels/wechatapi.py) against
a local server written to WeChat's documented API (tests/wechatserver.py): what is sent,
what is retried, what is refused, and that the AppSecret and the tokens never show."""

from __future__ import annotations

import json
import logging
import re
import socket
from pathlib import Path

import pytest

from generator.channels import wechatapi
from generator.channels.wechaterror import WechatError
from generator.channels.wechatsettings import settings_from
from generator.core.findings import CODES, Severity
from tests.channels.wechatkit import (
    CROP_1,
    CROP_235,
    DRAFT,
    MATERIAL,
    TITLE,
    TOKEN,
    UPLOADIMG,
    Run,
    export,
)
from tests.wechatserver import APPID, SECRET, Reply, WechatServer


def test_a_draft_is_created_with_the_uploaded_images_the_crops_and_raw_utf8(
    tmp_path: Path, server: WechatServer
) -> None:
    folder = export(tmp_path, srcs=("images/01.jpg", "images/02.png", "images/01.jpg"))
    run = Run(tmp_path, server)
    media_id = run.push(folder)

    assert server.paths() == [TOKEN, UPLOADIMG, UPLOADIMG, MATERIAL, DRAFT]
    assert list(server.drafts) == [media_id]
    [article] = server.drafts[media_id]["articles"]
    uploaded = list(server.images)  # in upload order
    assert [server.images[u] for u in uploaded] == [
        (folder / "images" / name).read_bytes() for name in ("01.jpg", "02.png")
    ]
    assert re.findall(r'<img [^>]*src="([^"]+)"', article["content"]) == [
        uploaded[0],
        uploaded[1],
        uploaded[0],
    ]
    assert article["content"].startswith("<section style=") and "images/" not in article["content"]
    assert article["content"].endswith("</section>") and "😀" in article["content"]
    assert server.materials[article["thumb_media_id"]] == (folder / "cover.jpg").read_bytes()
    assert (article["pic_crop_235_1"], article["pic_crop_1_1"]) == (CROP_235, CROP_1)
    assert article["title"] == TITLE and article["author"] == "王敏 刘洋"
    assert article["content_source_url"].startswith("https://www.example.gov.cn/")
    assert (article["need_open_comment"], article["only_fans_can_comment"]) == (0, 0)

    sent = server.requests[-1]
    assert TITLE.encode("utf-8") in sent.body and b"\\u" not in sent.body
    assert sent.headers["content-type"].startswith("application/json")
    upload = server.requests[1]
    assert b'name="media"; filename="01.jpg"' in upload.body
    assert b"Content-Type: image/jpeg" in upload.body
    assert server.requests[0].body == json.dumps(
        {
            "grant_type": "client_credential",
            "appid": APPID,
            "secret": SECRET,
            "force_refresh": False,
        }
    ).encode("utf-8")
    assert "上传图片 1/2：images/01.jpg" in run.lines and "上传图片 2/2：images/02.png" in run.lines
    assert run.sleeps == []


def test_only_the_four_draft_calls_are_ever_made_never_a_publishing_one(
    tmp_path: Path, server: WechatServer
) -> None:
    Run(tmp_path, server).push(export(tmp_path))
    assert set(server.paths()) <= {TOKEN, UPLOADIMG, MATERIAL, DRAFT}
    source = "".join(
        p.read_text(encoding="utf-8")
        for p in Path(wechatapi.__file__).parent.glob("*.py")
        if p.name != "__init__.py"
    )
    assert set(re.findall(r'"(/cgi-bin/[^"]*)"', source)) == {TOKEN, UPLOADIMG, MATERIAL, DRAFT}


def test_an_expired_token_is_renewed_once_and_the_call_repeated(
    tmp_path: Path, server: WechatServer
) -> None:
    server.token_uses = 2
    run = Run(tmp_path, server)
    run.push(export(tmp_path))
    assert server.paths() == [TOKEN, UPLOADIMG, UPLOADIMG, MATERIAL, TOKEN, MATERIAL, DRAFT]
    first, second = server.tokens_issued()
    cached = json.loads((run.cache / f"wechat-token-{APPID}.json").read_text())
    assert cached["access_token"] == second != first
    assert any("42001" in line for line in run.lines)


def test_a_token_rejected_again_after_renewal_is_an_error(
    tmp_path: Path, server: WechatServer
) -> None:
    server.inject(UPLOADIMG, 40014, 42001)
    error = Run(tmp_path, server).fails(export(tmp_path), "WECHAT-TOKEN")
    assert server.paths() == [TOKEN, UPLOADIMG, TOKEN, UPLOADIMG]
    assert "42001" in error.finding.message


def test_the_minute_quota_and_a_busy_server_are_retried_with_backoff(
    tmp_path: Path, server: WechatServer
) -> None:
    server.inject(UPLOADIMG, 45011)
    server.inject(DRAFT, -1, Reply(502, b"<html>Bad Gateway</html>"))
    run = Run(tmp_path, server)
    run.push(export(tmp_path))
    assert server.paths() == [TOKEN, UPLOADIMG, UPLOADIMG, UPLOADIMG, MATERIAL, DRAFT, DRAFT, DRAFT]
    assert run.sleeps == [1.0, 1.0, 2.0]
    assert len(server.drafts) == 1
    assert any("45011" in line and "重试" in line for line in run.lines)


def test_the_minute_quota_gives_up_after_four_attempts(
    tmp_path: Path, server: WechatServer
) -> None:
    server.inject(UPLOADIMG, 45011, 45011, 45011, 45011)
    run = Run(tmp_path, server)
    error = run.fails(export(tmp_path), "WECHAT-RATE-LIMIT")
    assert server.paths().count(UPLOADIMG) == 4 and run.sleeps == [1.0, 2.0, 4.0]
    assert "调用过于频繁" in error.finding.message and "45011" in error.finding.message


def test_the_daily_quota_is_not_retried(tmp_path: Path, server: WechatServer) -> None:
    server.inject(UPLOADIMG, 45009)
    run = Run(tmp_path, server)
    error = run.fails(export(tmp_path), "WECHAT-QUOTA")
    assert server.paths() == [TOKEN, UPLOADIMG] and run.sleeps == []
    assert "今日的调用次数已用完" in error.finding.message


def test_a_server_that_cannot_be_reached_is_retried_then_a_network_error(
    tmp_path: Path, server: WechatServer
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    run = Run(tmp_path, server, WECHAT_API_BASE=f"http://127.0.0.1:{port}")
    error = run.fails(export(tmp_path), "WECHAT-NETWORK")
    assert run.sleeps == [1.0, 2.0, 4.0] and "无法连接" in error.finding.message


def test_a_draft_add_without_an_answer_is_not_sent_twice(
    tmp_path: Path, server: WechatServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wechatapi, "TIMEOUT", (10.0, 0.3))
    server.inject(DRAFT, Reply(body=b'{"media_id": "late"}', delay=1.0))
    error = Run(tmp_path, server).fails(export(tmp_path), "WECHAT-NETWORK")
    assert server.paths().count(DRAFT) == 1
    assert "等待响应超时" in error.finding.message and "草稿箱" in error.finding.hint


def test_a_wrong_secret_is_told_in_chinese_and_never_shown(
    tmp_path: Path, server: WechatServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.echo_secret = True  # the server repeats the secret it got in its errmsg
    wrong = "0123456789abcdef0123456789abcdef"
    run = Run(tmp_path, server, WECHAT_SECRET=wrong)
    error = run.fails(export(tmp_path), "WECHAT-SECRET")
    assert error.finding.severity is Severity.ERROR
    assert error.finding.message == "AppSecret 不正确（错误码 40125）"
    assert "WECHAT_SECRET" in error.finding.hint
    assert wrong in server.requests[0].body.decode()  # it was echoed...
    seen = [str(error), repr(error), error.finding.message, error.finding.hint, *run.lines]
    assert not any(wrong in text for text in [*seen, *capsys.readouterr()])  # ...never shown


def test_40001_from_the_token_call_means_a_wrong_secret(
    tmp_path: Path, server: WechatServer
) -> None:
    server.inject(TOKEN, 40001)
    Run(tmp_path, server).fails(export(tmp_path), "WECHAT-SECRET")
    assert server.paths() == [TOKEN]


def test_a_wrong_appid(tmp_path: Path, server: WechatServer) -> None:
    error = Run(tmp_path, server, WECHAT_APPID="wx0000000000000000").fails(
        export(tmp_path), "WECHAT-APPID"
    )
    assert "wx0000000000000000" in error.finding.message


def test_an_address_outside_the_ip_whitelist_is_named(tmp_path: Path, server: WechatServer) -> None:
    server.deny_ip = "203.0.113.9"
    error = Run(tmp_path, server).fails(export(tmp_path), "WECHAT-IP-WHITELIST")
    assert "203.0.113.9" in error.finding.message and "IP白名单" in error.finding.hint
    assert server.paths() == [TOKEN]


def test_other_errcodes_are_shown_with_a_sanitized_errmsg(
    tmp_path: Path, server: WechatServer
) -> None:
    hostile = {
        "errcode": 45166,
        "errmsg": "invalid content \x1b[31mred\x1b[0m token={access_token}",
    }
    server.inject(DRAFT, Reply(body=json.dumps(hostile).encode()))
    error = Run(tmp_path, server).fails(export(tmp_path), "WECHAT-API-ERROR")
    message = error.finding.message
    assert "45166" in message and "正文内容不合法" in message and "invalid content" in message
    assert "\x1b" not in message and "token=***" in message
    assert not any(token in message for token in server.tokens_issued())


def test_no_secret_or_token_in_any_line_message_or_log(
    tmp_path: Path,
    server: WechatServer,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    run = Run(tmp_path, server)
    run.push(export(tmp_path))
    server.inject(UPLOADIMG, Reply(302, headers={"Location": "https://x.test/?t={access_token}"}))
    error = run.fails(export(tmp_path / "again"), "WECHAT-RESPONSE")
    logged = caplog.text
    assert "POST /cgi-bin/media/uploadimg?access_token=***" in logged  # urllib3 logged the line
    out, err = capsys.readouterr()
    texts = [logged, out, err, str(error), repr(error), error.finding.hint, *run.lines]
    secrets = [SECRET, *server.tokens_issued()]
    assert len(secrets) == 2
    for secret in secrets:
        assert not any(secret in text for text in texts)
    assert "Settings(" in repr(settings_from(run.env)) and SECRET not in repr(
        settings_from(run.env)
    )


def test_a_redirect_is_not_followed(tmp_path: Path, server: WechatServer) -> None:
    with WechatServer() as elsewhere:
        location = elsewhere.base + "/cgi-bin/media/uploadimg?access_token={access_token}"
        server.inject(UPLOADIMG, Reply(302, headers={"Location": location}))
        error = Run(tmp_path, server).fails(export(tmp_path), "WECHAT-RESPONSE")
        assert elsewhere.requests == []
    assert "未跟随" in error.finding.message and server.paths() == [TOKEN, UPLOADIMG]


@pytest.mark.parametrize(
    "base",
    [
        "http://api.weixin.qq.com",
        "http://10.1.2.3:8080",
        "http://127.0.0.1.example.com",
        "http://[::2]:80",
        "ftp://127.0.0.1",
        "https://user:pw@api.weixin.qq.com",
        "https://api.weixin.qq.com?x=1",
        "https://api.weixin.qq.com:99999",
        "api.weixin.qq.com",
    ],
)
def test_an_api_base_the_secret_would_leave_in_clear_is_refused(
    tmp_path: Path, server: WechatServer, base: str
) -> None:
    error = Run(tmp_path, server, WECHAT_API_BASE=base).fails(export(tmp_path), "WECHAT-BASE-URL")
    assert "pw" not in error.finding.message
    assert server.requests == []


@pytest.mark.parametrize(
    "base", ["https://api.weixin.qq.com", "http://localhost:8080/", "http://[::1]:9", ""]
)
def test_https_and_loopback_http_bases_are_accepted(base: str) -> None:
    settings = settings_from(
        {"WECHAT_APPID": APPID, "WECHAT_SECRET": SECRET, "WECHAT_API_BASE": base}
    )
    assert not settings.base.endswith("/")


@pytest.mark.parametrize(
    ("env", "path"),
    [
        ({"WECHAT_APPID": APPID}, "WECHAT_SECRET"),
        ({"WECHAT_SECRET": SECRET}, "WECHAT_APPID"),
        ({"WECHAT_APPID": "../../etc/passwd", "WECHAT_SECRET": SECRET}, "WECHAT_APPID"),
        ({"WECHAT_APPID": APPID, "WECHAT_SECRET": "has space"}, "WECHAT_SECRET"),
    ],
)
def test_missing_or_malformed_credentials(
    tmp_path: Path, server: WechatServer, env: dict[str, str], path: str
) -> None:
    with pytest.raises(WechatError) as caught:
        wechatapi.push(export(tmp_path), env={**env, "WECHAT_API_BASE": server.base})
    assert caught.value.finding.code == "WECHAT-CREDENTIALS"
    assert caught.value.finding.path == path and server.requests == []


@pytest.mark.parametrize(
    ("reply", "why"),
    [
        pytest.param(Reply(body=b"{" + b" " * (2 << 20) + b"}"), "字节的上限", id="oversized"),
        pytest.param(
            Reply(body=b"{" + b" " * (2 << 20) + b"}", length=False), "字节的上限", id="streamed"
        ),
        pytest.param(Reply(body=b"<html><body>Welcome</body></html>"), "不是 JSON", id="html"),
        pytest.param(Reply(body=b"[1, 2]"), "不是 JSON 对象", id="not-an-object"),
        pytest.param(Reply(body=b"[" * 100_000), "不是 JSON", id="deep"),
        pytest.param(Reply(body=b'{"errcode": "oops"}'), "errcode", id="errcode-not-int"),
        pytest.param(Reply(body=b'{"url": "javascript:alert(1)"}'), "url", id="bad-url"),
        pytest.param(Reply(body=b'{"url": "http://a.test/x\\"><b>"}'), "url", id="quote-in-url"),
        pytest.param(Reply(body=b"\xff\xfe{}"), "不是 JSON", id="not-utf8"),
        pytest.param(Reply(404, b"Not Found"), "HTTP 404", id="404"),
    ],
)
def test_a_response_that_is_not_the_api_is_a_finding(
    tmp_path: Path, server: WechatServer, reply: Reply, why: str
) -> None:
    server.inject(UPLOADIMG, reply)
    error = Run(tmp_path, server).fails(export(tmp_path), "WECHAT-RESPONSE")
    prefix = "接口「上传正文图片」(/cgi-bin/media/uploadimg)的响应不可用："
    assert error.finding.message.startswith(prefix) and why in error.finding.message


def test_the_codes_are_errors_with_chinese_messages() -> None:
    from generator.channels import wechaterror, wechatsettings

    declared = [*vars(wechaterror).values(), *vars(wechatsettings).values()]
    ours = {k: v for k, v in CODES.items() if v in declared}
    assert len(ours) == 18
    for code in ours.values():
        assert code.severity is Severity.ERROR
        assert re.search(r"[\u4e00-\u9fff]", code.message) and code.hint


@pytest.mark.parametrize(
    ("errcode", "code", "said"),
    [
        (48001, "WECHAT-UNAUTHORIZED", "没有调用接口「新建草稿」"),
        (61004, "WECHAT-IP-WHITELIST", "IP 白名单"),
        (40007, "WECHAT-API-ERROR", "不合法的素材 media_id"),
        (99999, "WECHAT-API-ERROR", "错误码 99999"),
    ],
)
def test_each_errcode_has_its_finding(
    tmp_path: Path, server: WechatServer, errcode: int, code: str, said: str
) -> None:
    server.inject(DRAFT, errcode)
    error = Run(tmp_path, server).fails(export(tmp_path), code)
    assert said in error.finding.message and server.paths().count(DRAFT) == 1
