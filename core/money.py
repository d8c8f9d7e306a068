"""Amounts of money as people type them: plain decimals only.

"1e3", "0x10", "1_000", "Infinity" and "NaN" are numbers to Python's Decimal but not amounts anyone
means to type; they are refused with a message instead of being read as 1000.00. Forms take a
decimal point or comma ("12.50", "12,50"); the API takes a JSON number or a string with a point.
"""

import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

_FORM_AMOUNT = re.compile(r"^\d{1,12}(?:[.,]\d+)?$")
_API_AMOUNT = re.compile(r"^\d{1,12}(?:\.\d+)?$")
MESSAGE = _("Enter a plain amount, like 12.50: digits and a decimal point, no exponent.")


class MoneyFormField(forms.DecimalField):
    """A form's amount: digits with an optional decimal point or comma."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
            if value and not _FORM_AMOUNT.match(value):
                raise forms.ValidationError(MESSAGE, code="invalid")
            value = value.replace(",", ".")
        return super().to_python(value)


class MoneySerializerField(serializers.DecimalField):
    """An API amount: a JSON number, or a string of digits with an optional decimal point."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and not _API_AMOUNT.match(data.strip()):
            raise serializers.ValidationError(str(MESSAGE), code="invalid")
        if isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)
