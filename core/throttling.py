"""Request throttles kept in the cache (Redis in production). They fail open: when the cache does not
answer, requests pass rather than fail, since a broken rate limiter must not take the app down."""

import logging

from rest_framework.throttling import AnonRateThrottle

from .client_address import client_address

logger = logging.getLogger(__name__)


class FailOpenMixin:
    def get_ident(self, request):
        return client_address(request)

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception as exc:  # noqa: BLE001  (cache down: let the request through)
            logger.warning("throttle %s skipped, cache unavailable: %s", self.scope, exc)
            return True


class LoginThrottle(FailOpenMixin, AnonRateThrottle):
    """Per address, on POST /api/auth/token/ (axes locks per username and address on top)."""

    scope = "login"


class PublicTokenThrottle(FailOpenMixin, AnonRateThrottle):
    """Per address, on the customer pages reached by a private link (feedback, status)."""

    scope = "public_token"


def public_page_allowed(request) -> tuple[bool, int | None]:
    """Whether a customer-link page may answer this request now, and if not, in how many seconds."""
    throttle = PublicTokenThrottle()
    if throttle.allow_request(request, None):
        return True, None
    wait = throttle.wait()
    return False, int(wait) + 1 if wait else None
