"""Amounts of money as people type them: plain decimals only.

"1e3", "0x10", "1_000", "Infinity" and "NaN" are numbers to Python's Decimal but not amounts anyone
means to type; they are refused with a message instead of being read as 1000.00. Forms take a
decimal point or comma ("12.50", "12,50"); the API takes a JSON number or a string with a point.
"""

import re
from decimal import Decimal

from babel.numbers import format_currency, list_currencies
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

# The locale whose conventions show an amount to a viewer of each language (Babel's data).
_LOCALES = {"nl": "nl_NL", "en": "en_GB"}

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


def validate_currency(code: str) -> None:
    """An ISO 4217 code Babel knows (EUR, USD, GBP, …)."""
    if code not in list_currencies():
        raise ValidationError(_("Use a three-letter ISO 4217 currency code, like EUR or USD."), code="currency")


def money_text(amount, currency: str, *, language: str | None = None) -> str:
    """An amount as the viewer's language writes it: "€ 1.234,50" in Dutch, "€1,234.50" in English."""
    if amount is None or amount == "":
        return "–"
    language = (language or translation.get_language() or "en").split("-")[0]
    return format_currency(Decimal(str(amount)), currency or "EUR", locale=_LOCALES.get(language, "en_GB"))
