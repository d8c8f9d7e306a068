from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "inbox"
    verbose_name = "Inbox"

    def ready(self):
        from anymail.signals import inbound

        from . import receivers

        inbound.connect(receivers.on_inbound, dispatch_uid="inbox.on_inbound")
