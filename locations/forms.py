from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import PlainTextField
from core.protection import ProtectedFormMixin

from .models import WaitlistEntry

Method = WaitlistEntry.ContactMethod

NO_CONTACT = _("Give us an email address or a phone number, so we can reach you.")
NEEDS_EMAIL = _("You chose email: please give an email address too.")
NEEDS_PHONE = _("You chose a phone call or text message: please give a phone number.")


class WaitlistForm(ProtectedFormMixin, forms.ModelForm):
    """Join the waitlist of a coming-soon location.

    Only validates: the view stores the entry through
    ``services.waitlist_entry_create``.
    """

    name = PlainTextField(
        label=_("Your name"),
        max_length=WaitlistEntry._meta.get_field("name").max_length,
        error_messages={"required": _("Please tell us your name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    preferred_contact = forms.ChoiceField(
        label=_("How should we tell you?"),
        choices=Method.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("If you leave this, we use what you gave us."),
    )
    consent = forms.BooleanField(
        required=True,
        error_messages={
            "required": _(
                "Please check the box to agree, so we may keep your details "
                "until the clinic opens."
            )
        },
    )

    class Meta:
        model = WaitlistEntry
        fields = ["name", "email", "phone", "preferred_contact"]
        labels = {
            "email": _("Email address"),
            "phone": _("Phone number"),
        }
        help_texts = {
            "email": _("Give an email address, a phone number, or both."),
            "phone": _("A US number, or an international one starting with +."),
        }
        error_messages = {
            "email": {"invalid": _("Enter an email address like name@example.com.")},
        }
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs["autocomplete"] = "tel"
        # Built per form so the link follows the active language and URLconf.
        self.fields["consent"].label = format_html(
            gettext(
                "I agree that you may keep my name and contact details to tell "
                "me when this clinic opens, as described in the {}."
            ),
            format_html(
                '<a href="{}" target="_blank" rel="noopener">{}</a>',
                reverse("pages:privacy"),
                gettext("privacy notice (opens in a new tab)"),
            ),
        )

    def clean(self):
        try:
            cleaned = super().clean()
        except forms.ValidationError as exc:
            # A refused form token: still check the rest, so the patient sees
            # every problem at once.
            token_error = exc
            cleaned = self.cleaned_data
        else:
            token_error = None
        if self.is_bot:
            return cleaned
        self._check_contact(cleaned)
        if token_error:
            raise token_error
        return cleaned

    def _check_contact(self, cleaned):
        email = cleaned.get("email")
        phone = cleaned.get("phone")
        # A field that failed its own validation is missing from cleaned_data;
        # its error already says what is wrong.
        email_failed = "email" in self.errors
        phone_failed = "phone" in self.errors
        if not email and not phone and not email_failed and not phone_failed:
            self.add_error("email", NO_CONTACT)
            self.add_error("phone", NO_CONTACT)
            return
        method = cleaned.get("preferred_contact")
        if not method:
            cleaned["preferred_contact"] = Method.EMAIL if email else Method.PHONE
        elif method == Method.EMAIL and not email and not email_failed:
            self.add_error("preferred_contact", NEEDS_EMAIL)
        elif method in (Method.PHONE, Method.TEXT) and not phone and not phone_failed:
            self.add_error("preferred_contact", NEEDS_PHONE)
