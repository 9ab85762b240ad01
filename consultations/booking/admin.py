"""Call availability in the admin, scoped by location like every staff screen."""

import datetime as dt

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from consultations.admin.display import local_time, staff_name
from locations.scoping import LocationScopedAdminMixin
from locations.zones import zone_label

from .models import Booking, CallClosure, CallSchedule, CallWindow
from .services import bookings_outside_schedule
from .wording import day_label, time_label


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
        "call_sheet_link",
    ]
    list_filter = ["published"]
    list_select_related = ["location"]
    inlines = [CallWindowInline, CallClosureInline]

    @admin.display(description=_("call sheet"))
    def call_sheet_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:consultations_callschedule_calls", args=[obj.pk]),
            _("Today's booked calls"),
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/calls/",
                self.admin_site.admin_view(self.call_sheet_view),
                name="consultations_callschedule_calls",
            ),
            *super().get_urls(),
        ]

    def call_sheet_view(self, request, object_id):
        """One location's booked calls on one local day, in local time, with
        who is assigned. Names are shortened and phones left out: whoever
        calls opens the request (which the access log records)."""
        schedule = self.get_object_or_404(request, object_id)
        if not self.has_view_permission(request, schedule):
            raise PermissionDenied
        location = schedule.location
        zone = location.zone
        today = location.local_now().date()
        try:
            day = dt.date.fromisoformat(request.GET.get("day", ""))
        except ValueError:
            day = today
        start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
        bookings = (
            Booking.objects.live()
            .filter(location=location, starts_at__gte=start, starts_at__lt=end)
            .select_related("request", "request__assigned_to")
            .order_by("starts_at", "seat")
        )
        rows = [
            {
                "time": time_label(booking.starts_at, zone),
                "reference": booking.request.reference,
                "url": reverse(
                    "admin:consultations_consultationrequest_change",
                    args=[booking.request_id],
                ),
                "patient": _short_name(booking.request),
                "urgent": booking.request.urgent,
                "status": booking.request.get_status_display(),
                "caller": staff_name(booking.request.assigned_to)
                if booking.request.assigned_to_id
                else "",
            }
            for booking in bookings
        ]
        here = reverse("admin:consultations_callschedule_calls", args=[schedule.pk])
        context = {
            **self.admin_site.each_context(request),
            "title": _("Booked calls: %(name)s") % {"name": location.name},
            "opts": self.model._meta,
            "schedule": schedule,
            "location": location,
            "day_label": day_label(day),
            "zone_label": zone_label(location.time_zone),
            "rows": rows,
            "previous_url": f"{here}?day={day - dt.timedelta(days=1)}",
            "next_url": f"{here}?day={day + dt.timedelta(days=1)}",
            "today_url": here if day != today else "",
        }
        return TemplateResponse(request, "admin/consultations/call_sheet.html", context)

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


def _short_name(consultation):
    """ "Robin T.": enough to greet the right person, not a full record."""
    if consultation.personal_data_purged_at:
        return "—"
    initial = consultation.last_name[:1]
    return (
        f"{consultation.first_name} {initial}." if initial else consultation.first_name
    )
