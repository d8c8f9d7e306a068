"""What every staff page view shares: mapping service errors onto forms and answers."""

from django.core.exceptions import ValidationError

from core.errors import StateConflict

__all__ = ["StateConflict", "add_service_errors", "is_htmx"]


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's field messages on the form's fields (others at the top of the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
