"""Red team, hostile input: one bad draft never stops or stalls the newsroom.

Out-of-range dates, YAML alias bombs and deep nesting, pathological lines for the text
checks, Markdown nested a thousand levels deep, and an article whose rendering raises: each
is a finding on that article, and every other article publishes.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.core import yamlsource
from generator.core.clock import aware
from generator.core.config import load_site
from generator.gate import decide as gate
from generator.gate.decide import State, decide
from generator.gate.rules import nesting, review
from generator.gate.rules.links import outside
from generator.load import newsroom
from generator.load.article import parse_article
from generator.load.newsroom import load_newsroom
from tests.redteam import pathological
from tests.redteam.raising import MARKER
from tests.sitekit import NOW, ROOT, article, congress, context, draft, judge, make_site

OUT_OF_RANGE = [
    "0001-01-01T00:00:00+08:00",
    "9999-12-31T23:59:59-12:00",
    "1899-12-31T23:59:59+08:00",
    "2201-01-01T00:00:00+08:00",
    "2026-11-20T10:00:00+23:59",  # no zone is 24 hours off
]
LATER = "2026-11-21T10:00:00+08:00"

# Where a datetime can stand in front matter, as fields() overrides.
DATE_FIELDS: dict[str, Any] = {
    "date": lambda v: {"date": v},
    "publish_at": lambda v: {"publish_at": v},
    "expires_at": lambda v: {"expires_at": v},
    "corrections.at": lambda v: {"corrections": [{"at": v, "note": "更正说明。"}]},
    "withdrawn.at": lambda v: {"withdrawn": {"at": v, "reason": "撤稿原因。"}},
    "consultation.opens": lambda v: {
        "kind": "consultation",
        "consultation": {"opens": v, "deadline": LATER, "channels": {"email": "a@b.cn"}},
    },
    "consultation.deadline": lambda v: {
        "kind": "consultation",
        "consultation": {"deadline": v, "channels": {"email": "a@b.cn"}},
    },
    "review.first.at": lambda v: {"review": {"first": {"by": "ed-a", "at": v}}},
    "review.proofread.at": lambda v: {"review": {"proofread": [{"by": "pr-1", "at": v}]}},
}


def _codes(source: str) -> list[str]:
    return [f.code for f in judge(source).findings]


@pytest.mark.parametrize("value", OUT_OF_RANGE)
@pytest.mark.parametrize("field", sorted(DATE_FIELDS))
def test_out_of_range_date_in_any_field_is_a_finding(field: str, value: str) -> None:
    v = judge(draft(**DATE_FIELDS[field](value)))
    (f,) = [f for f in v.findings if f.code == "FM-DATE-RANGE"]
    assert v.state is State.INVALID
    assert f.is_error and value in f.message and f.line is not None and f.line > 1
    assert field.rsplit(".", maxsplit=1)[-1] in f.message


def test_dates_at_the_edges_of_the_range_are_accepted() -> None:
    for value in ("1900-01-01T00:00:00+14:00", "2200-12-31T23:59:59-12:00"):
        assert "FM-DATE-RANGE" not in _codes(draft(**DATE_FIELDS["corrections.at"](value)))


def _no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert "Error:" not in result.stderr or "Invalid value" in result.stderr


@pytest.mark.site
def test_out_of_range_dates_end_check_review_and_build_with_exit_codes(tmp_path: Path) -> None:
    good = article(uid="2026-1120-good01", title="好稿件")
    bad = article(uid="2026-1120-bad001", title="坏稿件").replace(
        "date: '2026-11-20T10:00:00+08:00'", "date: '9999-12-31T23:59:59-12:00'"
    )
    assert "9999-12-31" in bad
    root = make_site(tmp_path / "s", {"news/2026/good.md": good, "news/2026/bad.md": bad})
    check = congress("check", "--json", "--now", NOW, cwd=root)
    _no_traceback(check)
    assert check.returncode == 1
    by_path = {a["path"]: a for a in json.loads(check.stdout)["articles"]}
    assert by_path["content/news/2026/good.md"]["state"] == "published"
    bad_codes = [f["code"] for f in by_path["content/news/2026/bad.md"]["findings"]]
    assert "FM-DATE-RANGE" in bad_codes
    review = congress("review", "content/news/2026/bad.md", "--stage", "first", "--by", "ed-a",
                      "--now", NOW, cwd=root)  # fmt: skip
    _no_traceback(review)
    assert review.returncode == 1
    build = congress("build", "--now", NOW, cwd=root)
    _no_traceback(build)
    assert build.returncode == 1 and "content/news/2026/bad.md" in build.stderr
    assert (root / "site/news/2026/good/index.html").is_file()
    assert not (root / "site/news/2026/bad").exists()
    for args in (
        ("check", "--now", "0001-01-01T00:00:00+08:00"),
        ("build", "--now", "9999-12-31T23:59:59-12:00"),
        ("review", "content/news/2026/good.md", "--stage", "first", "--by", "ed-a",
         "--at", "2201-01-01T00:00:00+08:00"),
    ):  # fmt: skip
        given = congress(*args, cwd=root)
        _no_traceback(given)
        assert given.returncode == 2 and "TIME-RANGE" in given.stderr, given.stderr


# A billion laughs in a front matter of about 500 bytes: 9^9 "lol" once expanded.
BOMB = "bomb: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"l{i}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)


def test_yaml_alias_bomb_is_refused_before_expansion() -> None:
    assert len(BOMB) < 600
    a = parse_article(f"---\n{BOMB}---\n正文\n".encode(), "news/2026/x.md", "x.md")
    assert [f.code for f in a.findings] == ["FM-YAML-ALIAS"] and a.meta is None
    assert a.findings[0].line == 2


@pytest.mark.parametrize(
    "front",
    [
        "title: &t 标题\nsummary: *t\n",  # an alias
        "title: &t 标题\n",  # an anchor alone
        "review: &r {first: {by: ed-a, at: 2026-11-20T10:00:00+08:00}}\n",
        "tags: &s [a, *s]\n",  # a recursive alias
    ],
)
def test_yaml_anchors_and_aliases_are_refused(front: str) -> None:
    a = parse_article(f"---\n{front}---\n正文\n".encode(), "news/2026/x.md", "x.md")
    assert "FM-YAML-ALIAS" in [f.code for f in a.findings]


@pytest.mark.site
def test_alias_bomb_in_a_site_is_one_finding_and_check_ends_at_once(tmp_path: Path) -> None:
    root = make_site(
        tmp_path / "s",
        {
            "news/2026/good.md": article(),
            "news/2026/bomb.md": draft(uid="2026-1120-bomb01").replace("---\n", f"---\n{BOMB}", 1),
        },
    )
    # A bomb expanded needs minutes and gigabytes: the timeout is the failure.
    result = subprocess.run(
        [sys.executable, "-m", "generator", "check", "--json", "--now", NOW],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    _no_traceback(result)
    assert result.returncode == 1
    by_path = {a["path"]: a for a in json.loads(result.stdout)["articles"]}
    assert [f["code"] for f in by_path["content/news/2026/bomb.md"]["findings"]] == [
        "FM-YAML-ALIAS"
    ]
    assert by_path["content/news/2026/good.md"]["state"] == "published"


def test_aliases_in_editorial_files_are_refused_as_configuration_errors(tmp_path: Path) -> None:
    root = make_site(tmp_path / "s", {"news/2026/good.md": article()})
    (root / "editorial" / "wording.yml").write_text(
        "forbidden: &f [{term: 禁用}]\npreferred: *f\n", encoding="utf-8"
    )
    result = congress("check", "--now", NOW, cwd=root)
    _no_traceback(result)
    assert result.returncode == 2 and "锚点" in result.stderr


@pytest.mark.parametrize(
    "value",
    [
        "[" * 10_000 + "]" * 10_000,  # past libyaml's own limit
        "[" * 998 + "]" * 998,  # under it: built by recursion in Python
        "!!seq " + "[" * 998 + "]" * 998,  # an explicit tag: PyYAML's constructor
        "{a: " * 900 + "1" + "}" * 900,
    ],
)
def test_deeply_nested_yaml_is_a_finding_not_a_recursion_error(value: str) -> None:
    a = parse_article(f"---\ntitle: {value}\n---\n正文\n".encode(), "news/2026/x.md", "x.md")
    assert [f.code for f in a.findings] == ["FM-YAML-DEPTH"]
    assert yamlsource.MAX_DEPTH < 100


def test_front_matter_larger_than_the_limit_is_a_finding() -> None:
    huge = "summary: " + "长" * 300_000 + "\n"
    a = parse_article(f"---\n{huge}---\n正文\n".encode(), "news/2026/x.md", "x.md")
    assert [f.code for f in a.findings] == ["FM-TOO-LARGE"]


# --- pathological lines: linear text checks ---


def _cpu_limit() -> None:
    # CPU seconds, not wall time: other processes on the machine cannot make this fail. A
    # linear pass over the 1 MB needs a few seconds; the old quadratic patterns needed hours.
    resource.setrlimit(resource.RLIMIT_CPU, (60, 60))


@pytest.mark.parametrize("name", sorted(pathological.CLASSES))
def test_every_text_check_is_linear_on_a_megabyte_of_one_character_class(name: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tests.redteam.pathological", name],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=_cpu_limit,
        check=False,
    )
    assert result.returncode == 0, f"CPU limit or error: {result.returncode} {result.stderr}"
    out = json.loads(result.stdout)
    assert out["body"] > pathological.SIZE and out["fixed"] > pathological.SIZE * 0.8
    # The line after the hostile ones still gets each check's finding: they ran to the end.
    last = out["last_line"]
    end = max(last.values())
    for code in ("TEXT-FORBIDDEN", "TEXT-SECRECY", "TEXT-MOBILE", "TEXT-DOUBLED"):
        assert last.get(code) == end, (code, last)


# What a body links to is worked out when the article is made (generator/load/refs.py and
# links.py): a megabyte of link or label openings that never close is read, or refused as
# unreadable, in linear time (quadratic, as regular expressions or Python-Markdown would be on
# it, this took minutes).
HOSTILE_LINKS = {
    "inline-openings": "](" * 500_000,
    "inline-titles": '](a "' * 200_000,
    "label-openings": "[a\n" * 300_000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE_LINKS))
def test_what_a_body_links_to_is_found_in_linear_time(name: str) -> None:
    body = HOSTILE_LINKS[name] + "\n\n![图](x.png)\n"
    started = resource.getrusage(resource.RUSAGE_SELF).ru_utime
    a = parse_article(draft(body).encode("utf-8"), "news/2026/x.md", "content/news/2026/x.md")
    assert resource.getrusage(resource.RUSAGE_SELF).ru_utime - started < 10
    # Either the link after the hostile lines is found, or the body is not read at all and the
    # gate keeps the article out (LINK-UNREAD): never a used file silently left unsealed.
    if a.refs.complete:
        assert "news/2026/x.png" in a.refs.files
    else:
        assert "LINK-UNREAD" in [f.code for f in outside(a, context()) if f.is_error]


# --- Markdown nesting ---

NESTED = {
    "list-indented": "".join("  " * i + "- 项\n" for i in range(1000)),
    "list-on-one-line": "- " * 1000 + "项\n",
    "ordered-on-one-line": "1. " * 1000 + "项\n",
    "quote": "> " * 1000 + "引文\n",
    "emphasis": "".join("*甲 _乙 " for _ in range(500)) + "".join("乙_ 甲* " for _ in range(500)),
    "links": "[" * 1000 + "链接" + "](u)" * 1000 + "\n",
    "html": "<div>" * 1000 + "文字" + "</div>" * 1000 + "\n",
}


@pytest.mark.parametrize("kind", sorted(NESTED))
def test_markdown_nested_deeper_than_the_limit_is_a_finding(kind: str) -> None:
    v = judge(article(f"正文。\n\n{NESTED[kind]}\n"))
    assert v.state is State.INVALID
    assert "BODY-NESTING" in [f.code for f in v.findings if f.is_error]


def test_ordinary_nesting_passes() -> None:
    body = (
        "- 一\n  - 二\n    - 三\n      1. 四\n\n> 引文\n> > 再引\n\n"
        "这是*强调*和**加粗**，还有[链接](https://example.cn/a_b_c)与 snake_case_name。\n\n"
        "<div><p>段落</p><br></div>\n\n---\n\n* * *\n\n| 甲 | 乙 |\n|---|---|\n| [x](y) | *z* |\n"
    )
    v = judge(article(body))
    assert "BODY-NESTING" not in [f.code for f in v.findings]
    assert nesting.MAX_NESTING >= 10


@pytest.mark.site
def test_deeply_nested_article_is_kept_out_and_the_others_publish(tmp_path: Path) -> None:
    arts = {
        "news/2026/good.md": article(uid="2026-1120-good01", title="好稿件"),
        "news/2026/deep.md": article(
            f"正文。\n\n{NESTED['list-indented']}", uid="2026-1120-deep01", title="深嵌套"
        ),
    }
    root = make_site(tmp_path / "s", arts)
    build = congress("build", "--now", NOW, cwd=root)
    _no_traceback(build)
    assert build.returncode == 1 and "BODY-NESTING" in build.stderr
    assert "content/news/2026/deep.md" in build.stderr
    assert (root / "site/news/2026/good/index.html").is_file()
    assert not (root / "site/news/2026/deep").exists()


# --- exceptions: one article's failure is its own finding ---


def _with_raising_extension(root: Path) -> None:
    """Configure the test-only Markdown extension that raises on MARKER (tests/redteam)."""
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    config["markdown_extensions"] = ["tests.redteam.raising"]
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")


def _build(root: Path, *more: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # for the test extension
    return subprocess.run(
        [sys.executable, "-m", "generator", "build", "--now", NOW, *more],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


def _site_text(root: Path) -> str:
    parts = [p.read_text("utf-8", "replace") for p in (root / "site").rglob("*") if p.is_file()]
    return "\n".join(parts)


@pytest.mark.site
def test_article_that_raises_while_rendering_is_left_out_and_the_others_publish(
    tmp_path: Path,
) -> None:
    arts = {
        f"news/2026/good{i}.md": article(
            uid=f"2026-1120-good0{i}", title=f"好稿件{i}", tags=["共同", f"独有{i}"]
        )
        for i in range(3)
    }
    arts["news/2026/bad.md"] = article(
        f"正文。\n\n{MARKER}。\n", uid="2026-1120-bad001", title="会出错的稿件", tags=["坏标签"]
    )
    root = make_site(tmp_path / "s", arts, search=True)
    first = _build(root)  # without the extension: all four are public
    assert first.returncode == 0, first.stderr
    assert (root / "site/news/2026/bad/index.html").is_file()
    _with_raising_extension(root)
    for _ in range(2):  # the spare, updated in place, and then the other folder
        result = _build(root, "--allow-removal")  # one of four live articles goes: over 20 %
        _no_traceback(result)
        assert result.returncode == 1
        assert "content/news/2026/bad.md" in result.stderr and "ART-INTERNAL" in result.stderr
        assert "RecursionError" in result.stderr
        for i in range(3):
            assert (root / f"site/news/2026/good{i}/index.html").is_file()
        assert not (root / "site/news/2026/bad").exists()
        text = _site_text(root)
        for leak in ("会出错的稿件", "坏标签", "2026-1120-bad001", "news/2026/bad/"):
            assert leak not in text, leak
        assert "好稿件2" in (root / "site/feeds/all.rss").read_text("utf-8")
        register = json.loads((root / "build/publication-manifest.json").read_text("utf-8"))
        assert "2026-1120-bad001" not in json.dumps(register["published"])
        assert {
            "path": "content/news/2026/bad.md",
            "state": "invalid",
            "uid": "2026-1120-bad001",
        } in register["not_public"]
        texts = sorted(p.name for p in (root / "site/pagefind/text").iterdir())
        assert texts == [f"2026-1120-good0{i}.txt" for i in range(3)]


def test_article_that_raises_while_loading_or_judging_is_its_own_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Faults injected into our own code (no input is known to reach one any more): the load
    loop and the gate keep one article's exception to that article."""
    arts = {f"news/2026/a{i}.md": article(uid=f"2026-1120-aaaa0{i}") for i in range(3)}
    site = load_site(make_site(tmp_path / "s", arts) / "mkdocs.yml")
    load, future = newsroom._load, review.future

    def load_fault(file: str, src: str, shown: str, cache: Any) -> Any:
        if src.endswith("a0.md"):
            raise KeyError("injected")
        return load(file, src, shown, cache)

    def judge_fault(a: Any, ctx: Any) -> Any:
        if a.src.endswith("a1.md"):
            raise ZeroDivisionError("injected")
        return future(a, ctx)

    monkeypatch.setattr(newsroom, "_load", load_fault)
    monkeypatch.setattr(gate, "RULES", [judge_fault if r is future else r for r in gate.RULES])
    decision = decide(load_newsroom(site), aware(NOW))
    states = {v.article.src: v.state for v in decision.verdicts}
    assert states == {
        "news/2026/a0.md": State.INVALID,
        "news/2026/a1.md": State.INVALID,
        "news/2026/a2.md": State.PUBLISHED,
    }
    errors = {v.article.src: [f for f in v.findings if f.is_error] for v in decision.verdicts}
    for src, name in (("news/2026/a0.md", "KeyError"), ("news/2026/a1.md", "ZeroDivisionError")):
        (f,) = errors[src]
        assert f.code == "ART-INTERNAL" and name in f.message and f.path == f"content/{src}"


@pytest.mark.site
def test_search_bundle_of_only_a_failed_article_is_dropped_not_the_build(tmp_path: Path) -> None:
    arts = {
        "news/2026/good.md": article(
            uid="2026-1020-good01", title="好稿件", date="2026-10-20T10:00:00+08:00"
        ),
        "news/2026/bad.md": article(f"正文。\n\n{MARKER}。\n", uid="2026-1120-bad001"),
    }
    root = make_site(tmp_path / "s", arts, search=True, search_shard_size=1)
    _with_raising_extension(root)
    result = _build(root)
    _no_traceback(result)
    assert result.returncode == 1 and "ART-INTERNAL" in result.stderr
    assert (root / "site/news/2026/good/index.html").is_file()
    bundles = sorted(p.name for p in (root / "site/pagefind").iterdir() if p.name != "text")
    assert bundles and all(
        (root / "site/pagefind" / b / "pagefind-entry.json").is_file() for b in bundles
    )
    search = (root / "site/search/index.html").read_text("utf-8")
    assert [b for b in bundles if f"pagefind/{b}/" in search] == bundles
    assert sorted(p.name for p in (root / "site/pagefind/text").iterdir()) == [
        "2026-1020-good01.txt"
    ]
