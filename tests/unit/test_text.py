"""The text checks of the gate: each rule with cases it must catch and cases that must pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.gate.decide import State
from generator.gate.rules.sensitive import luhn, valid_id
from tests.sitekit import NOW, ROOT, approve, article, congress, draft, judge, make_site

WORDING = {
    "preferred": [
        {"use": "一府一委两院", "not": ["一府两院"]},
        {"use": "执法检查", "not": ["执法检察"]},
        {"use": "议案和建议", "not": ["代表提案"], "note": "提案是政协委员的用语"},
        {"use": "常委会委员", "not": ["人大委员"], "unless": ["人大委员会"]},
        {"use": "人民代表大会制度", "not": ["人大制度"], "severity": "warning"},
    ],
    "forbidden": [{"term": "三权分立"}],
    "officials": [
        {"name": "高文斌", "titles": ["市人大常委会副主任"]},
        {"name": "沈国华", "titles": ["市人大常委会主任"]},
    ],
}


def found(body: str, **over: object) -> list[tuple[str, str]]:
    """(code, severity) of every text finding on an approved article with this body."""
    v = judge(article(body, **over), wording=WORDING)  # type: ignore[arg-type]
    return [(f.code, f.severity.value) for f in v.findings if f.code.startswith("TEXT-")]


def codes(body: str, **over: object) -> list[str]:
    return [c for c, _ in found(body, **over)]


# --- secrecy markings ---


@pytest.mark.parametrize(
    "text",
    [
        "本文件秘密★请妥善保管",
        "机密★1年",
        "机密 ★ 6个月",
        "绝密",
        "内部资料，仅供参考",
        "注意保存",
        "【内部】会议纪要",
        "内部文件",
    ],
)
def test_secrecy_markings_block_publication(text: str) -> None:
    v = judge(article(f"第一段。\n\n{text}\n"), wording=WORDING)
    assert v.state is State.INVALID
    (f,) = [f for f in v.findings if f.code == "TEXT-SECRECY"]
    assert f.line is not None and f.column is not None and f.excerpt and f.hint


@pytest.mark.parametrize(
    "text",
    ["学习《中华人民共和国保守国家秘密法》", "依法保护商业机密", "严守国家秘密", "会议内容公开"],
)
def test_words_that_are_not_markings_pass(text: str) -> None:
    assert codes(f"{text}。\n") == []


def test_markings_are_caught_in_titles_and_code_blocks_too() -> None:
    assert "TEXT-SECRECY" in codes("正文。\n", title="机密★会议纪要")
    assert "TEXT-SECRECY" in codes("```\n内部资料\n```\n")


# --- personal data ---


def make_id(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return (
        first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]
    )


def make_card(prefix: str) -> str:
    return next(prefix + str(d) for d in range(10) if luhn(prefix + str(d)))


ID = make_id("11010519491231002")
CARD = make_card("622202020011223344")


def test_checksums() -> None:
    assert valid_id(ID) and not valid_id(ID[:-1] + ("0" if ID[-1] != "0" else "1"))
    assert luhn(CARD) and len(CARD) == 19


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (f"身份证号{ID}。", "TEXT-ID-NUMBER"),
        ("联系电话13800138000。", "TEXT-MOBILE"),
        ("手机138 0013 8000。", "TEXT-MOBILE"),
        ("手机+86 138-0013-8000。", "TEXT-MOBILE"),
        (f"卡号{CARD}。", "TEXT-BANK-CARD"),
        (f"卡号{CARD[:4]} {CARD[4:8]} {CARD[8:12]} {CARD[12:16]} {CARD[16:]}。", "TEXT-BANK-CARD"),
    ],
)
def test_personal_data_blocks_publication(text: str, code: str) -> None:
    assert (code, "error") in found(f"{text}\n")


@pytest.mark.parametrize(
    "text",
    [
        "订单编号123456789012345。",  # 15 digits: not an ID
        f"号码{ID[:-1]}{'0' if ID[-1] != '0' else '1'}。",  # wrong check digit
        "请拨打12345政务服务便民热线。",
        "咨询电话0123-88001234。",
        f"编号{CARD[:-1]}{(int(CARD[-1]) + 1) % 10}。",  # fails the Luhn check
        "全年投入资金13800000元。",  # 8 digits
    ],
)
def test_public_numbers_pass(text: str) -> None:
    assert codes(f"{text}\n") == []


def test_personal_data_is_caught_in_code_blocks_and_may_be_exempted_one_by_one() -> None:
    body = "```\n13800138000\n```\n\n另一个号码13900139000。\n"
    assert codes(body).count("TEXT-MOBILE") == 2
    exempt = [{"value": "138-0013-8000", "reason": "代表联络站公开的值班电话，经保密审查同意"}]
    assert codes(body, exempt=exempt) == ["TEXT-MOBILE"]


# --- unified wording ---


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("监督一府两院依法履职。", "TEXT-WORDING"),
        ("开展执法检察。", "TEXT-WORDING"),
        ("代表提案办理情况。", "TEXT-WORDING"),
        ("人大委员视察。", "TEXT-WORDING"),
        ("所谓三权分立。", "TEXT-FORBIDDEN"),
    ],
)
def test_wording_errors(text: str, code: str) -> None:
    assert (code, "error") in found(text)


def test_wording_advice_and_exceptions() -> None:
    assert found("坚持和完善人大制度。") == [("TEXT-WORDING", "warning")]
    assert codes("市人大委员会工作。监督一府一委两院。执法检查。") == []


def test_official_with_a_title_they_do_not_hold() -> None:
    assert codes("市人大常委会主任高文斌出席会议。") == ["TEXT-OFFICIAL-TITLE"]
    for ok in (
        "市人大常委会副主任高文斌出席会议。",
        "副主任高文斌讲话。",
        "高文斌副主任讲话。",
        "高文斌指出。",
    ):
        assert codes(ok) == [], ok


def test_one_character_variant_of_an_official_name() -> None:
    assert codes("市人大常委会副主任高文彬出席会议。") == ["TEXT-OFFICIAL-NAME"]
    assert codes("市人大常委会主任沈国华主持会议。") == []


def test_wording_in_the_title_is_checked() -> None:
    assert "TEXT-WORDING" in codes("正文。\n", title="一府两院工作评议")


# --- typography ---


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("会议指出:要加强监督.", "TEXT-PUNCTUATION"),
        ("共有ＡＢＣ三类。", "TEXT-PUNCTUATION"),
        ("截至2026 年底。", "TEXT-SPACING"),
        ("推动 GDP增长。", "TEXT-SPACING"),
        ("真好！！", "TEXT-DOUBLED"),
        ("等等...", "TEXT-ELLIPSIS"),
        ("问题--整改。", "TEXT-DASH"),
        ("26年11月召开。", "TEXT-YEAR"),
    ],
)
def test_typography_warnings(text: str, code: str) -> None:
    v = judge(article(f"{text}\n"), wording=WORDING)
    assert v.state is State.PUBLISHED  # warnings do not block
    (f,) = [f for f in v.findings if f.code == code]
    assert f.severity == "warning" and f.line and f.column and f.excerpt and f.hint


def test_typography_leaves_code_urls_and_links_alone() -> None:
    body = (
        "```\n会议指出:要加强监督.\n```\n\n"
        "行内`a: b.`代码。见https://www.example.gov.cn/a,b.html页面。\n\n"
        '[链接文字](https://www.example.gov.cn/x?a=1,2)和<span title="a:b">标签</span>。\n'
    )
    assert codes(body) == []


def test_a_single_em_dash_is_the_connector_and_passes() -> None:
    assert codes("“收集—交办—督办—反馈”闭环。2026—2030年。") == []


def test_typography_severity_and_spacing_are_configurable() -> None:
    text = article("截至2026 年底:好.\n")
    assert judge(text, text={"typography": "error"}).state is State.INVALID
    assert [
        f for f in judge(text, text={"typography": "off"}).findings if f.code.startswith("TEXT-")
    ] == []
    ignored = judge(text, text={"spacing": "ignore"}).findings
    assert "TEXT-SPACING" not in [f.code for f in ignored]


# --- check --fix ---


FIXABLE_BODY = """第一段:要加强监督.
截至2026 年底，共有ＡＢＣ三类！！

