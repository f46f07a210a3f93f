"""The sample site's feeds and sitemap checked by tools nobody here wrote: SchemaStore's JSON
Feed schema, the sitemaps.org XSD (both vendored in tests/schemas/, see its README),
feedparser, and the Node reader rss-parser (npm, package.json)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import feedparser
import jsonschema
import lxml.etree
import pytest
import referencing
import referencing.jsonschema

from generator.core.clock import aware
from generator.core.config import load_site
from generator.core.staff import load_staff
from generator.derive.publication import prepare
from tests.sitekit import NOW, ROOT

pytestmark = pytest.mark.site

SCHEMAS = Path(__file__).parent.parent / "schemas"
READER = Path(__file__).parent.parent / "readers" / "rss-parser.js"
SCHEMASTORE = "https://json.schemastore.org/"


@pytest.fixture(scope="module")
def bylines() -> dict[str, list[str]]:
    """Every published article's authors, by feed item id suffix (the uid)."""
    site = load_site(ROOT / "mkdocs.yml")
    pub = prepare(site, aware(NOW), staff=load_staff(site))
    return {a.meta.uid: list(a.meta.authors) for a in pub.decision.published if a.meta}


def json_feed_validator() -> jsonschema.Draft4Validator:
    """SchemaStore's JSON Feed 1.1 schema, whose definitions are in its 1.0 schema."""
    registry: referencing.Registry[object] = referencing.Registry().with_resources(
        (
            SCHEMASTORE + name,
            referencing.Resource.from_contents(
                json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8")),
                default_specification=referencing.jsonschema.DRAFT4,
            ),
        )
        for name in ("feed", "feed-1")
    )
    return jsonschema.Draft4Validator(
        {"$ref": SCHEMASTORE + "feed"},  # SchemaStore's own refs say "feed-1#/…" from here
        registry=registry,
        format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER,
    )


def test_json_feeds_validate_against_schemastores_schema(sample_site: Path) -> None:
    validator = json_feed_validator()
    feeds = sorted((sample_site / "feeds").glob("*.json"))
    assert len(feeds) == 12
    for path in feeds:
        errors = [
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(json.loads(path.read_text(encoding="utf-8")))
        ]
        assert errors == [], (path.name, errors[:5])


def test_the_json_feed_schema_catches_a_repeated_tag() -> None:
    """The vendored schema is not vacuous: the duplicate tags of issue 16 fail it."""
    item = {"id": "x", "content_html": "<p>x</p>", "tags": ["代表之声", "代表之声"]}
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [item]}
    assert len(list(json_feed_validator().iter_errors(feed))) == 1


def test_sitemap_validates_against_the_sitemaps_org_schema(sample_site: Path) -> None:
    schema = lxml.etree.XMLSchema(lxml.etree.parse(str(SCHEMAS / "sitemap-0.9.xsd")))
    sitemap = lxml.etree.parse(str(sample_site / "sitemap.xml"))
    assert schema.validate(sitemap), schema.error_log
    assert len(sitemap.getroot()) > 40


def test_feedparser_lists_each_author_once(
    sample_site: Path, bylines: dict[str, list[str]]
) -> None:
    for path in sorted((sample_site / "feeds").glob("*.atom")):
        for e in feedparser.parse(path.read_bytes()).entries:
            assert [a.name for a in e.authors] == bylines[e.id.rsplit(":", 1)[1]], path.name
    for path in sorted((sample_site / "feeds").glob("*.rss")):
        for e in feedparser.parse(path.read_bytes()).entries:
            assert e.author == "、".join(bylines[e.id.rsplit(":", 1)[1]]), path.name
    assert any(len(names) > 1 for names in bylines.values())  # the sample has joint bylines


def node_reader() -> str:
    """node with rss-parser installed (`npm ci`); outside CI their absence skips, visibly."""
    node = shutil.which("node")
    missing = (
        "node not found"
        if node is None
        else "npm package rss-parser not installed (npm ci)"
        if not (ROOT / "node_modules" / "rss-parser").is_dir()
        else None
    )
    if missing is None and node is not None:
        return node
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{missing}: .ci/run installs node and runs npm ci")
    pytest.skip(f"{missing}: the Node feed reader test needs it")


def test_a_node_reader_shows_every_author_of_a_joint_byline(
    sample_site: Path, bylines: dict[str, list[str]]
) -> None:
    node = node_reader()
    done = subprocess.run(
        [node, str(READER), str(sample_site / "feeds" / "all.rss")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    items = json.loads(done.stdout)["items"]
    assert items
    joint = 0
    for item in items:
        names = bylines[item["id"].rsplit(":", 1)[1]]
        assert item["creator"] == "、".join(names)
        joint += len(names) > 1
        labels = [c["_"] if isinstance(c, dict) else c for c in item["categories"]]
        assert len(labels) == len(set(labels)), labels
    assert joint > 0
