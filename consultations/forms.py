import re

from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from core.forms import PlainTextField
from core.protection import ProtectedFormMixin
from locations.models import Location
from locations.zones import GENERIC_ZONE_LABEL, zone_label

from .booking.forms import SlotChoiceMixin
from .models import (
    CallTime,
    ConsultationRequest,
    ContactMethod,
    Interest,
    Language,
    SelfHarmAnswer,
)

SELF_HARM_YES = SelfHarmAnswer.YES
SELF_HARM_CHOICES = [
    (SelfHarmAnswer.YES, _("Yes")),
    (SelfHarmAnswer.NO, _("No")),
    (SelfHarmAnswer.PREFER_NOT, _("I would rather not say")),
]
# Only a path on this site, e.g. /locations/oakland/: no host, no query string.
SOURCE_PAGE_PATTERN = re.compile(r"^/[A-Za-z0-9/_\-]{0,199}$")


def _max_length(name):
    return ConsultationRequest._meta.get_field(name).max_length


class LocationSelect(forms.Select):
    """Each option carries its time zone's name, so the call-times label can follow it."""

    def create_option(self, name, value, label, selected, index, **kwargs):
        option = super().create_option(name, value, label, selected, index, **kwargs)
        location = getattr(value, "instance", None)
        if location is not None:
            option["attrs"]["data-zone-label"] = zone_label(location.time_zone)
        return option


