"""What the hand-written output serializers of the large lists share.

The interactions list and the cases board write each row as one dict (their serializers'
`to_representation`) instead of DRF's generic walk over bound fields, which cost more than the
page's own query. Their classes still declare every field, so the OpenAPI schema is unchanged, and
tests/api/test_output_serializers.py compares each row with DRF's generic answer.
"""

from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

_DATETIME = serializers.DateTimeField()


def datetime_out(value, tz) -> str | None:
    """A datetime exactly as DRF's DateTimeField writes it: ISO 8601 in `tz` (the current time
    zone, looked up once per row by the caller), "Z" for UTC, None for None."""
    if not value:
        return None
    if value.tzinfo is None or api_settings.DATETIME_FORMAT.lower() != ISO_8601:
        return _DATETIME.to_representation(value)  # naive or another format: DRF's own way
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def choices_of(model, field_name: str) -> dict:
    """The stored values of a model field with choices, as DRF's ChoiceField maps them."""
    return {str(key): key for key, _ in model._meta.get_field(field_name).flatchoices}


def choice_out(choices: dict, value):
    """A stored choice exactly as DRF's ChoiceField writes it (`choices` from choices_of)."""
    if value in ("", None):
        return value
    return choices.get(str(value), value)
