import datetime as dt
import math
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, validate_email
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from core.images import ResponsiveImageMixin, validate_image

from .zones import TIME_ZONE_CHOICES, zone_label

EARTH_RADIUS_KM = 6371.0
# How far ahead to look for the next opening (long holiday closures included).
LOOKAHEAD_DAYS = 31


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

    def with_hours(self):
        return self.prefetch_related("hours", "holidays")

    def with_prices(self):
        return self.select_related("price_list")


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
    on_call_emails = models.TextField(
        _("on-call addresses"),
        blank=True,
        help_text=_(
            "One address per line: whoever is on call. An urgent request is "
            "announced here as well as to the staff addresses, and re-sent here "
            "while nobody has acknowledged it."
        ),
    )
    parking_notes = models.TextField(_("parking"), blank=True)
    transit_notes = models.TextField(_("public transport"), blank=True)
    access_notes = models.TextField(_("step-free access"), blank=True)
    photo = models.ImageField(
        _("photo"),
        upload_to="locations/",
        blank=True,
        validators=[validate_image],
        width_field="photo_width",
        height_field="photo_height",
    )
    # Recorded on upload so a page never opens the file to size its <img>.
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
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
        try:
            for address in self.on_call_email_list:
                validate_email(address)
        except ValidationError as exc:
            raise ValidationError(
                {"on_call_emails": _("Enter one valid email address per line.")}
            ) from exc

    @property
    def notification_email_list(self):
        return [
            line.strip()
            for line in self.notification_emails.splitlines()
            if line.strip()
        ]

    @property
    def on_call_email_list(self):
        return [
            line.strip() for line in self.on_call_emails.splitlines() if line.strip()
        ]

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def price_list_or_none(self):
        """The location's PriceList, or None (templates cannot catch DoesNotExist)."""
        try:
            return self.price_list
        except PriceList.DoesNotExist:
            return None

    @property
    def zone_label(self) -> str:
        """The zone as patients say it: "Pacific time", never America/Los_Angeles."""
        return zone_label(self.time_zone)

    @property
    def accepts_requests(self):
        return self.status == self.Status.OPEN

    @property
    def phone_display(self):
        return self.phone.as_national if self.phone else ""

    def local_now(self, now=None):
        return timezone.localtime(now or timezone.now(), self.zone)

    # Opening hours are wall-clock times in the location's own zone: "9 to 5"
    # stays 9 to 5 local across a daylight-saving change, so the UTC instants
    # move. Comparisons between instants are made in UTC, because Python
    # compares two datetimes that share a tzinfo by wall time and ignores
    # fold, which is wrong inside the repeated hour of a fall-back night.
    # These methods read self.hours.all() / self.holidays.all() so that a
    # prefetch (LocationQuerySet.with_hours) answers them without new queries.

    def at_local(self, day: dt.date, time: dt.time, fold: int = 0) -> dt.datetime:
        """The aware instant of a local wall-clock time on a day.

        A time that a spring-forward change skips (02:30) comes out as the
        same instant shifted past the gap (03:30 daylight time).
        """
        wall = dt.datetime.combine(day, time).replace(tzinfo=self.zone, fold=fold)
        return wall.astimezone(dt.UTC).astimezone(self.zone)

    def intervals_on(self, day: dt.date):
        """[(opens, closes)] local times for a date, merged; [] when closed all day."""
        if any(h.date == day for h in self.holidays.all()):
            return []
        return _merge_intervals(
            (h.opens, h.closes)
            for h in self.hours.all()
            if h.weekday == day.weekday() and not h.closed
        )

    def weekly_hours(self):
        """[(Weekday, [(opens, closes)])] from Monday to Sunday, before holidays."""
        return [
            (
                day,
                _merge_intervals(
                    (h.opens, h.closes)
                    for h in self.hours.all()
                    if h.weekday == day and not h.closed
                ),
            )
            for day in Weekday
        ]

    @property
    def has_hours(self) -> bool:
        return any(not h.closed for h in self.hours.all())

    def upcoming_closures(self, today: dt.date, days: int = 90):
        last = today + dt.timedelta(days=days)
        return sorted(
            (h for h in self.holidays.all() if today <= h.date <= last),
            key=lambda h: h.date,
        )

    def next_opening(self, when: dt.datetime):
        """The first opening strictly after ``when``, in the location's zone, or None."""
        local = self.local_now(when)
        for offset in range(LOOKAHEAD_DAYS + 1):
            day = local.date() + dt.timedelta(days=offset)
            for opens, _closes in self.intervals_on(day):
                # Inside a repeated hour the same wall time happens twice.
                for fold in (0, 1):
                    start = self.at_local(day, opens, fold)
                    if start.astimezone(dt.UTC) > when:
                        return start
        return None

    def open_status(self, now=None) -> "OpenStatus":
        """Open now?, and when that changes, for "closes 5:00 p.m. Pacific time"."""
        now = now or timezone.now()
        local = self.local_now(now)
        for opens, closes in self.intervals_on(local.date()):
            if opens <= local.time() < closes:
                closes_at = self.at_local(local.date(), closes, local.fold)
                return OpenStatus(True, closes_at, None, self.zone_label, local)
        opening = self.next_opening(now)
        return OpenStatus(False, None, opening, self.zone_label, local)

    def next_business_day(self, now=None) -> dt.date | None:
        """The first day after today (local) on which the location opens."""
        local = self.local_now(now)
        for offset in range(1, LOOKAHEAD_DAYS + 1):
            day = local.date() + dt.timedelta(days=offset)
            if self.intervals_on(day):
                return day
        return None

    def distance_km(self, other: "Location") -> float | None:
        """Great-circle (haversine) distance, or None when either has no coordinates."""
        points = (self.latitude, self.longitude, other.latitude, other.longitude)
        if any(value is None for value in points):
            return None
        lat1, lon1, lat2, lon2 = (math.radians(float(value)) for value in points)
        h = (
            math.sin((lat2 - lat1) / 2) ** 2
            + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        )
        return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))

    def nearest_open(self, candidates, limit: int = 3):
        """The open locations among ``candidates`` nearest to this one.

        Those without coordinates follow, in display order. Works on a list the
        caller already has, so it costs no query.
        """
        others = [
            c for c in candidates if c.pk != self.pk and c.status == self.Status.OPEN
        ]

        def key(candidate):
            distance = self.distance_km(candidate)
            return (
                distance is None,
                distance or 0.0,
                candidate.display_order,
                candidate.name,
            )

        return sorted(others, key=key)[:limit]


