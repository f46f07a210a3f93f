"""The access token kept on disk between runs, so that two pushes in an hour ask WeChat for
one token (the stable token API is rate-limited, and each token is valid for two hours).

`$XDG_CACHE_HOME/congress-site/wechat-token-<appid>.json` (or `~/.cache/...`): the directory
is 0700 and the file 0600, both owned by the user; the file is written atomically (a new file
then a rename) and never through a symbolic link. A file that is not exactly what this module
writes (corrupt, someone else's, too open, for another API base) is ignored, and replaced
when a new token is fetched: it is a cache, never a source of truth.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import stat
from collections.abc import Callable, Mapping
from pathlib import Path

MARGIN = 300  # seconds: a token this close to its end is not used again
_LIMIT = 8192  # bytes: the file is a few hundred
_FLAGS = os.O_NOFOLLOW | os.O_CLOEXEC | getattr(os, "O_NONBLOCK", 0)


def default_cache_dir(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return root / "congress-site"


def _private_dir(path: Path) -> bool:
    """The directory exists (made 0700 if new), is a real directory of ours, closed to others."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            path.mkdir(mode=0o700)
        info = path.lstat()
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
        return False
    if info.st_mode & 0o077:
        try:
            os.chmod(path, 0o700, follow_symlinks=False)
        except OSError:
            return False
    return True


class TokenCache:
    """One appid's token for one API base. `directory=None` means no cache at all."""

    def __init__(
        self,
        directory: Path | None,
        *,
        appid: str,
        base: str,
        clock: Callable[[], float],
    ) -> None:
        self.directory = directory
        self.appid = appid
        self.base = base
        self.clock = clock

    @property
    def path(self) -> Path | None:
        if self.directory is None:
            return None
        return self.directory / f"wechat-token-{self.appid}.json"

    def load(self) -> str | None:
        """The cached token if it is still good for `MARGIN` seconds, else None."""
        path = self.path
        if path is None:
            return None
        try:
            fd = os.open(path, os.O_RDONLY | _FLAGS)
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if (
                not stat.S_ISREG(info.st_mode)
                or info.st_uid != os.geteuid()
                or info.st_mode & 0o077
                or info.st_size > _LIMIT
            ):
                return None
            raw = os.read(fd, _LIMIT + 1)
        except OSError:
            return None
        finally:
            os.close(fd)
        try:
            data = json.loads(raw.decode("utf-8"))
        except (ValueError, RecursionError):
            return None
        if not isinstance(data, dict):
            return None
        token, expires_at = data.get("access_token"), data.get("expires_at")
        if (
            data.get("appid") != self.appid
            or data.get("base") != self.base
            or not isinstance(token, str)
            or not plausible_token(token)
            or not isinstance(expires_at, int | float)
            or isinstance(expires_at, bool)
            or self.clock() >= expires_at - MARGIN
        ):
            return None
        return token

    def save(self, token: str, expires_in: int) -> bool:
        """Keep `token` until `expires_in` seconds from now; False when it could not be kept."""
        path = self.path
        if path is None or not _private_dir(path.parent):
            return False
        body = json.dumps(
            {
                "appid": self.appid,
                "base": self.base,
                "access_token": token,
                "expires_at": int(self.clock()) + expires_in,
            },
            sort_keys=True,
        ).encode("utf-8")
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _FLAGS, 0o600)
        except OSError:
            return False
        try:
            with os.fdopen(fd, "wb") as stream:
                stream.write(body)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(tmp, path)  # a rename replaces a link at `path`, never follows it
        except OSError:
            tmp.unlink(missing_ok=True)
            return False
        return True

    def discard(self) -> None:
        path = self.path
        if path is not None:
            with contextlib.suppress(OSError):
                path.unlink()


def plausible_token(token: str) -> bool:
    """What a token can be: printable ASCII without spaces, 1 to 2048 characters."""
    return 0 < len(token) <= 2048 and token.isascii() and token.isprintable() and " " not in token
