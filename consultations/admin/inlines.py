from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from locations.scoping import colleagues

from ..models import CallAttempt
from .display import local_time, staff_name
from .forms import CallAttemptInlineForm


class CallAttemptInline(admin.TabularInline):
    """A new call attempt. Calls are append-only: a logged one is part of the record."""

    model = CallAttempt
    form = CallAttemptInlineForm
    extra = 1
    fields = ["at", "by", "channel", "outcome", "note"]
    verbose_name = _("new call attempt")
    verbose_name_plural = _("log a call attempt")

    def get_queryset(self, request):
        # Logged attempts are listed by CallLogInline, read-only.
        return super().get_queryset(request).none()

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


class CallLogInline(admin.TabularInline):
    """The calls logged so far: when (the location's time, to the minute) and who."""

    model = CallAttempt
    extra = 0
    fields = ["when", "caller", "channel", "outcome", "note"]
    readonly_fields = fields
    verbose_name = _("logged call")
    verbose_name_plural = _("call log")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by", "request__location")

    @admin.display(description=_("when"))
    def when(self, obj):
        return local_time(obj.at, obj.request.location.zone)

    @admin.display(description=_("by"))
    def caller(self, obj):
        return staff_name(obj.by)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
