"""Call availability in the admin, scoped by location like every staff screen."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from consultations.admin.display import local_time
from locations.scoping import LocationScopedAdminMixin

from .models import CallClosure, CallSchedule, CallWindow
from .services import bookings_outside_schedule


class CallWindowInline(admin.TabularInline):
    model = CallWindow
    extra = 0
    verbose_name_plural = _("weekly call windows (the location's local time)")


class CallClosureInline(admin.TabularInline):
    model = CallClosure
    extra = 0
    verbose_name_plural = _(
        "one-off closures (holiday closures of the location apply automatically)"
    )


@admin.register(CallSchedule)
class CallScheduleAdmin(LocationScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "location",
        "published",
        "call_minutes",
        "callers",
        "horizon_days",
        "notice_minutes",
    ]
    list_filter = ["published"]
    list_select_related = ["location"]
    inlines = [CallWindowInline, CallClosureInline]

    def get_readonly_fields(self, request, obj=None):
        # The location of an existing schedule does not move.
        return ["location"] if obj else []

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        schedule = form.instance
        outside = bookings_outside_schedule(schedule)
        if outside:
            zone = schedule.location.zone
            times = "; ".join(
                f"{local_time(b.starts_at, zone)} ({b.request.reference})"
                for b in outside
            )
            self.message_user(
                request,
                ngettext(
                    "%(count)d booked call is now outside the call windows, and "
                    "was kept: %(times)s. Call the patient to rearrange it.",
                    "%(count)d booked calls are now outside the call windows, and "
                    "were kept: %(times)s. Call the patients to rearrange them.",
                    len(outside),
                )
                % {"count": len(outside), "times": times},
                messages.WARNING,
            )
