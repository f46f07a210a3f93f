"""How a command runs, decided once by the command line (cli.py) and passed down to what loads
and judges the newsroom: whether the process ends after one build or check (a *one-shot*
command, which may freeze its heap: heap.py) or keeps running and rebuilding (`congress
serve`, which must not), and how the pure work over many articles is spread (two cores where
that pays: parallel.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol, TypeVar

from generator.build.heap import settling
from generator.build.parallel import map_on_two_cores

T = TypeVar("T")
R = TypeVar("R")


class Mapper(Protocol):
    """`work(items)`, computed in whatever way the command chose."""

    def __call__(self, work: Callable[[Sequence[T]], list[R]], items: Sequence[T]) -> list[R]: ...


@dataclass(frozen=True)
class Runtime:
    one_shot: bool  # the process ends after this command: its heap can be frozen
    map: Mapper = map_on_two_cores

    def settling(self) -> AbstractContextManager[None]:
        """Loading many long-lived objects: the cyclic collector paused, and for a one-shot
        command the heap frozen afterwards (heap.py)."""
        return settling(freeze=self.one_shot)


ONE_SHOT = Runtime(one_shot=True)  # build, check, audit
LONG_RUNNING = Runtime(one_shot=False)  # serve: rebuilds again and again in one process
