"""Loading a newsroom without the cyclic garbage collector walking it again and again.

The build layer wraps loading and deciding in `settling` (publishing.py); the domain below
it (load, gate, derive) never touches the collector.

Loading 10,000 articles makes about a million long-lived objects. Python's cyclic collector
runs every few hundred allocations and, as the heap grows, walks the whole of it again: a
third of the time of loading from the build cache, and half a second more in mkdocs'
navigation afterwards, which collects with the newsroom in sight. Loading sound articles
makes no reference cycles (tests/unit/test_heap.py), so nothing is lost by pausing the collector
while it runs; a broken article's exception leaves a few frames in a cycle, which the
collector takes when it runs again.

A one-shot command (`congress build`, `congress check`) then freezes the heap (`gc.freeze`):
later collections skip what is there, and reference counting still frees each object when it
is no longer used. `gc.freeze` takes the whole heap, so a long-running process (`congress
serve`, which rebuilds again and again) must not: cyclic garbage caught in a freeze is never
collected (in a one-shot command, that is those few frames until it exits). The test suite,
which builds in one process, unfreezes after every test.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def settling(*, freeze: bool) -> Iterator[None]:
    """Make long-lived objects with the cyclic collector paused; with `freeze`, then set the
    whole heap aside for the rest of a one-shot command."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()
