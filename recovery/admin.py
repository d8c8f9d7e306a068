from django.contrib import admin

from accounts.admin import ReadOnlyAdmin

from .models import BendEvent, CaseEvent, RecoveryCase, Rule, RuleBend


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = ["at", "kind", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class BendEventInline(CaseEventInline):
    model = BendEvent


@admin.register(RecoveryCase)
class RecoveryCaseAdmin(admin.ModelAdmin):
    list_display = ["id", "team", "customer", "severity", "status", "fix_due", "escalated_at", "recovered_level"]
    list_filter = ["team", "status", "severity"]
    list_select_related = ["team", "customer"]
    raw_id_fields = ["interaction", "customer", "surprise_interaction"]
    # Status and timestamps move only through the workflow (services), which writes the timeline.
    readonly_fields = [
        "interaction", "customer", "team", "severity", "status", "opened_at", "fix_due", "fixed_at", "surprise_due",
        "surprised_at", "surprise_gesture", "surprise_level", "surprise_delivery", "surprise_interaction", "closed_at", "close_reason", "escalated_at", "recovered_level",
        "recovered_rated_at",
    ]
    exclude = ["status_nonce", "status_digest", "recovered_nonce", "recovered_digest"]
    inlines = [CaseEventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "case", "kind", "from_status", "to_status", "actor"]
    list_filter = ["kind"]
    list_select_related = ["case", "actor"]


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "active"]
    list_filter = ["team", "active"]
    search_fields = ["name"]


@admin.register(RuleBend)
class RuleBendAdmin(admin.ModelAdmin):
    list_display = ["id", "rule", "team", "cost", "status", "requested_by", "decided_by", "auto_approved"]
    list_filter = ["team", "status", "auto_approved", "needs_admin"]
    list_select_related = ["rule", "team", "requested_by", "decided_by"]
    # Decisions go through the API (race-safe, never by the requester), which writes the trail.
    readonly_fields = [
        "rule", "team", "case", "customer", "justification", "cost", "status", "requested_by", "requested_at",
        "needs_admin", "auto_approved", "decided_by", "decided_at", "decision_note",
    ]
    inlines = [BendEventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BendEvent)
class BendEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "bend", "kind", "from_status", "to_status", "actor"]
    list_filter = ["kind"]
    list_select_related = ["bend", "actor"]
