"""The publication manifest (generator/derive/manifest.py): what a build made public, who
approved it, and what is not public and why, without the text of anything unapproved; and
its encoder, whose output is stable, sorted, one entry per line, and plain JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from generator.core.clock import aware
from generator.core.config import load_site
from generator.core.policy import STAGE_LABELS, STAGES
from generator.core.staff import load_staff
from generator.derive.manifest import FORMAT, dumps, manifest
from generator.derive.publication import Publication, prepare
from tests.sitekit import NOW, STAFF, approve, article, draft, make_site

WITHDRAWN = {"at": "2026-11-25T10:00:00+08:00", "reason": "数据核实中"}


def secret(n: int, **over: Any) -> dict[str, Any]:
    """Fields whose every text holds SECRET<n>: none of it may reach the manifest."""
    return {
        "uid": f"2026-1120-s{n:05d}",
        "title": f"未公开稿件 SECRET{n}",
        "summary": f"摘要 SECRET{n}",
        "tags": [f"标签SECRET{n}"],
        "authors": [f"作者SECRET{n}"],
        "source": f"来源SECRET{n}",
        **over,
    }


NEWSROOM: dict[str, str | bytes] = {
    "news/2026/public-b.md": article(
        uid="2026-1120-pub002",
        title="公开稿件乙",
        specialist="fagongwei",
        corrections=[{"at": "2026-11-21T09:00:00+08:00", "note": "更正一处数字。"}],
        expires_at="2027-06-01T00:00:00+08:00",
    ),
    "news/2026/public-a.md": article(uid="2026-1120-pub001", title="公开稿件甲", source=None),
    "news/2026/pending.md": draft("正文 SECRET1。\n", **secret(1)),
    "news/2026/scheduled.md": article(
        "正文 SECRET2。\n", **secret(2, publish_at="2026-12-01T08:00:00+08:00")
    ),
    "news/2026/expired.md": article(
        "正文 SECRET3。\n", **secret(3, expires_at="2026-11-25T00:00:00+08:00")
    ),
    "news/2026/never.md": draft("正文 SECRET4。\n", **secret(4, withdrawn=WITHDRAWN)),
    "news/2026/notice.md": article(
        "正文 SECRET5。\n", **secret(5, title="已撤回的稿件", withdrawn=WITHDRAWN)
    ),
    "news/2026/edited.md": approve(draft("正文 SECRET6。\n", **secret(6))).replace(
        "正文 SECRET6", "正文（终审后改动）SECRET6"
    ),
    "news/2026/broken.md": "---\ntitle: 坏稿件 SECRET7\ntags: [SECRET7\n---\n正文 SECRET7\n",
}


@pytest.fixture(scope="module")
def pub(tmp_path_factory: pytest.TempPathFactory) -> Publication:
    root = make_site(tmp_path_factory.mktemp("manifest"), NEWSROOM)
    site = load_site(root / "mkdocs.yml")
    return prepare(site, aware(NOW), staff=load_staff(site))


@pytest.fixture(scope="module")
def data(pub: Publication) -> dict[str, Any]:
    return manifest(pub)


def test_the_top_level_says_which_build_and_counts_every_state(data: dict[str, Any]) -> None:
    assert set(data) == {"format", "generator", "site_url", "now", "summary"} | {
        "published",
        "not_public",
        "editions",  # the print editions' PDFs (empty: no renderer ran here)
    }
    assert data["editions"] == []
    assert data["format"] == FORMAT == 1 and data["generator"] == "congress-site"
    assert data["site_url"] == "https://www.example.gov.cn/"
    assert data["now"] == NOW
    assert data["summary"] == {
        "published": 2,
        "pending": 1,
        "scheduled": 1,
        "expired": 1,
        "withdrawn": 2,
        "invalid": 2,
    }
    assert len(data["published"]) + len(data["not_public"]) == len(NEWSROOM)


def test_each_public_article_with_its_digest_and_every_signature(
    data: dict[str, Any], pub: Publication
) -> None:
    a, b = data["published"]  # by uid
    assert (a["uid"], b["uid"]) == ("2026-1120-pub001", "2026-1120-pub002")
    assert set(a) == {
        *("uid", "url", "path", "title", "column", "column_name", "kind", "source"),
        *("digest", "published", "updated", "corrections", "expires_at", "signers"),
    }
    assert a["url"] == "news/2026/public-a/" and a["path"] == "content/news/2026/public-a.md"
    assert (a["title"], a["column"], a["column_name"], a["kind"]) == (
        "公开稿件甲",
        "news",
        "要闻",
        "news",
    )
    assert a["source"] == "" and a["expires_at"] is None and a["corrections"] == 0
    assert a["published"] == a["updated"] == "2026-11-20T10:00:00+08:00"
    assert b["corrections"] == 1 and b["updated"] == "2026-11-21T09:00:00+08:00"
    assert b["expires_at"] == "2027-06-01T00:00:00+08:00"
    final = next(v.article for v in pub.decision.verdicts if v.article.uid == b["uid"])
    assert final.meta is not None and final.meta.review.final is not None
    assert b["digest"] == final.meta.review.final.digest
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", b["digest"])
    stages = [s["stage"] for s in b["signers"]]
    assert stages == sorted(stages, key=STAGES.index)  # in the order of the stages
    assert stages.count("proofread") == 3 and {"first", "second", "final", "committee"} <= set(
        stages
    )
    for s in b["signers"]:
        assert set(s) == {"stage", "stage_name", "by", "name", "at", "key", "saw"}
        assert s["stage_name"] == STAGE_LABELS[s["stage"]]
        assert s["name"] == STAFF[s["by"]]["name"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", s["at"])


def test_what_is_not_public_is_listed_by_path_and_state_without_its_text(
    data: dict[str, Any],
) -> None:
    def at(name: str) -> dict[str, Any]:
        return {"path": f"content/news/2026/{name}.md"}

    withdrawn = {"state": "withdrawn", "withdrawn_at": "2026-11-25T10:00:00+08:00"}
    assert data["not_public"] == [
        at("broken") | {"state": "invalid", "uid": None},  # unreadable: known by its path only
        at("pending") | {"state": "pending", "uid": "2026-1120-s00001"},
        at("scheduled")
        | {"state": "scheduled", "uid": "2026-1120-s00002"}
        | {"publish_at": "2026-12-01T08:00:00+08:00"},
        at("expired")
        | {"state": "expired", "uid": "2026-1120-s00003"}
        | {"expires_at": "2026-11-25T00:00:00+08:00"},
        at("never")
        | withdrawn
        | {"uid": "2026-1120-s00004", "reason": "数据核实中", "notice": False},
        # The notice shows its title on the site anyway.
        at("notice")
        | withdrawn
        | {"uid": "2026-1120-s00005", "reason": "数据核实中", "notice": True}
        | {"title": "已撤回的稿件"},
        at("edited") | {"state": "invalid", "uid": "2026-1120-s00006"},
    ]


def test_no_text_of_an_unpublished_article_reaches_the_manifest(data: dict[str, Any]) -> None:
    written = dumps(data).decode("utf-8")
    assert "SECRET" not in written
    assert "公开稿件甲" in written and "已撤回的稿件" in written


def test_entries_are_ordered_by_uid_then_path(data: dict[str, Any]) -> None:
    for part in ("published", "not_public"):
        order = [(o["uid"] or "", o["path"]) for o in data[part]]
        assert order == sorted(order), part


def test_the_same_newsroom_gives_the_same_bytes_whatever_the_file_order(
    tmp_path: Path, data: dict[str, Any]
) -> None:
    reordered = dict(reversed(list(NEWSROOM.items())))
    root = make_site(tmp_path, reordered)
    site = load_site(root / "mkdocs.yml")
    again = manifest(prepare(site, aware(NOW), staff=load_staff(site)))
    assert dumps(again) == dumps(data)


# --- the encoder ----------------------------------------------------------------------


def test_the_encoding_round_trips_through_json(data: dict[str, Any]) -> None:
    written = dumps(data)
    assert json.loads(written) == data
    assert written.endswith(b"}\n") and "公开稿件甲".encode() in written  # UTF-8, not \\u escapes


def test_keys_are_sorted_and_each_list_entry_is_one_line(data: dict[str, Any]) -> None:
    lines = dumps(data).decode("utf-8").splitlines()
    top = [line.split('"')[1] for line in lines if re.match(r'^  "', line)]
    assert top == sorted(data)
    entries = [line for line in lines if line.startswith("    {")]
    assert len(entries) == len(data["published"]) + len(data["not_public"])
    for line in entries:
        entry = json.loads(line.strip().rstrip(","))
        assert list(entry) == sorted(entry)


@pytest.mark.parametrize(
    "value",
    [
        '引号"与反斜杠\\',
        "换行\n与制表\t",
        "\u2028行分隔符\u2029",
        "</script><!--",
        "零宽\u200b空格",
        "\x00控制字符\x1f",
        "emoji 🏛️",
    ],
)
def test_awkward_text_survives_the_encoder_on_one_line(value: str) -> None:
    data = {
        "b": [{"title": value, "n": 1}, {"title": "二"}],
        "a": value,
        "c": [],
        "d": {"y": 2, "x": None},
    }
    written = dumps(data)
    assert json.loads(written) == data
    lines = written.decode("utf-8").split("\n")
    assert len(lines) == 1 + 1 + 1 + 2 + 1 + 1 + 1 + 1 + 1  # {, a, b[, 2 entries, ], c, d, }, ""
    assert lines[1].startswith('  "a": ') and lines[-4].startswith('  "c": []')
