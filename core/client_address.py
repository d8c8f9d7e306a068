"""The client's address, by one rule for the throttles, the login lockout and the HTTPS header.

The connection's address (REMOTE_ADDR) is the client unless the deployment declares how many
proxies stand in front of the app (TRUSTED_PROXY_COUNT). Each proxy appends the address it got the
request from to X-Forwarded-For, so with N trusted proxies the client is the N-th entry from the
right; whatever stands further left was written by the client and proves nothing. With 0 (the
default) X-Forwarded-For is ignored: a client cannot dodge a throttle by inventing a new one per
request. DRF's own rule for NUM_PROXIES is the same, and NUM_PROXIES is set from the same setting.
"""

from django.conf import settings


def client_address(request) -> str:
    meta = request.META
    remote = meta.get("REMOTE_ADDR", "") or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [entry.strip() for entry in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if not forwarded:
        return remote
    return forwarded[-min(proxies, len(forwarded))]
