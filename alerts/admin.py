from django.contrib import admin

from alerts.models import Alert, AlertEvent, Notification


class AlertEventInline(admin.TabularInline):
    model = AlertEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "actor", "note", "data", "created_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
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

    Support fixes the cause (mail server, a clinician's address) and asks the clinician to
    check the alert queue; the alert itself is always in the portal whatever its email did.
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
