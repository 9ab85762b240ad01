from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Exists, OuterRef
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.history import ReadOnlyHistoryAdmin

from .diff import revision_diff_html
from .models import (
    REVISED_FIELDS,
    Article,
    ArticleChangeNote,
    ArticleRevision,
    ArticleTranslation,
    Clinician,
    ProblemReport,
    Reference,
)
from .services import (
    PUBLISH_PERMISSION,
    article_revision_approve,
    article_revision_propose,
    article_revision_withdraw,
    problem_report_update,
    reviewing_clinician,
    translation_review_record,
)


@admin.register(Clinician)
class ClinicianAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "credentials", "role", "role_es", "user"]
    search_fields = ["name"]
    prepopulated_fields = {"key": ["name"]}
    list_select_related = ["user"]
    raw_id_fields = ["user"]


def can_publish(request) -> bool:
    return request.user.has_perm(PUBLISH_PERMISSION)


def _is_live(obj) -> bool:
    return obj is not None and obj.pk is not None and obj.is_live


class ReviewerOnlyOnLiveMixin:
    # A live page's references and translations change only in a clinical
    # reviewer's hands (an editor's change to the text itself goes through a
    # pending revision instead).
    def _live(self, obj):
        return _is_live(obj)

    def has_add_permission(self, request, obj=None):
        if self._live(obj) and not can_publish(request):
            return False
        return super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        if self._live(obj) and not can_publish(request):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self._live(obj) and not can_publish(request):
            return False
        return super().has_delete_permission(request, obj)


class ReferenceInline(ReviewerOnlyOnLiveMixin, admin.TabularInline):
    model = Reference
    extra = 0
    fields = ["order", "citation", "year", "url", "evidence_type"]
    # A DOI or PubMed link typed without a scheme is https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class ChangeNoteInline(admin.TabularInline):
    model = ArticleChangeNote
    extra = 0
    fields = ["reviewed_on", "note", "revision"]
    readonly_fields = ["revision"]
    verbose_name_plural = _("change notes (shown on the page)")

    def has_add_permission(self, request, obj=None):
        return can_publish(request)

    def has_change_permission(self, request, obj=None):
        return can_publish(request)

    def has_delete_permission(self, request, obj=None):
        return can_publish(request)


class ArticleAdminForm(forms.ModelForm):
    """On the change page (``show_pending``), a live article's pending revision
    is shown, so a second edit builds on it; never on a history page."""

    show_pending = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pending_revision = None
        if self.show_pending and self.instance.pk and self.instance.is_live:
            self.pending_revision = self.instance.revisions.pending().first()
        if self.pending_revision and not self.is_bound:
            for name, value in self.pending_revision.proposed_fields().items():
                if name in self.fields:
                    self.initial[name] = value


class TranslationForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The form strips what is sent; strip what is stored the same way, so
        # text kept with a final newline is not "changed" (and re-reviewed) by
        # a save that did not touch it.
        for name, field in self.fields.items():
            value = self.initial.get(name)
            if isinstance(field, forms.CharField) and field.strip and value:
                self.initial[name] = str(value).strip()


class TranslationFormSet(forms.BaseInlineFormSet):
    """Refuses, before anything is saved, a change that could not be recorded
    as a review (ArticleAdmin.save_formset records it)."""

    request = None

    def clean(self):
        super().clean()
        changed = [
            form
            for form in self.forms
            if form.has_changed() and not self._should_delete_form(form)
        ]
        if not changed:
            return
        if not can_publish(self.request):
            # Belt and braces behind the inline's permissions: text that is,
            # or was, live is a clinical reviewer's to change.
            stored = ArticleTranslation.objects.filter(
                pk__in=[form.instance.pk for form in changed if form.instance.pk]
            )
            if stored.published().exists():
                raise ValidationError(
                    _("Only a clinical reviewer can change a live translation.")
                )
            return
        try:
            reviewing_clinician(self.request.user)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc


def _translations_locked(article) -> bool:
    # A translation is live with its article; one marked published on a
    # draft article goes live the moment the article does.
    if article is None or article.pk is None:
        return False
    return article.is_live or article.translations.published().exists()


