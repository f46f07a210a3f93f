"""What the public server sends for each file of the site: the HTTP headers a web archive
record carries, read from the server configuration itself (deploy/nginx.conf) rather than
restated here.

The configuration is parsed with crossplane, nginx's own configuration parser in Python. Of it,
the server block that has a `root` is used: its `location`s, chosen as nginx chooses them (an
exact match, else the longest prefix unless it is `^~`, else the first matching regular
expression, else that prefix), their `types { } default_type` and `expires`, `deny` and
`return`; the server's `add_header … always` (with `map $uri` variables), `charset` and
`charset_types`, `default_type`, and `gzip_vary` (the `Vary` nginx adds to what it could
compress). Types otherwise come from nginx's own mime.types, which the configuration
is used with (a copy beside this module). tests/browser/test_archive_served.py compares the
result with what a real nginx serving the sample site with deploy/nginx.conf sends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import crossplane

from generator.core.findings import Code, Severity

ARCHIVE_SERVER_CONFIG = Code(
    "ARCHIVE-SERVER-CONFIG",
    Severity.ERROR,
    "无法读取服务器配置 {file}：{problem}",
    "网页归档按服务器配置记录每个文件的响应头：检查 mkdocs.yml 的 server_config 和该文件。",
)

MIME_TYPES = Path(__file__).with_name("mime.types")
# The server block's default_type, else the http block's on Debian (nginx's own is text/plain).
DEFAULT_TYPE = "application/octet-stream"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "M": 2592000, "y": 31536000}


class ServerConfigError(Exception):
    """The server configuration cannot be read; `problem` says why, in Chinese."""

    def __init__(self, file: str, problem: str) -> None:
        super().__init__(problem)
        self.finding = ARCHIVE_SERVER_CONFIG.at(file, None, file=file, problem=problem)


@dataclass(frozen=True)
class Location:
    modifier: str  # "", "=", "^~", "~" or "~*"
    pattern: str
    block: tuple[dict[str, Any], ...]

    def regex(self) -> re.Pattern[str]:
        return _compiled(self.pattern, re.IGNORECASE if self.modifier == "~*" else 0)

    def directive(self, name: str) -> list[str] | None:
        hit = next((d for d in self.block if d["directive"] == name), None)
        return list(hit["args"]) if hit is not None else None


@dataclass(frozen=True)
class Server:
    """The headers nginx sends for a file of the site, as deploy/nginx.conf says."""

    locations: tuple[Location, ...]
    headers: tuple[tuple[str, str], ...]  # add_header name, value (may name a $variable)
    maps: dict[str, tuple[str, list[tuple[str, str]]]] = field(default_factory=dict)
    charset: str | None = None
    charset_types: frozenset[str] = frozenset({"text/html"})
    types: dict[str, str] = field(default_factory=dict)
    default_type: str = DEFAULT_TYPE
    gzip: Gzip | None = None  # set when nginx adds `Vary: Accept-Encoding` (gzip_vary)

    @classmethod
    def load(cls, conf: Path, mime_types: Path = MIME_TYPES) -> Server:
        main = _parse(conf)
        servers = [d for d in main if d["directive"] == "server"]
        block = next(
            (s["block"] for s in servers if any(d["directive"] == "root" for d in s["block"])),
            None,
        )
        if block is None:
            raise ServerConfigError(str(conf), "没有设置 root 的 server 块")
        maps = {}
        for d in main:
            if d["directive"] == "map" and len(d["args"]) == 2:
                entries = [(c["directive"], (c["args"] or [""])[0]) for c in d["block"]]
                maps[d["args"][1].lstrip("$")] = (d["args"][0], entries)
        headers = tuple(
            (d["args"][0], d["args"][1])
            for d in block
            if d["directive"] == "add_header" and len(d["args"]) >= 2
        )
        charset = next((d["args"][0] for d in block if d["directive"] == "charset"), None)
        charset_types = frozenset(
            {
                "text/html",
                *(a for d in block if d["directive"] == "charset_types" for a in d["args"]),
            }
        )
        default_type = next(
            (d["args"][0] for d in block if d["directive"] == "default_type" and d["args"]),
            DEFAULT_TYPE,
        )
        locations = tuple(
            Location(*_location_args(d["args"]), tuple(d["block"]))
            for d in block
            if d["directive"] == "location"
        )
        types: dict[str, str] = {}
        for d in _parse(mime_types):
            if d["directive"] == "types":
                for entry in d["block"]:
                    types.update((ext.lower(), entry["directive"]) for ext in entry["args"])
        try:
            for x in locations:
                if x.modifier in ("~", "~*"):
                    x.regex()
            for _, entries in maps.values():
                for key, _ in entries:
                    if key[:1] == "~":
                        _map_regex(key)
        except re.error as exc:
            raise ServerConfigError(str(conf), f"正则表达式无法解析：{exc}") from exc
        return cls(
            locations, headers, maps, charset, charset_types, types, default_type, _gzip(block)
        )

    def location(self, uri: str) -> Location | None:
        """The location nginx chooses for `uri` (a path, percent-decoded)."""
        exact = [x for x in self.locations if x.modifier == "=" and x.pattern == uri]
        if exact:
            return exact[0]
        prefixes = [
            x for x in self.locations if x.modifier in ("", "^~") and uri.startswith(x.pattern)
        ]
        best = max(prefixes, key=lambda x: len(x.pattern)) if prefixes else None
        if best is not None and best.modifier == "^~":
            return best
        for x in self.locations:
            if x.modifier in ("~", "~*") and x.regex().search(uri):
                return x
        return best

    def served(self, uri: str, size: int, when: datetime) -> list[tuple[str, str]] | None:
        """The response headers for the file at `uri` (its own path, as nginx maps a folder's
        address to its index.html), or None if nginx does not serve it (deny, return)."""
        here = self.location(uri)
        block = here.block if here is not None else ()
        if any(d["directive"] in ("deny", "return") for d in block):
            return None
        content_type = self._type(uri, here)
        if self.charset and content_type in self.charset_types:
            content_type += f"; charset={self.charset}"
        at = when.astimezone(UTC)
        headers = [
            ("Server", "nginx"),
            ("Date", _http_date(at)),
            ("Content-Type", content_type),
            ("Content-Length", str(size)),
            ("Last-Modified", _http_date(at)),
        ]
        if self.gzip is not None and self.gzip.varies(content_type, size):
            headers.append(("Vary", "Accept-Encoding"))
        expires = here.directive("expires") if here is not None else None
        if expires:
            headers += _expires(expires[0], at)
        for name, value in self.headers:
            headers.append((name, self._expand(value, uri)))
        return headers

    def _type(self, uri: str, here: Location | None) -> str:
        if here is not None:
            own = next((d for d in here.block if d["directive"] == "types"), None)
            default = here.directive("default_type")
            if own is not None and not own["block"] and default:
                return default[0]
        suffix = uri.rsplit("/", 1)[-1].rpartition(".")[2].lower() if "." in uri else ""
        return self.types.get(suffix, self.default_type)

    def _expand(self, value: str, uri: str) -> str:
        if "$" not in value:
            return value

        def one(m: re.Match[str]) -> str:
            source, entries = self.maps.get(m.group(1), ("", []))
            if source != "$uri":
                return m.group(0)
            default = ""
            for key, result in entries:
                if key == "default":
                    default = result
                elif key == uri or (key[:1] == "~" and _map_regex(key).search(uri)):
                    return result
            return default

        return re.sub(r"\$(\w+)", one, value)


@dataclass(frozen=True)
class Gzip:
    """The server's `gzip on; gzip_vary on;`: nginx then says `Vary: Accept-Encoding` on every
    response it could compress (a type of `gzip_types`, text/html always, and no shorter than
    `gzip_min_length`), whether or not this client asked for compression."""

    types: frozenset[str]
    min_length: int

    def varies(self, content_type: str, size: int) -> bool:
        kind = content_type.split(";", 1)[0].strip().lower()
        return size >= self.min_length and (kind in self.types or "*" in self.types)


def _gzip(block: list[dict[str, Any]]) -> Gzip | None:
    def last(name: str) -> list[str]:
        found = [d["args"] for d in block if d["directive"] == name]
        return list(found[-1]) if found else []

    if last("gzip") != ["on"] or last("gzip_vary") != ["on"]:
        return None
    types = {
        "text/html",
        *(a.lower() for d in block if d["directive"] == "gzip_types" for a in d["args"]),
    }
    length = last("gzip_min_length")
    return Gzip(frozenset(types), int(length[0]) if length and length[0].isdigit() else 20)


def _map_regex(key: str) -> re.Pattern[str]:
    """A `map` entry's regular expression: `~` case-sensitive, `~*` not."""
    if key.startswith("~*"):
        return _compiled(key[2:], re.IGNORECASE)
    return _compiled(key[1:], 0)


