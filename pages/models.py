import copy
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.facts import unknown_facts
from core.images import ResponsiveImageMixin, validate_image


class Clinician(ResponsiveImageMixin, models.Model):
    name = models.CharField(_("name"), max_length=120)
    key = models.SlugField(_("key"), unique=True)
    credentials = models.CharField(_("credentials"), max_length=60)
    role = models.CharField(_("role"), max_length=160)
    role_es = models.CharField(
        _("role in Spanish"),
        max_length=160,
        blank=True,
        help_text=_("Shown on Spanish pages; the English role is used when empty."),
    )
    photo = models.ImageField(
        _("photo"),
        upload_to="clinicians/",
        blank=True,
        validators=[validate_image],
        width_field="photo_width",
        height_field="photo_height",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="clinician",
        verbose_name=_("staff account"),
        help_text=_(
            "The admin account of this clinician. When they approve a change to "
            "an article, the page names them as its reviewer."
        ),
    )
    # Recorded on upload so a page never opens the file (a network call on
    # object storage) to size its <img>.
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    image_field_name = "photo"

    class Meta:
        ordering = ["name"]
        verbose_name = _("clinician")

    def __str__(self):
        return f"{self.name}, {self.credentials}"

    @property
    def local_role(self):
        """The role in the page's language, where one is recorded."""
        language = (translation.get_language() or "").split("-")[0]
        if language != settings.LANGUAGE_CODE:
            return getattr(self, f"role_{language}", "") or self.role
        return self.role


