"""What every page a customer reaches by a private link needs (feedback here, case status in recovery).

- `Referrer-Policy: no-referrer` and `Cache-Control: no-store`: the token in the URL must not leak
  through the Referer header to another site, nor stay in a shared cache.
- A per-address rate limit (PUBLIC_TOKEN_THROTTLE, 60/min by default): tokens are not guessable,
  and guessing is not cheap either.
- CSRF stays on, adapted to no-referrer: under that policy a browser posts the page's own form with
  `Origin: null` and no Referer, which Django's stock check refuses (it would make the form unusable in
  every real browser). The double-submit token (cookie + form field) is still required, and an Origin
  naming another site or a Referer from another site is still refused.
"""

from functools import wraps

from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.decorators import decorator_from_middleware
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from core.throttling import public_page_allowed


class _NoReferrerCsrfMiddleware(CsrfViewMiddleware):
    def _origin_verified(self, request):
        return request.META.get("HTTP_ORIGIN") == "null" or super()._origin_verified(request)

    def _check_referer(self, request):
        if request.META.get("HTTP_REFERER") is None:
            return  # no-referrer: the browser sends none for our own form; the token check follows
        super()._check_referer(request)


_no_referrer_csrf = decorator_from_middleware(_NoReferrerCsrfMiddleware)


def customer_page(view):
    """Decorate a view reached by a customer's private link."""
    protected = _no_referrer_csrf(view)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        allowed, wait = public_page_allowed(request)
        if allowed:
            response = protected(request, *args, **kwargs)
        else:
            response = HttpResponse(
                _("Too many requests from your address. Please try again in a minute."),
                status=429, content_type="text/plain; charset=utf-8",
            )
            if wait:
                response["Retry-After"] = str(wait)
        response["Referrer-Policy"] = "no-referrer"
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    # The site-wide CSRF middleware defers to the check above, which runs for this view only.
    return csrf_exempt(wrapped)
