"""Small template helpers for the staff pages: level badges, SLA countdowns, standings."""

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from interactions.levels import Level
from interactions.levels import customer_words as _customer_words

register = template.Library()


@register.filter
def level_badge(value):
    """A level as a coloured pill with its name (the colour is never the only signal)."""
    if not value:
        return ""
    level = Level(int(value))
    return format_html('<span class="level level-{}">{}</span>', int(level), level.label)


def _hours_minutes(seconds: int) -> str:
    minutes = max(0, seconds) // 60
    hours, minutes = divmod(minutes, 60)
    if hours >= 48:
        return _("%(days)s d %(hours)s h") % {"days": hours // 24, "hours": hours % 24}
    if hours:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)s min") % {"minutes": minutes}


@register.simple_tag
def countdown(due, now=None):
    """'due in 2 h 10 min' or 'overdue by 15 min', rendered on the server."""
    if due is None:
        return ""
    now = now or timezone.now()
    seconds = int((due - now).total_seconds())
    if seconds < 0:
        return format_html(
            '<span class="overdue">{}</span>', _("overdue by %(span)s") % {"span": _hours_minutes(-seconds)}
        )
    return format_html('<span class="due">{}</span>', _("due in %(span)s") % {"span": _hours_minutes(seconds)})


def _ordinal(n: int) -> str:
    if n == 1:
        return pgettext("delivery count", "1st time")
    if n == 2:
        return pgettext("delivery count", "2nd time")
    if n == 3:
        return pgettext("delivery count", "3rd time")
    return pgettext("delivery count", "%(n)sth time") % {"n": n}


@register.filter
def standing_text(standing):
    """A gesture's place on the escalator for one customer, e.g. '3rd time: now Desired'."""
    if standing is None:
        return ""
    if standing.standing is None:
        return _("never: %(level)s") % {"level": Level(standing.next_level).label}
    return _("%(nth)s: now %(level)s") % {
        "nth": _ordinal(standing.deliveries_in_window + 1),
        "level": Level(standing.next_level).label,
    }


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def level_reason(interaction):
    """Why an interaction has its level, in words (interactions.reasons)."""
    from interactions.reasons import interaction_level_reason

    return interaction_level_reason(interaction)


@register.filter
def may_correct(interaction, user):
    """Whether this user may correct this interaction's facts now (interactions.services decides)."""
    from interactions.services import interaction_may_correct

    return interaction_may_correct(user, interaction)[0]


@register.filter
def customer_words(value):
    """A level in the customer's own words ("Pleasantly surprised"), as they chose it."""
    return _customer_words(value)


@register.filter
def is_escalated(case, now=None):
    """Escalated once the due time has passed, computed on read (RecoveryCase.is_escalated)."""
    return case.is_escalated(now or timezone.now())


@register.filter(expects_localtime=False)
def when(value, fmt="j M Y, H:i"):
    """A moment as the viewer reads it: in their time zone, inside <time>, and with the zone's name
    (CET, UTC) where the teams they see live in other zones (web.middleware sets which)."""
    if value is None:
        return ""
    from django.utils.dateformat import format as date_format

    from web.middleware import zone_named

    local = timezone.localtime(value) if timezone.is_aware(value) else value
    text = date_format(local, fmt)
    if zone_named.get():
        zone = timezone.get_current_timezone_name()
        return format_html('<time datetime="{}">{} <abbr title="{}">{}</abbr></time>', local.isoformat(), text, zone, local.tzname())
    return format_html('<time datetime="{}">{}</time>', local.isoformat(), text)
