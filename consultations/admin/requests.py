"""The triage screens: the request list and a request's change view."""

import datetime as dt

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.template_utils import HistoricalRecordContextHelper

from core.history import ReadOnlyHistoryAdmin
from locations.scoping import (
    LocationScopedAdminMixin,
    StaffLocationFilter,
    staff_locations,
)

from ..booking.admin_display import booked_call_cell, booked_call_line
from ..booking.services import with_booked_call
from ..models import (
    OPEN_STATUSES,
    AccessLog,
    CallAttempt,
    CallTime,
    ConsultationRequest,
    Language,
    SelfHarmAnswer,
    Status,
)
from ..notifications import staff_notification_state, staff_notification_states
from ..reports import promise_report
from ..services.alerts import urgent_request_acknowledge
from ..services.triage import (
    access_log_record,
    call_attempt_record,
    consultation_request_close_as_repeat,
    consultation_requests_assign,
    consultation_requests_transition,
)
from ..workflow import apply_transition, suggests_no_response, with_triage_flags
from .display import local_time, staff_name
from .export import EXPORT_PERMISSION, consultation_requests_csv
from .filters import (
    AssigneeFilter,
    OverdueFilter,
    RepeatFilter,
    StatusFilter,
    phone_search_q,
)
from .forms import TRIAGE_FIELDS, TriageForm
from .inlines import CallAttemptInline, CallLogInline

# Urgent, then overdue, then other open requests, then closed; oldest first in
# each (the annotations come from workflow.with_triage_flags).
DEFAULT_ORDERING = ("triage_priority", "created_at")


def _percent(share):
    return "—" if share is None else f"{round(100 * share)}%"


def _duration(value):
    """ "2 h 5 min", "3 d 4 h": a first-contact delay at a glance."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes} min"


class ReadableHistoryHelper(HistoricalRecordContextHelper):
    """History changes in words: choice labels, people's names, local times."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if value is None or value == "":
            return "—"
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, dt.datetime):
            return local_time(value, self.record.location.zone)
        if field.is_relation and field.related_model is get_user_model():
            return staff_name(value)
        return super().prepare_delta_change_value(change, value)


class NarrowSortPaginator(Paginator):
    """Sort only the ids, then fetch the page's rows.

    The triage order is computed (urgent, overdue, oldest), so no index
    serves it and the database sorts every matching row; sorting whole rows
    (every column, the joined location and user) made the first page cost
    seconds at 100,000 requests. The ids are sorted in one narrow query and
    the 50 rows are read by id in a second one.
    """

    def page(self, number):
        page = super().page(number)
        ids = list(page.object_list.values_list("pk", flat=True))
        rows = {row.pk: row for row in self.object_list.order_by().filter(pk__in=ids)}
        page.object_list = [rows[pk] for pk in ids if pk in rows]
        return page


class TriageChangeList(ChangeList):
    # Django shows sort arrows for the ModelAdmin's or model's static
    # ordering; ours is dynamic (annotations), so report it instead.
    def _get_default_ordering(self):
        return list(DEFAULT_ORDERING)

    def get_results(self, request):
        super().get_results(request)
        # The staff-email state of the whole page at once, not a query per row.
        states = staff_notification_states(self.result_list)
        for row in self.result_list:
            row.notification_state = states[row.pk]


