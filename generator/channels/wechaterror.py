"""What can go wrong when a draft is sent to the WeChat Official Account (公众号) API: one
exception type carrying one finding, the finding codes, what each errcode WeChat returns
becomes (`failure`), and the redaction every text coming from a server goes through before a
person sees it.

The AppSecret and the access token never appear in a message: a server's text (errmsg, a
redirect's Location) is cut, stripped of control characters and has every known secret
replaced by `***` (`Redactor`); our own messages never name them.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, quote_plus

from generator.core.findings import Code, Finding, Severity

E = Severity.ERROR
ATTEMPTS = 4  # of a call that fails in passing (busy, minute quota, 5xx, lost connection)
BUSY, RATE, QUOTA = -1, 45011, 45009
TOKEN_INVALID = {40001, 40014, 42001}
IP_NOT_ALLOWED = {40164, 61004}
_IP = re.compile(r"invalid ip ([0-9A-Fa-f:.]{2,45})")

WECHAT_CREDENTIALS = Code(
    "WECHAT-CREDENTIALS",
    E,
    "公众号开发者凭据不可用：{why}",
    "在公众平台「设置与开发 → 基本配置」查看 AppID、重置并保存 AppSecret，"
    "再设置环境变量 WECHAT_APPID 和 WECHAT_SECRET（不要写进仓库或命令行参数）。",
)
WECHAT_BASE_URL = Code(
    "WECHAT-BASE-URL",
    E,
    "不使用接口地址 WECHAT_API_BASE={base}：{why}",
    "只接受 https 地址；http 只允许本机回环地址（127.0.0.1、::1、localhost），"
    "否则 AppSecret 和调用凭据会以明文在网络上传输。不设置则使用 https://api.weixin.qq.com。",
)
WECHAT_IP_WHITELIST = Code(
    "WECHAT-IP-WHITELIST",
    E,
    "本机出口 IP {ip} 不在公众号的 IP 白名单中（错误码 {errcode}）",
    "请公众号管理员在公众平台「设置与开发 → 基本配置 → IP白名单」中加入该地址，再重试。",
)
WECHAT_SECRET = Code(
    "WECHAT-SECRET",
    E,
    "AppSecret 不正确（错误码 {errcode}）",
    "核对环境变量 WECHAT_SECRET 是否为该公众号当前的 AppSecret；重置过开发者密码后旧的即失效。",
)
WECHAT_APPID = Code(
    "WECHAT-APPID",
    E,
    "AppID {appid} 不正确（错误码 {errcode}）",
    "核对环境变量 WECHAT_APPID（公众平台「设置与开发 → 基本配置」中的开发者ID，区分大小写）。",
)
WECHAT_TOKEN = Code(
    "WECHAT-TOKEN",
    E,
    "接口调用凭据（access_token）不可用：{why}",
    "稍后重试；如反复出现，检查是否有其他程序在强制刷新同一公众号的调用凭据。",
)
WECHAT_QUOTA = Code(
    "WECHAT-QUOTA",
    E,
    "接口{api}今日的调用次数已用完（错误码 45009）",
    "请明天再试；确有急需，可由管理员在公众平台「设置与开发 → 接口权限」中"
    "清零调用次数（每月次数有限）。",
)
WECHAT_RATE_LIMIT = Code(
    "WECHAT-RATE-LIMIT",
    E,
    "接口{api}调用过于频繁（错误码 45011），尝试 {attempts} 次仍被限制",
    "等一两分钟再运行一次。",
)
WECHAT_BUSY = Code(
    "WECHAT-BUSY",
    E,
    "微信服务器繁忙或暂时不可用（{detail}），接口{api}尝试 {attempts} 次仍未成功",
    "稍后再运行一次。{check}",
)
WECHAT_UNAUTHORIZED = Code(
    "WECHAT-UNAUTHORIZED",
    E,
    "公众号没有调用接口{api}的权限（错误码 {errcode}）",
    "在公众平台「设置与开发 → 接口权限」中查看该公众号是否具备草稿箱和素材管理接口的权限。",
)
WECHAT_API_ERROR = Code(
    "WECHAT-API-ERROR",
    E,
    "接口{api}返回错误码 {errcode}（{meaning}）：{errmsg}",
    "对照微信公众平台「全局返回码说明」查找原因；修正后再运行一次。",
)
WECHAT_NETWORK = Code(
    "WECHAT-NETWORK",
    E,
    "连接微信接口{api}失败：{why}",
    "检查网络和代理设置后再运行一次。{check}",
)
WECHAT_RESPONSE = Code(
    "WECHAT-RESPONSE",
    E,
    "接口{api}的响应不可用：{why}",
    "这不是微信接口应有的响应；检查 WECHAT_API_BASE 和网络（代理、劫持）后再运行一次。",
)
WECHAT_PUSH_FOLDER = Code(
    "WECHAT-PUSH-FOLDER",
    E,
    "导出目录不可用：{why}",
    "先用 congress wechat 重新导出该文章，不要手工修改导出目录。",
)
WECHAT_PUSH_META = Code(
    "WECHAT-PUSH-META",
    E,
    "meta.json 不符合导出约定：{why}",
    "先用 congress wechat 重新导出该文章，不要手工修改 meta.json。",
)
WECHAT_PUSH_HTML = Code(
    "WECHAT-PUSH-HTML",
    E,
    "article.html 不符合导出约定：{why}",
    "先用 congress wechat 重新导出该文章，不要手工修改 article.html。",
)
WECHAT_PUSH_IMAGE = Code(
    "WECHAT-PUSH-IMAGE",
    E,
    "图片 {src} 不可用：{why}",
    "正文图片必须是导出目录 images/ 下的 jpg/png 文件（小于 1MB，不是符号链接）；"
    "先用 congress wechat 重新导出该文章。",
)
WECHAT_PUSH_NO_COVER = Code(
    "WECHAT-PUSH-NO-COVER",
    E,
    "文章没有封面图，无法创建公众号草稿（草稿接口要求封面素材）",
    "在文章的 front matter 中设置 cover（封面图和说明），重新审核、导出后再上传。",
)

# What the common error codes mean (WeChat's global return code page and each API's page),
# shown beside the server's own errmsg.
MEANINGS = {
    40004: "不合法的媒体文件类型",
    40005: "不合法的文件类型",
    40006: "不合法的文件大小",
    40007: "不合法的素材 media_id",
    40009: "不合法的图片大小",
    40033: "请求中含有 \\uxxxx 形式的转义字符",
    40035: "不合法的参数",
    40137: "不支持的图片格式",
    40243: "AppSecret 已被冻结",
    41001: "缺少 access_token 参数",
    41005: "缺少图片数据",
    44003: "图文内容为空",
    45001: "文件大小超过限制",
    45002: "正文超过长度限制",
    45003: "标题超过长度限制",
    45004: "摘要超过长度限制",
    45005: "链接超过长度限制",
    45166: "正文内容不合法",
    47001: "数据格式错误",
}


NAMES = {
    "/cgi-bin/stable_token": "获取调用凭据",
    "/cgi-bin/media/uploadimg": "上传正文图片",
    "/cgi-bin/material/add_material": "上传封面素材",
    "/cgi-bin/draft/add": "新建草稿",
}


def api_name(path: str) -> str:
    """How a person reads an API path: 「新建草稿」(/cgi-bin/draft/add)."""
    return f"「{NAMES.get(path, '')}」({path})" if path in NAMES else path


class WechatError(Exception):
    """The one exception the WeChat client raises: `finding` says what and why, in Chinese."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(f"{finding.code}: {finding.message}")
        self.finding = finding

    def __repr__(self) -> str:
        return f"WechatError({self.finding.code!r}, {self.finding.message!r})"


