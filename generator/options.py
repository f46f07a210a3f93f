"""Options shared by the `congress` commands, and the ISO time parameter type."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from generator.core import clock

NO_CACHE_OPTION = click.option(
    "--no-cache",
    is_flag=True,
    help="不使用也不更新构建缓存 .cache/congress/（也可设环境变量 CONGRESS_NO_CACHE=1）",
)
QUIET_OPTION = click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="不显示进度（进度写在标准错误输出：终端上是进度条，日志中是定期的一行）",
)
CONFIG_OPTION = click.option(
    "-f",
    "--config-file",
    "config_file",
    default="mkdocs.yml",
    show_default=True,
    help="站点配置文件 (mkdocs.yml)",
)


class TimeParam(click.ParamType):  # type: ignore[type-arg]
    """An ISO 8601 datetime; naive values are read as Beijing time."""

    name = "ISO时间"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        try:
            return clock.aware(value)
        except clock.TimeRangeError:
            self.fail(
                f"{value!r} 超出可用的时间范围（{clock.EARLIEST_YEAR}–{clock.LATEST_YEAR} 年，"
                "时区在 ±14 小时内）[TIME-RANGE]",
                param,
                ctx,
            )
        except clock.TimeParseError:
            self.fail(f"{value!r} 不是有效的时间，请写成 2026-11-28T12:00:00+08:00", param, ctx)


NOW_OPTION = click.option(
    "--now", type=TimeParam(), default=None, help="以此时间判断定时发布、下线等（默认：当前时间）"
)


F = TypeVar("F", bound=Callable[..., Any])


def out_option(default: str, help: str) -> Callable[[F], F]:
    """`--out DIR` of a channel command (wechat, longimage, print, poster)."""
    option: Callable[[F], F] = click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path(default),
        show_default=True,
        help=help,
    )
    return option
