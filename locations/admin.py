from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from consultations.admin_scoping import LocationScopedAdminMixin, StaffLocationFilter

from .models import HolidayClosure, Location, OpeningHours, StaffLocation, WaitlistEntry


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class HolidayClosureInline(admin.TabularInline):
    model = HolidayClosure
    extra = 0


@admin.register(Location)
class LocationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "status", "city", "display_order"]
    list_filter = ["status"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OpeningHoursInline, HolidayClosureInline]


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(LocationScopedAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "location", "created_at", "notified_at"]
    list_filter = [("location", StaffLocationFilter)]


@admin.register(StaffLocation)
class StaffLocationAdmin(admin.ModelAdmin):
    list_display = ["user", "location"]
    list_filter = ["location"]
