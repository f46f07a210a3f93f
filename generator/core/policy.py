"""The review policy: which stages an article needs, and the role each needs.

It lives in the `policy` option of the congress plugin and defaults to the full process of
the office (三审三校, 专业审核, 程序符合性校验, 保密审查, 领导签发).
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, model_validator

from generator.core.model import LABELS, FrontMatter, Signature

# Stage ids in the order the front matter lists them; labels as the newsroom says them.
STAGES: tuple[str, ...] = (
    "first",
    "second",
    "final",
    "proofread",
    "committee",
    "procedure",
    "secrecy",
)
# Each stage's name as editors read it: the front-matter labels of the stage keys.
STAGE_LABELS: dict[str, str] = {stage: LABELS[stage] for stage in STAGES}
REVIEWS = ("first", "second", "final")  # 三审: three different people


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Stage(_Model):
    required: bool = True
    role: str


class Proofread(_Model):
    required: bool = True
    role: str = "proofreader"
    rounds: int = Field(default=3, ge=1, le=9)
    distinct: int = Field(default=2, ge=1, le=9)

    @model_validator(mode="after")
    def _feasible(self) -> Proofread:
        if self.distinct > self.rounds:
            raise ValueError("校对人数（distinct）不能多于校对次数（rounds）")
        return self


class Committee(_Model):
    """专业审核: required when the article sets `specialist`, by a holder of committee:<id>."""

    required: bool = True


class Procedure(_Model):
    """程序符合性校验: for these kinds and these columns."""

    required: bool = True
    role: str = "procedure"
    kinds: list[str] = ["meeting-report"]
    columns: list[str] = ["sessions"]


class Policy(_Model):
    first: Stage = Stage(role="editor")
    second: Stage = Stage(role="dept-head")
    final: Stage = Stage(role="leader")
    proofread: Proofread = Proofread()
    committee: Committee = Committee()
    procedure: Procedure = Procedure()
    secrecy: Stage = Stage(role="secrecy")
    first_by_editor: bool = True  # 初审 by the article's own 责任编辑

    @model_validator(mode="after")
    def _final_is_mandatory(self) -> Policy:
        if not self.final.required:
            raise ValueError("所有对外发布的信息须经领导终审签发，final.required 不能关闭")
        return self


@dataclass(frozen=True)
class Requirement:
    stage: str
    role: str

    @property
    def label(self) -> str:
        return STAGE_LABELS[self.stage]


def role_for(policy: Policy, stage: str, meta: FrontMatter) -> str:
    """The role a signer of `stage` must hold for this article."""
    if stage == "committee":
        return f"committee:{meta.specialist}" if meta.specialist else "committee:"
    if stage == "proofread":
        return policy.proofread.role
    if stage == "procedure":
        return policy.procedure.role
    stage_policy: Stage = getattr(policy, stage)
    return stage_policy.role


# Keyed by the policy object's id; each entry holds the policy itself, so that the id cannot
# be given to another policy while the entry exists.
_REQUIREMENTS: dict[tuple[int, str, str, str | None], tuple[Policy, list[Requirement]]] = {}


def requirements(policy: Policy, meta: FrontMatter) -> list[Requirement]:
    """The stages this article needs before it may be public, in signing order (worked out
    once per policy and kind of article: they depend on nothing else)."""
    key = (id(policy), meta.kind, meta.column, meta.specialist)
    entry = _REQUIREMENTS.get(key)
    if entry is None or entry[0] is not policy:
        entry = _REQUIREMENTS[key] = (policy, _requirements(policy, meta))
    return entry[1]


def _requirements(policy: Policy, meta: FrontMatter) -> list[Requirement]:
    needed = []
    for stage in ("first", "proofread", "second"):
        if getattr(policy, stage).required:
            needed.append(stage)
    if policy.committee.required and meta.specialist:
        needed.append("committee")
    p = policy.procedure
    if p.required and (meta.kind in p.kinds or meta.column in p.columns):
        needed.append("procedure")
    if policy.secrecy.required:
        needed.append("secrecy")
    needed.append("final")
    return [Requirement(s, role_for(policy, s, meta)) for s in needed]


@dataclass(frozen=True)
class Progress(Requirement):
    """One stage an article needs, with what is signed of it so far."""

    signed: tuple[Signature, ...] = ()
    rounds: int = 1  # signatures the stage needs: the proofreading rounds, else one

    @property
    def done(self) -> bool:
        return len(self.signed) >= self.rounds


def stage_progress(policy: Policy, meta: FrontMatter, stage: str) -> Progress:
    """How far `stage` is for this article, whether or not the policy needs it."""
    return Progress(stage, role_for(policy, stage, meta), *_signed(policy, meta, stage))


def progress(policy: Policy, meta: FrontMatter) -> list[Progress]:
    """Each stage this article needs, in signing order, with its signatures: the one reading
    of a review block that the gate (GATE-PENDING-*), the preview's checklist and
    `congress review` share. The first stage not `done` is the next to sign."""
    return [
        Progress(req.stage, req.role, *_signed(policy, meta, req.stage))
        for req in requirements(policy, meta)
    ]


def _signed(policy: Policy, meta: FrontMatter, stage: str) -> tuple[tuple[Signature, ...], int]:
    """The stage's signatures so far, and how many it needs."""
    if stage == "proofread":
        return tuple(meta.review.proofread), policy.proofread.rounds
    sig: Signature | None = getattr(meta.review, stage)
    return ((sig,) if sig is not None else ()), 1
