from django.contrib import admin

from .models import WebhookAttempt, WebhookDelivery, WebhookSubscription


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("id", "team", "url", "active", "failing_since", "disabled_at")
    list_filter = ("active", "team")
    exclude = ("secret",)
    readonly_fields = ("created_by", "failing_since", "disabled_at", "disabled_reason")


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("at", "status_code", "duration_ms", "response_excerpt", "error", "succeeded")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("id", "subscription", "event", "status", "attempts", "next_attempt_at")
    list_filter = ("status",)
    readonly_fields = ("subscription", "event", "attempts", "first_attempt_at", "delivered_at")
    inlines = [AttemptInline]
