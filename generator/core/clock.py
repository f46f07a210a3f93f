"""Time at the boundary: every datetime inside the core is timezone-aware.

China has kept UTC+8 all year since 1991, so a fixed offset is exact for the dates a
newsroom deals with and needs no tz database. Naive values are read as UTC+8.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from generator.core.findings import Code, Severity

CHINA = timezone(timedelta(hours=8))


# What a newsroom can mean: anything outside is a typo or an attack, and near datetime's own
# limits (years 1 and 9999) converting to UTC or adding a day overflows.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200
# The widest offsets any time zone uses (UTC-12 to UTC+14).
LARGEST_OFFSET = timedelta(hours=14)


class TimeParseError(ValueError):
    """A value that is not a date or datetime in ISO 8601 form."""


class TimeRangeError(TimeParseError):
    """A well-formed date or datetime outside 1900-2200, or with an offset no zone uses."""


def parse_datetime(value: object) -> tuple[datetime, bool]:
    """Parse an ISO 8601 date or datetime; return it aware, and whether it was naive.
    Refuses (TimeRangeError) what lies outside EARLIEST_YEAR-LATEST_YEAR or LARGEST_OFFSET,
    so that no later conversion can overflow."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError as exc:
            raise TimeParseError(text) from exc
    else:
        raise TimeParseError(repr(value))
    naive = parsed.tzinfo is None or parsed.utcoffset() is None
    if naive:
        parsed = parsed.replace(tzinfo=CHINA)
    _check_range(parsed, value)
    return parsed, naive


def _check_range(parsed: datetime, value: object) -> None:
    offset = parsed.utcoffset()
    if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR or (
        offset is not None and abs(offset) > LARGEST_OFFSET
    ):
        raise TimeRangeError(str(value).strip())


def aware(value: object) -> datetime:
    """Parse a datetime and make it aware (naive values are UTC+8)."""
    return parse_datetime(value)[0]


def now(override: str | datetime | None = None) -> datetime:
    """The moment the gate judges against: `--now`, else the real clock.

    Never SOURCE_DATE_EPOCH: that fixes the timestamps a build stamps (mkdocs reads it for
    its build date), and is often an old commit's time; taken for now, it would make every
    recent signature "future" and take the site down (issue 13)."""
    if isinstance(override, datetime):
        return aware(override)
    if override:
        return aware(override)
    return datetime.now(tz=CHINA).replace(microsecond=0)


def china(value: datetime) -> datetime:
    return value.astimezone(CHINA)


def minute(value: datetime) -> str:
    """`YYYY-MM-DD HH:MM` in China time, as pages and the PubDate meta tag show it."""
    return china(value).strftime("%Y-%m-%d %H:%M")


def iso(value: datetime) -> str:
    """ISO 8601 in China time with offset, seconds precision."""
    return china(value).isoformat(timespec="seconds")


SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"
EPOCH_INVALID = Code(
    "SOURCE-DATE-EPOCH",
    Severity.ERROR,
    "环境变量 SOURCE_DATE_EPOCH 不是有效的时间戳：{value}（{problem}）",
    "改正或删除这个环境变量：它只决定构建时间戳，不影响稿件何时上线。",
)


def check_source_date_epoch(value: str | None) -> str | None:
    """Why `value` (the environment's SOURCE_DATE_EPOCH) cannot be used, or None if it can
    (or is unset). mkdocs turns it into the build date with `int()` and `fromtimestamp`, so a
    bad one failed every build with a bare Python error: checked once at startup instead.
    The specification wants a decimal count of seconds since 1970; beyond LATEST_YEAR it is
    a typo (milliseconds) or an attack."""
    if value is None:
        return None
    text = value.strip()
    if not text.isascii() or not text.isdigit():
        return "应为 1970 年以来的秒数（只含数字），例如 1764300000"
    try:
        stamp = datetime.fromtimestamp(int(text), UTC)
    except (OverflowError, OSError, ValueError):
        stamp = None
    if stamp is None or stamp.year > LATEST_YEAR:
        return f"超出可用的时间范围（1970–{LATEST_YEAR} 年），是否误写成了毫秒？"
    return None
