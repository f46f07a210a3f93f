"""The rendering engine is a tested choice (generator/engine.py): the sample newsroom built with
MkDocs 1.6 and with ProperDocs, each in its own process, gives the same bytes in every file."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sitekit import NOW, ROOT, snapshot

EPOCH = "1767225600"  # 2026-01-01: the build timestamps mkdocs writes (sitemap, footers)


def _need_properdocs() -> None:
    if importlib.util.find_spec("properdocs") is not None:
        return
    message = "未安装 properdocs（pip install -e '.[test]'）：跳过两种引擎的对比"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)


def _congress(*args: str, engine: str | None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    env.pop("CONGRESS_ENGINE", None)
    if engine is not None:
        env["CONGRESS_ENGINE"] = engine
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _build(engine: str, out: Path) -> dict[str, bytes]:
    site = out / "site"
    result = _congress(
        "build",
        "--no-cache",
        "--now",
        NOW,
        "--site-dir",
        str(site),
        "--manifest",
        str(out / "manifest.json"),
        engine=engine,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    name = {"mkdocs": "MkDocs 1.6", "properdocs": "ProperDocs 1.6"}[engine]
    assert f"引擎：{name}" in result.stdout, result.stdout
    return snapshot(site)


@pytest.mark.site
def test_sample_site_is_byte_identical_on_mkdocs_and_properdocs(tmp_path: Path) -> None:
    _need_properdocs()
    on_mkdocs = _build("mkdocs", tmp_path / "mkdocs")
    on_properdocs = _build("properdocs", tmp_path / "properdocs")
    assert sorted(on_mkdocs) == sorted(on_properdocs)
    different = [p for p in on_mkdocs if on_mkdocs[p] != on_properdocs[p]]
    assert different == []
    # Not vacuous: the pages were rendered, and their generator line names neither engine.
    home = on_mkdocs["index.html"].decode()
    assert '<meta name="generator" content="congress-site ' in home
    assert "mkdocs-1.6" not in home
    assert "ProperDocs" not in home
    assert len([p for p in on_mkdocs if p.endswith(".html")]) > 20


@pytest.mark.parametrize(("engine", "name"), [("mkdocs", "MkDocs"), ("properdocs", "ProperDocs")])
def test_version_names_the_engine_that_will_run(engine: str, name: str) -> None:
    if engine == "properdocs":
        _need_properdocs()
    result = _congress("--version", engine=engine)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("congress-site ")
    assert f"引擎：{name} 1.6." in result.stdout


def test_version_defaults_to_properdocs_when_installed() -> None:
    _need_properdocs()
    result = _congress("--version", engine=None)
    assert "引擎：ProperDocs 1.6." in result.stdout, result.stdout


@pytest.mark.parametrize("command", ["build", "audit"])
def test_unknown_engine_is_a_usage_error_before_building(tmp_path: Path, command: str) -> None:
    """`audit` builds the site too (when not given one): it runs on the chosen engine."""
    site = tmp_path / "site"
    where = ["--site-dir", str(site)] if command == "build" else []
    result = _congress(command, "--now", NOW, *where, engine="hugo")
    assert result.returncode == 2
    assert "[ENGINE-UNKNOWN]" in result.stderr
    assert "hugo" in result.stderr
    assert "Traceback" not in result.stderr
    assert not site.exists()
