"""Numbers for the admin index: per location, what needs attention now."""

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from locations.scoping import staff_locations

from ..models import OPEN_STATUSES, ConsultationRequest, Status
from ..workflow import waiting_on_patient_q, with_triage_flags


def location_triage_counts(user, *, now=None):
    """The user's locations, each annotated with four counts, in one query.

    - ``new_count``: status new;
    - ``overdue_count``: open, not yet called, past the promised time;
    - ``urgent_count``: open and marked urgent;
    - ``waiting_count``: contacting, and our latest call went unanswered
      (voicemail or no answer), so the next move is the patient's.
    """
    flagged = with_triage_flags(ConsultationRequest.objects.all(), now=now).filter(
        location=OuterRef("pk")
    )

    def count(condition):
        rows = (
            flagged.filter(condition)
            .order_by()
            .values("location")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(rows), 0)

    return staff_locations(user).annotate(
        new_count=count(Q(status=Status.NEW)),
        overdue_count=count(Q(is_overdue=True)),
        urgent_count=count(Q(urgent=True, status__in=OPEN_STATUSES)),
        waiting_count=count(waiting_on_patient_q()),
    )
