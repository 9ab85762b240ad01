from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.history import ReadOnlyHistoryAdmin

from .models import Article, Clinician, Reference


@admin.register(Clinician)
class ClinicianAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "credentials", "role"]
    search_fields = ["name"]
    prepopulated_fields = {"key": ["name"]}


class ReferenceInline(admin.TabularInline):
    model = Reference
    extra = 0
    fields = ["order", "citation", "year", "url", "evidence_type"]


class ReviewOverdueFilter(admin.SimpleListFilter):
    title = _("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("overdue", _("Review overdue")), ("current", _("Review current"))]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.review_overdue()
        if self.value() == "current":
            return queryset.exclude(pk__in=queryset.review_overdue())
        return queryset


@admin.register(Article)
class ArticleAdmin(ReadOnlyHistoryAdmin):
    list_display = [
        "title",
        "nav_group",
        "nav_order",
        "status",
        "reviewer",
        "next_review_due",
        "review_state",
        "preview",
    ]
    list_filter = [ReviewOverdueFilter, "status", "nav_group"]
    search_fields = ["title", "slug", "body"]
    list_select_related = ["reviewer"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ReferenceInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "nav_group", "nav_order"]}),
        (_("Content"), {"fields": ["meta_description", "summary", "body"]}),
        (_("Image"), {"fields": ["hero_image", "hero_alt"]}),
        (
            _("Review"),
            {"fields": ["author", "reviewer", "last_reviewed", "next_review_due"]},
        ),
    ]

    @admin.display(description=_("review"), boolean=False)
    def review_state(self, obj):
        if obj.next_review_due < timezone.localdate():
            return format_html(
                '<strong style="color:#b42318">{}</strong>', _("Overdue")
            )
        return _("Current")

    @admin.display(description=_("preview"))
    def preview(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("View"))
