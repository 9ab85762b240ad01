"""The patient's signed, single-use link to withdraw their own request.

The acknowledgement email carries it. The URL holds a signature over the
request's id and its creation time, nothing about the patient; it expires
after WITHDRAW_LINK_MAX_AGE; it works once, because withdrawing closes the
request (and a request staff closed meanwhile cannot be withdrawn either).
A forged, expired or used link gets a plain page, never a 500, and changes
nothing. Staff get no email about it: the list and the history show it.

An urgent request gets no link: one click by whoever reads the email (a
mistyped address) would close it and stop its alerts to the on-call list.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from core.links import RowLinkError, row_from_token, row_token

from .models import OPEN_STATUSES, ConsultationRequest, Status
from .workflow import apply_transition

SALT = "consultations.withdraw"
WITHDRAW_LINK_MAX_AGE = dt.timedelta(days=30)
# Names the patient as the one who did it, in the history (no user account).
CHANGE_REASON = "Withdrawn by the patient"


class WithdrawLinkError(RowLinkError):
    """Why a link cannot be used: 'invalid', 'expired', 'used' or 'urgent'."""


def withdraw_token(consultation_request: ConsultationRequest) -> str:
    return row_token(consultation_request, salt=SALT, key="r")


def withdraw_link(consultation_request: ConsultationRequest) -> str:
    """The absolute link, on the page in the patient's own language."""
    with translation.override(consultation_request.language):
        path = reverse(
            "consultations:withdraw", args=[withdraw_token(consultation_request)]
        )
    return settings.SITE_URL + path


def request_from_token(token: str, *, for_update=False) -> ConsultationRequest:
    """The open request the token was made for, or WithdrawLinkError."""
    requests = ConsultationRequest.objects.select_related("location")
    if for_update:
        requests = requests.select_for_update(of=("self",))
    try:
        consultation_request = row_from_token(
            token, salt=SALT, key="r", max_age=WITHDRAW_LINK_MAX_AGE, queryset=requests
        )
    except RowLinkError as error:
        raise WithdrawLinkError(error.reason) from None
    if consultation_request.status not in OPEN_STATUSES:
        raise WithdrawLinkError("used")
    if consultation_request.urgent:
        # No link is sent for an urgent request; one made anyway does nothing.
        raise WithdrawLinkError("urgent")
    return consultation_request


def consultation_request_withdraw_by_patient(*, token: str, now=None):
    """Withdraw the request behind ``token``; returns it, or WithdrawLinkError.

    Locked while it changes, so two presses (or a press racing a staff
    member's change) withdraw it at most once.
    """
    with transaction.atomic():
        consultation_request = request_from_token(token, for_update=True)
        apply_transition(consultation_request, Status.WITHDRAWN, now=now)
        consultation_request._history_user = None
        consultation_request._change_reason = CHANGE_REASON
        consultation_request.save(update_fields=["status", "closed_at"])
    return consultation_request