def _refuse_unknown_facts(instance):
    errors = {}
    for field in ("title", "meta_description", "summary", "body"):
        unknown = unknown_facts(getattr(instance, field) or "")
        if unknown:
            errors[field] = _("No fact is named %(names)s in the registry.") % {
                "names": ", ".join(sorted(unknown))
            }
    if errors:
        raise ValidationError(errors)


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Article.Status.PUBLISHED)

    def review_overdue(self, today=None):
        return self.filter(next_review_due__lt=today or timezone.localdate())

    def for_navigation(self):
        """Published articles, their groups in reading order (the basics first,
        practical questions last), not in the alphabetical order of the keys."""
        groups = Article.NavGroup.values
        group_rank = models.Case(
            *(models.When(nav_group=key, then=rank) for rank, key in enumerate(groups)),
            default=len(groups),
        )
        return (
            self.published()
            .only("title", "slug", "nav_group", "nav_order", "summary")
            .order_by(group_rank, "nav_order", "title")
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
        _("hero image"),
        upload_to="articles/",
        blank=True,
        validators=[validate_image],
        width_field="hero_width",
        height_field="hero_height",
    )
    hero_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
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
        permissions = [
            ("publish_article", _("Can approve changes to live articles")),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("pages:article", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        _refuse_unknown_facts(self)

    @property
    def review_overdue(self):
        return self.next_review_due < timezone.localdate()

    @property
    def is_live(self):
        return self.status == self.Status.PUBLISHED


# What a pending revision may change on a live article; everything else about a
# live page (address, status, review record) is not an editor's text.
REVISED_FIELDS = ("title", "meta_description", "summary", "body", "hero_alt")


class ArticleRevisionQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=ArticleRevision.Status.PENDING)


class ArticleRevision(models.Model):
    """A proposed change to a live article, waiting for a clinical reviewer.

    The live article is untouched until the revision is approved
    (pages.services.article_revision_approve).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved and published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        related_name="revisions",
        verbose_name=_("article"),
    )
    # The preview address: random, so it cannot be guessed from the id.
    preview_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    title = models.CharField(_("title"), max_length=160)
    meta_description = models.CharField(_("meta description"), max_length=170)
    summary = models.TextField(_("key facts"))
    body = models.TextField(_("body"))
    hero_alt = models.CharField(_("hero image description"), max_length=200, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last edited"), auto_now=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    # Kept as text too, so the record survives the account being removed.
    approved_by_name = models.CharField(
        _("approved by (name)"), max_length=150, blank=True
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    objects = ArticleRevisionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("article revision")
        constraints = [
            models.UniqueConstraint(
                fields=["article"],
                condition=models.Q(status="pending"),
                name="one_pending_revision_per_article",
            )
        ]

    def __str__(self):
        return _("Change to %(title)s (%(status)s)") % {
            "title": self.article.title,
            "status": self.get_status_display(),
        }

    def clean(self):
        super().clean()
        _refuse_unknown_facts(self)

    def proposed_fields(self) -> dict:
        return {field: getattr(self, field) for field in REVISED_FIELDS}

    def preview_article(self) -> Article:
        """The live article with this revision's text, in memory only."""
        article = copy.copy(self.article)
        for name, value in self.proposed_fields().items():
            setattr(article, name, value)
        article.is_preview = True
        return article

    def get_preview_url(self):
        return reverse("pages:revision_preview", kwargs={"token": self.preview_token})


class ArticleChangeNoteQuerySet(models.QuerySet):
    def for_page(self):
        return self.only("article_id", "note", "reviewed_on")


class ArticleChangeNote(models.Model):
    """What changed at one review of an article, as shown on its page."""

    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        related_name="change_notes",
        verbose_name=_("article"),
    )
    note = models.CharField(
        _("what changed"),
        max_length=300,
        help_text=_('One sentence for patients, e.g. "Added the KetECT trial."'),
    )
    reviewed_on = models.DateField(_("reviewed on"))
    revision = models.OneToOneField(
        ArticleRevision,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="change_note",
        verbose_name=_("approved revision"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ArticleChangeNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-reviewed_on", "-id"]
        verbose_name = _("change note")

    def __str__(self):
        return f"{self.reviewed_on}: {self.note}"


TRANSLATION_LANGUAGES = [
    (code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE
]


class ArticleTranslationQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Article.Status.PUBLISHED)


class ArticleTranslation(models.Model):
    """An article in another language: its own words and its own review.

    One per article and language. The references, images, address and place
    in the navigation stay the article's, so both editions cite the same
    sources; ``follows_english`` records which English edition (its review
    date) the translation was made from, so a newer English text shows.
    """

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="translations"
    )
    language = models.CharField(
        _("language"), max_length=8, choices=TRANSLATION_LANGUAGES
    )
    title = models.CharField(_("title"), max_length=160)
    meta_description = models.CharField(_("meta description"), max_length=170)
    summary = models.TextField(_("key facts"))
    body = models.TextField(
        _("body"),
        help_text=_(
            "Markdown, citing the article's references by the same numbers. "
            "Facts as [[fact:name]], blocks as [[regulatory-status]]."
        ),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Article.Status.choices,
        default=Article.Status.DRAFT,
    )
    reviewer = models.ForeignKey(
        Clinician,
        on_delete=models.PROTECT,
        related_name="reviewed_translations",
        verbose_name=_("medical reviewer"),
    )
    last_reviewed = models.DateField(_("last reviewed"))
    next_review_due = models.DateField(_("next review due"))
    follows_english = models.DateField(
        _("follows the English edition of"),
        help_text=_("The English article's last-reviewed date this text follows."),
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ArticleTranslationQuerySet.as_manager()

    class Meta:
        ordering = ["article", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "language"], name="one_translation_per_language"
            )
        ]
        verbose_name = _("article translation")

    def __str__(self):
        return f"{self.title} ({self.language})"

    def get_absolute_url(self):
        with translation.override(self.language):
            return reverse("pages:article", kwargs={"slug": self.article.slug})

    def clean(self):
        super().clean()
        _refuse_unknown_facts(self)
        errors = {}
        if self.article_id and self.follows_english:
            if self.follows_english > self.article.last_reviewed:
                errors["follows_english"] = _(
                    "The English article was last reviewed on %(date)s; a "
                    "translation cannot follow a later edition."
                ) % {"date": self.article.last_reviewed.isoformat()}
        if self.next_review_due and self.last_reviewed:
            if self.next_review_due <= self.last_reviewed:
                errors["next_review_due"] = _("The next review must come later.")
        if errors:
            raise ValidationError(errors)

    @property
    def review_overdue(self):
        return self.next_review_due < timezone.localdate()

    @property
    def english_is_newer(self):
        return self.article.last_reviewed > self.follows_english


