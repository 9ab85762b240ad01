from django.contrib import admin

from ..models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """The audit trail: readable by superusers, writable by nobody."""

    list_display = ["at", "user", "action", "request", "waitlist_entry", "row_count"]
    list_filter = ["action", "at"]
    list_select_related = ["user", "request", "waitlist_entry"]
    date_hierarchy = "at"

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
