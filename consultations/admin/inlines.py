from django.contrib import admin

from locations.scoping import colleagues

from ..models import CallAttempt
from .forms import CallAttemptInlineForm


class CallAttemptInline(admin.TabularInline):
    """Calls are append-only: a logged attempt is part of the record."""

    model = CallAttempt
    form = CallAttemptInlineForm
    extra = 1
    fields = ["at", "by", "channel", "outcome", "note"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")

    def has_add_permission(self, request, obj=None):
        if obj is not None and obj.personal_data_purged_at:
            return False
        return super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "by":
            kwargs["queryset"] = colleagues(request.user)
            kwargs["initial"] = request.user.pk
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
