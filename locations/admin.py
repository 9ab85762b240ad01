from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.audit import AccessAction, personal_data_access_announce
from core.history import ReadOnlyHistoryAdmin
from locations.scoping import (
    LocationScopedAdminMixin,
    StaffLocationFilter,
    staff_location_ids,
)

from .models import (
    HolidayClosure,
    Location,
    OpeningHours,
    PriceList,
    StaffLocation,
    WaitlistEntry,
)
from .services import waitlist_notify_open


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class HolidayClosureInline(admin.TabularInline):
    model = HolidayClosure
    extra = 0


class PriceListInline(admin.StackedInline):
    model = PriceList
    extra = 0
    max_num = 1
    can_delete = False
    fields = [
        "free_phone_consultation",
        ("first_consult_fee", "per_infusion"),
        ("series_infusions", "series_price"),
        "included",
        "not_included",
        "checked_on",
    ]


@admin.register(Location)
class LocationAdmin(ReadOnlyHistoryAdmin):
    list_display = [
        "name",
        "status",
        "city",
        "display_order",
        "pending_waitlist",
        "preview_link",
    ]
    list_filter = ["status"]
    search_fields = ["name", "city", "postal_code"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OpeningHoursInline, HolidayClosureInline, PriceListInline]
    actions = ["tell_waitlist_open"]
    history_list_display = ["status"]

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .annotate(
                pending_waitlist_count=Count(
                    "waitlist_entries",
                    filter=Q(waitlist_entries__notified_at__isnull=True),
                )
            )
        )
        # A clinic manager edits only the locations they work for.
        ids = staff_location_ids(request.user)
        return queryset if ids is None else queryset.filter(pk__in=ids)

    @admin.display(description=_("pending waitlist"), ordering="pending_waitlist_count")
    def pending_waitlist(self, obj):
        return obj.pending_waitlist_count

    @admin.display(description=_("public page"))
    def preview_link(self, obj):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            obj.get_absolute_url(),
            _("View on site"),
        )

    @admin.action(
        description=_("Tell the waitlist we are open"), permissions=["change"]
    )
    def tell_waitlist_open(self, request, queryset):
        for location in queryset:
            if location.status != Location.Status.OPEN:
                self.message_user(
                    request,
                    _(
                        "%(location)s is not open, so nobody on its waitlist was "
                        "told. Set its status to open first."
                    )
                    % {"location": location},
                    messages.WARNING,
                )
                continue
            emailed = waitlist_notify_open(location=location)
            to_call = (
                WaitlistEntry.objects.pending()
                .phone_only()
                .filter(location=location)
                .count()
            )
            text = ngettext(
                "%(location)s: %(count)d email queued.",
                "%(location)s: %(count)d emails queued.",
                emailed,
            ) % {"location": location, "count": emailed}
            if to_call:
                text += " " + ngettext(
                    "%(count)d person gave only a phone number: please call them, "
                    "then mark the entry as told.",
                    "%(count)d people gave only a phone number: please call them, "
                    "then mark their entries as told.",
                    to_call,
                ) % {"count": to_call}
            self.message_user(
                request, text, messages.WARNING if to_call else messages.SUCCESS
            )


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(LocationScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "name",
        "location",
        "preferred_contact",
        "language",
        "contact_on_file",
        "created_at",
        "notified_at",
    ]
    list_filter = [
        ("location", StaffLocationFilter),
        ("notified_at", admin.EmptyFieldListFilter),
        "preferred_contact",
        "language",
    ]
    search_fields = ["name", "email", "phone"]
    date_hierarchy = "created_at"
    # What the patient gave us is a record: staff only note when they told them.
    readonly_fields = [
        "location",
        "name",
        "email",
        "phone",
        "preferred_contact",
        "language",
        "consent_text_version",
        "consented_at",
        "created_at",
        "ip_hash",
    ]
    fields = [*readonly_fields, "notified_at"]
    actions = ["mark_told"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("location")

    def has_add_permission(self, request):
        return False

    # A sign-up says that this person is thinking about ketamine treatment:
    # who opened or searched them is logged like a consultation request.
    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = getattr(response, "context_data", {}).get("original")
        if response.status_code == 200 and obj is not None:
            personal_data_access_announce(
                model=WaitlistEntry,
                user=request.user,
                action=AccessAction.VIEW,
                obj=obj,
            )
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None and changelist.query:
            # How many rows it showed; never what was typed.
            personal_data_access_announce(
                model=WaitlistEntry,
                user=request.user,
                action=AccessAction.SEARCH,
                row_count=changelist.result_count,
            )
        return response

    @admin.display(description=_("contact on file"))
    def contact_on_file(self, obj):
        if obj.email and obj.phone:
            return _("email and phone")
        return _("email") if obj.email else _("phone only")

    @admin.action(
        description=_("Mark as told we are open (after a call)"),
        permissions=["change"],
    )
    def mark_told(self, request, queryset):
        count = queryset.filter(notified_at__isnull=True).update(
            notified_at=timezone.now()
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d entry marked as told.",
                "%(count)d entries marked as told.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(StaffLocation)
class StaffLocationAdmin(admin.ModelAdmin):
    list_display = ["user", "location"]
    list_filter = ["location"]
