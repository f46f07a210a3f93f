"""The build cache's tables read lazily as mappings (cache.py): only a run that looks pays
for reading them."""

from __future__ import annotations

import pickle
import sqlite3
from collections.abc import Iterator, Mapping

from generator.gate.memos import Memo


class StoredSignatures(Mapping[bytes, bool]):
    """The `signatures` table, read whole at the first look (only a run that judges some
    review again looks)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._rows: dict[bytes, bool] | None = None

    def _all(self) -> dict[bytes, bool]:
        if self._rows is None:
            rows = self._db.execute("select key, ok from signatures")
            self._rows = {key: bool(ok) for key, ok in rows}
        return self._rows

    def __getitem__(self, key: bytes) -> bool:
        return self._all()[key]

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


class StoredMemos(Mapping[bytes, dict[str, Memo]]):
    """The `memos` table, read at the first look and unpickled entry by entry."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._blobs: dict[bytes, bytes] | None = None
        self._read: dict[bytes, dict[str, Memo]] = {}

    def _all(self) -> dict[bytes, bytes]:
        if self._blobs is None:
            self._blobs = dict(self._db.execute("select source, memos from memos"))
        return self._blobs

    def __getitem__(self, source: bytes) -> dict[str, Memo]:
        memos = self._read.get(source)
        if memos is None:
            blob = self._all()[source]
            try:
                memos = pickle.loads(blob)
            except Exception as exc:  # unreadable: as if not there
                raise KeyError(source) from exc
            self._read[source] = memos
        return memos

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())
