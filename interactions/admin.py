"""Admin: customers and gestures are editable; levels, deliveries and their history are read-only
(a level only ever changes through the rubric, a customer's rating or the re-score job)."""

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin

from .models import Customer, Gesture, GestureDrift, Interaction, JobRun, LevelChange


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "email", "preferred_channel", "language", "rescore_from"]
    list_filter = ["team", "preferred_channel", "language"]
    search_fields = ["name", "email"]
    list_select_related = ["team"]
    raw_id_fields = ["personal_contact"]


@admin.register(Gesture)
class GestureAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "base_level", "recurring", "cost", "active", "corrected_at"]
    list_filter = ["team", "base_level", "recurring", "active"]
    search_fields = ["name"]
    list_select_related = ["team"]


@admin.register(GestureDrift)
class GestureDriftAdmin(ReadOnlyAdmin):
    list_display = ["gesture", "effective_from", "offset", "share", "customers_reached", "customers_served"]
    list_select_related = ["gesture"]


@admin.register(Interaction)
class InteractionAdmin(ReadOnlyAdmin):
    list_display = ["id", "customer", "team", "channel", "occurred_at", "level", "assessed_level", "customer_level"]
    list_filter = ["team", "level", "channel"]
    date_hierarchy = "occurred_at"
    list_select_related = ["customer", "team"]
    show_full_result_count = False  # a large table: no COUNT(*) on every page
    exclude = ["feedback_nonce", "feedback_digest"]


@admin.register(LevelChange)
class LevelChangeAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "interaction", "old_level", "new_level", "cause", "reason", "actor"]
    list_filter = ["cause"]
    list_select_related = ["actor"]
    show_full_result_count = False


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "kind", "mode", "status", "done", "total", "rows_changed", "finished_at"]
    list_filter = ["kind", "status"]
