from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "inbox"
    verbose_name = "Inbox"

    def ready(self):
        from anymail.signals import inbound

        from privacy.announcements import customer_erased

        from . import receivers

        inbound.connect(receivers.on_inbound, dispatch_uid="inbox.on_inbound")
        customer_erased.connect(receivers.on_customer_erased, dispatch_uid="inbox.on_customer_erased")
