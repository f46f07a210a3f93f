"""A stand-in for the WeChat Official Account (公众号) API on 127.0.0.1, written to the
documented requests and responses of the four calls a draft needs, so that
generator/channels/wechatapi.py is tested against HTTP, multipart and JSON as WeChat takes
and gives them (no mocked client):

- getStableAccessToken, POST /cgi-bin/stable_token:
  https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/getStableAccessToken.html
  (now https://developers.weixin.qq.com/doc/service/api/base/api_getstableaccesstoken.html)
- uploadimg, POST /cgi-bin/media/uploadimg (multipart `media`, jpg/png under 1 MB) and
  add_material, POST /cgi-bin/material/add_material?type=image (multipart `media`, image up
  to 10 MB, bmp/png/jpeg/jpg/gif):
  https://developers.weixin.qq.com/doc/offiaccount/Asset_Management/Adding_Permanent_Assets.html
  (now .../doc/service/api/material/permanent/api_uploadimage.html and api_addmaterial.html)
- draft/add, POST /cgi-bin/draft/add (JSON `articles`; content under 20,000 characters and
  1 MB; thumb_media_id a permanent media_id; no \\uXXXX escapes, errcode 40033):
  https://developers.weixin.qq.com/doc/offiaccount/Draft_Box/Add_draft.html
  (now .../doc/service/api/draftbox/draftmanage/api_draft_add.html)
- the global return codes (errcode/errmsg, always with HTTP 200):
  https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html

Every request is recorded (`requests`: method, path, query, headers, body). Failures are
injected: `inject(path, 45011)` answers the next call to `path` with that errcode (or with any
`Reply`: a redirect, a 5xx, a huge or non-JSON body, a late one), `token_uses = N` makes
each token expire after N calls (42001), `deny_ip` answers 40164 to everything, `echo_secret`
makes the wrong-secret answer repeat the secret it got (as a hostile or careless server
would). Tests run it with `with WechatServer() as server:`.
"""

from __future__ import annotations

import json
import re
import secrets
import sys
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

APPID = "wx5d9c2f0a7e3b1c84"
SECRET = "3f2b9c0d8e7a6b5c4d3e2f1a0b9c8d7e"

ERRMSG = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40004: "invalid media type",
    40005: "invalid file type",
    40007: "invalid media_id",
    40009: "invalid image size",
    40013: "invalid appid",
    40033: "invalid charset. please check your request, if include \\uxxxx will create fail!",
    40035: "invalid args",
    40125: "invalid appsecret",
    41001: "access_token missing",
    41002: "appid missing",
    41004: "appsecret missing",
    41005: "media data missing",
    42001: "access_token expired",
    43002: "require POST method",
    44003: "empty news data",
    45002: "content size out of limit",
    45003: "title size out of limit",
    45004: "description size out of limit",
    45005: "url size out of limit",
    45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit mustslower retry next minute",
    47001: "data format error",
}
CROP = re.compile(r"\d(?:\.\d+)?_\d(?:\.\d+)?_\d(?:\.\d+)?_\d(?:\.\d+)?")
UNESCAPED_U = re.compile(rb"(?<!\\)(?:\\\\)*\\u[0-9A-Fa-f]{4}")
IMG_SRC = re.compile(r"<img\b[^>]*\bsrc=\"([^\"]*)\"")
MAGIC = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # names in lower case
    body: bytes


