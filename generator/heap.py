"""Loading a newsroom without the cyclic garbage collector walking it again and again.

Loading 10,000 articles makes about a million long-lived objects. Python's cyclic collector
runs every few hundred allocations and, as the heap grows, walks the whole of it again: a
third of the time of loading from the build cache, and half a second more in mkdocs'
navigation afterwards, which collects with the newsroom in sight. Loading makes no reference
cycles (tests/test_heap.py), so nothing is lost by pausing the collector while it runs; the
loaded objects are then frozen (`gc.freeze`): later collections skip them, and reference
counting still frees each one when it is no longer used.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def settling() -> Iterator[None]:
    """Make long-lived objects with the cyclic collector paused, then set them aside."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
