"""The site and its staff registry as every command loads them, the registry's signature
checked (core/trust.py)."""

from __future__ import annotations

import os

from generator.core.config import Site, load_site
from generator.core.configerror import ConfigError
from generator.core.findings import Finding
from generator.core.staff import Staff, load_staff
from generator.core.trust import registry_check
from generator.core.wording import load_wording
from generator.failure import config_failed, registry_reported


def registered(
    config_file: str, *, refuse: bool = False, warn: bool = False
) -> tuple[Site, Staff, list[Finding]]:
    """What is wrong with the registry is said on stderr: with `refuse` (a build, a preview,
    an export to another channel, which also say that no trust root is set), an error ends
    the command here."""
    try:
        site = load_site(config_file)
        load_wording(site)  # read again by the newsroom; a broken one is a usage error here
        staff = load_staff(site)
        found = registry_check(site, staff, os.environ)
    except ConfigError as exc:
        config_failed(exc.findings)
    registry_reported(found, refuse=refuse, warn=warn)
    return site, staff, found
