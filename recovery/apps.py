from django.apps import AppConfig


class RecoveryConfig(AppConfig):
    name = "recovery"
    verbose_name = "Service recovery and rule bends"

    def ready(self):
        from interactions.level_changes import levels_changed
        from notifications.services import email_renderer_register

        from . import receivers
        from .services import telling

        levels_changed.connect(receivers.on_levels_changed, dispatch_uid="recovery.on_levels_changed")
        email_renderer_register(telling.CASE_OPENED, telling.case_opened_render)
