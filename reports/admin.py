from django.contrib import admin

from .models import WeeklyReportSend


@admin.register(WeeklyReportSend)
class WeeklyReportSendAdmin(admin.ModelAdmin):
    list_display = ["iso_week", "team", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status", "iso_week"]
    list_select_related = ["team"]
    readonly_fields = ["team", "iso_week", "status", "claimed_at", "sent_at", "recipients", "attempts", "last_error"]

    def has_add_permission(self, request):
        return False
