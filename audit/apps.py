from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The audit tables of every app are append-only, enforced by the database itself."""

    name = "audit"
    verbose_name = "Audit"
