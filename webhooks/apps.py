from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Outbound webhooks"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from interactions.level_changes import levels_changed
        from recovery.announcements import bend_changed, case_changed
        from reports.announcements import report_sent

        from . import receivers, subscribers
        from .models import WebhookSubscription

        # Connected after recovery's receiver (webhooks comes later in INSTALLED_APPS): a logged
        # interaction's event already shows the case it opened.
        levels_changed.connect(receivers.on_levels_changed, dispatch_uid="webhooks.on_levels_changed")
        case_changed.connect(receivers.on_case_changed, dispatch_uid="webhooks.on_case_changed")
        bend_changed.connect(receivers.on_bend_changed, dispatch_uid="webhooks.on_bend_changed")
        report_sent.connect(receivers.on_report_sent, dispatch_uid="webhooks.on_report_sent")
        # Every write of a subscription, whichever way it comes (the services, the admin, a team's
        # deletion), forgets the team's cached listeners.
        post_save.connect(subscribers.on_subscription_saved, sender=WebhookSubscription, dispatch_uid="webhooks.subscription_saved")
        post_delete.connect(subscribers.on_subscription_deleted, sender=WebhookSubscription, dispatch_uid="webhooks.subscription_deleted")
