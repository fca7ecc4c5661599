from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from accounts.admin_audit import PatientDataAuditMixin
from alerts import outbox
from alerts.models import Alert, AlertEvent, Notification

if TYPE_CHECKING:  # the admin classes are generic in django-stubs only, not at run time
    _EventInline = admin.TabularInline[AlertEvent, Alert]
    _AlertAdmin = admin.ModelAdmin[Alert]
    _NotificationAdmin = admin.ModelAdmin[Notification]
else:
    _EventInline = admin.TabularInline
    _AlertAdmin = _NotificationAdmin = admin.ModelAdmin


class AlertEventInline(_EventInline):
    model = AlertEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "actor", "note", "data", "created_at")

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Alert)
class AlertAdmin(PatientDataAuditMixin, _AlertAdmin):
    """Read-only view for support; clinicians follow alerts up in the portal (and the API)."""

    list_display = ("id", "patient", "kind", "severity", "status", "created_at")
    list_filter = ("status", "severity", "kind")
    list_select_related = ("patient",)
    search_fields = ("patient__email", "dedupe_key")
    readonly_fields = [field.name for field in Alert._meta.fields]
    inlines = [AlertEventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Alert | None = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(_NotificationAdmin):
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
        "reminder_date",
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
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = outbox.retry_failed(queryset.values_list("pk", flat=True))
        self.message_user(request, f"{count} failed notification(s) will be sent again now.")
        if count == 0:
            self.message_user(
                request, "Only failed notifications can be retried.", messages.WARNING
            )

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("alerts.change_notification")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False
