from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The trail, for admins to read: nobody adds, changes or deletes an entry."""

    list_display = ["at", "actor_name", "action", "subject", "old_value", "new_value"]
    list_filter = ["action"]
    search_fields = ["subject", "actor_name"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_admin