class ArticleEdition:
    """What a reader sees at one language's address of an article.

    The translation's words and review where one exists; everything else
    (slug, author, images, references, navigation) from the article. The
    article page's templates and JSON-LD read this in place of the article.
    """

    TRANSLATED = (
        "title",
        "meta_description",
        "summary",
        "body",
        "status",
        "reviewer",
        "last_reviewed",
        "next_review_due",
        "review_overdue",
        "updated_at",
    )

    def __init__(self, article, translation=None, content_languages=None):
        self.article = article
        self.translation = translation
        self.language = translation.language if translation else settings.LANGUAGE_CODE
        # The languages the text exists in (for hreflang), when known.
        self.content_languages = content_languages or [settings.LANGUAGE_CODE]

    def __getattr__(self, name):
        # Only called for names not set in __init__.
        source = self.translation if name in self.TRANSLATED else None
        return getattr(source or self.article, name)


TRANSLATION_CODES = [code for code, _name in TRANSLATION_LANGUAGES]


def _with_edition_flags(queryset, article_field):
    """Annotate ``edition_<code>``: whether a published translation exists."""
    return queryset.annotate(
        **{
            f"edition_{code}": models.Exists(
                ArticleTranslation.objects.published().filter(
                    article=models.OuterRef(article_field), language=code
                )
            )
            for code in TRANSLATION_CODES
        }
    )


def find_edition(slug, language, *, include_drafts=False):
    """The article at ``slug`` as a reader of ``language`` sees it, or None.

    The article query also says which languages have a published edition (for
    the hreflang links); the translation is fetched only where there is one,
    so an untranslated page costs no extra query.
    """
    articles = Article.objects.select_related("reviewer", "author")
    if not include_drafts:
        articles = articles.published()
    article = _with_edition_flags(articles, "pk").filter(slug=slug).first()
    if article is None:
        return None
    languages = [settings.LANGUAGE_CODE] + [
        code for code in TRANSLATION_CODES if getattr(article, f"edition_{code}")
    ]
    found = None
    if language != settings.LANGUAGE_CODE and (include_drafts or language in languages):
        editions = article.translations.select_related("reviewer")
        if not include_drafts:
            editions = editions.published()
        found = editions.filter(language=language).first()
    return ArticleEdition(article, found, languages)


def editions_in(articles, language):
    """Each article in ``language`` where it is translated, in English where
    not (an edition knows its own language, so a list can mark it)."""
    shown = {}
    if language != settings.LANGUAGE_CODE:
        shown = {
            edition.article_id: edition
            for edition in ArticleTranslation.objects.published().filter(
                language=language
            )
        }
    return [ArticleEdition(article, shown.get(article.pk)) for article in articles]


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


class ProblemReportQuerySet(models.QuerySet):
    def unhandled(self):
        return self.filter(status=ProblemReport.Status.NEW)


class ProblemReport(models.Model):
    """A reader's note that something on an article is wrong or unclear.

    Anonymous on purpose: no name, contact or IP is kept, and it is never
    emailed; the content team reads it in the admin.
    """

    class Reason(models.TextChoices):
        WRONG = "wrong", _("Something seems wrong or out of date")
        UNCLEAR = "unclear", _("Something is hard to understand")
        BROKEN = "broken", _("A link or part of the page does not work")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        FIXED = "fixed", _("Page changed")
        NO_CHANGE = "no_change", _("No change needed")

    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        related_name="problem_reports",
        verbose_name=_("article"),
    )
    reason = models.CharField(_("problem"), max_length=10, choices=Reason.choices)
    details = models.TextField(_("details"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW
    )
    staff_note = models.TextField(_("content team note"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    objects = ProblemReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("problem report")

    def __str__(self):
        return f"{self.article} ({self.get_reason_display()})"
