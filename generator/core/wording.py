"""统一口径: the office's wording list (editorial/wording.yml), loaded and validated.

The rules that apply it to every article are in the gate (`wording`, `officials`).
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from generator.core import yamlsource
from generator.core.config import Site, refuse_link
from generator.core.configerror import CFG_INVALID, CFG_YAML, ConfigError

Level = Literal["error", "warning"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Preferred(_Model):
    use: str = Field(min_length=1)
    variants: list[str] = Field(alias="not", min_length=1)
    note: str = ""
    unless: list[str] = []  # longer expressions in which a variant is correct
    severity: Level = "error"


class Forbidden(_Model):
    term: str = Field(min_length=1)
    note: str = ""
    severity: Level = "error"


class Official(_Model):
    name: str = Field(min_length=2)
    titles: list[str] = Field(min_length=1)


class Wording(_Model):
    preferred: list[Preferred] = []
    forbidden: list[Forbidden] = []
    officials: list[Official] = []

    @cached_property
    def _terms(self) -> tuple[re.Pattern[str] | None, dict[str, Preferred | Forbidden]]:
        table: dict[str, Preferred | Forbidden] = {}
        for p in self.preferred:
            table |= dict.fromkeys(p.variants, p)
        for f in self.forbidden:
            table[f.term] = f
        if not table:
            return None, table
        alternation = "|".join(re.escape(t) for t in sorted(table, key=len, reverse=True))
        return re.compile(alternation), table

    @cached_property
    def _titles(self) -> list[str]:
        """Every registered title and each of its endings of two or more characters (副主任)."""
        endings = {t[i:] for o in self.officials for t in o.titles for i in range(len(t) - 1)}
        return sorted(endings, key=len, reverse=True)

    @cached_property
    def _names(self) -> re.Pattern[str] | None:
        if not self.officials:
            return None
        return re.compile(
            "|".join(re.escape(o.name) for o in sorted(self.officials, key=lambda o: -len(o.name)))
        )

    @cached_property
    def _by_name(self) -> dict[str, Official]:
        return {o.name: o for o in self.officials}

    @cached_property
    def _title_then_name(self) -> re.Pattern[str] | None:
        full = sorted({t for o in self.officials for t in o.titles}, key=len, reverse=True)
        if not full:
            return None
        return re.compile("(" + "|".join(re.escape(t) for t in full) + ")([\u4e00-\u9fff]{2,3})")


def load_wording(site: Site) -> Wording:
    path = site.root / site.congress.text.wording
    refuse_link(site, path, "统一口径表")
    if not path.is_file():
        return Wording()
    display_path = site.rel(path)
    try:
        doc = yamlsource.parse(path.read_text(encoding="utf-8-sig"))
        return Wording.model_validate(doc.data or {})
    except yamlsource.YamlSyntaxError as exc:
        raise ConfigError([CFG_YAML.at(display_path, exc.line, problem=exc.problem)]) from exc
    except ValidationError as exc:
        raise ConfigError(
            [
                CFG_INVALID.at(
                    display_path,
                    doc.line_of(tuple(err["loc"]), 1),
                    where=".".join(map(str, err["loc"])),
                    problem=err["msg"],
                    file=display_path,
                )
                for err in exc.errors()
            ]
        ) from exc
