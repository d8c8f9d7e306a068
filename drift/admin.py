from django.contrib import admin

from interactions.models import JobRun

from .models import JobLock


class JobRunAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "mode", "status", "started_at", "finished_at", "done", "total", "progress_percent", "rows_examined", "rows_changed"]
    list_filter = ["kind", "status", "mode"]
    readonly_fields = [f.name for f in JobRun._meta.fields]
    date_hierarchy = "started_at"

    @admin.display(description="progress")
    def progress_percent(self, obj):
        return f"{obj.progress:.0%}"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


if not admin.site.is_registered(JobRun):  # interactions/ may register its own view of the runs
    admin.site.register(JobRun, JobRunAdmin)


@admin.register(JobLock)
class JobLockAdmin(admin.ModelAdmin):
    list_display = ["name", "holder", "acquired_at", "expires_at"]
