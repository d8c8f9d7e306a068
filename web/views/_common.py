"""What every staff page view shares: mapping service errors onto forms and answers."""

from django.contrib import messages
from django.core.exceptions import ValidationError

from core.errors import StateConflict

__all__ = ["StateConflict", "add_service_errors", "changed_fields", "is_htmx", "saved_through"]


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's field messages on the form's fields (others at the top of the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def changed_fields(form) -> dict:
    """The fields the person changed, with their new values: what an update service takes."""
    return {field: form.cleaned_data[field] for field in form.changed_data}


def saved_through(request, form, save, done: str) -> bool:
    """A form page's POST: when the form is valid, `save(data)` calls the service with its cleaned
    data; the service's field messages land on the form. True once saved, with `done` shown on the
    next page; False means render the form again (400 after a POST)."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        save(form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    messages.success(request, done)
    return True