@admin.register(ConsultationRequest)
class ConsultationRequestAdmin(LocationScopedAdminMixin, ReadOnlyHistoryAdmin):
    form = TriageForm
    inlines = [CallAttemptInline, CallLogInline]
    # Fits 1280 px beside the filters: the name is shortened, times are
    # short, and "overdue" is said in the call-by cell instead of a column.
    list_display = [
        "reference",
        "patient",
        "location",
        "status",
        "urgent_flag",
        "call_by",
        "calls",
        "assignee",
        "staff_notified",
    ]
    list_select_related = ["location", "assigned_to"]
    list_filter = [
        StatusFilter,
        ("location", StaffLocationFilter),
        "urgent",
        OverdueFilter,
        RepeatFilter,
        AssigneeFilter,
        "language",
        "interest",
        "created_at",
    ]
    # No date hierarchy: its links cost two scans of the whole table per page
    # view (seconds at 100,000 requests); the "received" filter covers it.
    search_fields = ["=reference", "first_name", "last_name", "email"]
    search_help_text = _("Reference, name, email, or phone number in any format.")
    list_per_page = 50
    # Django's second COUNT(*) (of the unfiltered table) for "N total": one
    # query per page view that grows with the table, for a number nobody reads.
    show_full_result_count = False
    actions = ["assign_to_me", "mark_contacting", "close_as_repeat", "mark_spam"]
    object_history_list_template = "admin/consultations/history_list.html"
    fieldsets = [
        (
            _("Request"),
            {
                "fields": [
                    "reference",
                    "location",
                    "received_local",
                    "urgent_state",
                    "self_harm",
                    "interest",
                    "message",
                    "repeat_links",
                ]
            },
        ),
        (
            _("Patient details, as submitted"),
            {
                "fields": [
                    ("first_name", "last_name"),
                    "phone_link",
                    "email",
                    "preferred_contact",
                    "best_times",
                    "language",
                    "heard_about",
                ]
            },
        ),
        (_("Triage"), {"fields": ["suggestion", *TRIAGE_FIELDS]}),
        (
            _("Tracking"),
            {
                "fields": [
                    "promised_local",
                    "overdue_state",
                    "acknowledgement",
                    "first_contacted_local",
                    "closed_local",
                    "staff_notification",
                    "consent",
                    "personal_data_purged_at",
                ]
            },
        ),
    ]

    class Media:
        css = {"all": ["admin/css/triage.css"]}

    # Querysets and permissions

    def get_queryset(self, request):
        attempts = (
            CallAttempt.objects.filter(request=OuterRef("pk"))
            .order_by()
            .values("request")
            .annotate(n=Count("pk"))
            .values("n")
        )
        # Not super(): ModelAdmin.get_queryset orders before these annotations
        # (which the default ordering uses) exist.
        queryset = self.scope_queryset(request, ConsultationRequest.objects.all())
        return (
            with_booked_call(with_triage_flags(queryset))
            .annotate(attempt_count=Coalesce(Subquery(attempts), 0))
            .order_by(*self.get_ordering(request))
        )

    def get_ordering(self, request):
        return list(DEFAULT_ORDERING)

    def get_changelist(self, request, **kwargs):
        return TriageChangeList

    def get_readonly_fields(self, request, obj=None):
        names = []
        for _name, options in self.fieldsets:
            for field in options["fields"]:
                names += field if isinstance(field, tuple) else [field]
        if obj is not None and obj.personal_data_purged_at:
            # Erased by the retention job: nothing new may be written to it.
            return names
        return [name for name in names if name not in TRIAGE_FIELDS]

    def has_add_permission(self, request):
        # Requests come only from the public form.
        return False

    def has_delete_permission(self, request, obj=None):
        # Never lose a request: closing is a status, removal is the purge job.
        return False

    def has_export_permission(self, request):
        return request.user.has_perm(EXPORT_PERMISSION)

    # Views

    def get_urls(self):
        export = path(
            "export/",
            self.admin_site.admin_view(self.export_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_export",
        )
        acknowledge = path(
            "<path:object_id>/acknowledge/",
            self.admin_site.admin_view(self.acknowledge_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_acknowledge",
        )
        report = path(
            "report/",
            self.admin_site.admin_view(self.report_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_report",
        )
        return [export, acknowledge, report, *super().get_urls()]

    def report_view(self, request):
        """The promise report: per location and week, counts only (reports.py)."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        locations = list(staff_locations(request.user).order_by("name"))
        names = {location.pk: location.name for location in locations}
        rows = [
            {
                "location": names[row.location_id],
                "week": row.week,
                "requests": row.requests,
                "due": row.due,
                "kept": row.kept,
                "kept_share": _percent(row.kept_share),
                "median": _duration(row.median_to_contact),
                "urgent": row.urgent,
                "urgent_acked": row.urgent_acked,
                "urgent_share": _percent(row.urgent_acked_share),
            }
            for row in promise_report(locations=locations)
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Call-back promise report"),
            "rows": rows,
            "ack_minutes": settings.URGENT_ACK_MINUTES,
        }
        return TemplateResponse(
            request, "admin/consultations/promise_report.html", context
        )

    def acknowledge_view(self, request, object_id):
        """The one button: "I have this urgent request". Opening the page is not it."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object_or_404(request, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        if urgent_request_acknowledge(consultation_request=obj, by=request.user):
            self.message_user(
                request,
                _("Acknowledged: you have this urgent request. No more alerts go out."),
                messages.SUCCESS,
            )
        elif obj.urgent:
            self.message_user(
                request,
                _("It was already acknowledged: see the banner for who and when."),
                messages.WARNING,
            )
        return HttpResponseRedirect(
            reverse("admin:consultations_consultationrequest_change", args=[obj.pk])
        )

    def urgent_banner(self, request, obj):
        """What the red banner at the top of an urgent request's page says."""
        if not obj.urgent:
            return None
        zone = obj.location.zone
        next_alert = None
        if obj.acknowledged_at is None and obj.status in OPEN_STATUSES:
            if obj.realerted_at is None:
                next_alert = obj.created_at + dt.timedelta(
                    minutes=settings.URGENT_ACK_MINUTES
                )
            elif obj.escalated_at is None:
                next_alert = obj.realerted_at + dt.timedelta(
                    minutes=settings.URGENT_ESCALATION_MINUTES
                )
        return {
            "open": obj.status in OPEN_STATUSES,
            "acknowledged": obj.acknowledged_at is not None,
            "acknowledged_by": staff_name(obj.acknowledged_by),
            "acknowledged_at": local_time(obj.acknowledged_at, zone),
            "realerted_at": obj.realerted_at and local_time(obj.realerted_at, zone),
            "escalated_at": obj.escalated_at and local_time(obj.escalated_at, zone),
            "next_alert": next_alert and local_time(next_alert, zone),
            "next_is_escalation": obj.realerted_at is not None,
            "can_acknowledge": self.has_change_permission(request, obj),
            "acknowledge_url": reverse(
                "admin:consultations_consultationrequest_acknowledge", args=[obj.pk]
            ),
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object_or_404(request, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        access_log_record(
            user=request.user,
            action=AccessLog.Action.VIEW,
            consultation_request=obj,
        )
        extra_context = {
            **(extra_context or {}),
            "urgent_banner": self.urgent_banner(request, obj),
            "booked_call": booked_call_line(obj),
        }
        # Times on this page (shown and typed) are the location's local time.
        with timezone.override(obj.location.zone):
            response = super().change_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):
                response.render()
        return response

    def history_view(self, request, object_id, extra_context=None):
        obj = self.visible_object_or_404(request, object_id)
        access_log_record(
            user=request.user,
            action=AccessLog.Action.VIEW,
            consultation_request=obj,
        )
        # The rows' times in the location's zone, like the change view.
        with timezone.override(obj.location.zone):
            response = super().history_view(request, object_id, extra_context)
            if hasattr(response, "render"):
                response.render()
        return response

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        return (
            super()
            .get_history_queryset(request, history_manager, pk_name, object_id)
            .select_related(
                "history_user", "assigned_to", "acknowledged_by", "location"
            )
        )

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistoryHelper(self.model, historical_record)

    def past_version_viewed(self, request, obj):
        access_log_record(
            user=request.user,
            action=AccessLog.Action.VIEW_VERSION,
            consultation_request=obj,
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "has_export_permission": self.has_export_permission(request),
        }
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None and changelist.query:
            # Who searched and when, and how many rows it showed; never what
            # was typed (a patient's name or phone number).
            access_log_record(
                user=request.user,
                action=AccessLog.Action.SEARCH,
                row_count=changelist.result_count,
            )
        return response

    def export_view(self, request):
        """The change list's current rows (filters and search applied) as CSV."""
        if not (
            self.has_view_or_change_permission(request)
            and self.has_export_permission(request)
        ):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(
                reverse("admin:consultations_consultationrequest_changelist")
            )
        response, count = consultation_requests_csv(changelist.get_queryset(request))
        access_log_record(
            user=request.user, action=AccessLog.Action.EXPORT, row_count=count
        )
        return response

    # Saving

    def save_model(self, request, obj, form, change):
        changed = [name for name in form.changed_data if name in TRIAGE_FIELDS]
        if "status" in changed:
            requested = obj.status
            obj.status = form.initial["status"]
            apply_transition(obj, requested)
            changed.append("closed_at")
        if not change:
            return super().save_model(request, obj, form, change)
        # Only what this form changed: the page may have been open for a
        # while, and a full save would write back a stale copy of what others
        # recorded meanwhile (an acknowledgement, an alert, a first contact).
        obj.save(update_fields=changed)

    def save_formset(self, request, form, formset, change):
        if formset.model is not CallAttempt:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        # Logged attempts are append-only, so only new ones come through; the
        # service stores them (and the first-contact time).
        formset.new_objects = [
            call_attempt_record(
                consultation_request=form.instance,
                by=attempt.by or request.user,
                channel=attempt.channel,
                outcome=attempt.outcome,
                note=attempt.note,
                at=attempt.at,
            )
            for attempt in formset.new_objects
        ]
        if suggests_no_response(
            form.instance.call_attempts.all(), form.instance.status
        ):
            self.message_user(request, self._no_response_hint(), messages.WARNING)

    def get_search_results(self, request, queryset, search_term):
        phone = phone_search_q(search_term.strip())
        if phone is not None:
            # Digits and punctuation only: a phone number, not a name, email
            # or reference (those have letters); one column, not seven
            # case-insensitive scans (bench/triage.py).
            return queryset.filter(phone), False
        return super().get_search_results(request, queryset, search_term)

    def get_paginator(self, request, queryset, per_page, **kwargs):
        return NarrowSortPaginator(queryset, per_page, **kwargs)

    # Actions

    @admin.action(description=_("Assign to me"), permissions=["change"])
    def assign_to_me(self, request, queryset):
        changed = consultation_requests_assign(
            queryset=queryset, to=request.user, by=request.user
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d request assigned to you.",
                "%(count)d requests assigned to you.",
                changed,
            )
            % {"count": changed},
        )

    @admin.action(description=_("Mark as contacting"), permissions=["change"])
    def mark_contacting(self, request, queryset):
        self._bulk_transition(request, queryset, Status.CONTACTING)

    @admin.action(description=_("Mark as spam"), permissions=["change"])
    def mark_spam(self, request, queryset):
        self._bulk_transition(request, queryset, Status.SPAM)

    @admin.action(
        description=_("Close as a repeat of the linked earlier request"),
        permissions=["change"],
    )
    def close_as_repeat(self, request, queryset):
        closed = skipped = 0
        for consultation_request in queryset.select_related("repeat_of"):
            try:
                changed = consultation_request_close_as_repeat(
                    consultation_request=consultation_request, by=request.user
                )
            except ValidationError:
                changed = False
            closed += changed
            skipped += not changed
        self.message_user(
            request,
            ngettext(
                "%(count)d request closed as a repeat.",
                "%(count)d requests closed as repeats.",
                closed,
            )
            % {"count": closed},
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d request was left as it was: it is not a linked "
                    "repeat, or it is already closed.",
                    "%(count)d requests were left as they were: they are not "
                    "linked repeats, or they are already closed.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    def _bulk_transition(self, request, queryset, status):
        moved, skipped = consultation_requests_transition(
            queryset=queryset, to_status=status, by=request.user
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d request moved to “%(status)s”.",
                "%(count)d requests moved to “%(status)s”.",
                moved,
            )
            % {"count": moved, "status": status.label},
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d request was left as it was: its status cannot "
                    "move to “%(status)s”.",
                    "%(count)d requests were left as they were: their status "
                    "cannot move to “%(status)s”.",
                    skipped,
                )
                % {"count": skipped, "status": status.label},
                messages.WARNING,
            )

    # Columns and read-only fields

    @admin.display(description=_("patient"), ordering="last_name")
    def patient(self, obj):
        # Short, to fit the row: whoever calls opens the request anyway.
        name = " ".join(
            part
            for part in (
                obj.first_name,
                f"{obj.last_name[:1]}." if obj.last_name else "",
            )
            if part
        )
        name = name or "—"
        if obj.language == Language.ENGLISH:
            return name
        # Said beside the name, so whoever calls sees it before dialing.
        return format_html(
            '{} <span class="triage-language">{}</span>',
            name,
            obj.get_language_display(),
        )

    @admin.display(description=_("urgent"), ordering="urgent")
    def urgent_flag(self, obj):
        if not obj.urgent:
            return ""
        if obj.status not in OPEN_STATUSES:
            return _("Urgent (closed)")
        if obj.acknowledged_at is None:
            return format_html(
                '<span class="triage-flag triage-flag--urgent">{}</span>',
                _("Urgent: not acknowledged"),
            )
        return format_html(
            '<span class="triage-flag triage-flag--urgent triage-flag--acked">{}</span>',
            _("Urgent: acknowledged"),
        )

    @admin.display(description=_("call by"), ordering="promised_contact_by")
    def call_by(self, obj):
        booked_at = getattr(obj, "booked_at", None)
        if booked_at and not obj.is_overdue:
            return booked_call_cell(booked_at, obj.location.zone)
        when = local_time(obj.promised_contact_by, obj.location.zone, short=True)
        if not obj.is_overdue:
            return when
        # The word says it; the red only repeats it.
        return format_html(
            '<span class="triage-flag triage-flag--overdue">{}</span> {}',
            _("Overdue"),
            when,
        )

    @admin.display(description=_("calls"), ordering="attempt_count")
    def calls(self, obj):
        return obj.attempt_count

    @admin.display(description=_("assigned to"), ordering="assigned_to__first_name")
    def assignee(self, obj):
        return staff_name(obj.assigned_to) if obj.assigned_to_id else "—"

    @admin.display(description=_("staff notified"))
    def staff_notified(self, obj):
        state = obj.notification_state
        return format_html('<span title="{}">{}</span>', state.label, state.short_label)

    @admin.display(description=_("received"))
    def received_local(self, obj):
        return local_time(obj.created_at, obj.location.zone)

    @admin.display(description=_("call promised by"))
    def promised_local(self, obj):
        return local_time(obj.promised_contact_by, obj.location.zone)

    @admin.display(description=_("first contacted"))
    def first_contacted_local(self, obj):
        return local_time(obj.first_contacted_at, obj.location.zone)

    @admin.display(description=_("closed"))
    def closed_local(self, obj):
        return local_time(obj.closed_at, obj.location.zone)

    @admin.display(description=_("urgent"))
    def urgent_state(self, obj):
        # Never a green tick: "urgent" is a danger sign, said in words.
        if obj.urgent:
            return format_html(
                '<span class="triage-flag triage-flag--urgent">{}</span>',
                _("Yes: urgent"),
            )
        return _("No")

    @admin.display(description=_("thoughts of harming themselves right now"))
    def self_harm(self, obj):
        if not obj.self_harm_answer:
            return _("Not answered")
        label = obj.get_self_harm_answer_display()
        if obj.self_harm_answer == SelfHarmAnswer.YES:
            return format_html(
                '<span class="triage-flag triage-flag--urgent">{}</span>', label
            )
        return label

    @admin.display(description=_("acknowledged"))
    def acknowledgement(self, obj):
        if not obj.urgent:
            return _("Not needed (not urgent)")
        if obj.acknowledged_at is None:
            return _("Not acknowledged")
        return _("By %(who)s, %(when)s") % {
            "who": staff_name(obj.acknowledged_by),
            "when": local_time(obj.acknowledged_at, obj.location.zone),
        }

    @admin.display(description=_("overdue"))
    def overdue_state(self, obj):
        if getattr(obj, "is_overdue", False):
            return format_html(
                '<span class="triage-flag triage-flag--overdue">{}</span>',
                _("Overdue: no call yet and the promised time has passed"),
            )
        return _("No")

    @admin.display(description=_("possible repeat"))
    def repeat_links(self, obj):
        """Both directions of the staff-only repeat link, within the user's scope."""
        links = []
        if obj.repeat_of_id:
            links.append((_("Possible repeat of"), [obj.repeat_of]))
        later = list(obj.repeats.order_by("created_at"))
        if later:
            links.append((_("Possible repeats of this request"), later))
        if not links:
            return _("No")
        return format_html(
            '<ul class="repeat-links">{}</ul>',
            format_html_join(
                "",
                "<li>{}: {}</li>",
                ((label, self._request_links(others)) for label, others in links),
            ),
        )

    @staticmethod
    def _request_links(requests):
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (
                    reverse(
                        "admin:consultations_consultationrequest_change",
                        args=[other.pk],
                    ),
                    other.reference,
                )
                for other in requests
            ),
        )

    @admin.display(description=_("phone"))
    def phone_link(self, obj):
        if not obj.phone:
            return "—"
        return format_html(
            '<a href="tel:{}">{}</a>', obj.phone.as_e164, obj.phone.as_national
        )

    @admin.display(description=_("best times to call"))
    def best_times(self, obj):
        labels = dict(CallTime.choices)
        return ", ".join(str(labels.get(t, t)) for t in obj.call_times or []) or "—"

    @admin.display(description=_("staff email"))
    def staff_notification(self, obj):
        return staff_notification_state(obj).label

    @admin.display(description=_("consent"))
    def consent(self, obj):
        return _("Version %(version)s, %(when)s") % {
            "version": obj.consent_text_version,
            "when": local_time(obj.consented_at, obj.location.zone),
        }

    @admin.display(description=_("suggestion"))
    def suggestion(self, obj):
        if suggests_no_response(obj.call_attempts.all(), obj.status):
            return self._no_response_hint()
        return "—"

    @staticmethod
    def _no_response_hint():
        return _(
            "Three or more calls went unanswered and the patient has not been "
            "reached: consider setting the status to “No response”."
        )
