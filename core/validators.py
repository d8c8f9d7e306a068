"""Validators shared by every app's models, serializers and forms."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0 and C1 control characters and the Unicode line and paragraph separators: a name is one line.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def refuse_control_characters(value: str) -> None:
    """Names (of teams, rules, gestures, customers) are one line of text: no line breaks, tabs or other
    control characters, which would split an email header or a CSV row they end up in."""
    if value and _CONTROL.search(value):
        raise ValidationError(_("Use one line of text, without control characters."), code="control_characters")
