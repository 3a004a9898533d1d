"""Where a tenant may send requests: the one check for outbound URLs an account configures
(today the escalation webhook), used when the URL is saved and again before every POST.

A destination is refused unless every address its host resolves to is public: loopback,
private (RFC 1918, unique local), link-local (169.254/16 with the cloud metadata service,
fe80::/10), multicast, reserved, shared (100.64/10), documentation and unspecified
(0.0.0.0, ::) addresses are all refused, IPv4-mapped IPv6 addresses by their IPv4 address.
The operator can allow named hosts with ``WEBHOOK_ALLOWED_HOSTS`` (an on-premises receiver).

The caller connects to the address that was checked (``Destination.pinned_url``), so a DNS
answer that changes between the check and the connection (DNS rebinding) cannot redirect
the request; TLS still verifies the certificate against the host name.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from django.conf import settings


class DestinationRefused(Exception):
    """A URL a tenant may not send to. ``code``: ``invalid_url``, ``destination_unresolvable``
    or ``destination_not_public``; ``detail``: a sentence for a person."""

    def __init__(self, detail: str, *, code: str):
        super().__init__(detail)
        self.detail = detail
        self.code = code


@dataclass(frozen=True)
class Destination:
    url: str
    host: str
    port: int
    # The checked addresses, in resolver order; empty only for an allowed host that did not
    # resolve here (the HTTP client then resolves it itself).
    addresses: tuple[str, ...]

    @property
    def pinned_url(self) -> str:
        """The URL with its host replaced by the first checked address. Send it with
        ``Host: <host>`` and, for https, the ``sni_hostname`` extension."""
        if not self.addresses:
            return self.url
        return str(httpx.URL(self.url).copy_with(host=self.addresses[0]))


def _refusal_reason(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for flag, reason in (("is_unspecified", "unspecified"), ("is_loopback", "loopback"),
                         ("is_link_local", "link-local"), ("is_multicast", "multicast"),
                         ("is_reserved", "reserved"), ("is_private", "private")):
        if getattr(address, flag):
            return reason
    if not address.is_global:
        return "not public"
    return None


def allowed_hosts() -> set[str]:
    return {host.strip().lower().rstrip(".") for host in getattr(settings, "WEBHOOK_ALLOWED_HOSTS", []) if host}


def resolve_host(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (the system resolver, ``getaddrinfo``), in its
    order; raises ``OSError`` when it does not resolve. The one place names are looked up."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    # Scope ids (fe80::1%eth0) are not part of the address.
    return list(dict.fromkeys(info[4][0].split("%")[0] for info in infos))


def resolve_destination(url: str) -> Destination:
    """Parse ``url`` (http or https), resolve its host and check every address.

    Returns a ``Destination`` whose first address the caller connects to; raises
    ``DestinationRefused`` (codes above). A host in ``WEBHOOK_ALLOWED_HOSTS`` skips the
    public-address check (and, if it does not resolve here, is left to the HTTP client).
    Resolution may block for the system resolver's timeout.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise DestinationRefused("This is not a valid URL.", code="invalid_url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DestinationRefused("Use an http:// or https:// URL with a host name.", code="invalid_url")
    host = parts.hostname.lower().rstrip(".")
    port = port or (443 if parts.scheme == "https" else 80)
    allowed = host in allowed_hosts()
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            addresses = [ipaddress.ip_address(address) for address in resolve_host(host, port)]
        except (OSError, UnicodeError, ValueError):
            addresses = []
        if not addresses:
            if allowed:
                return Destination(url=url, host=host, port=port, addresses=())
            raise DestinationRefused(f"The host {host} could not be found.", code="destination_unresolvable") from None
    if not allowed:
        for address in addresses:
            reason = _refusal_reason(address)
            if reason:
                raise DestinationRefused(
                    f"{host} leads to a {reason} address ({address}); webhooks may only reach public addresses.",
                    code="destination_not_public")
    return Destination(url=url, host=host, port=port, addresses=tuple(str(a) for a in addresses))
