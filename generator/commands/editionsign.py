"""`congress review` on a print edition (editions/<publication>/<issue>.yml).

An edition is signed as an article is (commands/signing.py: the same prechecks, the same
statement, signed by the same `ssh-keygen` run), judged as the edition gate judges it
(gate/editions.py: the review rules only, on the edition as an article whose text is its list),
and written into the YAML file's `review` block, the rest of the file kept byte for byte.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from generator.build.atomic import write_atomic
from generator.commands.frontedit import FrontMatterShapeError, replace_review
from generator.commands.signing import (
    REVIEW_FILE_FORMAT,
    REVIEW_WRITE,
    Refused,
    Signed,
    Unwritable,
    _refuse,
    precheck,
    signed_review,
)
from generator.core.model import Review
from generator.gate.editions import RULES
from generator.gate.rules import Context
from generator.load.article import Article
from generator.load.editions import parse_edition


def _errors(article: Article, ctx: Context) -> list[object]:
    return [f for rule in RULES for f in rule(article, ctx) if f.is_error]


def check_edition_signed(article: Article, ctx: Context, stage: str, review_after: Review) -> None:
    """Refused if the new signature brings an error the edition had not (a time out of order,
    a key not the signer's …)."""
    meta = article.meta
    assert meta is not None
    after = replace(article, meta=meta.model_copy(update={"review": review_after}))
    already = set(_errors(article, ctx))
    brought = [f for f in _errors(after, ctx) if f not in already]
    if brought:
        first = brought[0]
        raise _refuse(article, stage, first.message, first.hint)  # type: ignore[attr-defined]


def sign_edition(
    article: Article,
    file: Path,
    ctx: Context,
    *,
    publication: str,
    stage: str,
    by: str,
    at: datetime,
    sig: str | None = None,
) -> Signed:
    """Check, then write the signature into the edition file."""
    precheck(article, ctx, stage, by)
    review = signed_review(article, stage, by, at, files=ctx.files, sig=sig)
    check_edition_signed(article, ctx, stage, review)
    data = file.read_bytes()
    try:
        text = data.decode("utf-8")
        # The whole file is the edition's "front matter": framed as one, edited, unframed (a
        # YAML document marker the file starts with stands as the frame's first line).
        marker = "---\n" if text.startswith("---\n") else ""
        inner = text[len(marker) :]
        framed = "---\n" + (inner if inner.endswith("\n") else inner + "\n") + "---\n"
        updated = replace_review(framed, review)
    except (UnicodeDecodeError, FrontMatterShapeError) as exc:
        problem = "不是 UTF-8 编码" if isinstance(exc, UnicodeDecodeError) else str(exc)
        raise Unwritable(REVIEW_FILE_FORMAT.at(article.path, 1, problem=problem)) from exc
    if not (updated.startswith("---\n") and updated.endswith("---\n")):
        raise Unwritable(REVIEW_FILE_FORMAT.at(article.path, 1, problem="刊期文件格式异常"))
    new_text = marker + updated[4:-4]
    try:
        write_atomic(file, new_text.encode("utf-8"))
    except OSError as exc:
        problem = exc.strerror or str(exc)
        raise Unwritable(REVIEW_WRITE.at(article.path, 1, problem=problem)) from exc
    again = parse_edition(ctx.site, article.src, article.path, publication, new_text)
    if again.data is None or getattr(again.data.review, stage) in (None, []):
        write_atomic(file, data)  # never leave a file the gate cannot read
        raise _refuse(article, stage, "写入审核记录失败，文件已恢复原样", "请检查刊期文件的格式。")
    return Signed(article.path, stage, ctx.staff.name(by), at)


__all__ = ["Refused", "check_edition_signed", "sign_edition"]