_SPACES = re.compile(r"\s+")


class Redactor:
    """Replaces every secret it knows (the AppSecret, each access token) in a text, with its
    URL-encoded forms, and makes a server's text safe to print: no control characters (a
    hostile errmsg could carry terminal escapes), one line, at most `limit` characters."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()

    def add(self, secret: str) -> None:
        if secret:
            self._secrets |= {secret, quote(secret, safe=""), quote_plus(secret)}

    def __call__(self, text: str, limit: int = 200) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        text = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text[: limit * 4])
        text = _SPACES.sub(" ", text).strip()
        return text if len(text) <= limit else text[: limit - 1] + "…"


class RedactingFilter(logging.Filter):
    """urllib3 logs each request line, query string (and so the token) included."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self.redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except (TypeError, ValueError):
            text = str(record.msg)
        record.msg, record.args = self.redact(text, 2000), None
        return True


def errcode_of(data: Mapping[str, Any]) -> int | None:
    """The errcode (0 when absent), None when it is not an integer."""
    code = data.get("errcode", 0)
    if isinstance(code, bool):
        return None
    if isinstance(code, int):
        return code
    if isinstance(code, str) and re.fullmatch(r"-?\d{1,9}", code):
        return int(code)
    return None


def failure(path: str, code: int, errmsg: str, *, appid: str, token_call: bool) -> Finding:
    """The finding for a WeChat errcode (`errmsg` already redacted)."""
    if code in IP_NOT_ALLOWED:
        found = _IP.search(errmsg)
        return WECHAT_IP_WHITELIST.at(
            path, ip=found.group(1) if found else "（未知）", errcode=code
        )
    if code == 40125 or (token_call and code == 40001):
        return WECHAT_SECRET.at(path, errcode=code)
    if code == 40013:
        return WECHAT_APPID.at(path, appid=appid, errcode=code)
    if code == QUOTA:
        return WECHAT_QUOTA.at(path, api=api_name(path))
    if code == RATE:
        return WECHAT_RATE_LIMIT.at(path, api=api_name(path), attempts=ATTEMPTS)
    if code == BUSY:
        return WECHAT_BUSY.at(
            path, api=api_name(path), detail="系统繁忙，错误码 -1", attempts=ATTEMPTS, check=""
        )
    if code in (48001, 50001):
        return WECHAT_UNAUTHORIZED.at(path, api=api_name(path), errcode=code)
    if code in TOKEN_INVALID:
        why = f"重新获取后仍被拒绝（错误码 {code}）"
        return WECHAT_TOKEN.at(path, why=why)
    meaning = MEANINGS.get(code, "见全局返回码说明")
    return WECHAT_API_ERROR.at(
        path, api=api_name(path), errcode=code, meaning=meaning, errmsg=errmsg or "（无说明）"
    )