class TranslationInline(ReviewerOnlyOnLiveMixin, admin.StackedInline):
    """A translation has no pending revisions: on a live page only a clinical
    reviewer may change it, and their save is recorded as its new review
    (their clinician record, today, next review a year later)."""

    model = ArticleTranslation
    form = TranslationForm
    formset = TranslationFormSet
    extra = 0
    fields = [
        ("language", "status"),
        "title",
        "meta_description",
        "summary",
        "body",
        ("reviewer", "last_reviewed", "next_review_due"),
        "follows_english",
    ]

    def _live(self, obj):
        return _translations_locked(obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if can_publish(request):
            note = _(
                "Saving a change to this translation publishes it at once as "
                "your review: the page names you as its medical reviewer, "
                "reviewed today, next review in a year."
            )
        elif self._live(obj):
            note = _(
                "Only a clinical reviewer can change a live translation. To get "
                "this text changed, ask one; the Spanish page shows it as it is."
            )
        else:
            return fieldsets
        return [(None, {**fieldsets[0][1], "description": note})]

    def get_readonly_fields(self, request, obj=None):
        if can_publish(request):
            # Stamped by the save (services.translation_review_record).
            return ["reviewer", "last_reviewed", "next_review_due"]
        # Without the publish permission a translation stays a draft.
        return ["status"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"request": request})


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
        "pending_change",
        "preview",
    ]
    list_filter = [ReviewOverdueFilter, "status", "nav_group"]
    search_fields = ["title", "slug", "body"]
    list_select_related = ["reviewer"]
    inlines = [ReferenceInline, TranslationInline, ChangeNoteInline]
    form = ArticleAdminForm
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "nav_group", "nav_order"]}),
        (_("Content"), {"fields": ["meta_description", "summary", "body"]}),
        (_("Image"), {"fields": ["hero_image", "hero_alt"]}),
        (
            _("Review"),
            {"fields": ["author", "reviewer", "last_reviewed", "next_review_due"]},
        ),
    ]

    def get_queryset(self, request):
        pending = ArticleRevision.objects.pending().filter(article=OuterRef("pk"))
        return super().get_queryset(request).annotate(has_pending=Exists(pending))

    # Not the prepopulated_fields attribute: the history pages read that one
    # directly, where a live article's slug is read-only.
    def get_prepopulated_fields(self, request, obj=None):
        return {} if _is_live(obj) else {"slug": ["title"]}

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        match = request.resolver_match
        if match and match.url_name == "pages_article_change":
            form = type(form.__name__, (form,), {"show_pending": True})
        return form

    def get_readonly_fields(self, request, obj=None):
        readonly = []
        if not can_publish(request):
            readonly.append("status")
        if _is_live(obj):
            # Set by approving a revision, or fixed once the page has readers.
            readonly += [
                "slug",
                "hero_image",
                "author",
                "reviewer",
                "last_reviewed",
                "next_review_due",
            ]
        return readonly

    def save_model(self, request, obj, form, change):
        live = Article.objects.filter(pk=obj.pk).first() if change else None
        if not _is_live(live):
            return super().save_model(request, obj, form, change)
        # Placement and status are not clinical text: they apply at once.
        direct = ["nav_group", "nav_order", "status"]
        if any(getattr(live, name) != getattr(obj, name) for name in direct):
            for name in direct:
                setattr(live, name, getattr(obj, name))
            live.save()
        request.article_revision = article_revision_propose(
            article=live,
            fields={name: getattr(obj, name) for name in REVISED_FIELDS},
            proposed_by=request.user,
        )
        request.article_revision_made = True

    def save_formset(self, request, form, formset, change):
        if formset.model is not ArticleTranslation or not can_publish(request):
            return super().save_formset(request, form, formset, change)
        # A clinical reviewer's save of a translation is its new review.
        translations = formset.save(commit=False)
        for translation in formset.deleted_objects:
            translation.delete()
        for translation in translations:
            translation_review_record(translation=translation, reviewer=request.user)
            translation.save()
        formset.save_m2m()

    def construct_change_message(self, request, form, formsets, add=False):
        if getattr(request, "article_revision_made", False):
            revision = request.article_revision
            # The admin log must not say the live article changed when it did not.
            if revision is None:
                return "Withdrew the pending change (the form matched the live text)."
            return f"Proposed revision {revision.pk}; the live text is unchanged."
        return super().construct_change_message(request, form, formsets, add)

    def response_change(self, request, obj):
        if not getattr(request, "article_revision_made", False):
            return super().response_change(request, obj)
        revision = request.article_revision
        if revision is None:
            self.message_user(
                request,
                _("The live page is unchanged and no change is waiting for review."),
                messages.INFO,
            )
            return HttpResponseRedirect(
                reverse("admin:pages_article_change", args=[obj.pk])
            )
        self.message_user(
            request,
            _(
                "Your change is saved as a pending revision. The live page stays "
                "as it was until a clinical reviewer approves it."
            ),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse("admin:pages_articlerevision_change", args=[revision.pk])
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            pending = ArticleRevision.objects.pending().filter(article_id=object_id)
            revision = pending.first()
            if revision:
                self.message_user(
                    request,
                    format_html(
                        '{} <a href="{}">{}</a>',
                        _(
                            "This form shows the change waiting for review, not "
                            "the live text."
                        ),
                        reverse(
                            "admin:pages_articlerevision_change", args=[revision.pk]
                        ),
                        _("See what changed"),
                    ),
                    messages.WARNING,
                )
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("change waiting"), boolean=True)
    def pending_change(self, obj):
        return getattr(obj, "has_pending", False)

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


