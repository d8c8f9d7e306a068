"""One exception handler for the API: domain errors become 400/403/409, an unreachable database or broker 503."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerUnavailable
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import StateConflict

logger = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The object's state does not allow this."
    default_code = "conflict"


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The service is briefly unavailable; try again in a few seconds."
    default_code = "unavailable"


def as_drf_validation_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError({k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()})
    return exceptions.ValidationError({"non_field_errors": exc.messages})


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = as_drf_validation_error(exc)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, OverflowError):
        # A number too large for the database in a path or filter the view did not bound itself.
        exc = exceptions.ValidationError({"non_field_errors": ["A number is out of range."]})
    elif isinstance(exc, StateConflict):
        exc = Conflict(detail={"detail": exc.message, "code": exc.code})
    elif isinstance(exc, BrokerUnavailable):
        # A request that must queue work now (a re-score) while the broker is down: try again later.
        logger.warning("broker unavailable: %s", exc)
        exc = ServiceUnavailable("The job queue is briefly unavailable; try again in a few seconds.")
    elif isinstance(exc, (OperationalError, InterfaceError)):
        logger.warning("database unavailable: %s", exc)
        exc = ServiceUnavailable()
    elif isinstance(exc, DatabaseError) and "connection" in str(exc).lower():
        logger.warning("database connection lost: %s", exc)
        exc = ServiceUnavailable()
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == status.HTTP_503_SERVICE_UNAVAILABLE:
        response["Retry-After"] = "5"
    return response


def conflict_response(message: str) -> Response:
    return Response({"detail": message, "code": "conflict"}, status=status.HTTP_409_CONFLICT)
