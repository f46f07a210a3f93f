"""The staff registry, `editorial/staff.yml`: who may sign which review stage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from generator.core import legacy as legacy_list
from generator.core import yamlsource
from generator.core.config import Site, refuse_link
from generator.core.configerror import CFG_INVALID, CFG_MISSING, CFG_YAML, ConfigError
from generator.core.model import Moment
from generator.core.schemes import Key, SchemeError, read_key

BASE_ROLES = frozenset({"editor", "dept-head", "leader", "proofreader", "procedure", "secrecy"})

ROLE_NAMES = {
    "editor": "编辑",
    "dept-head": "部门负责人",
    "leader": "分管领导或主要领导",
    "proofreader": "校对",
    "procedure": "程序符合性校验人员",
    "secrecy": "保密审查人员",
}


class StaffKey(BaseModel):
    """One public key of a person: valid for signatures made from `added` until `revoked`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(min_length=1)
    added: Moment
    revoked: Moment | None = None

    @field_validator("key")
    @classmethod
    def _readable(cls, value: str) -> str:
        try:
            read_key(value)
        except SchemeError as exc:
            raise ValueError(str(exc)) from exc
        return value

    @model_validator(mode="after")
    def _in_order(self) -> StaffKey:
        if self.revoked is not None and self.revoked <= self.added:
            raise ValueError("revoked 应晚于 added")
        return self

    @property
    def parsed(self) -> Key:
        return read_key(self.key)

    def valid_at(self, at: datetime) -> bool:
        return self.added <= at and (self.revoked is None or at < self.revoked)


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    roles: list[str] = Field(min_length=1)
    title: str = ""
    keys: list[StaffKey] = []


@dataclass(frozen=True)
class Staff:
    people: Mapping[str, Person]
    # Approvals made before signatures that the registrar vouched for (core/legacy.py), and
    # the digest of their list (part of what the review rules read).
    legacy: frozenset[legacy_list.Record] = frozenset()
    legacy_digest: str = ""
    # Each registered key by (person, fingerprint): which key a signature names, and whose.
    _keys: Mapping[tuple[str, str], StaffKey] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        keys = {(i, k.parsed.fingerprint): k for i, p in self.people.items() for k in p.keys}
        object.__setattr__(self, "_keys", keys)

    def key(self, staff_id: str, fingerprint: str) -> StaffKey | None:
        """The key of `staff_id` with this fingerprint, if the registry lists it."""
        return self._keys.get((staff_id, fingerprint))

    def owners(self, fingerprint: str) -> list[str]:
        """Who the registry lists this key for."""
        return sorted(i for i, fp in self._keys if fp == fingerprint)

    def __contains__(self, staff_id: object) -> bool:
        return staff_id in self.people

    def get(self, staff_id: str) -> Person | None:
        return self.people.get(staff_id)

    def has_role(self, staff_id: str, role: str) -> bool:
        person = self.people.get(staff_id)
        return person is not None and role in person.roles

    def name(self, staff_id: str) -> str:
        person = self.people.get(staff_id)
        return person.name if person else staff_id

    def holders(self, role: str) -> list[str]:
        return sorted(i for i, p in self.people.items() if role in p.roles)


def role_name(role: str, committees: Mapping[str, str]) -> str:
    if role.startswith("committee:"):
        return committees.get(role.split(":", 1)[1], role) + "审核人员"
    return ROLE_NAMES.get(role, role)


def load_staff(site: Site) -> Staff:
    path = site.root / site.congress.staff
    refuse_link(site, path, "人员名录")
    staff = parse_staff(path, site.rel(path), site.congress.committees)
    attested = legacy_list.path_beside(path)
    refuse_link(site, attested, "历史审核记录")
    records, digest = legacy_list.load(attested, site.rel(attested))
    return replace(staff, legacy=records, legacy_digest=digest) if records else staff


def parse_staff(path: Path, display_path: str, committees: Mapping[str, str]) -> Staff:
    if not path.is_file():
        raise ConfigError([CFG_MISSING.at(display_path, file=display_path)])
    try:
        doc = yamlsource.parse(path.read_text(encoding="utf-8-sig"))
    except yamlsource.YamlSyntaxError as exc:
        raise ConfigError([CFG_YAML.at(display_path, exc.line, problem=exc.problem)]) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError([CFG_YAML.at(display_path, 1, problem="文件不是 UTF-8 编码")]) from exc
    if not isinstance(doc.data, dict):
        raise ConfigError(
            [
                CFG_INVALID.at(
                    display_path,
                    1,
                    where="staff",
                    problem="应为“编号: {name, roles}”的映射",
                    file=display_path,
                )
            ]
        )
    known = BASE_ROLES | {f"committee:{c}" for c in committees}
    people: dict[str, Person] = {}
    holders: dict[str, str] = {}  # each key's fingerprint: whose it is
    problems = []
    for staff_id, entry in doc.data.items():
        line = doc.line_of((str(staff_id),))
        try:
            person = Person.model_validate(entry)
        except ValidationError as exc:
            for err in exc.errors():
                loc = (str(staff_id), *err["loc"])
                where = ".".join(str(p) for p in loc)
                problems.append(
                    CFG_INVALID.at(
                        display_path,
                        doc.line_of(loc, line),
                        where=where,
                        problem=err["msg"],
                        file=display_path,
                    )
                )
            continue
        for role in person.roles:
            if role not in known:
                problems.append(
                    CFG_INVALID.at(
                        display_path,
                        line,
                        where=f"{staff_id}.roles",
                        problem=f"未知角色 {role}（可用：{'、'.join(sorted(known))}）",
                        file=display_path,
                    )
                )
        people[str(staff_id)] = person
        for i, key in enumerate(person.keys):
            fingerprint = key.parsed.fingerprint
            other = holders.setdefault(fingerprint, str(staff_id))
            if other != str(staff_id):
                problems.append(
                    CFG_INVALID.at(
                        display_path,
                        doc.line_of((str(staff_id), "keys", i), line),
                        where=f"{staff_id}.keys",
                        problem=f"公钥 {fingerprint} 已登记在 {other} 名下：一个密钥只能属于一个人",
                        file=display_path,
                    )
                )
    if problems:
        raise ConfigError(problems)
    return Staff(people)
