import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from core.audit import AccessAction
from locations.models import Location

# No 0/O, 1/I/L: a reference read out over the phone must not be misheard.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 8


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


class Status(models.TextChoices):
    NEW = "new", _("New")
    CONTACTING = "contacting", _("Contacting")
    SCHEDULED = "scheduled", _("Consult scheduled")
    COMPLETED = "completed", _("Completed")
    NOT_SUITABLE = "not_suitable", _("Not suitable")
    REFERRED = "referred", _("Referred elsewhere")
    NO_RESPONSE = "no_response", _("No response")
    WITHDRAWN = "withdrawn", _("Withdrawn by patient")
    SPAM = "spam", _("Spam")
    REPEAT = "repeat", _("Closed as a repeat")


# Still waiting for the clinic; the transitions between statuses are the
# workflow's (workflow.py).
OPEN_STATUSES = (Status.NEW, Status.CONTACTING, Status.SCHEDULED)


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("Phone call")
    TEXT = "text", _("Text message")
    EMAIL = "email", _("Email")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")


class Interest(models.TextChoices):
    DEPRESSION = "depression", _("Depression")
    ANXIETY = "anxiety", _("Anxiety")
    PTSD = "ptsd", _("PTSD")
    OCD = "ocd", _("OCD")
    CHRONIC_PAIN = "chronic_pain", _("Chronic pain")
    OTHER = "other", _("Other or not sure")


class SelfHarmAnswer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    PREFER_NOT = "prefer_not", _("Would rather not say")


class CallTime(models.TextChoices):
    MORNING = "morning", _("Morning (9:00 a.m.–12:00 p.m.)")
    AFTERNOON = "afternoon", _("Afternoon (12:00 p.m.–5:00 p.m.)")
    EVENING = "evening", _("Evening (5:00 p.m.–7:00 p.m.)")


class ConsultationRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def awaiting_acknowledgement(self):
        """Urgent, still open, and nobody has pressed "acknowledge" yet."""
        return self.open().filter(urgent=True, acknowledged_at__isnull=True)


class ConsultationRequest(models.Model):
    reference = models.CharField(
        _("reference"),
        max_length=12,
        unique=True,
        default=new_reference,
        editable=False,
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        related_name="consultation_requests",
        verbose_name=_("location"),
    )
    # What the patient entered. Never editable by staff.
    first_name = models.CharField(_("first name"), max_length=60)
    last_name = models.CharField(_("last name"), max_length=60)
    # Indexed: staff search by a whole number (admin/filters.py).
    phone = PhoneNumberField(_("phone"), db_index=True)
    email = models.EmailField(_("email"), blank=True)
    preferred_contact = models.CharField(
        _("preferred contact method"), max_length=10, choices=ContactMethod
    )
    call_times = models.JSONField(_("best times to call"), default=list, blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=2,
        choices=Language,
        default=Language.ENGLISH,
    )
    interest = models.CharField(
        _("interested in"), max_length=20, choices=Interest, blank=True
    )
    message = models.TextField(_("message"), max_length=1000, blank=True)
    heard_about = models.CharField(_("heard about us"), max_length=100, blank=True)
    consent_text_version = models.CharField(max_length=20)
    consented_at = models.DateTimeField()
    self_harm_answer = models.CharField(
        _("thoughts of self-harm"),
        max_length=10,
        choices=SelfHarmAnswer,
        blank=True,
        help_text=_("The patient's answer to the optional safety question."),
    )
    urgent = models.BooleanField(_("urgent"), default=False)

    # Where it came from, without keeping anything identifying.
    created_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    source_page = models.CharField(max_length=200, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True)
    submission_token = models.CharField(
        max_length=64, unique=True, null=True, blank=True
    )
    # Set by the intake service from workflow.promised_contact_deadline.
    promised_contact_by = models.DateTimeField(
        _("call promised by"),
        help_text=_("When the thank-you page told the patient to expect a call."),
    )
    staff_notification_id = models.CharField(
        _("staff email Message-ID"), max_length=200, blank=True
    )
    # Staff-only: a likely repeat points at the earlier open request from the
    # same phone or email. The two stay separate rows; nothing is copied.
    repeat_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="repeats",
        verbose_name=_("possible repeat of"),
        help_text=_(
            "An open request at the same location with the same phone number or "
            "email, less than 24 hours older. It may be the same person or "
            "someone sharing their phone."
        ),
    )

    # Triage: the only fields staff change.
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status,
        default=Status.NEW,
        db_index=True,
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_requests",
        verbose_name=_("assigned to"),
    )
    internal_notes = models.TextField(_("internal notes"), blank=True)
    first_contacted_at = models.DateTimeField(
        _("first contacted"), null=True, blank=True
    )
    scheduled_for = models.DateTimeField(
        _("consultation booked for"), null=True, blank=True
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    # Urgent requests: a person must say "I have it" (opening the page is not
    # enough); until then the alert is repeated, then escalated
    # (services/alerts.py).
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="acknowledged_requests",
        verbose_name=_("acknowledged by"),
    )
    realerted_at = models.DateTimeField(
        _("re-sent to the on-call list"), null=True, blank=True
    )
    escalated_at = models.DateTimeField(
        _("escalated to the clinic-wide address"), null=True, blank=True
    )
    personal_data_purged_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()
    objects = ConsultationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-urgent", "-created_at"]
        verbose_name = _("consultation request")
        permissions = [("export_consultationrequest", _("Can export requests as CSV"))]
        indexes = [models.Index(fields=["location", "status"])]

    def __str__(self):
        return self.reference


class CallAttempt(models.Model):
    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached")
        VOICEMAIL = "voicemail", _("Left voicemail")
        NO_ANSWER = "no_answer", _("No answer")
        WRONG_NUMBER = "wrong_number", _("Wrong number")

    request = models.ForeignKey(
        ConsultationRequest, on_delete=models.CASCADE, related_name="call_attempts"
    )
    at = models.DateTimeField(_("when"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        verbose_name=_("by"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=ContactMethod)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["request", "at"]
        verbose_name = _("call attempt")

    def __str__(self):
        if self.at is None:
            return str(self.get_outcome_display())
        # In the active time zone: the request's change page sets the location's.
        local = timezone.localtime(self.at)
        when = date_format(local, "D, M j, Y, g:i a")
        return f"{self.get_outcome_display()}, {when} {local.tzname()}"


class AccessLog(models.Model):
    """Who opened, searched or exported requests (and waitlist sign-ups), and
    when. Append-only.

    A search records how many rows it showed, never the words searched for."""

    # The choices live in core, so apps below this one can name an action.
    Action = AccessAction

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    request = models.ForeignKey(
        ConsultationRequest, on_delete=models.SET_NULL, null=True, blank=True
    )
    # A waitlist sign-up viewed by staff (announced by the locations app).
    waitlist_entry = models.ForeignKey(
        "locations.WaitlistEntry",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    row_count = models.PositiveIntegerField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")

    def __str__(self):
        return f"{self.user} {self.action} {self.request_id or ''} at {self.at}"


# Booking's models live in their own module; importing them here registers
# them with the app.
from .booking.models import (  # noqa: E402, F401
    Booking,
    CallClosure,
    CallSchedule,
    CallWindow,
)
