"""CSV export of consultation requests for users with the export permission.

The file holds what a call list needs and nothing more: no message, no
safety answer, no internal notes.
"""

import csv

from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ..models import CallTime

CALL_TIME_LABELS = dict(CallTime.choices)

# A spreadsheet treats a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXPORT_PERMISSION = "consultations.export_consultationrequest"


def csv_safe(value) -> str:
    """Text for a CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _local(value, zone):
    # Readable and to the minute, in the location's zone: "2026-12-02 9:05 a.m. PST".
    if not value:
        return ""
    local = timezone.localtime(value, zone)
    return f"{date_format(local, 'Y-m-d g:i a')} {local.tzname()}"


def _phone(number):
    if not number:
        return ""
    if number.country_code == 1:
        return number.as_national
    return number.as_international


def export_header() -> list:
    return [
        _("Reference"),
        _("Location"),
        _("Status"),
        _("Urgent"),
        _("Overdue"),
        _("Received"),
        _("Call promised by"),
        _("First contacted"),
        _("Assigned to"),
        _("Interested in"),
        _("First name"),
        _("Last name"),
        _("Phone"),
        _("Email"),
        _("Preferred contact"),
        _("Language"),
        _("Best times to call"),
        _("Consultation booked for"),
        _("Closed"),
    ]


def export_row(obj) -> list:
    zone = obj.location.zone
    yes, no = _("yes"), _("no")
    assignee = obj.assigned_to
    return [
        obj.reference,
        obj.location.name,
        obj.get_status_display(),
        yes if obj.urgent else no,
        yes if getattr(obj, "is_overdue", False) else no,
        _local(obj.created_at, zone),
        _local(obj.promised_contact_by, zone),
        _local(obj.first_contacted_at, zone),
        (assignee.get_full_name() or assignee.get_username()) if assignee else "",
        obj.get_interest_display(),
        obj.first_name,
        obj.last_name,
        _phone(obj.phone),
        obj.email,
        obj.get_preferred_contact_display(),
        obj.get_language_display(),
        ", ".join(str(CALL_TIME_LABELS.get(t, t)) for t in obj.call_times or []),
        _local(obj.scheduled_for, zone),
        _local(obj.closed_at, zone),
    ]


def consultation_requests_csv(queryset) -> tuple[HttpResponse, int]:
    """A CSV download of ``queryset`` and the number of rows in it."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="consultation-requests-{stamp}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow([csv_safe(cell) for cell in export_header()])
    count = 0
    for obj in queryset:
        writer.writerow([csv_safe(cell) for cell in export_row(obj)])
        count += 1
    return response, count
