from django.contrib import admin, messages

from accounts.admin_audit import PatientDataAuditMixin
from alerts import outbox
from alerts.models import Alert, AlertEvent, Notification


class AlertEventInline(admin.TabularInline):
    model = AlertEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "actor", "note", "data", "created_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(PatientDataAuditMixin, admin.ModelAdmin):
    """Read-only view for support; clinicians follow alerts up in the portal (and the API)."""

    list_display = ("id", "patient", "kind", "severity", "status", "created_at")
    list_filter = ("status", "severity", "kind")
    list_select_related = ("patient",)
    search_fields = ("patient__email", "dedupe_key")
    readonly_fields = [field.name for field in Alert._meta.fields]
    inlines = [AlertEventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox, read-only: `?status__exact=failed` lists what gave up after 24 hours.

    Support fixes the cause (mail server, a clinician's address), then "Retry now" gives the
    selected failed rows one more attempt; the alert itself is always in the clinician's queue
    whatever its email did.
    """

    list_display = (
        "id",
        "alert",
        "recipient",
        "channel",
        "kind",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
        "created_at",
    )
    list_filter = ("status", "channel", "kind")
    list_select_related = ("alert", "recipient")
    search_fields = ("recipient__email", "message_id")
    readonly_fields = [field.name for field in Notification._meta.fields]
    date_hierarchy = "created_at"
    actions = ["retry_now"]

    @admin.action(description="Retry the selected failed notifications now", permissions=["retry"])
    def retry_now(self, request, queryset):
        count = outbox.retry_failed(queryset.values_list("pk", flat=True))
        self.message_user(request, f"{count} failed notification(s) will be sent again now.")
        if count == 0:
            self.message_user(
                request, "Only failed notifications can be retried.", messages.WARNING
            )

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("alerts.change_notification")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
