"""Where the WeChat API is and who calls it: `WECHAT_API_BASE` (https, or http on this
machine's loopback only, for tests), `WECHAT_APPID` and `WECHAT_SECRET`, read from the
environment mapping the caller passes and checked before anything is sent."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from generator.channels.wechaterror import (
    WECHAT_BASE_URL,
    WECHAT_CREDENTIALS,
    Redactor,
    WechatError,
)
from generator.channels.wechattoken import plausible_token

DEFAULT_BASE = "https://api.weixin.qq.com"
_APPID = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class Settings:
    base: str
    appid: str
    secret: str

    def __repr__(self) -> str:  # never the secret, whoever prints this
        return f"Settings(base={self.base!r}, appid={self.appid!r})"


def settings_from(env: Mapping[str, str]) -> Settings:
    """The API base and the credentials, checked, from the environment mapping given."""
    base = env.get("WECHAT_API_BASE", "").strip() or DEFAULT_BASE
    check_base(base)
    appid, secret = env.get("WECHAT_APPID", "").strip(), env.get("WECHAT_SECRET", "").strip()
    missing = [name for name, v in (("WECHAT_APPID", appid), ("WECHAT_SECRET", secret)) if not v]
    if missing:
        why = "环境变量 " + "、".join(missing) + " 未设置"
        raise WechatError(WECHAT_CREDENTIALS.at(missing[0], why=why))
    if not _APPID.fullmatch(appid):
        why = "WECHAT_APPID 只能由字母、数字、下划线和连字符组成（如 wx 开头的 18 位开发者ID）"
        raise WechatError(WECHAT_CREDENTIALS.at("WECHAT_APPID", why=why))
    if not plausible_token(secret) or len(secret) > 128:
        why = "WECHAT_SECRET 应为不含空白的可打印 ASCII 字符（公众平台给出的 32 位 AppSecret）"
        raise WechatError(WECHAT_CREDENTIALS.at("WECHAT_SECRET", why=why))
    return Settings(base=base.rstrip("/"), appid=appid, secret=secret)


def check_base(base: str) -> None:
    """Refuses a base the secret could leave this machine in clear to (or that is no URL)."""

    def refuse(why: str) -> WechatError:
        shown = Redactor()(re.sub(r"//[^/@]*@", "//***@", base), 120)
        return WechatError(WECHAT_BASE_URL.at("WECHAT_API_BASE", base=shown, why=why))

    try:
        parts = urlsplit(base)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise refuse("不是有效的网址") from None
    if parts.username is not None or parts.password is not None:
        raise refuse("网址中不能含有用户名或密码")
    if parts.query or parts.fragment or not parts.hostname:
        raise refuse("应为 https://主机[:端口][/路径] 的形式")
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and loopback(parts.hostname):
        return
    raise refuse("http 地址不是本机回环地址，凭据会以明文传输")


def loopback(host: str) -> bool:
    """True for this machine's loopback (localhost, 127.0.0.1, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host) in (
            ipaddress.ip_address("127.0.0.1"),
            ipaddress.ip_address("::1"),
        )
    except ValueError:
        return False
