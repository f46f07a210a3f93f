"""The site's public identity: the national footer (主办、承办、备案号…) every page carries.

Chinese public-sector sites are inspected for these, so a missing footer field is a
configuration error, reported like every other one (exit code 2), never a page without it.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from generator.core.configerror import CFG_INVALID, ConfigError

FOOTER_LABELS = {
    "sponsor": "主办单位",
    "organizer": "承办单位",
    "address": "地址",
    "phone": "电话",
    "site_code": "网站标识码",
    "icp": "ICP备案号",
    "police": "公安机关备案号（公网安备）",
    "badge": "党政机关标识",
    "email": "联系邮箱",
    "postcode": "邮编",
}


class Badge(BaseModel):
    """The red 党政机关 identifier issued by the registration authority."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    image: str
    href: str = ""
    alt: str = "党政机关"


class Footer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sponsor: str = Field(min_length=1)
    organizer: str = Field(min_length=1)
    address: str = Field(min_length=1)
    phone: str = Field(min_length=1)
    site_code: str = Field(min_length=1)
    icp: str = Field(min_length=1)
    police: str = Field(min_length=1)
    postcode: str = ""
    email: str = ""
    badge: Badge | None = None

    @property
    def police_code(self) -> str:
        """The digits of the 公网安备 number, for the query link on beian.mps.gov.cn."""
        return "".join(re.findall(r"\d+", self.police))


def load_footer(extra: dict[str, Any], file: str) -> Footer:
    """Validate `extra.footer` of mkdocs.yml, naming every missing or bad field."""
    try:
        return Footer.model_validate(extra.get("footer") or {})
    except ValidationError as exc:
        findings = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"])
            name = FOOTER_LABELS.get(str(err["loc"][0]), key)
            problem = "缺少" + name if err["type"] == "missing" else f"{name}：{err['msg']}"
            findings.append(
                CFG_INVALID.at(file, where=f"extra.footer.{key}", problem=problem, file=file)
            )
        raise ConfigError(findings) from exc
