"""`Idempotency-Key` on a POST: a retry with the same key returns the first answer and writes nothing.

A client that lost the answer (a timeout, a dropped connection, a double click) sends the same
request again with the same header. The first request claims the key by inserting a row in the
same transaction as its work and stores its answer there; a retry within 24 hours gets that answer
back with `Idempotent-Replayed: true`. Two requests racing with one key: the second's insert waits
on the first's uncommitted row (PostgreSQL's unique index), then finds the stored answer.

- The key is the client's, per user: printable ASCII, at most 255 characters (400 otherwise).
- The same key with another method, path or body is a mistake: 422, nothing written.
- A server error (5xx) is not stored: its work rolled back, so a retry runs again.
- Without the header a POST behaves as before.
"""

import functools
import hashlib
import json
import re
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from accounts.models import IdempotencyKey

HEADER = "Idempotency-Key"
KEPT_FOR = timedelta(hours=24)
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")

SCHEMA_PARAMETER = OpenApiParameter(
    HEADER,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Any string of your choosing (at most 255 printable ASCII characters). A retry with the same key "
    "within 24 hours returns the first answer and writes nothing.",
)
SCHEMA_422 = OpenApiResponse(description="This Idempotency-Key was used before with a different request.")


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was used before with a different request."
    default_code = "idempotency_key_reused"


def _fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str, ensure_ascii=True)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def claim(*, user, key: str, fingerprint: str) -> IdempotencyKey | None:
    """Our row if this request is the first with the key; None if an earlier one answered already.

    Call it inside the transaction that does the work: a twin request waits here until that commits."""
    IdempotencyKey.objects.filter(user=user, created_at__lt=timezone.now() - KEPT_FOR).delete()
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(user=user, key=key, fingerprint=fingerprint)
    except IntegrityError:
        return None


def answer(claimed: IdempotencyKey, *, status_code: int, body) -> None:
    """Store the first answer, in the transaction that claimed the key."""
    claimed.status_code = status_code
    claimed.response_body = body
    claimed.save(update_fields=["status_code", "response_body"])


def earlier_answer(*, user, key: str) -> IdempotencyKey:
    return IdempotencyKey.objects.get(user=user, key=key)


def _replay(*, user, key: str, fingerprint: str) -> Response:
    earlier = IdempotencyKey.objects.get(user=user, key=key)
    if earlier.fingerprint != fingerprint:
        raise KeyReused()
    return Response(earlier.response_body, status=earlier.status_code, headers={"Idempotent-Replayed": "true"})


def idempotent(view_method):
    """Decorate a DRF view's POST handler (`create`, an action)."""

    @functools.wraps(view_method)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None or not request.user.is_authenticated:
            return view_method(view, request, *args, **kwargs)
        if not _VALID_KEY.match(key):
            raise exceptions.ValidationError({HEADER: ["At most 255 printable ASCII characters."]})
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            claimed = claim(user=request.user, key=key, fingerprint=fingerprint)
            if claimed is None:
                return _replay(user=request.user, key=key, fingerprint=fingerprint)
            try:
                response = view_method(view, request, *args, **kwargs)
            except Exception as exc:  # noqa: BLE001  (answered as DRF would; unhandled ones roll everything back)
                response = view.handle_exception(exc)
            if response.status_code >= 500:
                transaction.set_rollback(True)  # nothing was done: the key stays free for the retry
                return response
            answer(claimed, status_code=response.status_code, body=json.loads(JSONRenderer().render(response.data) or b"null"))
        return response

    return wrapper