@dataclass(frozen=True)
class Reply:
    """An answer to inject: any status, body and headers; `length=False` sends no
    Content-Length and closes the connection after the body; `delay` seconds before it. In an
    injected body, `{access_token}` becomes the token the request carried (a server echoing it)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    length: bool = True
    delay: float = 0.0


def errcode(code: int, extra: str = "") -> Reply:
    rid = f" rid: {secrets.token_hex(4)}-{secrets.token_hex(4)}"
    message = ERRMSG.get(code, "unknown error") + extra + rid
    return Reply(body=json.dumps({"errcode": code, "errmsg": message}).encode())


def ok(payload: dict[str, Any]) -> Reply:
    return Reply(body=json.dumps(payload, ensure_ascii=False).encode("utf-8"))


def multipart(headers: dict[str, str], body: bytes) -> dict[str, tuple[str | None, str, bytes]]:
    """form-data parts: name -> (filename, content type, bytes); {} when not multipart."""
    kind = headers.get("content-type", "")
    found = re.match(r"multipart/form-data;\s*boundary=\"?([^\";]+)\"?", kind)
    if not found:
        return {}
    delimiter = b"--" + found.group(1).encode()
    parts: dict[str, tuple[str | None, str, bytes]] = {}
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        fields = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, colon, value = line.partition(":")
            if colon:
                fields[key.strip().lower()] = value.strip()
        disposition = fields.get("content-disposition", "")
        name = re.search(r'\bname="([^"]*)"', disposition)
        filename = re.search(r'\bfilename="([^"]*)"', disposition)
        if name:
            parts[name.group(1)] = (
                filename.group(1) if filename else None,
                fields.get("content-type", "application/octet-stream"),
                data.removesuffix(b"\r\n"),
            )
    return parts


class _Quiet(ThreadingHTTPServer):
    """A client that hangs up (the tests' refused responses) is no error; anything else is
    kept in `errors` rather than printed."""

    errors: list[BaseException]

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if error is not None and not isinstance(error, ConnectionError):
            self.errors.append(error)


class WechatServer:
    def __init__(self, appid: str = APPID, secret: str = SECRET, expires_in: int = 7200) -> None:
        self.appid, self.secret, self.expires_in = appid, secret, expires_in
        self.lock = threading.Lock()
        self.requests: list[Recorded] = []
        self.injected: dict[str, deque[Reply]] = defaultdict(deque)
        self.token_uses: int | None = None
        self.deny_ip: str | None = None
        self.echo_secret = False
        self.token: str | None = None  # the current one; stable_token gives it until it expires
        self.uses: dict[str, int] = {}
        self.expired: set[str] = set()
        self.images: dict[str, bytes] = {}  # uploadimg URL -> bytes
        self.materials: dict[str, bytes] = {}  # media_id -> bytes
        self.drafts: dict[str, dict[str, Any]] = {}
        self.errors: list[BaseException] = []  # the stand-in's own failures, for the tests
        self.httpd = _Quiet(("127.0.0.1", 0), self._handler())
        self.httpd.errors = self.errors
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> WechatServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def inject(self, path: str, *replies: Reply | int) -> None:
        with self.lock:
            for reply in replies:
                self.injected[path].append(errcode(reply) if isinstance(reply, int) else reply)

    def paths(self) -> list[str]:
        with self.lock:
            return [r.path for r in self.requests]

    def tokens_issued(self) -> list[str]:
        return list(self.uses)

    # Dispatch -------------------------------------------------------------------------------

    def answer(self, request: Recorded) -> Reply:
        with self.lock:
            self.requests.append(request)
            if self.injected[request.path]:
                reply = self.injected[request.path].popleft()
                token = (request.query.get("access_token") or [""])[0].encode()
                return replace(reply, body=reply.body.replace(b"{access_token}", token))
            if self.deny_ip is not None:
                ip = self.deny_ip
                return errcode(40164, f"invalid ip {ip} ipv6 ::ffff:{ip}, not in whitelist")
            if request.method != "POST":
                return errcode(43002)
            if request.path == "/cgi-bin/stable_token":
                return self.stable_token(request)
            handlers = {
                "/cgi-bin/media/uploadimg": self.uploadimg,
                "/cgi-bin/material/add_material": self.add_material,
                "/cgi-bin/draft/add": self.draft_add,
            }
            if request.path not in handlers:
                return Reply(404, b"<html><body>404 Not Found</body></html>")
            refused = self.check_token(request)
            return refused or handlers[request.path](request)

    def stable_token(self, request: Recorded) -> Reply:
        try:
            body = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return errcode(47001)
        if not isinstance(body, dict):
            return errcode(47001)
        if body.get("grant_type") != "client_credential":
            return errcode(40002)
        if not body.get("appid"):
            return errcode(41002)
        if not body.get("secret"):
            return errcode(41004)
        if body["appid"] != self.appid:
            return errcode(40013)
        if body["secret"] != self.secret:
            return errcode(40125, f" {body['secret']}" if self.echo_secret else "")
        if not isinstance(body.get("force_refresh", False), bool):
            return errcode(40035)
        if self.token is None or self.token in self.expired or body.get("force_refresh"):
            self.token = "96_" + secrets.token_urlsafe(96)
            self.uses[self.token] = 0
        return ok({"access_token": self.token, "expires_in": self.expires_in})

    def check_token(self, request: Recorded) -> Reply | None:
        token = (request.query.get("access_token") or [""])[0]
        if not token:
            return errcode(41001)
        if token not in self.uses:
            return errcode(40001)
        if token in self.expired:
            return errcode(42001)
        if self.token_uses is not None and self.uses[token] >= self.token_uses:
            self.expired.add(token)
            return errcode(42001)
        self.uses[token] += 1
        return None

    def media(self, request: Recorded, limit: int, kinds: set[str]) -> tuple[bytes, str] | Reply:
        parts = multipart(request.headers, request.body)
        if "media" not in parts or parts["media"][0] is None:
            return errcode(41005)
        _, kind, data = parts["media"]
        if kind not in kinds or not data.startswith(MAGIC.get(kind, b"?")):
            return errcode(40005)
        if len(data) >= limit:
            return errcode(40009)
        return data, kind

    def uploadimg(self, request: Recorded) -> Reply:
        got = self.media(request, 1 << 20, {"image/jpeg", "image/png"})
        if isinstance(got, Reply):
            return got
        data, kind = got
        url = f"http://mmbiz.qpic.cn/mmbiz_{kind[6:]}/{secrets.token_urlsafe(24)}/0"
        self.images[url] = data
        return ok({"url": url, "errcode": 0, "errmsg": "ok"})

    def add_material(self, request: Recorded) -> Reply:
        if request.query.get("type") != ["image"]:
            return errcode(40004)
        got = self.media(request, (10 << 20) + 1, {"image/jpeg", "image/png"})
        if isinstance(got, Reply):
            return got
        media_id = secrets.token_urlsafe(32)
        self.materials[media_id] = got[0]
        url = f"http://mmbiz.qpic.cn/mmbiz_jpg/{secrets.token_urlsafe(24)}/0?wx_fmt=jpeg"
        return ok({"media_id": media_id, "url": url})

    def draft_add(self, request: Recorded) -> Reply:
        if UNESCAPED_U.search(request.body):
            return errcode(40033)
        try:
            body = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return errcode(47001)
        articles = body.get("articles") if isinstance(body, dict) else None
        if not isinstance(articles, list) or not 1 <= len(articles) <= 8:
            return errcode(47001)
        for article in articles:
            refused = self.check_article(article)
            if refused:
                return refused
        media_id = secrets.token_urlsafe(32)
        self.drafts[media_id] = body
        return ok({"media_id": media_id})

    def check_article(self, article: Any) -> Reply | None:
        if not isinstance(article, dict):
            return errcode(47001)
        title, content = article.get("title"), article.get("content")
        if not isinstance(title, str) or not isinstance(content, str) or not content:
            return errcode(44003)
        if len(title) > 64:
            return errcode(45003)
        if len(article.get("digest", "")) > 120:
            return errcode(45004)
        if len(content) >= 20_000 or len(content.encode("utf-8")) >= 1 << 20:
            return errcode(45002)
        if len(article.get("content_source_url", "").encode("utf-8")) > 1024:
            return errcode(45005)
        if article.get("thumb_media_id") not in self.materials:
            return errcode(40007)
        for key in ("pic_crop_235_1", "pic_crop_1_1"):
            if key in article and not CROP.fullmatch(str(article[key])):
                return errcode(40035)
        for key in ("need_open_comment", "only_fans_can_comment"):
            if article.get(key, 0) not in (0, 1):
                return errcode(40035)
        return None

    # HTTP -----------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def handle_any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(min(length, 32 << 20))
                parts = urlsplit(self.path)
                request = Recorded(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                reply = server.answer(request)
                time.sleep(reply.delay)
                self.send_response(reply.status)
                headers = {"Content-Type": "application/json; encoding=utf-8", **reply.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                if reply.length:
                    self.send_header("Content-Length", str(len(reply.body)))
                else:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                try:
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            do_POST = do_GET = handle_any

        return Handler