@dataclass(frozen=True)
class OpenStatus:
    """Whether a location is open at a moment, and when that next changes.

    The datetimes are aware and in the location's zone; ``zone_label`` is the
    zone's everyday name ("Pacific time"), which, unlike PST/PDT, is right on
    both sides of a daylight-saving change.
    """

    is_open: bool
    closes_at: dt.datetime | None
    next_opening: dt.datetime | None
    zone_label: str
    checked_at: dt.datetime

    @property
    def changes_at(self) -> dt.datetime | None:
        return self.closes_at if self.is_open else self.next_opening

    @property
    def opens_within_week(self) -> bool:
        """A weekday name alone ("opens Mon") is unambiguous only within a week."""
        return bool(
            self.next_opening
            and self.next_opening - self.checked_at < dt.timedelta(days=6)
        )


def _merge_intervals(intervals):
    merged = []
    for opens, closes in sorted(intervals):
        if merged and opens <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], closes))
        else:
            merged.append((opens, closes))
    return merged


class OpeningHours(models.Model):
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="hours"
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday)
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
        """Not yet told that their location is open."""
        return self.filter(notified_at__isnull=True)

    def phone_only(self):
        """Entries staff must call: there is no address to email."""
        return self.filter(email="")


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
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the page they signed up on; the email uses it."),
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


def _not_in_the_future(day):
    if day > timezone.localdate():
        raise ValidationError(
            _("The date prices were checked cannot be in the future.")
        )


class PriceList(models.Model):
    """A location's self-pay prices, in US dollars, as shown to patients.

    Structured rather than free text so every open location answers the same
    questions, and dated so a patient can see how fresh the figures are.
    """

    location = models.OneToOneField(
        Location, on_delete=models.CASCADE, related_name="price_list"
    )
    free_phone_consultation = models.BooleanField(
        _("free phone consultation"),
        default=True,
        help_text=_("The first phone call with the care team costs nothing."),
    )
    first_consult_fee = models.DecimalField(
        _("first consultation fee"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("The in-person medical evaluation before any infusion."),
    )
    per_infusion = models.DecimalField(
        _("price per infusion"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    series_infusions = models.PositiveSmallIntegerField(
        _("infusions in a series"), default=6, validators=[MinValueValidator(2)]
    )
    series_price = models.DecimalField(
        _("series price"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("The price of the whole series when paid as one."),
    )
    included = models.TextField(
        _("included"), help_text=_("One item per line, e.g. 'Monitoring by a nurse'.")
    )
    not_included = models.TextField(
        _("not included"), help_text=_("One item per line, e.g. 'Transport home'.")
    )
    checked_on = models.DateField(
        _("prices last checked"), validators=[_not_in_the_future]
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["location__display_order", "location__name"]
        verbose_name = _("price list")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_consult_fee__gte=0)
                & models.Q(per_infusion__gte=0)
                & models.Q(series_price__gte=0),
                name="price_list_prices_not_negative",
            ),
        ]

    def __str__(self):
        return f"Prices at {self.location}"

    def clean(self):
        if (
            self.series_price is not None
            and self.per_infusion is not None
            and self.series_infusions
            and self.series_price > self.per_infusion * self.series_infusions
        ):
            raise ValidationError(
                {
                    "series_price": _(
                        "A series should not cost more than its infusions one by one."
                    )
                }
            )

    @property
    def included_items(self):
        return [line.strip() for line in self.included.splitlines() if line.strip()]

    @property
    def not_included_items(self):
        return [line.strip() for line in self.not_included.splitlines() if line.strip()]

    @property
    def series_saving(self):
        return self.per_infusion * self.series_infusions - self.series_price


class InitialPassword(models.Model):
    """A staff account still on the one-time password createstaff printed.

    Holds that password's hash: while the account's password is unchanged,
    every admin page sends its user to "change password" first
    (locations.middleware).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("initial password")
        verbose_name_plural = _("initial passwords")

    def __str__(self):
        return str(self.user)
