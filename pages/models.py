from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from pages.facts import unknown_facts
from pages.images import ResponsiveImageMixin, validate_image

SITE_SETTINGS_CACHE_KEY = "site-settings"


class SiteSettings(models.Model):
    """The one record of brand facts that templates show: never literals in HTML."""

    brand_name = models.CharField(_("brand name"), max_length=100)
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    main_phone = PhoneNumberField(_("main phone"))
    main_email = models.EmailField(_("main email"), blank=True)
    address = models.CharField(
        _("head office address"),
        max_length=250,
        blank=True,
        help_text=_("One line, shown in the footer."),
    )

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")

    def __str__(self):
        return self.brand_name

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)
        cache.delete(SITE_SETTINGS_CACHE_KEY)
        # And at commit, in case a request re-read the old record in between.
        transaction.on_commit(lambda: cache.delete(SITE_SETTINGS_CACHE_KEY))

    @property
    def main_phone_display(self):
        return self.main_phone.as_national if self.main_phone else ""

    @property
    def main_phone_tel(self):
        return self.main_phone.as_e164 if self.main_phone else ""

    @classmethod
    def load(cls):
        """The settings record, from cache; a blank default before any is saved."""
        obj = cache.get(SITE_SETTINGS_CACHE_KEY)
        if obj is None:
            try:
                obj = cls.objects.filter(pk=1).first()
            except DatabaseError:
                # Error pages must still render, with a phone number, when the
                # database is away; fall back to the values in the environment.
                return cls.fallback()
            obj = obj or cls.fallback()
            cache.set(SITE_SETTINGS_CACHE_KEY, obj, 3600)
        return obj

    @classmethod
    def fallback(cls):
        return cls(
            brand_name=settings.CLINIC_FALLBACK_NAME,
            main_phone=settings.CLINIC_FALLBACK_PHONE or None,
        )


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
