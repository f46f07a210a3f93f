"""Time at the boundary: every datetime inside the core is timezone-aware.

China has kept UTC+8 all year since 1991, so a fixed offset is exact for the dates a
newsroom deals with and needs no tz database. Naive values are read as UTC+8.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8))


class TimeParseError(ValueError):
    """A value that is not a date or datetime in ISO 8601 form."""


def parse_datetime(value: object) -> tuple[datetime, bool]:
    """Parse an ISO 8601 date or datetime; return it aware, and whether it was naive."""
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
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        return parsed.replace(tzinfo=CHINA), True
    return parsed, False


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
