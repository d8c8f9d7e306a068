from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Outgoing email through an outbox in the database: written with the change that causes it,
    sent after commit by a worker, retried until it goes out. Nothing depends on the broker or the
    SMTP server being up at the moment of the change."""

    name = "notifications"
    verbose_name = "Outgoing email"