@lru_cache(maxsize=256)
def _compiled(pattern: str, flags: int) -> re.Pattern[str]:
    return re.compile(pattern, flags)


def _parse(conf: Path) -> list[dict[str, Any]]:
    if conf.is_symlink() or not conf.is_file():
        raise ServerConfigError(str(conf), "文件不存在或是链接")
    result = crossplane.parse(str(conf), single=True, check_ctx=False, comments=False)
    if result["status"] != "ok" or not result["config"]:
        errors = result["errors"] or [{"error": "无法解析"}]
        raise ServerConfigError(str(conf), str(errors[0].get("error") or "无法解析"))
    parsed: list[dict[str, Any]] = result["config"][0]["parsed"]
    return parsed


def _location_args(args: list[str]) -> tuple[str, str]:
    if len(args) == 2:
        return args[0], args[1]
    return "", args[0] if args else "/"


def _expires(value: str, at: datetime) -> list[tuple[str, str]]:
    if value == "epoch":
        return [("Expires", "Thu, 01 Jan 1970 00:00:01 GMT"), ("Cache-Control", "no-cache")]
    m = re.fullmatch(r"(\d+)([smhdwMy]?)", value)
    if m is None:
        return []
    seconds = int(m.group(1)) * _UNITS[m.group(2) or "s"]
    return [
        ("Expires", _http_date(at + timedelta(seconds=seconds))),
        ("Cache-Control", f"max-age={seconds}"),
    ]


@lru_cache(maxsize=64)
def _http_date(at: datetime) -> str:
    return format_datetime(at, usegmt=True)
