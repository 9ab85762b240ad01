"""Does the clinic keep its call-back promise? Counts per location and week, in SQL.

No personal data goes in or out: only counts, shares and durations per
location and week. The counting (requests, contacted within the promise,
urgent requests acknowledged in time) is one grouped query per time zone the
locations are in; the median time to first contact is a window query that
returns only the middle one or two rows of each week, so neither grows with
the number of requests. Both run on SQLite and PostgreSQL.

Definitions (docs/performance.md repeats them):
- *requests*: every request received that week, spam and closed repeats left
  out (a repeat's promise is its earlier request's);
- *due*: of those, the ones the promise applies to: contacted, or not
  contacted and past the promised time, and not withdrawn by the patient
  before any contact;
- *kept*: due and first contacted no later than the promised time;
- *urgent acknowledged in time*: urgent, acknowledged within
  URGENT_ACK_MINUTES of arrival.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    Window,
)
from django.db.models.functions import RowNumber, TruncWeek
from django.utils import timezone

from .models import ConsultationRequest, Status

NOT_COUNTED = (Status.SPAM, Status.REPEAT)
PUBLIC_WINDOW = dt.timedelta(days=90)
PUBLIC_MINIMUM = 20


@dataclass
class WeekRow:
    location_id: int
    week: dt.date
    requests: int
    due: int
    kept: int
    urgent: int
    urgent_acked: int
    median_to_contact: dt.timedelta | None = None

    @property
    def kept_share(self) -> float | None:
        return self.kept / self.due if self.due else None

    @property
    def urgent_acked_share(self) -> float | None:
        return self.urgent_acked / self.urgent if self.urgent else None


def _counted(queryset):
    return queryset.exclude(status__in=NOT_COUNTED)


def _due_q(now):
    contacted = Q(first_contacted_at__isnull=False)
    missed = Q(first_contacted_at__isnull=True, promised_contact_by__lt=now) & ~Q(
        status=Status.WITHDRAWN
    )
    return contacted | missed


def _count_fields(now):
    due = _due_q(now)
    ack_limit = dt.timedelta(minutes=settings.URGENT_ACK_MINUTES)
    # Prefixed: an annotation named like a field ("urgent") would shadow it
    # in the filters.
    return {
        "n_requests": Count("pk"),
        "n_due": Count("pk", filter=due),
        "n_kept": Count(
            "pk", filter=due & Q(first_contacted_at__lte=F("promised_contact_by"))
        ),
        "n_urgent": Count("pk", filter=Q(urgent=True)),
        "n_urgent_acked": Count(
            "pk",
            filter=Q(urgent=True, acknowledged_at__lte=F("created_at") + ack_limit),
        ),
    }


def promise_report(
    *, locations, weeks: int = 12, now: dt.datetime | None = None
) -> list[WeekRow]:
    """One row per location and week (weeks start on Monday, local time), newest first."""
    now = now or timezone.now()
    since = now - dt.timedelta(weeks=weeks)
    rows: dict[tuple, WeekRow] = {}
    zones = sorted({location.time_zone for location in locations})
    ids = [location.pk for location in locations]
    for zone_name in zones:
        zone = zoneinfo.ZoneInfo(zone_name)
        in_zone = _counted(
            ConsultationRequest.objects.filter(
                location_id__in=ids,
                location__time_zone=zone_name,
                created_at__gte=since,
            )
        ).annotate(week=TruncWeek("created_at", tzinfo=zone))
        counts = (
            in_zone.order_by()
            .values("location_id", "week")
            .annotate(**_count_fields(now))
        )
        for values in counts:
            key = (values["location_id"], _as_date(values["week"], zone))
            rows[key] = WeekRow(
                location_id=key[0],
                week=key[1],
                **{name[2:]: values[name] for name in _count_fields(now)},
            )
        for key, median in _medians(in_zone, zone).items():
            if key in rows:
                rows[key].median_to_contact = median
    return sorted(rows.values(), key=lambda r: (-r.week.toordinal(), r.location_id))


def _medians(in_zone, zone) -> dict[tuple, dt.timedelta]:
    """The median first-contact delay of each (location, week), from the middle rows.

    Row n of N in delay order is a middle row when (N + 1) / 2 <= n <= (N + 2) / 2
    in integer division: the one middle row of an odd week, the two of an even one.
    """
    group = [F("location_id"), F("week")]
    middle = (
        in_zone.filter(first_contacted_at__isnull=False)
        .annotate(
            delay=ExpressionWrapper(
                F("first_contacted_at") - F("created_at"), output_field=DurationField()
            )
        )
        .annotate(
            position=Window(RowNumber(), partition_by=group, order_by=F("delay").asc()),
            size=Window(Count("pk"), partition_by=group),
        )
        .filter(position__gte=(F("size") + 1) / 2, position__lte=(F("size") + 2) / 2)
        .order_by()
        .values_list("location_id", "week", "delay")
    )
    found: dict[tuple, list] = {}
    for location_id, week, delay in middle:
        found.setdefault((location_id, _as_date(week, zone)), []).append(delay)
    return {
        key: sum(values, dt.timedelta()) / len(values) for key, values in found.items()
    }


def _as_date(week, zone) -> dt.date:
    if isinstance(week, dt.datetime):
        return (
            timezone.localtime(week, zone) if timezone.is_aware(week) else week
        ).date()
    return week


def public_promise_share(location, *, now: dt.datetime | None = None) -> int | None:
    """The whole-number percent of due requests called back within the promise
    over the last 90 days, or None below PUBLIC_MINIMUM requests (too few to
    say anything honest). One query."""
    now = now or timezone.now()
    fields = _count_fields(now)
    counts = _counted(
        ConsultationRequest.objects.filter(
            location=location, created_at__gte=now - PUBLIC_WINDOW
        )
    ).aggregate(
        requests=fields["n_requests"], due=fields["n_due"], kept=fields["n_kept"]
    )
    if counts["requests"] < PUBLIC_MINIMUM or not counts["due"]:
        return None
    return round(100 * counts["kept"] / counts["due"])
