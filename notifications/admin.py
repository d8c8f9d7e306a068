from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import OutboundEmail
from .services import email_retry_dead


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["id", "subject", "created_at", "sent_at", "dead_at", "attempts"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter), ("dead_at", admin.EmptyFieldListFilter)]
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]
    actions = ["retry_dead"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Send the selected dead letters again"))
    def retry_dead(self, request, queryset):
        count = email_retry_dead(email_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, ngettext("%d email will be sent again.", "%d emails will be sent again.", count) % count, messages.SUCCESS)
