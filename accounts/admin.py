from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import Team, TeamSettingChange, User


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "timezone", "sla_criminal_fix_hours", "sla_basic_fix_hours", "say_yes_threshold"]
    search_fields = ["name"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """For audit trails and derived rows: readable, never added, changed or deleted in the admin.
    Every app's read-only admin uses this one."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TeamSettingChange)
class TeamSettingChangeAdmin(ReadOnlyAdmin):
    list_display = ["at", "team", "field", "old_value", "new_value", "actor"]
    list_filter = ["team", "field"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "role", "is_active", "is_superuser"]
    list_filter = ["role", "teams", "is_active"]
    filter_horizontal = ["teams", "groups", "user_permissions"]
    fieldsets = DjangoUserAdmin.fieldsets + (("CX Portal", {"fields": ("role", "teams", "approval_limit", "language")}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (("CX Portal", {"fields": ("role", "teams", "approval_limit")}),)
