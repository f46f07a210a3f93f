"""`make screenshots`: the sample site behind nginx, photographed in Chromium for the README.

python -m tests.browser.screenshots docs/screenshots
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    NGINX,
    build_sample,
    free_port,
    nginx_config,
    wait_until_serving,
)

SHOTS = {
    "home": "",
    "column": "supervision/",
    "article": "supervision/2026/wuye-zhifa-jiancha-shidi-jiancha/",
    "search": "search/?q=营商环境",
    "notfound": "supervision/no-such-page/",
}
WIDTHS = {"1280": (1280, 900), "375": (375, 812)}
# 打印: the article printed to PDF (A4) by Chromium, its first and last pages as pictures.
PRINTED = "consultations/2026/dianzi-zixingche-tiaoli-zhengqiu-yijian/"


def print_shots(browser: object, base: str, out: Path, scratch: Path) -> None:
    """print-first.png and print-last.png: the printed article's first and last pages."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        print("pdftoppm not found (apt-get install poppler-utils): no print pictures")
        return
    page = browser.new_page(locale="zh-CN")  # type: ignore[attr-defined]
    page.goto(base + PRINTED, wait_until="networkidle")
    pdf = scratch / "printed.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    page.close()
    subprocess.run([pdftoppm, "-r", "60", "-png", str(pdf), str(scratch / "p")], check=True)
    pages = sorted(scratch.glob("p-*.png"))
    for name, picture in (("print-first", pages[0]), ("print-last", pages[-1])):
        target = out / f"{name}.png"
        shutil.copyfile(picture, target)
        print(target)


def main(out: Path) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        prefix = Path(tmp)
        port = free_port()
        build_sample(prefix / "site", f"http://127.0.0.1:{port}/")
        conf = prefix / "nginx.conf"
        conf.write_text(nginx_config(prefix / "site", port, prefix), encoding="utf-8")
        server = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(prefix), "-g", "daemon off;"])
        base = f"http://127.0.0.1:{port}/"
        wait_until_serving(base)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for name, path in SHOTS.items():
                    for width, (w, h) in WIDTHS.items():
                        page = browser.new_page(viewport={"width": w, "height": h}, locale="zh-CN")
                        page.goto(base + path, wait_until="networkidle")
                        if name == "search":
                            page.wait_for_selector(".cg-result")
                        target = out / f"{name}-{width}.png"
                        page.screenshot(path=str(target))
                        page.close()
                        print(target)
                print_shots(browser, base, out, prefix)
                browser.close()
        finally:
            server.send_signal(signal.SIGQUIT)
            server.wait(timeout=10)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
