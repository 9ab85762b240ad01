"""The "report a problem" form at the foot of every article."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PlainTextField
from core.protection import ProtectedFormMixin, make_shared_form_token

from .models import ProblemReport


class ProblemReportForm(ProtectedFormMixin, forms.Form):
    reason = forms.ChoiceField(
        label=_("What is the problem?"),
        choices=ProblemReport.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what the problem is."),
            "invalid_choice": _("Choose one of the problems in the list."),
        },
    )
    details = PlainTextField(
        label=_("What should we look at? (optional)"),
        multiline=True,
        required=False,
        max_length=ProblemReport._meta.get_field("details").max_length,
        help_text=_(
            "Please do not include your name, contact details or anything about "
            "your health. We read every report but cannot reply."
        ),
        error_messages={
            "max_length": _(
                "Shorten this to %(limit_value)d characters (it has %(show_value)d)."
            ),
        },
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        # Its own element ids, so it can sit on a page next to other forms.
        kwargs.setdefault("auto_id", "report-%s")
        super().__init__(*args, **kwargs)


def shared_problem_report_form() -> ProblemReportForm:
    """The blank form as every reader of a cached article page gets it."""
    form = ProblemReportForm()
    form.initial["form_token"] = make_shared_form_token()
    return form
