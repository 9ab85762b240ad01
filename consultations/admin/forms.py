"""The forms staff fill in on a request's page: triage fields and call attempts."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import CallAttempt, ConsultationRequest, Status
from ..services.triage import check_attempt_time
from ..workflow import check_transition, next_statuses

# What staff may change; everything else on a request is the patient's own
# words or is maintained by the system.
TRIAGE_FIELDS = ["status", "assigned_to", "scheduled_for", "internal_notes"]


class TriageForm(forms.ModelForm):
    class Meta:
        model = ConsultationRequest
        fields = TRIAGE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if "status" in self.fields:
            allowed = {instance.status, *next_statuses(instance.status)}
            self.fields["status"].widget.choices = [
                (status.value, status.label) for status in Status if status in allowed
            ]
        if "assigned_to" in self.fields and instance.location_id:
            self.fields["assigned_to"].queryset = (
                get_user_model()
                .objects.filter(
                    Q(is_active=True, staff_locations__location=instance.location_id)
                    | Q(pk=instance.assigned_to_id)
                )
                .distinct()
                .order_by("first_name", "username")
            )
        if "scheduled_for" in self.fields and instance.location_id:
            zone = instance.location.zone
            when = instance.scheduled_for or timezone.now()
            self.fields["scheduled_for"].help_text = _(
                "Date and time at the location: %(zone)s (%(abbreviation)s)."
            ) % {
                "zone": instance.location.get_time_zone_display(),
                "abbreviation": timezone.localtime(when, zone).tzname(),
            }

    def clean_status(self):
        status = self.cleaned_data["status"]
        check_transition(self.instance.status, status)
        return status

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("status") == Status.SCHEDULED
            and "scheduled_for" in self.fields
            and not cleaned.get("scheduled_for")
        ):
            self.add_error(
                "scheduled_for",
                _("Enter the consultation time before marking it scheduled."),
            )
        return cleaned


class CallAttemptInlineForm(forms.ModelForm):
    class Meta:
        model = CallAttempt
        fields = ["at", "by", "channel", "outcome", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "at" in self.fields:
            self.fields["at"].required = False
            self.fields["at"].help_text = _("Leave empty for now.")

    def clean_at(self):
        at = self.cleaned_data.get("at")
        if at:
            check_attempt_time(at)
        return at
