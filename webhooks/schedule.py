"""When a failed delivery is tried again: growing pauses, for up to 24 hours. Pure."""

from datetime import timedelta

# The pause before attempt n+1 after n failed attempts (n = 1, 2, ...): ten attempts in all, the
# last about 23 h 43 min after the first. Then the delivery is given up.
RETRY_PAUSES = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=2),
    timedelta(hours=4),
    timedelta(hours=8),
    timedelta(hours=8),
)
MAX_ATTEMPTS = len(RETRY_PAUSES) + 1
GIVE_UP_AFTER = timedelta(hours=24)
# A subscription whose deliveries have failed for this long, without one success, is switched off.
DISABLE_AFTER = timedelta(hours=24)


def retry_pause(failed_attempts: int) -> timedelta | None:
    """The pause after this many failed attempts, or None: give up."""
    if failed_attempts < 1 or failed_attempts > len(RETRY_PAUSES):
        return None
    return RETRY_PAUSES[failed_attempts - 1]


def pause_words(pause: timedelta) -> str:
    """A pause as a person reads it: 30 s, 2 min, 8 h."""
    from django.utils.translation import gettext as _

    seconds = int(pause.total_seconds())
    if seconds < 60:
        return _("%(n)d s") % {"n": seconds}
    if seconds < 3600:
        return _("%(n)d min") % {"n": seconds // 60}
    return _("%(n)d h") % {"n": seconds // 3600}
