"""Call availability per location, and one row per booked seat of a slot.

Windows and closures are wall-clock times in the location's own zone, like
opening hours; bookings are instants (UTC in the database).
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from locations.models import Location, Weekday


class CallScheduleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True, location__status=Location.Status.OPEN)


class CallSchedule(models.Model):
    """When a location's callers can take booked calls. None, or unpublished:
    the consultation form offers no times, exactly as before booking existed."""

    location = models.OneToOneField(
        Location,
        on_delete=models.CASCADE,
        related_name="call_schedule",
        verbose_name=_("location"),
    )
    published = models.BooleanField(
        _("patients can book"),
        default=False,
        help_text=_("Untick to stop offering times; existing bookings are kept."),
    )
    call_minutes = models.PositiveSmallIntegerField(
        _("call length (minutes)"),
        default=15,
        validators=[MinValueValidator(5), MaxValueValidator(120)],
    )
    callers = models.PositiveSmallIntegerField(
        _("callers on duty"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("How many calls can run at the same time."),
    )
    horizon_days = models.PositiveSmallIntegerField(
        _("booking horizon (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("How far ahead patients may book."),
    )
    notice_minutes = models.PositiveIntegerField(
        _("minimum notice (minutes)"),
        default=120,
        validators=[MaxValueValidator(60 * 24 * 14)],
        help_text=_("The earliest bookable time is this long after now."),
    )

    objects = CallScheduleQuerySet.as_manager()

    class Meta:
        ordering = ["location"]
        verbose_name = _("call schedule")

    def __str__(self):
        return str(self.location)


class CallWindow(models.Model):
    schedule = models.ForeignKey(
        CallSchedule, on_delete=models.CASCADE, related_name="windows"
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))

    class Meta:
        ordering = ["schedule", "weekday", "starts"]
        verbose_name = _("weekly call window")

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"

    def clean(self):
        if self.starts is not None and self.ends is not None:
            if self.starts >= self.ends:
                raise ValidationError(_("Give a start time before the end time."))


class CallClosure(models.Model):
    """A one-off closure: a whole day, or part of one when times are given."""

    schedule = models.ForeignKey(
        CallSchedule, on_delete=models.CASCADE, related_name="closures"
    )
    date = models.DateField(_("date"))
    starts = models.TimeField(_("from"), null=True, blank=True)
    ends = models.TimeField(_("until"), null=True, blank=True)
    reason = models.CharField(_("reason (staff only)"), max_length=100, blank=True)

    class Meta:
        ordering = ["schedule", "date", "starts"]
        verbose_name = _("one-off closure")

    def __str__(self):
        return f"{self.date}"

    def clean(self):
        if (self.starts is None) != (self.ends is None):
            raise ValidationError(
                _("Give both times for part of a day, or neither for the whole day.")
            )
        if self.starts is not None and self.starts >= self.ends:
            raise ValidationError(_("Give a start time before the end time."))


class BookingQuerySet(models.QuerySet):
    def live(self):
        return self.filter(cancelled_at__isnull=True)


class Booking(models.Model):
    """One seat of one slot. At most ``callers`` seats exist per slot start,
    and the unique constraint makes the database refuse a second holder of a
    seat, whatever the interleaving of concurrent requests."""

    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="call_bookings"
    )
    request = models.ForeignKey(
        "consultations.ConsultationRequest",
        on_delete=models.CASCADE,
        related_name="bookings",
        verbose_name=_("request"),
    )
    starts_at = models.DateTimeField(_("call at"), db_index=True)
    ends_at = models.DateTimeField(_("call ends"))
    seat = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "seat"]
        verbose_name = _("booked call")
        constraints = [
            models.UniqueConstraint(
                fields=["location", "starts_at", "seat"],
                condition=Q(cancelled_at__isnull=True),
                name="one_live_booking_per_seat",
            ),
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(cancelled_at__isnull=True),
                name="one_live_booking_per_request",
            ),
        ]

    def __str__(self):
        return f"{self.location} {self.starts_at:%Y-%m-%d %H:%M} UTC"
