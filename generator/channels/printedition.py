"""What a print edition is, as the renderer (generator/channels/printing.py) takes it: the
edition's numbers, date and publisher, and its articles in order, each with the body as the
site renders it. Built by the edition commands from editions/<publication>/<issue>.yml."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

# Asia/Shanghai has kept +08:00 without summer time since 1991: a fixed offset needs no tzdata.
BEIJING = datetime.timezone(datetime.timedelta(hours=8))


@dataclass(frozen=True)
class PrintArticle:
    uid: str
    title: str
    date_text: str  # "2026年11月10日"
    source: str  # 来源 ("" if none)
    authors: str  # "王敏、刘洋" ("" if none)
    # The body as the site renders it (sanitized HTML); its <img src> are paths relative to
    # `base` ("assets/images/x.svg") or external URLs, which are never fetched.
    body_html: str


@dataclass(frozen=True)
class Edition:
    publication: str  # "示例市人民代表大会常务委员会公报" (printed in 《》 on the cover)
    short_name: str  # the running header, "常委会公报"
    issue: str  # "2026年第6号"
    running: str  # "总第188号"
    date: datetime.date  # the edition's date: also the PDF's creation and modification date
    publisher: str  # 主办单位
    articles: tuple[PrintArticle, ...]
    page_width_mm: float = 185.0  # 16开
    page_height_mm: float = 260.0
    body_font: str = "Noto Serif CJK SC"  # 仿宋/宋体 where configured (a family name)
    heading_font: str = "Noto Sans CJK SC"
    keywords: tuple[str, ...] = ()
    subject: str = ""  # the PDF's subject

    @property
    def title(self) -> str:
        """The document's title: 《publication》issue."""
        return f"《{self.publication}》{self.issue}"

    @property
    def created(self) -> str:
        """The edition's date at 00:00 Beijing time, as W3C-DTF (WeasyPrint's date format)."""
        moment = datetime.datetime.combine(self.date, datetime.time(0, 0), tzinfo=BEIJING)
        return moment.isoformat()

    @property
    def identifier(self) -> str:
        """The PDF identifier's permanent half: the same for every print of this issue."""
        key = "\n".join((self.publication, self.issue, self.running))
        return hashlib.md5(key.encode("utf-8"), usedforsecurity=False).hexdigest()
