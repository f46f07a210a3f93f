"""The WeChat Official Account (公众号) API, as much of it as a draft needs: a stable access
token, inline images (uploadimg), the cover as a permanent image (add_material) and the
draft itself (draft/add). Nothing here publishes: no freepublish, no mass send; a person
publishes the draft in WeChat.

`push(folder, env=...)` reads one export folder (generator/channels/draft.py), uploads its
images in order, rewrites their src to WeChat's URLs, uploads the cover and creates the draft
in the account's 草稿箱; it returns the draft's media_id or raises `WechatError`.

Every exchange: no redirect followed (the token is in the query string), connect/read
timeouts of 10 s / 60 s, a response body read to at most 1 MB, its JSON parsed defensively;
errcode -1 and 45011, HTTP 5xx and connection failures retried with exponential backoff up
to 4 attempts; a token WeChat calls invalid or expired replaced once. The AppSecret and the
tokens are redacted from every text a server sends back, and from urllib3's debug log.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import requests.utils
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from generator.channels.draft import Image, read_draft
from generator.channels.wechaterror import (
    ATTEMPTS,
    BUSY,
    RATE,
    TOKEN_INVALID,
    WECHAT_BUSY,
    WECHAT_NETWORK,
    WECHAT_RESPONSE,
    WECHAT_TOKEN,
    RedactingFilter,
    Redactor,
    WechatError,
    api_name,
    errcode_of,
    failure,
)
from generator.channels.wechatsettings import Settings, loopback, settings_from
from generator.channels.wechattoken import TokenCache, default_cache_dir, plausible_token
from generator.core.findings import Finding

TIMEOUT = (10.0, 60.0)  # connect, read (seconds)
BODY_MAX = 1 << 20  # a response larger than this is refused
BODY_SECONDS = 120.0  # and one that takes longer than this to arrive
BACKOFF = 1.0  # seconds before the 2nd attempt; doubled before each next one

STABLE_TOKEN = "/cgi-bin/stable_token"
UPLOADIMG = "/cgi-bin/media/uploadimg"
ADD_MATERIAL = "/cgi-bin/material/add_material"
DRAFT_ADD = "/cgi-bin/draft/add"

_URL = re.compile(r"https?://[!#-;=?-~]{1,1016}")  # printable ASCII, no space, quote, < or >
_MEDIA_ID = re.compile(r"[!-~]{1,512}")
_LOGGERS = ("urllib3.connectionpool", "urllib3.connection", "urllib3.util.retry")


class Client:
    """One session with the API. `sleep` is called between attempts (tests pass a fake),
    `say` gets Chinese progress lines, `clock` gives the time the token cache compares to."""

    def __init__(
        self,
        settings: Settings,
        *,
        cache_dir: Path | None,
        sleep: Callable[[float], None] = time.sleep,
        say: Callable[[str], None] = lambda s: None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.sleep, self.say = sleep, say
        self.redact = Redactor()
        self.redact.add(settings.secret)
        self.cache = TokenCache(cache_dir, appid=settings.appid, base=settings.base, clock=clock)
        self._token: str | None = None
        self.session = requests.Session()
        # No ~/.netrc credentials, no environment surprises: proxies only for a remote base.
        self.session.trust_env = False
        self.session.verify = (
            os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        )
        host = urlsplit(settings.base).hostname or ""
        if not loopback(host):
            self.session.proxies = requests.utils.get_environ_proxies(settings.base)

    @contextmanager
    def open(self) -> Iterator[Client]:
        guard = RedactingFilter(self.redact)
        for name in _LOGGERS:
            logging.getLogger(name).addFilter(guard)
        try:
            yield self
        finally:
            for name in _LOGGERS:
                logging.getLogger(name).removeFilter(guard)
            self.session.close()

    # The API -------------------------------------------------------------------------------

    def upload_image(self, image: Image) -> str:
        """uploadimg: an image inside the article; its URL on WeChat's servers."""
        data = self._call(UPLOADIMG, files=_media(image))
        return self._field(UPLOADIMG, data, "url", _URL)

    def add_image_material(self, image: Image) -> str:
        """add_material type=image: a permanent image (the cover); its media_id."""
        data = self._call(ADD_MATERIAL, params={"type": "image"}, files=_media(image))
        return self._field(ADD_MATERIAL, data, "media_id", _MEDIA_ID)

    def add_draft(self, article: Mapping[str, Any]) -> str:
        """draft/add with one article; the draft's media_id. Raw UTF-8, never \\uXXXX."""
        body = json.dumps({"articles": [article]}, ensure_ascii=False).encode("utf-8")
        data = self._call(DRAFT_ADD, body=body, idempotent=False)
        return self._field(DRAFT_ADD, data, "media_id", _MEDIA_ID)

    # Tokens --------------------------------------------------------------------------------

    def token(self, *, renew: bool = False) -> str:
        if renew:
            self._token = None
            self.cache.discard()
        elif self._token is None and (cached := self.cache.load()) is not None:
            self.redact.add(cached)
            self.say("使用缓存的接口调用凭据")
            self._token = cached
        if self._token is not None:
            return self._token
        self.say("获取接口调用凭据")
        body = {
            "grant_type": "client_credential",
            "appid": self.settings.appid,
            "secret": self.settings.secret,
            "force_refresh": False,
        }
        data = self._send(STABLE_TOKEN, body=json.dumps(body).encode("utf-8"))
        code = errcode_of(data)
        if code is None:
            raise self._malformed(STABLE_TOKEN, "errcode 不是整数")
        if code:
            raise WechatError(self._failure(STABLE_TOKEN, code, data, token_call=True))
        token, expires_in = data.get("access_token"), data.get("expires_in")
        if isinstance(token, str):
            self.redact.add(token)
        if not isinstance(token, str) or not plausible_token(token):
            raise WechatError(WECHAT_TOKEN.at(STABLE_TOKEN, why="响应中没有有效的 access_token"))
        if isinstance(expires_in, bool) or not isinstance(expires_in, int) or expires_in <= 0:
            raise WechatError(WECHAT_TOKEN.at(STABLE_TOKEN, why="响应中没有有效的 expires_in"))
        if not self.cache.save(token, min(expires_in, 7200)):
            self.say("调用凭据未能缓存（缓存目录不可用），下次运行将重新获取")
        self._token = token
        return token

    # Exchanges -----------------------------------------------------------------------------

    def _call(
        self,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: bytes | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        idempotent: bool = True,
    ) -> dict[str, Any]:
        """One API call with the token; a token WeChat rejects is renewed once."""
        for renewed in (False, True):
            query = {"access_token": self.token(renew=renewed), **(params or {})}
            data = self._send(path, query=query, body=body, files=files, idempotent=idempotent)
            code = errcode_of(data)
            if code is None:
                raise self._malformed(path, "errcode 不是整数")
            if code in TOKEN_INVALID and not renewed:
                self.say(f"调用凭据已失效（错误码 {code}），重新获取后重试")
                continue
            if code:
                raise WechatError(self._failure(path, code, data, token_call=False))
            return data
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(
        self,
        path: str,
        *,
        query: Mapping[str, str] | None = None,
        body: bytes | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        idempotent: bool = True,
    ) -> dict[str, Any]:
        """POST with retries on what passes (busy, minute quota, 5xx, a lost connection)."""
        for attempt in range(1, ATTEMPTS + 1):
            last = attempt == ATTEMPTS
            try:
                data = self._exchange(path, query, body, files, idempotent)
            except _Transient as passing:
                if last:
                    raise WechatError(passing.finding(path, attempt)) from None
                detail = passing.detail
            else:
                code = errcode_of(data)
                if code not in (BUSY, RATE) or last:
                    return data
                detail = "调用过于频繁，错误码 45011" if code == RATE else "系统繁忙，错误码 -1"
            delay = BACKOFF * 2 ** (attempt - 1)
            again = f"第 {attempt + 1}/{ATTEMPTS} 次"
            self.say(f"微信接口暂时不可用（{detail}），{delay:g} 秒后重试（{again}）")
            self.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _exchange(
        self,
        path: str,
        query: Mapping[str, str] | None,
        body: bytes | None,
        files: Mapping[str, tuple[str, bytes, str]] | None,
        idempotent: bool,
    ) -> dict[str, Any]:
        headers = {"Accept-Encoding": "identity", "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        check = "" if idempotent else "请先在公众平台草稿箱中确认草稿是否已经建好，以免重复。"
        try:
            response = self.session.post(
                self.settings.base + path,
                params=query,
                data=body,
                files=files,
                headers=headers,
                timeout=TIMEOUT,
                allow_redirects=False,
                stream=True,
            )
        except requests.exceptions.SSLError:
            raise WechatError(
                WECHAT_NETWORK.at(path, api=api_name(path), why="TLS 证书校验失败", check="")
            ) from None
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as error:
            why = _failed_how(error)
            if idempotent or _never_sent(error):
                raise _Transient(why, check) from None
            # the request may have been carried out: creating a second draft is worse than asking
            raise WechatError(
                WECHAT_NETWORK.at(path, api=api_name(path), why=why, check=check)
            ) from None
        except (requests.exceptions.RequestException, OSError, ValueError):
            raise WechatError(
                WECHAT_NETWORK.at(path, api=api_name(path), why="请求无法发送", check="")
            ) from None
        with response:
            status = response.status_code
            if 300 <= status < 400:
                where = self.redact(response.headers.get("Location", ""), 120)
                why = f"服务器要求跳转（HTTP {status}，{where or '无地址'}），为保护凭据未跟随"
                raise self._malformed(path, why)
            if status >= 500:
                raise _Transient(f"HTTP {status}", check)
            if status != 200:
                raise self._malformed(path, f"HTTP {status}")
            raw = self._body(path, response, check, idempotent)
        try:
            data = json.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise self._malformed(path, "不是 JSON") from None
        if not isinstance(data, dict):
            raise self._malformed(path, "不是 JSON 对象")
        return data

    def _body(self, path: str, response: requests.Response, check: str, idempotent: bool) -> bytes:
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > BODY_MAX:
            raise self._malformed(path, f"响应有 {length} 字节，超过 {BODY_MAX} 字节的上限")
        chunks, size, start = [], 0, time.monotonic()
        try:
            for chunk in response.iter_content(chunk_size=65536):
                size += len(chunk)
                if size > BODY_MAX:
                    raise self._malformed(path, f"响应超过 {BODY_MAX} 字节的上限")
                if time.monotonic() - start > BODY_SECONDS:
                    raise self._malformed(path, f"响应在 {BODY_SECONDS:g} 秒内没有传完")
                chunks.append(chunk)
        except (requests.exceptions.RequestException, OSError):
            if idempotent:
                raise _Transient("响应传输中断", check) from None
            why = "响应传输中断"  # the server had the request: no second draft
            raise WechatError(
                WECHAT_NETWORK.at(path, api=api_name(path), why=why, check=check)
            ) from None
        return b"".join(chunks)

    # Findings ------------------------------------------------------------------------------

    def _malformed(self, path: str, why: str) -> WechatError:
        return WechatError(WECHAT_RESPONSE.at(path, api=api_name(path), why=why))

    def _field(self, path: str, data: Mapping[str, Any], key: str, shape: re.Pattern[str]) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not shape.fullmatch(value):
            raise self._malformed(path, f"响应中没有有效的 {key}")
        return value

    def _failure(
        self, path: str, code: int, data: Mapping[str, Any], *, token_call: bool
    ) -> Finding:
        errmsg = data.get("errmsg")
        shown = self.redact(errmsg) if isinstance(errmsg, str) else ""
        return failure(path, code, shown, appid=self.settings.appid, token_call=token_call)


class _Transient(Exception):
    """A failure worth another attempt; `finding` when there is none left."""

    def __init__(self, detail: str, check: str) -> None:
        super().__init__(detail)
        self.detail, self.check = detail, check

    def finding(self, path: str, attempts: int) -> Finding:
        if self.detail.startswith("HTTP"):
            return WECHAT_BUSY.at(
                path, api=api_name(path), detail=self.detail, attempts=attempts, check=self.check
            )
        return WECHAT_NETWORK.at(path, api=api_name(path), why=self.detail, check=self.check)


def _never_sent(error: Exception) -> bool:
    """True when the connection was never made (refused, unresolved, timed out connecting)."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


def _failed_how(error: Exception) -> str:
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return "连接超时"
    if isinstance(error, requests.exceptions.Timeout):
        return "等待响应超时"
    return "无法连接" if _never_sent(error) else "连接中断"


def _media(image: Image) -> dict[str, tuple[str, bytes, str]]:
    return {"media": (image.name, image.data, image.content_type)}


def push(
    folder: Path,
    *,
    env: Mapping[str, str],
    cache_dir: Path | None = None,
    sleep: Callable[[float], None] = time.sleep,
    say: Callable[[str], None] = lambda s: None,
) -> str:
    """Create a draft in the account's 草稿箱 from one export folder; its media_id.

    Never publishes. `env` gives WECHAT_APPID, WECHAT_SECRET (and WECHAT_API_BASE,
    XDG_CACHE_HOME); `cache_dir` overrides where the token is kept."""
    settings = settings_from(env)
    say(f"检查导出目录 {folder}")
    draft = read_draft(folder)
    client = Client(settings, cache_dir=cache_dir or default_cache_dir(env), sleep=sleep, say=say)
    with client.open():
        client.token()  # a credential problem shows before the first upload line
        urls: dict[str, str] = {}
        for number, image in enumerate(draft.images, 1):
            say(f"上传图片 {number}/{len(draft.images)}：{image.src}")
            urls[image.src] = client.upload_image(image)
        content = draft.content(urls)
        say("上传封面图")
        thumb = client.add_image_material(draft.cover)
        say("在草稿箱中创建草稿")
        media_id = client.add_draft(draft.article(content, thumb))
    say(f"草稿已创建（media_id {media_id}）：请在公众平台「内容与互动 → 草稿箱」中预览，由专人发表")
    return media_id
