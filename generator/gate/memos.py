"""What the gate's clock-free rule groups found (decide.MEMOIZED), kept by what they read.

A group's findings follow from the article's contents and from the settings the group reads
(`Context.keys`), so they are kept under both: the article's `source_key` (what its file
holds) and the group's key of the settings. Never on the article: a copy of it with other
front matter (`dataclasses.replace`, as the signing check makes) has no source key and is
judged anew, and changing the wording list judges the text again.

The build cache hands the memos of its last run in (`stored`) and writes back what this run
learned (`learned`); without it, a run starts with none.

Beside them, the outcome of each approval signature's verification, by the signature (which
names its key) and the digest of the statement it signs: the review group is judged again
whenever the registry changes, the cryptography only for a signature never seen.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Protocol, TypeVar

from generator.core.findings import Finding
from generator.core.keys import fingerprint
from generator.core.schemes import verify_approval

T = TypeVar("T")
R = TypeVar("R")

# A group's findings, with the key of the settings they were found with.
Memo = tuple[bytes, tuple[Finding, ...]]


class Executor(Protocol):
    """How the gate runs one pure function over many articles: `map` (here, in order), or
    the build's `map_on_two_cores` (generator/build/parallel.py)."""

    def __call__(self, fn: Callable[[T], R], items: Sequence[T], /) -> Iterable[R]: ...


class Memos:
    """The groups' findings by source key, group and settings key."""

    def __init__(
        self,
        stored: Mapping[bytes, Mapping[str, Memo]] | None = None,
        verified: Mapping[bytes, bool] | None = None,
    ) -> None:
        self._stored: Mapping[bytes, Mapping[str, Memo]] = stored if stored is not None else {}
        self._new: dict[bytes, dict[str, Memo]] = {}
        self._verified: Mapping[bytes, bool] = verified if verified is not None else {}
        self._checked: dict[bytes, bool] = {}
        self._order: list[bytes] = []  # this run's outcomes in the order they were found

    @staticmethod
    def signature_key(scheme: str, data: str, message: bytes) -> bytes:
        return fingerprint("signature", scheme, data, hashlib.sha256(message).digest())

    def verified(self, key: bytes) -> bool | None:
        """A signature's outcome, if known (this run's, else the store's)."""
        found = self._checked.get(key)
        return self._verified.get(key) if found is None else found

    def note(self, key: bytes, ok: bool) -> None:
        if key not in self._checked:
            self._order.append(key)
        self._checked[key] = ok

    def mark(self) -> int:
        """Where this run's outcomes stand now, for `found_since`."""
        return len(self._order)

    def found_since(self, mark: int) -> dict[bytes, bool]:
        """The outcomes worked out since `mark` (a forked worker hands them back)."""
        return {key: self._checked[key] for key in self._order[mark:]}

    def verify(self, scheme: str, data: str, message: bytes) -> bool:
        """Whether an approval signature signs `message`: known, or verified now and kept."""
        key = self.signature_key(scheme, data, message)
        ok = self.verified(key)
        if ok is None:
            ok = verify_approval(scheme, data, message)
            self.note(key, ok)
        return ok

    def preload(self) -> None:
        """Read the stored outcomes now: before the workers fork, which must not share the
        store's database connection with this process (a lazy store reads on first use)."""
        len(self._verified)

    def learned_signatures(self) -> dict[bytes, bool]:
        """The outcomes this run worked out that the store did not hold."""
        return {k: v for k, v in self._checked.items() if k not in self._verified}

    def get(self, source: bytes | None, group: str, settings: bytes) -> tuple[Finding, ...] | None:
        """The group's findings for these contents under these settings, if known."""
        if source is None:
            return None
        memo = self._new.get(source, {}).get(group)
        if memo is None:
            memo = self._stored.get(source, {}).get(group)
        return memo[1] if memo is not None and memo[0] == settings else None

    def put(
        self, source: bytes | None, group: str, settings: bytes, found: tuple[Finding, ...]
    ) -> None:
        if source is not None:
            self._new.setdefault(source, {})[group] = (settings, found)

    def learned(self) -> dict[bytes, dict[str, Memo]]:
        """Every group's memo of each source this run worked something out for (those it
        had already too): what a store of memos keeps for that source now."""
        return {
            source: {**self._stored.get(source, {}), **groups}
            for source, groups in self._new.items()
        }
