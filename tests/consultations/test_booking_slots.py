"""Free call slots: time zones, daylight saving, notice, horizon, closures, capacity."""

import datetime as dt
import zoneinfo

from consultations.booking.slots import (
    Rules,
    free_slots,
    needs_zone_abbreviation,
    parse_slot_key,
    slot_key,
)

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
PHOENIX = zoneinfo.ZoneInfo("America/Phoenix")
UTC = dt.UTC
WEEKDAYS_9_TO_10 = tuple((day, dt.time(9), dt.time(10)) for day in range(5))


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


def starts(slots):
    return [s.starts_at.astimezone(UTC) for s in slots]


def local_times(slots):
    return [f"{s.starts_at:%a %H:%M %Z}" for s in slots]


def week(rules, first_day, now=None):
    start = dt.datetime.combine(first_day, dt.time(0), tzinfo=rules.zone)
    now = now or start - dt.timedelta(days=1)
    return free_slots(rules, start=start, end=start + dt.timedelta(days=7), now=now)


def test_a_window_gives_slots_of_the_call_length_in_local_time():
    rules = Rules(zone=LA, windows=((0, dt.time(9), dt.time(10)),))
    slots = week(rules, dt.date(2026, 12, 7))  # a Monday, Pacific standard time
    assert starts(slots) == [utc(2026, 12, 7, 17, m) for m in (0, 15, 30, 45)]
    assert all(s.ends_at - s.starts_at == dt.timedelta(minutes=15) for s in slots)
    assert [s.free for s in slots] == [1, 1, 1, 1]


def test_call_length_is_the_step_and_a_slot_never_runs_past_the_window():
    rules = Rules(zone=LA, windows=((0, dt.time(9), dt.time(10)),), call_minutes=25)
    slots = week(rules, dt.date(2026, 12, 7))
    assert local_times(slots) == ["Mon 09:00 PST", "Mon 09:25 PST"]


def test_spring_forward_week_in_los_angeles_keeps_9am_local():
    # 8 March 2026: clocks go from 2:00 PST to 3:00 PDT.
    rules = Rules(zone=LA, windows=WEEKDAYS_9_TO_10, call_minutes=60)
    slots = week(rules, dt.date(2026, 3, 5))  # Thursday to Wednesday
    assert starts(slots) == [
        utc(2026, 3, 5, 17),  # Thu 9:00 PST
        utc(2026, 3, 6, 17),  # Fri 9:00 PST
        utc(2026, 3, 9, 16),  # Mon 9:00 PDT: one hour earlier in UTC
        utc(2026, 3, 10, 16),
        utc(2026, 3, 11, 16),
    ]
    assert {f"{s.starts_at:%H:%M}" for s in slots} == {"09:00"}


def test_spring_forward_night_skips_the_missing_hour():
    rules = Rules(zone=LA, windows=((6, dt.time(1), dt.time(4)),), call_minutes=30)
    slots = week(rules, dt.date(2026, 3, 8))
    assert local_times(slots) == [
        "Sun 01:00 PST",
        "Sun 01:30 PST",
        "Sun 03:00 PDT",
        "Sun 03:30 PDT",
    ]
    assert starts(slots)[2] - starts(slots)[1] == dt.timedelta(minutes=30)
    assert needs_zone_abbreviation(dt.date(2026, 3, 8), LA)
    assert not needs_zone_abbreviation(dt.date(2026, 3, 9), LA)


def test_fall_back_week_in_los_angeles_keeps_9am_local():
    # 1 November 2026: clocks go from 2:00 PDT back to 1:00 PST.
    rules = Rules(zone=LA, windows=WEEKDAYS_9_TO_10, call_minutes=60)
    slots = week(rules, dt.date(2026, 10, 29))
    assert starts(slots) == [
        utc(2026, 10, 29, 16),  # Thu 9:00 PDT
        utc(2026, 10, 30, 16),
        utc(2026, 11, 2, 17),  # Mon 9:00 PST: one hour later in UTC
        utc(2026, 11, 3, 17),
        utc(2026, 11, 4, 17),
    ]


def test_fall_back_night_offers_the_repeated_hour_twice_and_names_the_zone():
    rules = Rules(zone=LA, windows=((6, dt.time(1), dt.time(2)),), call_minutes=30)
    slots = week(rules, dt.date(2026, 11, 1))
    assert local_times(slots) == [
        "Sun 01:00 PDT",
        "Sun 01:30 PDT",
        "Sun 01:00 PST",
        "Sun 01:30 PST",
    ]
    assert len(set(starts(slots))) == 4  # four different instants
    assert needs_zone_abbreviation(dt.date(2026, 11, 1), LA)