```
代码:不改.
```

见https://www.example.gov.cn/a,b.html页面...问题--整改。
26年11月召开。
"""


def test_fix_applies_what_it_reports_and_nothing_else(tmp_path: Path) -> None:
    text = approve(draft(FIXABLE_BODY), skip=("final",))
    make_site(tmp_path, {"news/2026/a.md": text})
    path = tmp_path / "content/news/2026/a.md"
    before = path.read_text(encoding="utf-8")
    report = congress("check", "--json", "--now", NOW, cwd=tmp_path).stdout
    result = congress("check", "--fix", "--now", NOW, cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    after = path.read_text(encoding="utf-8")
    changed = [
        i + 1
        for i, (a, b) in enumerate(zip(before.split("\n"), after.split("\n"), strict=True))
        if a != b
    ]
    reported = {
        f["line"]
        for a in json.loads(report)["articles"]
        for f in a["findings"]
        if f["code"]
        in ("TEXT-PUNCTUATION", "TEXT-SPACING", "TEXT-DOUBLED", "TEXT-ELLIPSIS", "TEXT-DASH")
    }
    assert set(changed) == reported
    assert "第一段：要加强监督。" in after
    assert "截至2026年底，共有ABC三类！" in after
    assert "代码:不改." in after and "https://www.example.gov.cn/a,b.html" in after
    assert "页面……问题——整改。" in after
    assert "26年11月召开。" in after  # reported, not fixed: which century is meant?
    assert after.split("---")[1] == before.split("---")[1]  # front matter untouched
    again = congress("check", "--fix", "--now", NOW, cwd=tmp_path)
    assert "已修正" not in again.stdout
    assert path.read_text(encoding="utf-8") == after  # idempotent


def test_fix_never_touches_an_approved_article(tmp_path: Path) -> None:
    make_site(tmp_path, {"news/2026/a.md": article(FIXABLE_BODY)})
    path = tmp_path / "content/news/2026/a.md"
    before = path.read_bytes()
    result = congress("check", "--fix", "--now", NOW, cwd=tmp_path)
    assert "已终审签发" in result.stdout
    assert path.read_bytes() == before


def test_sample_site_has_no_error_finding() -> None:
    result = congress("check", "--json", "--now", NOW, cwd=ROOT)
    assert result.returncode == 0
    assert json.loads(result.stdout)["summary"]["errors"] == 0


def test_a_spacing_hint_shows_the_words_without_the_space() -> None:
    v = judge(article("检查组共走访 12 个社区。\n"))
    hints = [f.hint for f in v.findings if f.code == "TEXT-SPACING"]
    assert hints and all("写作" in h and "“”" not in h for h in hints), hints
    assert any("走访12" in h for h in hints), hints
