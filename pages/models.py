from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.facts import unknown_facts
from core.images import ResponsiveImageMixin, validate_image


class Clinician(ResponsiveImageMixin, models.Model):
    name = models.CharField(_("name"), max_length=120)
    key = models.SlugField(_("key"), unique=True)
    credentials = models.CharField(_("credentials"), max_length=60)
    role = models.CharField(_("role"), max_length=160)
    photo = models.ImageField(
        _("photo"), upload_to="clinicians/", blank=True, validators=[validate_image]
    )
    history = HistoricalRecords()

    image_field_name = "photo"

    class Meta:
        ordering = ["name"]
        verbose_name = _("clinician")

    def __str__(self):
        return f"{self.name}, {self.credentials}"


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Article.Status.PUBLISHED)

    def review_overdue(self, today=None):
        return self.filter(next_review_due__lt=today or timezone.localdate())

    def for_navigation(self):
        return self.published().only(
            "title", "slug", "nav_group", "nav_order", "summary"
        )


class Article(ResponsiveImageMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class NavGroup(models.TextChoices):
        BASICS = "basics", _("The basics")
        TREATMENT = "treatment", _("Treatment")
        EVIDENCE = "evidence", _("Evidence")
        PRACTICAL = "practical", _("Practical questions")

    title = models.CharField(_("title"), max_length=160)
    slug = models.SlugField(_("slug"), unique=True)
    meta_description = models.CharField(_("meta description"), max_length=170)
    summary = models.TextField(
        _("key facts"), help_text=_("One paragraph, shown in the key facts box.")
    )
    body = models.TextField(
        _("body"),
        help_text=_(
            "Markdown. Cite references as [1], [2]. Put [[regulatory-status]] or "
            "[[location-prices]] on a line of its own to insert those blocks. "
            "Write approval years, the REMS and crisis numbers as [[fact:name]] "
            "(for example [[fact:crisis-call]]) so they come from the registry."
        ),
    )
    hero_image = models.ImageField(
        _("hero image"), upload_to="articles/", blank=True, validators=[validate_image]
    )
    hero_alt = models.CharField(_("hero image description"), max_length=200, blank=True)
    nav_group = models.CharField(
        _("navigation group"), max_length=20, choices=NavGroup.choices
    )
    nav_order = models.PositiveSmallIntegerField(_("order in group"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    author = models.ForeignKey(
        Clinician,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("author"),
    )
    reviewer = models.ForeignKey(
        Clinician,
        on_delete=models.PROTECT,
        related_name="reviewed_articles",
        verbose_name=_("medical reviewer"),
    )
    last_reviewed = models.DateField(_("last reviewed"))
    next_review_due = models.DateField(_("next review due"))
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ArticleQuerySet.as_manager()
    image_field_name = "hero_image"

    class Meta:
        ordering = ["nav_group", "nav_order", "title"]
        verbose_name = _("article")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("pages:article", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        errors = {}
        for field in ("title", "meta_description", "summary", "body"):
            unknown = unknown_facts(getattr(self, field) or "")
            if unknown:
                errors[field] = _("No fact is named %(names)s in the registry.") % {
                    "names": ", ".join(sorted(unknown))
                }
        if errors:
            raise ValidationError(errors)

    @property
    def review_overdue(self):
        return self.next_review_due < timezone.localdate()


class Reference(models.Model):
    class EvidenceType(models.TextChoices):
        RCT = "rct", _("Randomized controlled trial")
        META_ANALYSIS = "meta_analysis", _("Meta-analysis or systematic review")
        REVIEW = "review", _("Narrative review")
        OBSERVATIONAL = "observational", _("Observational study")
        CASE_SERIES = "case_series", _("Case series")
        PRECLINICAL = "preclinical", _("Animal or laboratory study")
        COMMENTARY = "commentary", _("Commentary or historical account")
        LABEL = "label", _("Label or regulatory document")
        GUIDELINE = "guideline", _("Guideline")
        CONSUMER = "consumer", _("Consumer or patient-advocacy information")

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="references"
    )
    order = models.PositiveSmallIntegerField(_("number"))
    citation = models.TextField(_("citation"))
    year = models.PositiveSmallIntegerField(_("year"))
    url = models.URLField(_("link"), max_length=400, help_text=_("DOI, PubMed or FDA."))
    evidence_type = models.CharField(
        _("evidence type"), max_length=20, choices=EvidenceType.choices
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["article", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "order"], name="unique_reference_number"
            )
        ]
        verbose_name = _("reference")

    def __str__(self):
        return f"[{self.order}] {self.citation[:80]}"