def test_a_zone_without_daylight_saving_does_not_move_in_march_or_november():
    rules = Rules(zone=PHOENIX, windows=WEEKDAYS_9_TO_10, call_minutes=60)
    march = week(rules, dt.date(2026, 3, 5))
    november = week(rules, dt.date(2026, 10, 29))
    assert {s.starts_at.astimezone(UTC).time() for s in march + november} == {
        dt.time(16)
    }
    assert len(march) == len(november) == 5
    assert not needs_zone_abbreviation(dt.date(2026, 3, 8), PHOENIX)


def test_minimum_notice_and_the_past_are_left_out():
    rules = Rules(zone=LA, windows=((0, dt.time(9), dt.time(12)),), call_minutes=60)
    monday = dt.date(2026, 12, 7)
    now = dt.datetime.combine(monday, dt.time(8, 30), tzinfo=LA)
    slots = week(rules, monday, now=now)
    # 9:00 and 10:00 are within two hours of 8:30.
    assert local_times(slots) == ["Mon 11:00 PST"]
    late = dt.datetime.combine(monday, dt.time(13), tzinfo=LA)
    assert week(rules, monday, now=late) == []


def test_the_horizon_ends_the_list():
    rules = Rules(zone=LA, windows=WEEKDAYS_9_TO_10, call_minutes=60, horizon_days=3)
    now = dt.datetime(2026, 12, 6, 12, tzinfo=LA)  # Sunday noon
    slots = free_slots(rules, start=now, end=now + dt.timedelta(days=30), now=now)
    assert [f"{s.starts_at:%a}" for s in slots] == ["Mon", "Tue", "Wed"]


def test_closed_days_and_closed_periods_are_left_out():
    rules = Rules(
        zone=LA,
        windows=WEEKDAYS_9_TO_10,
        closed_days=frozenset({dt.date(2026, 12, 8)}),
        closed_periods=((dt.date(2026, 12, 9), dt.time(9, 30), dt.time(10)),),
    )
    slots = week(rules, dt.date(2026, 12, 7))
    by_day = {}
    for slot in slots:
        by_day.setdefault(f"{slot.starts_at:%a}", []).append(f"{slot.starts_at:%H:%M}")
    assert "Tue" not in by_day
    assert by_day["Wed"] == ["09:00", "09:15"]
    assert len(by_day["Mon"]) == 4


def test_booked_seats_reduce_capacity_and_a_full_slot_disappears():
    rules = Rules(zone=LA, windows=((0, dt.time(9), dt.time(10)),), callers=2)
    nine = utc(2026, 12, 7, 17)
    quarter_past = nine + dt.timedelta(minutes=15)
    fifteen = dt.timedelta(minutes=15)
    booked = [
        (nine, nine + fifteen),
        (nine, nine + fifteen),
        (quarter_past, quarter_past + fifteen),
    ]
    start = nine - dt.timedelta(hours=1)
    slots = free_slots(
        rules,
        start=start,
        end=start + dt.timedelta(days=1),
        now=start - dt.timedelta(days=1),
        booked=booked,
    )
    assert [(f"{s.starts_at:%H:%M}", s.free) for s in slots] == [
        ("09:15", 1),
        ("09:30", 2),
        ("09:45", 2),
    ]


def test_a_booking_of_another_length_takes_a_seat_in_every_slot_it_overlaps():
    rules = Rules(zone=LA, windows=((0, dt.time(9), dt.time(10)),))
    nine = utc(2026, 12, 7, 17)
    long_call = (nine + dt.timedelta(minutes=10), nine + dt.timedelta(minutes=40))
    slots = free_slots(
        rules,
        start=nine,
        end=nine + dt.timedelta(hours=1),
        now=nine - dt.timedelta(days=1),
        booked=[long_call],
    )
    assert [f"{s.starts_at:%H:%M}" for s in slots] == ["09:45"]


def test_slot_keys_round_trip_and_refuse_garbage():
    instant = utc(2026, 12, 7, 17, 15)
    assert slot_key(instant.astimezone(LA)) == "2026-12-07T17:15Z"
    assert parse_slot_key("2026-12-07T17:15Z") == instant
    assert parse_slot_key("tomorrow") is None
    assert parse_slot_key(None) is None
