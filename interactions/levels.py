"""The vocabulary of the six levels, channels and issues (no ORM, importable anywhere)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    CRIMINAL = 1, _("Criminal")
    BASIC = 2, _("Basic")
    EXPECTED = 3, _("Expected")
    DESIRED = 4, _("Desired")
    SURPRISING = 5, _("Surprising")
    UNBELIEVABLE = 6, _("Unbelievable")


LEVEL_MEANINGS = {
    Level.CRIMINAL: _("The service promise was broken; legitimate minimum expectations violated."),
    Level.BASIC: _("The promise was kept, but the experience was poor: late, inaccurate, impolite, unexplained, or you had to chase."),
    Level.EXPECTED: _("We did what we said, the normal way."),
    Level.DESIRED: _("Served the way you prefer: your channel, cadence, format."),
    Level.SURPRISING: _("Something unexpected that you liked."),
    Level.UNBELIEVABLE: _("Blown away."),
}

# What a customer reads instead of the internal labels: their own words, one per level. Every customer
# page and mail lists them in this one order (CUSTOMER_CHOICES), with the same button label.
CUSTOMER_WORDS = {
    Level.CRIMINAL: _("You let me down"),
    Level.BASIC: _("Not great"),
    Level.EXPECTED: _("As expected"),
    Level.DESIRED: _("Just the way I like it"),
    Level.SURPRISING: _("Pleasantly surprised"),
    Level.UNBELIEVABLE: _("Blown away"),
}
CUSTOMER_CHOICES = tuple((level, CUSTOMER_WORDS[level]) for level in Level)


def customer_words(value) -> str:
    return str(CUSTOMER_WORDS[Level(value)]) if value else ""


# Levels that open a recovery case.
RECOVERY_LEVELS = (Level.CRIMINAL, Level.BASIC)


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    CHAT = "chat", _("Chat")
    WHATSAPP = "whatsapp", _("WhatsApp")
    IN_PERSON = "in_person", _("In person")
    SOCIAL = "social", _("Social")


class Issue(models.TextChoices):
    LATE = "late", _("Late")
    INACCURATE = "inaccurate", _("Inaccurate")
    IMPOLITE = "impolite", _("Impolite")
    UNEXPLAINED = "unexplained", _("Unexplained")
    CHASED = "chased", _("Customer had to chase")


def level_label(value) -> str:
    return str(Level(value).label) if value else ""
