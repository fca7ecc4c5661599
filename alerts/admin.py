from django.contrib import admin

from accounts.admin_audit import PatientDataAuditMixin
from alerts.models import Alert, AlertEvent


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
