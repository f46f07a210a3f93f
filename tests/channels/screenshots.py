"""The README's pictures of the other channels: one article exported for WeChat, shown at a
phone's width (375 px) beside the site's page, and the first part of its long image.

python -m tests.channels.screenshots docs/screenshots
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PIL import Image

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.channels.sample import copy_sample
from tests.sitekit import NOW, congress

UID = "2026-1118-f69021"
PAGE = "supervision/2026/wuye-zhifa-jiancha-zhenggai-genzong/index.html"
VIEW = {"width": 375, "height": 1100}


def main(out: Path) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_sample(Path(tmp) / "newsroom")
        site, wechat, long = Path(tmp) / "site", Path(tmp) / "wechat", Path(tmp) / "long"
        for args in (
            ("build", "--site-dir", str(site)),
            ("wechat", UID, "--out", str(wechat)),
            ("longimage", UID, "--out", str(long)),
        ):
            result = congress(*args, "--now", NOW, cwd=root)
            if result.returncode != 0:
                sys.exit(f"congress {args[0]} failed:\n{result.stderr}")
        shots = {"wechat": (wechat / UID / "article.html"), "site": site / PAGE}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, path in shots.items():
                page = browser.new_page(viewport=VIEW, device_scale_factor=2, locale="zh-CN")
                page.goto(path.as_uri(), wait_until="load")
                if name == "site":  # from the article's heading, as the reader scrolls to it
                    page.evaluate("document.querySelector('.cg-article__body').scrollIntoView()")
                page.screenshot(path=str(Path(tmp) / f"{name}.png"))
                page.close()
            browser.close()
        left, right = (Image.open(Path(tmp) / f"{n}.png") for n in ("wechat", "site"))
        gap = 24
        both = Image.new("RGB", (left.width + right.width + gap, left.height), "#d9d9d9")
        both.paste(left, (0, 0))
        both.paste(right, (left.width + gap, 0))
        both.resize((both.width // 2, both.height // 2), Image.Resampling.LANCZOS).save(
            out / "wechat-375.png", optimize=True
        )
        print(out / "wechat-375.png")
        first = sorted((long / UID).glob("*.jpg"))[0]
        with Image.open(first) as part:
            part.resize((part.width // 2, part.height // 2), Image.Resampling.LANCZOS).save(
                out / "longimage-01.jpg", quality=85
            )
        print(out / "longimage-01.jpg")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
