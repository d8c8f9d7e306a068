"""Every level explains itself: the rubric's reason (scoring.Reason) in words a frontline person
understands, in the current language. Shown wherever a level is shown and in the API (`level_reason`)."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import scoring
from .levels import Issue, level_label


def _issues(codes) -> str:
    labels = dict(Issue.choices)
    return ", ".join(str(labels.get(code, code)).lower() for code in codes)


def assessed_reason_words(reason: scoring.Reason | None, assessed_level: int) -> str:
    """Why the rubric gave this level, e.g. "Criminal: Bread basket, served 4 times before, was left out."."""
    level = level_label(assessed_level)
    if reason is None:  # scored before reasons were kept; the next re-score writes one
        return _("%(level)s by the rubric.") % {"level": level}
    code = reason.code
    if code == scoring.PROMISE_BROKEN:
        return _("%(level)s: the promise was broken.") % {"level": level}
    if code == scoring.ISSUES:
        return _("%(level)s: the promise was kept, but: %(issues)s.") % {"level": level, "issues": _issues(reason.issues)}
    if code == scoring.PREFERENCE:
        words = _("%(level)s: served the way this customer prefers.") % {"level": level}
        return _with_not_offered(words, reason)
    if code == scoring.GESTURE:
        if reason.count <= 1:
            return _("%(level)s: first %(gesture)s.") % {"level": level, "gesture": reason.name}
        return _("%(level)s: %(gesture)s again (delivery %(n)d in the familiarity window; each repeat lands a level lower).") % {
            "level": level, "gesture": reason.name, "n": reason.count,
        }
    if code == scoring.OMISSION:
        return ngettext(
            "%(level)s: %(gesture)s, served %(n)d time before, was left out.",
            "%(level)s: %(gesture)s, served %(n)d times before, was left out.",
            reason.count,
        ) % {"level": level, "gesture": reason.name, "n": reason.count}
    return _with_not_offered(_("%(level)s: the promise was kept, the normal way.") % {"level": level}, reason)


def _with_not_offered(words: str, reason: scoring.Reason) -> str:
    if reason.gesture_id is None:
        return words
    return words + " " + _("%(gesture)s is not offered on this channel, so leaving it out does not count.") % {"gesture": reason.name}


def level_reason(*, reason_text: str, assessed_level: int, customer_level: int | None) -> str:
    """The words for an interaction's level: the customer's own rating when they gave one, else the rubric's reason."""
    if customer_level is not None:
        return _("%(level)s: the customer's own rating.") % {"level": level_label(customer_level)}
    return assessed_reason_words(scoring.Reason.decode(reason_text), assessed_level)


def interaction_level_reason(interaction) -> str:
    return level_reason(
        reason_text=interaction.reason, assessed_level=interaction.assessed_level, customer_level=interaction.customer_level
    )
