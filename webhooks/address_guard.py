"""The SSRF guard: a webhook URL may only reach the public internet.

The name is resolved here, at creation and again at every send, and the connection then goes to the
address checked (never a second look-up the answer of which could have changed: DNS rebinding).
Private, loopback, link-local (cloud metadata at 169.254.169.254 among them), shared, multicast and
reserved addresses are refused unless the deployment sets WEBHOOK_ALLOW_PRIVATE.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

# Metadata services that are not in a non-global range everywhere (named so the rule reads plainly).
METADATA_ADDRESSES = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254"),
                      ipaddress.ip_address("100.100.100.200")}


class AddressRefused(Exception):
    """The URL may not be called: the message says why, in words a manager understands."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent in the request line
    address: str  # the checked IP the connection goes to


def _refused(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip in METADATA_ADDRESSES or not ip.is_global or ip.is_multicast


def url_check(url: str) -> tuple[str, str, int, str]:
    """The URL's parts when its form is allowed (scheme, no credentials); AddressRefused otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise AddressRefused(_("This is not a valid URL.")) from None
    scheme = (parts.scheme or "").lower()
    if scheme not in ("http", "https"):
        raise AddressRefused(_("The URL must start with https:// (or http:// outside production)."))
    if scheme == "http" and settings.WEBHOOK_REQUIRE_HTTPS:
        raise AddressRefused(_("The URL must use https."))
    if parts.username or parts.password:
        raise AddressRefused(_("The URL may not contain a user name or password."))
    host = parts.hostname
    if not host:
        raise AddressRefused(_("The URL names no host."))
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return scheme, host, port or (443 if scheme == "https" else 80), path


def url_resolve(url: str) -> Target:
    """Resolve the URL's host now and return where to connect; AddressRefused when any address it
    resolves to is not public (unless WEBHOOK_ALLOW_PRIVATE) or it does not resolve."""
    scheme, host, port, path = url_check(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise AddressRefused(_("The host name %(host)s does not resolve.") % {"host": host}) from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise AddressRefused(_("The host name %(host)s does not resolve.") % {"host": host})
    if not settings.WEBHOOK_ALLOW_PRIVATE:
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])
            if _refused(ip):
                raise AddressRefused(
                    _("%(host)s resolves to %(address)s, a private, loopback, link-local or metadata address.")
                    % {"host": host, "address": address}
                )
    return Target(scheme=scheme, host=host, port=port, path=path, address=addresses[0])
