from django.apps import AppConfig


class VoiceConfig(AppConfig):
    """The customer's voice: rating requests by email, sent on their own and not too often."""

    name = "voice"
    verbose_name = "The customer's voice"
