"""Free call slots for a location between two instants. Pure: no queries, no clock.

Windows are wall-clock times in the location's zone ("9:00 to 12:00" stays
9:00 to 12:00 local across a daylight-saving change), so each window is turned
into two instants on its own local date and the slots are stepped in real
time between them. On a spring-forward day a window across the gap is an
hour shorter; on a fall-back day the repeated hour is offered twice, and the
labels then name the zone abbreviation (see ``needs_zone_abbreviation``).
All comparisons are between UTC instants.
"""

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field

UTC = dt.UTC


@dataclass(frozen=True)
class Rules:
    """A location's call availability, in the form ``free_slots`` needs."""

    zone: zoneinfo.ZoneInfo
    windows: tuple  # ((weekday 0=Monday, starts: time, ends: time), ...)
    call_minutes: int = 15
    callers: int = 1
    horizon_days: int = 14
    notice_minutes: int = 120
    closed_days: frozenset = field(default_factory=frozenset)  # local dates
    closed_periods: tuple = ()  # ((date, starts: time, ends: time), ...)


@dataclass(frozen=True)
class Slot:
    starts_at: dt.datetime  # aware, in the location's zone
    ends_at: dt.datetime
    free: int

    @property
    def key(self) -> str:
        """The slot's value in a form: its UTC start, to the minute."""
        return slot_key(self.starts_at)


def slot_key(instant: dt.datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def parse_slot_key(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(value, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def local_instant(day: dt.date, time: dt.time, zone) -> dt.datetime:
    """The UTC instant of a wall-clock time; a time skipped by a spring-forward
    change comes out shifted past the gap, an ambiguous one as its first use."""
    return dt.datetime.combine(day, time, tzinfo=zone).astimezone(UTC)


def needs_zone_abbreviation(day: dt.date, zone) -> bool:
    """True on a day whose UTC offset changes, where "1:30 a.m." can be twice."""
    first = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    last = dt.datetime.combine(day, dt.time(23, 59), tzinfo=zone)
    return first.utcoffset() != last.utcoffset()


def free_slots(
    rules: Rules,
    *,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    booked: Iterable[tuple[dt.datetime, dt.datetime]] = (),
) -> list[Slot]:
    """Bookable slots starting in [start, end), earliest first.

    Leaves out slots before ``now`` plus the minimum notice, from ``now`` plus
    the horizon on, on closed days and in closed periods, and those whose
    every seat is taken by ``booked`` (the live bookings' (start, end)
    instants; a booking takes a seat in every slot it overlaps).
    """
    length = dt.timedelta(minutes=rules.call_minutes)
    earliest = max(start, now + dt.timedelta(minutes=rules.notice_minutes))
    latest = min(end, now + dt.timedelta(days=rules.horizon_days))
    if earliest >= latest or rules.callers < 1 or length <= dt.timedelta(0):
        return []
    zone = rules.zone
    closed = [
        (local_instant(day, starts, zone), local_instant(day, ends, zone))
        for day, starts, ends in rules.closed_periods
    ]
    taken = [(a.astimezone(UTC), b.astimezone(UTC)) for a, b in booked]
    found = {}
    day = earliest.astimezone(zone).date()
    last_day = latest.astimezone(zone).date()
    while day <= last_day:
        if day not in rules.closed_days:
            for weekday, starts, ends in rules.windows:
                if weekday != day.weekday():
                    continue
                at = local_instant(day, starts, zone)
                stop = local_instant(day, ends, zone)
                while at + length <= stop:
                    slot_end = at + length
                    if earliest <= at < latest and not _overlaps(at, slot_end, closed):
                        used = sum(1 for a, b in taken if a < slot_end and b > at)
                        if used < rules.callers:
                            found[at] = Slot(
                                at.astimezone(zone),
                                slot_end.astimezone(zone),
                                rules.callers - used,
                            )
                    at = slot_end
        day += dt.timedelta(days=1)
    return [found[at] for at in sorted(found)]


def _overlaps(start, end, periods) -> bool:
    return any(a < end and b > start for a, b in periods)
