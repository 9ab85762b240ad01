"""Change-list filters and phone search for the triage admin."""

import re

import phonenumbers
from django.conf import settings
from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from locations.scoping import colleagues

from ..models import OPEN_STATUSES, Status
from ..workflow import waiting_on_patient_q

# Fewer digits than this match too many numbers to be a useful phone search.
MIN_PHONE_DIGITS = 7
# From this many digits (area code and number) a search is a whole number.
WHOLE_NUMBER_DIGITS = 10


class StatusFilter(admin.SimpleListFilter):
    """Each status, plus "all open" and "waiting on the patient"."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            ("open", _("All open")),
            ("waiting", _("Waiting on the patient")),
            *Status.choices,
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "open":
            return queryset.filter(status__in=OPEN_STATUSES)
        if value == "waiting":
            return queryset.filter(waiting_on_patient_q())
        if value in Status.values:
            return queryset.filter(status=value)
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        # ``is_overdue`` is annotated by workflow.with_triage_flags.
        if self.value() == "yes":
            return queryset.filter(is_overdue=True)
        if self.value() == "no":
            return queryset.filter(is_overdue=False)
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    """Me, unassigned, or a colleague who shares one of my locations."""

    title = _("assigned to")
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        others = colleagues(request.user).exclude(pk=request.user.pk)
        return [
            ("me", _("Me")),
            ("none", _("Nobody")),
            *(
                (str(user.pk), user.get_full_name() or user.get_username())
                for user in others
            ),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(assigned_to=request.user)
        if value == "none":
            return queryset.filter(assigned_to__isnull=True)
        if value and value.isdigit():
            return queryset.filter(assigned_to_id=int(value))
        return queryset


class RepeatFilter(admin.SimpleListFilter):
    """Requests the intake linked to an earlier one (same phone or email, 24 h)."""

    title = _("possible repeat")
    parameter_name = "repeat"

    def lookups(self, request, model_admin):
        return [
            ("yes", _("Possible repeats")),
            ("linked", _("Has possible repeats")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(repeat_of__isnull=False)
        if self.value() == "linked":
            return queryset.filter(repeats__isnull=False).distinct()
        return queryset


def phone_search_q(term: str) -> Q | None:
    """A filter matching the stored E.164 phone for a number typed in any format.

    "(510) 555-0123", "510.555.0123" and "+1 510 555 0123" all find
    +15105550123. A run of at least seven digits also matches as a fragment,
    so "555-0123" finds it too. Returns None when ``term`` is not phone-like.
    """
    digits = re.sub(r"\D", "", term)
    if len(digits) < MIN_PHONE_DIGITS or re.search(r"[^\d\s().+\-/]", term):
        return None
    query = Q(phone__contains=digits)
    try:
        number = phonenumbers.parse(term, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return query
    if len(digits) >= WHOLE_NUMBER_DIGITS and phonenumbers.is_possible_number(number):
        # A whole number: stored in E.164, so one exact (indexed) match.
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return Q(phone=e164)
    return query
