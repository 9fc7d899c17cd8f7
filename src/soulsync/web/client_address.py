"""The client's address: the socket peer, or ``X-Forwarded-For`` from a trusted proxy only.

Behind a reverse proxy every request comes from the proxy's address, so a
per-address login throttle would lock everyone out together; but a header
that anyone can send must not choose the address either (an attacker would
send a new one with every guess). So the header is read only when the peer is
one of ``web.trusted_proxies``, and then from the right: each hop appends the
address it saw, so the right-most entry that is not itself a trusted proxy is
the client (MDN, "X-Forwarded-For", security and privacy concerns:
https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/X-Forwarded-For).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """``["127.0.0.1", "10.0.0.0/8"]`` as networks (already validated by the config)."""
    return tuple(ipaddress.ip_network(e, strict=False) for e in entries)


def _trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def client_address(
    peer: str | None, forwarded_for: str | None, proxies: tuple[Network, ...]
) -> str:
    """The address to attribute a request to (see the module docstring)."""
    current = peer or "unknown"
    if not forwarded_for or not _trusted(current, proxies):
        return current
    for hop in reversed([h.strip() for h in forwarded_for.split(",")]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            # A malformed entry: we cannot look past it, so stop at the last good hop.
            return current
        current = hop
        if not _trusted(hop, proxies):
            return hop
    return current
