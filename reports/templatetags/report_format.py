"""Formatting of report figures: shares as percentages, changes with their sign, "–" for unknown."""

from django import template
from django.utils.formats import number_format

register = template.Library()

UNKNOWN = "–"


@register.filter
def percent(value):
    if value is None:
        return UNKNOWN
    return f"{number_format(round(value * 100, 1), decimal_pos=1)}%"  # number_format truncates


@register.filter
def signed(value):
    if value is None:
        return UNKNOWN
    return f"+{value}" if value > 0 else (f"−{-value}" if value < 0 else "±0")


@register.filter
def known(value, decimals=1):
    if value is None:
        return UNKNOWN
    return number_format(round(value, int(decimals)), decimal_pos=int(decimals))


@register.filter
def joined(values, separator="/"):
    return separator.join(str(v) for v in values)


@register.filter
def level_color(level):
    """The level's colour (as in the stylesheet), inline for mail clients that get no stylesheet."""
    from reports.chart import LEVEL_COLORS

    return LEVEL_COLORS.get(int(level), "#4a5562")
