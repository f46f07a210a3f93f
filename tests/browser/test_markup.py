"""The Nu HTML Checker (npm `vnu-jar`, run with Java) on every kind of page of the built
sample: the markup the project writes, and material's around it, has no error."""

from __future__ import annotations

import json
import shutil
import subprocess

from tests.browser.conftest import Server, require
from tests.sitekit import ROOT

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = shutil.which("java") or "/usr/bin/java"

PAGES = {
    "home": "index.html",
    "column": "supervision/index.html",
    "article": "supervision/2026/wuye-zhifa-jiancha-shidi-jiancha/index.html",
    "withdrawal notice": "supervision/2026/wuye-zhifa-jiancha-baogao-shenyi/index.html",
    "consultation": "consultations/2026/dianzi-zixingche-tiaoli-zhengqiu-yijian/index.html",
    "tag": "tags/*/index.html",  # the first: a tag's folder is named by a hash
    "tags index": "tags/index.html",
    "archive": "archive/index.html",
    "year": "archive/2026/index.html",
    "year, second page": "archive/2026/page/2/index.html",
    "feeds": "feeds/index.html",
    "search": "search/index.html",
    "404": "404.html",
}


def nu_errors(server: Server, pages: list[str]) -> list[dict[str, object]]:
    """The checker's errors on the given files of the built site (JSON on stderr)."""
    result = subprocess.run(
        [JAVA, "-jar", str(VNU), "--errors-only", "--format", "json", *pages],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr[-2000:]  # 1: errors were found
    messages: list[dict[str, object]] = json.loads(result.stderr)["messages"]
    return messages


def test_every_kind_of_page_is_valid_html(server: Server) -> None:
    require(JAVA, "Java (for the Nu HTML Checker)", "apt-get install default-jre-headless")
    require(VNU, "vnu-jar (npm ci)", "npm ci")
    pages = {name: sorted(server.site.glob(p))[:1] for name, p in PAGES.items()}
    missing = [name for name, found in pages.items() if not found]
    assert missing == [], missing  # a page kind left out of the sample would check nothing
    errors = nu_errors(server, [str(found[0]) for found in pages.values()])
    found = [(str(e.get("url", "")).rsplit("/site/", 1)[-1], e["message"]) for e in errors]
    assert found == [], found
