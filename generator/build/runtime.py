"""How a command runs, decided once by the command line (cli.py) and passed down to what loads
and judges the newsroom: whether the process ends after one build or check (a *one-shot*
command, which may freeze its heap: heap.py) or keeps running and rebuilding (`congress
serve`, which must not), and how the pure work over many articles is spread (two cores where
that pays: parallel.py)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass

from generator.build.heap import settling
from generator.build.parallel import map_on_two_cores
from generator.gate.memos import Executor


@dataclass(frozen=True)
class Runtime:
    one_shot: bool  # the process ends after this command: its heap can be frozen
    map: Executor = map_on_two_cores  # the gate's pure work over many articles

    def settling(self) -> AbstractContextManager[None]:
        """Loading many long-lived objects: the cyclic collector paused, and for a one-shot
        command the heap frozen afterwards (heap.py)."""
        return settling(freeze=self.one_shot)


ONE_SHOT = Runtime(one_shot=True)  # build, check, audit
LONG_RUNNING = Runtime(one_shot=False)  # serve: rebuilds again and again in one process
