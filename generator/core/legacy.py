"""Approvals made before signatures: vouched for once by the registrar.

An office that adopts signed approvals has an archive approved before: records with `by` and
`at` (and the final digest) but no `sig`. The gate would hold every one of them off the site
(GATE-SIGNATURE-MISSING). Instead, at the switch, the registrar reviews them and signs the
list (`congress registry attest-legacy`): `editorial/legacy-approvals.yml`, with a detached
SSHSIG signature beside it (`.sig`, namespace `legacy@congress-site`), checked against the
trust root like the registry itself (core/trust.py). An unsigned record is then accepted
only if it is on the list exactly (article, stage or round, signer, time, and for the final
sign-off the digest): nothing can be added to it, moved or redated without the registrar's
key, and the record says it was vouched for, not signed by the person.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from generator.core import yamlsource
from generator.core.configerror import CFG_INVALID, CFG_YAML, ConfigError
from generator.core.model import Digest, Moment, Text

FILE = "legacy-approvals.yml"

Record = tuple[str, str, str, str, str]  # uid, stage (proofread-N), by, at (UTC), digest or ""


class LegacyRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    uid: Text
    stage: Text
    by: Text
    at: Moment
    digest: Digest | None = None


class LegacyList(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    attested_at: Moment
    records: list[LegacyRecord] = []


def record(uid: str, stage: str, by: str, at: datetime, digest: str | None) -> Record:
    return (uid, stage, by, at.astimezone(UTC).isoformat(timespec="seconds"), digest or "")


def path_beside(staff_path: Path) -> Path:
    return staff_path.with_name(FILE)


def load(path: Path, display_path: str) -> tuple[frozenset[Record], str]:
    """The attested records and the digest of the file (empty set and '' without one)."""
    if not path.is_file():
        return frozenset(), ""
    data = path.read_bytes()
    try:
        doc = yamlsource.parse(data.decode("utf-8-sig"))
        listed = LegacyList.model_validate(doc.data)
    except yamlsource.YamlSyntaxError as exc:
        raise ConfigError([CFG_YAML.at(display_path, exc.line, problem=exc.problem)]) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError([CFG_YAML.at(display_path, 1, problem="文件不是 UTF-8 编码")]) from exc
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "legacy"
        problem = err["msg"]
        raise ConfigError(
            [CFG_INVALID.at(display_path, 1, where=where, problem=problem, file=display_path)]
        ) from exc
    found = frozenset(record(r.uid, r.stage, r.by, r.at, r.digest) for r in listed.records)
    return found, hashlib.sha256(data).hexdigest()


def dump(records: Iterable[Record], attested_at: datetime) -> bytes:
    """The list as the registrar signs it: one record per line, sorted."""
    lines = [
        "# 签名启用前的审核记录：由登记员核对后签名确认（congress registry attest-legacy）。",
        "# Approvals made before signed approvals, vouched for by the registrar. Do not edit.",
        f"attested_at: {attested_at.isoformat(timespec='seconds')}",
        "records:",
    ]
    for uid, stage, by, at, digest in sorted(set(records)):
        q = json.dumps  # JSON strings are YAML scalars, whatever an id holds
        entry = f"uid: {q(uid)}, stage: {q(stage)}, by: {q(by, ensure_ascii=False)}, at: {at}"
        lines.append(f"  - {{{entry}" + (f", digest: {digest}}}" if digest else "}"))
    return ("\n".join(lines) + "\n").encode("utf-8")
