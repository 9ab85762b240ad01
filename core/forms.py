"""Form fields every public form uses for what patients type."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .text import clean_text


class PlainTextField(forms.CharField):
    """A CharField that refuses NUL and strips other invisible control characters
    (bidi overrides included, see core.text)."""

    default_error_messages = {
        "null": _(
            "This answer contains characters we cannot accept. Please retype it."
        ),
    }

    def __init__(self, *, multiline=False, **kwargs):
        self.multiline = multiline
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if "\x00" in value:
            raise forms.ValidationError(self.error_messages["null"], code="null")
        return clean_text(value, multiline=self.multiline)