class ApproveRevisionForm(forms.Form):
    note = forms.CharField(
        label=_("What changed, for the page's readers"),
        max_length=300,
        help_text=_(
            "Shown on the page under the review line with today's date, e.g. "
            "“Added the KetECT trial.”"
        ),
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )


class PendingFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return ArticleRevision.Status.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(status=self.value())
        return queryset


@admin.register(ArticleRevision)
class ArticleRevisionAdmin(admin.ModelAdmin):
    """Read-only: a revision is written by editing its article, and published
    by a clinical reviewer with the Approve button."""

    list_display = [
        "article",
        "status",
        "proposed_by",
        "updated_at",
        "approved_by_name",
    ]
    list_filter = [PendingFilter]
    list_select_related = ["article", "proposed_by"]
    search_fields = ["article__title"]
    fields = [
        "article",
        "status",
        "proposed_by",
        "updated_at",
        "preview_link",
        "changes",
        "approved_by_name",
        "approved_at",
    ]
    readonly_fields = fields
    change_form_template = "admin/pages/articlerevision/change_form.html"

    class Media:
        css = {"all": ["admin/css/revision_diff.css"]}

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("changes against the live page"))
    def changes(self, obj):
        if obj.status != ArticleRevision.Status.PENDING:
            return _("Not shown: the live page has moved on since this revision.")
        return revision_diff_html(obj)

    @admin.display(description=_("preview"))
    def preview_link(self, obj):
        if obj.status != ArticleRevision.Status.PENDING:
            return "–"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a> ({})',
            obj.get_preview_url(),
            _("Preview this change as a page"),
            _("staff only, opens in a new tab"),
        )

    def get_urls(self):
        approve = path(
            "<int:pk>/approve/",
            self.admin_site.admin_view(self.approve_view),
            name="pages_articlerevision_approve",
        )
        withdraw = path(
            "<int:pk>/withdraw/",
            self.admin_site.admin_view(self.withdraw_view),
            name="pages_articlerevision_withdraw",
        )
        return [approve, withdraw, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        revision = self.get_object(request, object_id)
        pending = bool(revision and revision.status == ArticleRevision.Status.PENDING)
        extra_context = {
            **(extra_context or {}),
            "can_approve": pending and can_publish(request),
            "can_withdraw": pending and request.user.has_perm("pages.change_article"),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def withdraw_view(self, request, pk):
        if not request.user.has_perm("pages.change_article"):
            raise PermissionDenied
        revision = get_object_or_404(
            ArticleRevision.objects.select_related("article"), pk=pk
        )
        error = None
        if request.method == "POST":
            try:
                article_revision_withdraw(revision=revision, user=request.user)
            except ValidationError as exc:
                error = exc.messages[0]
            else:
                self.message_user(
                    request,
                    _("The change is withdrawn. The live page was never changed."),
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:pages_article_change", args=[revision.article_id])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Withdraw this change"),
            "revision": revision,
            "error": error,
        }
        return TemplateResponse(
            request, "admin/pages/articlerevision/withdraw.html", context
        )

    def approve_view(self, request, pk):
        if not can_publish(request):
            raise PermissionDenied
        revision = get_object_or_404(
            ArticleRevision.objects.select_related("article"), pk=pk
        )
        form = ApproveRevisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                article_revision_approve(
                    revision=revision,
                    approver=request.user,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(
                    request,
                    _("Published. The page now shows today's review and your note."),
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:pages_article_change", args=[revision.article_id])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Approve and publish"),
            "revision": revision,
            "form": form,
            "changes": self.changes(revision),
            "media": self.media,
        }
        return TemplateResponse(
            request, "admin/pages/articlerevision/approve.html", context
        )


class ProblemReportForm(forms.ModelForm):
    class Meta:
        model = ProblemReport
        fields = ["status", "staff_note"]


@admin.register(ProblemReport)
class ProblemReportAdmin(admin.ModelAdmin):
    """Readers' reports, for the content team only (by permission: the content
    groups have it, the front desk does not). What a reader wrote stays as sent."""

    form = ProblemReportForm
    list_display = ["created_at", "article", "reason", "status", "handled_by"]
    list_filter = ["status", "reason"]
    list_select_related = ["article", "handled_by"]
    search_fields = ["article__title"]
    date_hierarchy = "created_at"
    fields = [
        "article",
        "reason",
        "details",
        "created_at",
        "status",
        "staff_note",
        "handled_by",
        "handled_at",
    ]
    readonly_fields = [
        "article",
        "reason",
        "details",
        "created_at",
        "handled_by",
        "handled_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        problem_report_update(
            report=obj,
            status=form.cleaned_data["status"],
            staff_note=form.cleaned_data["staff_note"],
            user=request.user,
        )
