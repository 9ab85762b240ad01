import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from pages.images import ResponsiveImageMixin, validate_image

TIME_ZONE_CHOICES = [
    (name, name.replace("_", " "))
    for name in (
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Phoenix",
        "America/Los_Angeles",
        "America/Anchorage",
        "Pacific/Honolulu",
    )
]


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class LocationQuerySet(models.QuerySet):
    def public(self):
        """Every location a patient may see, closed ones included (records requests)."""
        return self.order_by("display_order", "name")

    def open(self):
        return self.filter(status=Location.Status.OPEN)

    def accepting_requests(self):
        return self.open()

    def coming_soon(self):
        return self.filter(status=Location.Status.COMING_SOON)

    def with_hours(self):
        return self.prefetch_related("hours", "holidays")


class Location(ResponsiveImageMixin, models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        COMING_SOON = "coming_soon", _("Coming soon")
        TEMPORARILY_CLOSED = "temporarily_closed", _("Temporarily closed")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    expected_opening = models.DateField(
        _("expected opening month"),
        null=True,
        blank=True,
        help_text=_("For coming-soon locations; only the month is shown."),
    )
    status_note = models.TextField(
        _("status note"),
        blank=True,
        help_text=_(
            "Shown when temporarily closed or closed: why, and for closed "
            "locations how patients can request their records."
        ),
    )
    street_address = models.CharField(_("street address"), max_length=200)
    city = models.CharField(_("city"), max_length=100)
    state = models.CharField(_("state"), max_length=2)
    postal_code = models.CharField(_("postal code"), max_length=10)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=40,
        choices=TIME_ZONE_CHOICES,
        default="America/Los_Angeles",
    )
    phone = PhoneNumberField(_("public phone"))
    email = models.EmailField(_("public email"))
    notification_emails = models.TextField(
        _("staff notification addresses"),
        help_text=_(
            "One address per line. New requests for this location are announced "
            "here (with no patient details)."
        ),
    )
    parking_notes = models.TextField(_("parking"), blank=True)
    transit_notes = models.TextField(_("public transport"), blank=True)
    access_notes = models.TextField(_("step-free access"), blank=True)
    photo = models.ImageField(
        _("photo"), upload_to="locations/", blank=True, validators=[validate_image]
    )
    photo_alt = models.CharField(_("photo description"), max_length=200, blank=True)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=0)
    price_notes = models.TextField(
        _("price notes"),
        blank=True,
        help_text=_("Optional self-pay prices and notes, shown on the cost page."),
    )
    history = HistoricalRecords()

    objects = LocationQuerySet.as_manager()
    image_field_name = "photo"

    class Meta:
        ordering = ["display_order", "name"]
        verbose_name = _("location")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("locations:detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        addresses = self.notification_email_list
        try:
            if not addresses:
                raise ValidationError("empty")
            for address in addresses:
                validate_email(address)
        except ValidationError as exc:
            raise ValidationError(
                {"notification_emails": _("Enter one valid email address per line.")}
            ) from exc

    @property
    def notification_email_list(self):
        return [
            line.strip()
            for line in self.notification_emails.splitlines()
            if line.strip()
        ]

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def accepts_requests(self):
        return self.status == self.Status.OPEN

    @property
    def phone_display(self):
        return self.phone.as_national if self.phone else ""

    def local_now(self, now=None):
        return timezone.localtime(now or timezone.now(), self.zone)

    # Opening hours. These read self.hours.all() / self.holidays.all() so that a
    # prefetch (LocationQuerySet.with_hours) answers them without new queries.

    def intervals_on(self, day: dt.date):
        """[(opens, closes)] local times for a date; [] when closed all day."""
        if any(h.date == day for h in self.holidays.all()):
            return []
        return sorted(
            (h.opens, h.closes)
            for h in self.hours.all()
            if h.weekday == day.weekday() and not h.closed
        )

    def is_open_at(self, when: dt.datetime) -> bool:
        local = self.local_now(when)
        return any(
            opens <= local.time() < closes
            for opens, closes in self.intervals_on(local.date())
        )

    def next_opening(self, when: dt.datetime):
        """The next aware datetime (in the location's zone) when it opens, or None."""
        local = self.local_now(when)
        for offset in range(0, 15):
            day = local.date() + dt.timedelta(days=offset)
            for opens, _closes in self.intervals_on(day):
                start = dt.datetime.combine(day, opens, tzinfo=self.zone)
                if start > local:
                    return start
        return None

    def open_status(self, now=None):
        """A small dict for templates: open now?, closes/opens at, zone label."""
        local = self.local_now(now)
        current = next(
            (
                (o, c)
                for o, c in self.intervals_on(local.date())
                if o <= local.time() < c
            ),
            None,
        )
        return {
            "is_open": current is not None,
            "closes_at": current[1] if current else None,
            "next_opening": None if current else self.next_opening(local),
            "zone_label": local.tzname(),
        }

    def next_business_day(self, now=None) -> dt.date | None:
        """The first day after today (local) on which the location opens."""
        local = self.local_now(now)
        for offset in range(1, 15):
            day = local.date() + dt.timedelta(days=offset)
            if self.intervals_on(day):
                return day
        return None


class OpeningHours(models.Model):
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="hours"
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    closed = models.BooleanField(_("closed all day"), default=False)

    class Meta:
        ordering = ["location", "weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed=True)
                | models.Q(
                    opens__isnull=False,
                    closes__isnull=False,
                    opens__lt=models.F("closes"),
                ),
                name="hours_open_before_close",
            )
        ]

    def __str__(self):
        if self.closed:
            return f"{self.get_weekday_display()}: closed"
        return f"{self.get_weekday_display()}: {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self):
        if not self.closed and (
            self.opens is None or self.closes is None or self.opens >= self.closes
        ):
            raise ValidationError(_("Give an opening time before the closing time."))


class HolidayClosure(models.Model):
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=100, blank=True)

    class Meta:
        ordering = ["location", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["location", "date"], name="one_closure_per_day"
            )
        ]

    def __str__(self):
        return f"{self.location}: closed {self.date}"


class WaitlistEntryQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(notified_at__isnull=True)

    def for_staff(self, user):
        if user.is_superuser:
            return self
        return self.filter(location__staff_members__user=user)


class WaitlistEntry(models.Model):
    class ContactMethod(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone call")
        TEXT = "text", _("Text message")

    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="waitlist_entries"
    )
    name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    preferred_contact = models.CharField(
        _("preferred contact method"), max_length=10, choices=ContactMethod.choices
    )
    consent_text_version = models.CharField(max_length=20)
    consented_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True)

    objects = WaitlistEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist entries")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(email="") | ~models.Q(phone=""),
                name="waitlist_has_contact",
            )
        ]

    def __str__(self):
        return f"Waitlist #{self.pk} ({self.location})"


class StaffLocation(models.Model):
    """Which locations a staff member works for: the admin shows them only these."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_locations",
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="staff_members"
    )

    class Meta:
        ordering = ["location", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "location"], name="unique_staff_location"
            )
        ]
        verbose_name = _("staff location")

    def __str__(self):
        return f"{self.user} @ {self.location}"
