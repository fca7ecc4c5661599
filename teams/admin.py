from typing import TYPE_CHECKING

from django.contrib import admin

from teams.models import Team, TeamInvitation, TeamMembership

# ModelAdmin and the inlines take type arguments only for the type checker (no
# django_stubs_ext monkeypatch at runtime), as in accounts/admin.py.
if TYPE_CHECKING:
    _MembershipInline = admin.TabularInline[TeamMembership, Team]
    _TeamAdmin = admin.ModelAdmin[Team]
    _TeamMembershipAdmin = admin.ModelAdmin[TeamMembership]
    _TeamInvitationAdmin = admin.ModelAdmin[TeamInvitation]
else:
    _MembershipInline = admin.TabularInline
    _TeamAdmin = _TeamMembershipAdmin = _TeamInvitationAdmin = admin.ModelAdmin


class MembershipInline(_MembershipInline):
    model = TeamMembership
    extra = 0
    fields = ["user", "role", "active", "created_at", "removed_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(_TeamAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(TeamMembership)
class TeamMembershipAdmin(_TeamMembershipAdmin):
    list_display = ["team", "user", "role", "active", "created_at"]
    list_filter = ["role", "active", "team"]
    search_fields = ["user__email", "team__name"]
    autocomplete_fields = ["user", "team"]


@admin.register(TeamInvitation)
class TeamInvitationAdmin(_TeamInvitationAdmin):
    list_display = ["team", "email", "role", "created_at", "expires_at", "used_at"]
    list_filter = ["role", "team"]
    search_fields = ["email", "team__name"]
    exclude = ["token"]
    readonly_fields = ["used_at", "used_by"]
