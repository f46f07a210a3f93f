"""Debian's Chromium, driven by Playwright, as a sandboxed renderer of one local page.

What a channel's picture (long image, poster) needs from a browser and nothing more: a page
written to a private temporary folder, laid out at a fixed CSS width and a device scale factor,
with no network at all (every request is routed: only data: URLs, the page itself and regular
files inside one folder are let through, everything else is aborted), no page JavaScript,
bounded waits, a fresh profile, and the browser closed whatever happens.

The errors are plain exceptions (`NoChromium`, `NoPlaywright`, `RenderFailed`): the channel
that calls turns them into its own findings.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

# The same switches as tests/browser/conftest.py: nothing of Chromium's own phones home.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

LAUNCH_TIMEOUT_MS = 30_000
LOAD_TIMEOUT_MS = 30_000
SHOT_TIMEOUT_MS = 90_000
POLL_MS = 25

# Started once the page is loaded (the page's own JavaScript is off, but promises made by an
# evaluation still settle): fonts ready and every image decoded (a broken one counts as done).
_START_WAIT = """() => {
  window.__congressReady = false;
  const images = [...document.images].map((i) => i.decode().catch(() => null));
  Promise.all([document.fonts.ready, ...images]).then(() => { window.__congressReady = true; });
}"""
_HEIGHT = "() => Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)"
_READY = "() => window.__congressReady === true && document.fonts.status === 'loaded'"


class NoChromium(Exception):
    """No Chromium executable where it was looked for."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


class NoPlaywright(Exception):
    """The Python package `playwright` is not installed."""


class RenderFailed(Exception):
    """Chromium did not start, failed or timed out."""


def executable() -> str:
    """Chromium's path: $CONGRESS_CHROMIUM (taken as given), else `chromium` or
    `chromium-browser` on PATH. NoChromium when there is no such executable file."""
    chosen = os.environ.get("CONGRESS_CHROMIUM", "").strip()
    if not chosen:
        chosen = shutil.which("chromium") or shutil.which("chromium-browser") or "chromium"
    path = Path(chosen)
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise NoChromium(chosen)
    return str(path)


@dataclass
class Shot:
    """What the page measured (the `measure` script's result) and its full-page PNG."""

    measured: Any
    png: bytes
    blocked: list[str] = field(default_factory=list)  # requests aborted, in order


def inside(url: str, folder: Path) -> bool:
    """Whether a file: URL names a regular file inside `folder` (symlinks resolved)."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return False
    try:
        target = Path(unquote(parts.path)).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return False
    return target.is_relative_to(folder) and target.is_file()


def capture(
    document: str,
    folder: Path,
    *,
    css_width: int,
    scale: float,
    measure: str,
    arg: Any = None,
    check: Callable[[Any], None] = lambda measured: None,
) -> Shot:
    """Lay out `document` (complete HTML, its relative URLs resolved against `folder` by a
    <base> the caller wrote) `css_width` CSS px wide at device scale factor `scale`, wait for
    fonts and images, run `measure` (a JS function of `arg`), let `check` refuse the measurement
    (its exception goes through, the browser closed), then screenshot the full page."""
    exe = executable()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        raise NoPlaywright(str(exc)) from exc
    root = folder.resolve()

    def run() -> Shot:
        with tempfile.TemporaryDirectory(prefix="congress-chromium-") as work:
            return _capture(
                exe,
                document,
                root,
                Path(work),
                css_width=css_width,
                scale=scale,
                measure=measure,
                arg=arg,
                check=check,
            )

    try:
        return _own_thread(run)
    except OSError as exc:  # the temporary folder: a full or read-only /tmp
        raise RenderFailed(f"无法使用临时目录：{exc.strerror or exc}") from exc


def _own_thread(run: Callable[[], Shot]) -> Shot:
    """`run()` in a thread of its own: Playwright's synchronous API refuses to start in a thread
    where an event loop runs (a notebook, a caller's own browser session), and a thread of its
    own never has one. Its result, or its exception, is handed back as if called here."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["shot"] = run()
        except BaseException as exc:  # handed to the caller, whatever it is
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="congress-chromium", daemon=True)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    shot: Shot = outcome["shot"]
    return shot


def _capture(
    exe: str,
    document: str,
    root: Path,
    work: Path,
    *,
    css_width: int,
    scale: float,
    measure: str,
    arg: Any,
    check: Callable[[Any], None],
) -> Shot:
    from playwright.sync_api import Error, sync_playwright

    page_file = work / "page.html"
    page_file.write_text(document, encoding="utf-8")
    page_url = page_file.as_uri()
    blocked: list[str] = []

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith("data:") or url == page_url or inside(url, root):
            r.continue_()
        else:
            blocked.append(url[:300])
            r.abort()

    try:
        with sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                str(work / "profile"),
                executable_path=exe,
                args=CHROMIUM_ARGS,
                headless=True,
                timeout=LAUNCH_TIMEOUT_MS,
                viewport={"width": css_width, "height": 800},
                device_scale_factor=scale,
                java_script_enabled=False,
                offline=True,
                service_workers="block",
                accept_downloads=False,
                locale="zh-CN",
                timezone_id="Asia/Shanghai",
            )
            try:
                context.set_default_timeout(LOAD_TIMEOUT_MS)
                context.route("**/*", route)
                page = context.new_page()
                page.goto(page_url, wait_until="load", timeout=LOAD_TIMEOUT_MS)
                _settle(page)
                measured = page.evaluate(measure, arg)
                check(measured)
                # Only the layout's width: content wider than the page (a wide table, a long
                # unbroken line) is cut off at its right edge, as on a phone.
                height = page.evaluate(_HEIGHT)
                png = page.screenshot(
                    full_page=True,
                    clip={"x": 0, "y": 0, "width": css_width, "height": height},
                    type="png",
                    animations="disabled",
                    caret="hide",
                    timeout=SHOT_TIMEOUT_MS,
                )
            finally:
                with contextlib.suppress(Error):  # a crashed browser: the driver ends it
                    context.close()
    except Error as exc:
        raise RenderFailed(_first_line(str(exc))) from exc
    return Shot(measured, png, blocked)


def _settle(page: Any) -> None:
    """Wait, from here (page timers do not run without JavaScript), until fonts are ready and
    every image is decoded; RenderFailed after LOAD_TIMEOUT_MS."""
    page.evaluate(_START_WAIT)
    deadline = time.monotonic() + LOAD_TIMEOUT_MS / 1000
    while not page.evaluate(_READY):
        if time.monotonic() > deadline:
            raise RenderFailed("等待字体和图片超时")
        page.wait_for_timeout(POLL_MS)


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else "未知错误"
    return line[:300]
