"""The local stand-in for the WeChat API (tests/wechatserver.py), one per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.wechatserver import WechatServer


@pytest.fixture
def server() -> Iterator[WechatServer]:
    with WechatServer() as running:
        yield running
    assert running.errors == []
