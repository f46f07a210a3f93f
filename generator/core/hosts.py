"""Host names as the local servers (the preview, the archive's replay) take them: whether one
stands only for this machine, and how it is written in a URL."""

from __future__ import annotations

import ipaddress
import socket


def loopback(host: str) -> bool:
    """True when every address `host` stands for is this machine's loopback."""
    name = host.strip("[]")
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(name, None)
    except (OSError, UnicodeError):
        return False  # an unknown name: refuse rather than guess
    return bool(found) and all(ipaddress.ip_address(a[4][0]).is_loopback for a in found)


def url_host(host: str) -> str:
    """The host as it is written in a URL: an IPv6 address in brackets."""
    name = host.strip("[]")
    return f"[{name}]" if ":" in name else name
