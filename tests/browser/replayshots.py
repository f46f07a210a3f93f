"""The README's picture of the web archive's replay: an article published, corrected and
withdrawn, and pywb (`congress archive serve`) showing its FIRST version in Chromium, with
pywb's banner naming the capture's time. Also prints `congress archive list` for the article.

python -m tests.browser.replayshots docs/screenshots/archive-replay.png
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, free_port
from tests.browser.replaykit import STAMPS, URL, history_site, serving
from tests.sitekit import congress


def main(target: Path) -> None:
    from playwright.sync_api import sync_playwright

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = history_site(Path(tmp) / "site")
        listed = congress("archive", "list", "news/2026/x/", cwd=root)
        print(f"$ congress archive list news/2026/x/\n{listed.stdout}{listed.stderr}")
        with serving(root, free_port(), "news/2026/x/", "--at", "2026-11-21T09:00:00+08:00") as s:
            print("$ congress archive serve news/2026/x/ --at 2026-11-21T09:00:00+08:00")
            print("".join(s.output))
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                # pywb's banner gives the capture's time in UTC (01:00 is 09:00 in Beijing).
                page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
                page.goto(s.replay(URL, STAMPS[0]), wait_until="networkidle")
                frame = next(f for f in page.frames if f"{STAMPS[0]}mp_/" in f.url)
                frame.wait_for_function(
                    "() => [...document.images].every(i => i.complete && i.naturalWidth > 0)"
                )
                page.screenshot(path=str(target))
                browser.close()
    print(target)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots/archive-replay.png"))
