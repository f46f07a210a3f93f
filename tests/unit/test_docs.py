"""The README documents what editors meet: every finding code."""

from __future__ import annotations

import importlib
import pkgutil
import re

import generator
from generator.core.findings import CODES
from tests.sitekit import ROOT


def test_every_finding_code_is_listed_in_the_readme() -> None:
    for module in pkgutil.walk_packages(generator.__path__, "generator."):
        if module.name != "generator.__main__":
            importlib.import_module(module.name)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- codes:start -->")[1].split("<!-- codes:end -->")[0]
    listed = set(re.findall(r"^\| `([A-Z0-9-]+)` \|", table, re.MULTILINE))
    assert listed == set(CODES)
