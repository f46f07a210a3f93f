"""The staff registry as the adapter loads it: read, and checked against the registrar's
signature (generator/core/trust.py) before anything is built. Every failure is a PluginError
in Chinese, as mkdocs reports its own."""

from __future__ import annotations

import logging
import os

from mkdocs.exceptions import PluginError

from generator.core.config import Site, refuse_link
from generator.core.configerror import ConfigError
from generator.core.invisible import terminal_safe
from generator.core.staff import Staff, load_staff
from generator.core.trust import registry_check

log = logging.getLogger("mkdocs.plugins.congress")


def staff_of(site: Site) -> Staff:
    try:
        refuse_link(site, site.docs_dir, "稿件目录")
        return load_staff(site)
    except ConfigError as exc:
        raise PluginError("；".join(f"{f.location()} {f.message}" for f in exc.findings)) from exc


def check_registry(site: Site, staff: Staff, *, preview: bool) -> None:
    """A registry (or review policy) no trusted registrar signed stops a build; a preview
    only warns, in mkdocs's log."""
    try:
        found = registry_check(site, staff, os.environ)
    except ConfigError as exc:
        raise PluginError("；".join(f.message for f in exc.findings)) from exc
    errors = [f for f in found if f.is_error]
    if errors and not preview:
        raise PluginError("；".join(f"[{f.code}] {f.message}" for f in errors))
    for f in errors:
        log.warning("%s", terminal_safe(f"[{f.code}] {f.message}"))
