"""Views every app shares: the server-error handler."""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponseServerError, JsonResponse
from django.template import loader


def server_error(request):
    """handler500: a lost database connection is a short 503 (the client may retry), not a 500.

    Runs for exceptions raised anywhere in the request, middleware included; Django reconnects on the
    next request (CONN_HEALTH_CHECKS)."""
    exc = sys.exc_info()[1]
    if isinstance(exc, (OperationalError, InterfaceError)):
        logging.getLogger(__name__).warning("database unavailable: %s", exc)
        return JsonResponse(
            {"detail": "The service is briefly unavailable; try again in a few seconds."},
            status=503,
            headers={"Retry-After": "5"},
        )
    try:  # the page with the navigation, in the viewer's language
        body = loader.get_template("500.html").render({}, request)
    except Exception:  # noqa: BLE001  (the error page must never fail)
        body = "<!doctype html><title>Server error</title><h1>Something went wrong on our side</h1>"
    return HttpResponseServerError(body)