class ConsultationRequestForm(SlotChoiceMixin, ProtectedFormMixin, forms.Form):
    first_name = PlainTextField(
        label=_("First name"),
        max_length=_max_length("first_name"),
        error_messages={
            "required": _("Enter your first name."),
            "max_length": _("Shorten your first name to %(limit_value)d characters."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = PlainTextField(
        label=_("Last name"),
        max_length=_max_length("last_name"),
        error_messages={
            "required": _("Enter your last name."),
            "max_length": _("Shorten your last name to %(limit_value)d characters."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    phone = PhoneNumberField(
        label=_("Phone number"),
        help_text=_(
            "A US number in any format, or an international number starting with +."
        ),
        error_messages={
            "required": _("Enter a phone number we can call you on."),
            "invalid": _(
                "Enter a phone number we can call, like (510) 555-0123, or an "
                "international number starting with +."
            ),
        },
    )
    email = forms.EmailField(
        label=_("Email address (optional)"),
        required=False,
        max_length=_max_length("email"),
        help_text=_("Needed only if you would like us to contact you by email."),
        error_messages={
            "invalid": _("Enter an email address like name@example.com."),
            "max_length": _("Enter a shorter email address."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    email_copy = forms.BooleanField(
        label=_("Email me a copy of my reference number"),
        required=False,
        help_text=_(
            "We email you only if you tick this or choose email as the way to "
            "contact you."
        ),
    )
    location = forms.ModelChoiceField(
        label=_("Which clinic would you like to visit?"),
        queryset=Location.objects.none(),
        to_field_name="slug",
        empty_label=_("Choose a clinic"),
        widget=LocationSelect,
        error_messages={
            "required": _("Choose the clinic you would like to visit."),
            "invalid_choice": _("Choose one of the clinics in the list."),
        },
    )
    preferred_contact = forms.ChoiceField(
        label=_("How should we contact you?"),
        choices=ContactMethod.choices,
        initial=ContactMethod.PHONE,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how we should contact you."),
            "invalid_choice": _("Choose one of the ways of contacting you."),
        },
    )
    call_times = forms.MultipleChoiceField(
        choices=CallTime.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose from the times offered.")},
    )
    language = forms.ChoiceField(
        label=_("Which language would you like us to use?"),
        choices=Language.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the language you would like us to use."),
            "invalid_choice": _("Choose English or Spanish."),
        },
    )
    interest = forms.ChoiceField(
        label=_("What would you like to talk about? (optional)"),
        choices=[("", _("Choose one, or leave blank")), *Interest.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose one of the topics in the list.")},
    )
    message = PlainTextField(
        label=_("Anything else you would like us to know? (optional)"),
        multiline=True,
        required=False,
        max_length=_max_length("message"),
        error_messages={
            "max_length": _(
                "Shorten your message to %(limit_value)d characters "
                "(it has %(show_value)d)."
            ),
        },
        help_text=_(
            "Up to 1,000 characters. Please leave out anything you would not want "
            "written in an email; we will talk through the details on the phone."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    heard_about = PlainTextField(
        label=_("How did you hear about us? (optional)"),
        required=False,
        max_length=_max_length("heard_about"),
        error_messages={
            "max_length": _("Shorten this answer to %(limit_value)d characters."),
        },
    )
    self_harm = forms.ChoiceField(
        label=_("Are you having thoughts of harming yourself right now? (optional)"),
        help_text=_(
            "If you answer yes, we will show you where to get help straight away "
            "and mark your request as urgent for our team."
        ),
        choices=SELF_HARM_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose one of the answers offered.")},
    )
    consent = forms.BooleanField(
        error_messages={
            "required": _(
                "Please check the box to agree, so that we can store your request "
                "and contact you."
            )
        },
    )
    source_page = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.open_locations = list(Location.objects.accepting_requests())
        self.fields["location"].queryset = Location.objects.accepting_requests()
        if len(self.open_locations) == 1:
            self.fields["location"].initial = self.open_locations[0]
        if not self.is_bound and "language" not in self.initial:
            self.initial["language"] = (
                Language.SPANISH
                if (get_language() or "").startswith("es")
                else Language.ENGLISH
            )
        self.fields["call_times"].label = format_html(
            '{} <span id="call-times-zone" data-generic="({})">({})</span>',
            _("Best times to call"),
            GENERIC_ZONE_LABEL,
            self.zone_label,
        )
        self.fields["consent"].label = format_html(
            '{} <a href="{}" target="_blank" rel="noopener">{}</a>.',
            _(
                "I agree that the clinic may keep the details in this form and "
                "contact me about my request, as described in the"
            ),
            reverse("pages:privacy"),
            _("privacy notice (opens in a new tab)"),
        )
        self.offer_slots(self.chosen_location)

    @property
    def chosen_location(self):
        """The open location picked in the submitted data, or the initial one."""
        if self.is_bound:
            slug = self.data.get(self.add_prefix("location"))
        else:
            initial = self.initial.get("location") or self.fields["location"].initial
            slug = getattr(initial, "slug", initial)
        return next((loc for loc in self.open_locations if loc.slug == slug), None)

    @property
    def zone_label(self):
        location = self.chosen_location
        return zone_label(location.time_zone) if location else GENERIC_ZONE_LABEL

    @property
    def crisis_panel_hidden(self):
        """Hidden until the patient answers yes (the script shows it at once)."""
        return self.data.get(self.add_prefix("self_harm")) != SELF_HARM_YES

    def clean_source_page(self):
        value = self.cleaned_data["source_page"]
        return value if SOURCE_PAGE_PATTERN.match(value) else ""

    def clean(self):
        # Checked before the token, so one round trip shows every problem.
        data = self.cleaned_data
        wants_email = data.get("preferred_contact") == ContactMethod.EMAIL
        if wants_email and not data.get("email") and "email" not in self.errors:
            self.add_error(
                "email",
                _(
                    "Enter your email address, or choose another way for us to "
                    "contact you."
                ),
            )
        self.check_slot_location(data.get("location"))
        return super().clean()

    def service_data(self) -> dict:
        """The cleaned answers, named as consultation_request_create expects them."""
        data = self.cleaned_data
        return {
            "location": data["location"],
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "phone": data["phone"],
            "email": data["email"],
            "email_copy": data["email_copy"],
            "preferred_contact": data["preferred_contact"],
            "call_times": data["call_times"],
            "language": data["language"],
            "interest": data["interest"],
            "message": data["message"],
            "heard_about": data["heard_about"],
            "self_harm_answer": data["self_harm"],
            "source_page": data["source_page"],
            "slot_start": data.get("slot"),
        }
