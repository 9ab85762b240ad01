import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from locations.models import Location, OpeningHours
from tests.factories import HolidayClosureFactory, LocationFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NINE_TO_FIVE = [(day, dt.time(9), dt.time(17)) for day in range(5)]


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


def clinic(time_zone, hours=NINE_TO_FIVE, **kwargs):
    location = LocationFactory(time_zone=time_zone, weekday_hours=hours, **kwargs)
    return Location.objects.with_hours().get(pk=location.pk)


# The Monday after each change: 09:30 local is open and 08:30 is closed. The
# UTC instants are the ones a fixed, pre-change offset would get wrong by an hour.
DST_CASES = [
    # zone, change, open instant (09:30 local), closed instant (08:30 local)
    (
        "America/Los_Angeles",
        "spring",
        utc(2027, 3, 15, 16, 30),
        utc(2027, 3, 15, 15, 30),
    ),
    ("America/New_York", "spring", utc(2027, 3, 15, 13, 30), utc(2027, 3, 15, 12, 30)),
    ("America/Los_Angeles", "fall", utc(2026, 11, 2, 17, 30), utc(2026, 11, 2, 16, 30)),
    ("America/New_York", "fall", utc(2026, 11, 2, 14, 30), utc(2026, 11, 2, 13, 30)),
]


@pytest.mark.parametrize(
    "time_zone,change,open_at,closed_at",
    DST_CASES,
    ids=[f"{c[0]}-{c[1]}" for c in DST_CASES],
)
def test_open_now_follows_local_wall_clock_after_dst_change(
    time_zone, change, open_at, closed_at
):
    location = clinic(time_zone)

    assert location.open_status(open_at).is_open is True
    assert location.open_status(closed_at).is_open is False
    assert location.local_now(open_at).time() == dt.time(9, 30)
    assert location.local_now(closed_at).time() == dt.time(8, 30)


@pytest.mark.parametrize(
    "time_zone,saturday,monday_nine,before,after",
    [
        # Spring forward: it is standard time now, daylight time at the opening.
        (
            "America/Los_Angeles",
            utc(2027, 3, 13, 20),
            utc(2027, 3, 15, 16),
            "PST",
            "PDT",
        ),
        ("America/New_York", utc(2027, 3, 13, 17), utc(2027, 3, 15, 13), "EST", "EDT"),
        # Fall back: the other way round.
        (
            "America/Los_Angeles",
            utc(2026, 10, 31, 19),
            utc(2026, 11, 2, 17),
            "PDT",
            "PST",
        ),
        ("America/New_York", utc(2026, 10, 31, 16), utc(2026, 11, 2, 14), "EDT", "EST"),
    ],
)
def test_next_opening_over_a_dst_weekend_is_labelled_with_the_zone_then(
    time_zone, saturday, monday_nine, before, after
):
    location = clinic(time_zone)

    status = location.open_status(saturday)

    assert status.is_open is False
    assert status.next_opening == monday_nine
    assert status.next_opening.time() == dt.time(9)
    assert location.local_now(saturday).tzname() == before
    assert status.next_opening.tzname() == after
    # What patients read is the everyday name, right on both sides of the change.
    assert (
        status.zone_label
        == location.zone_label
        == {
            "America/Los_Angeles": "Pacific time",
            "America/New_York": "Eastern time",
        }[time_zone]
    )


@pytest.mark.parametrize(
    "time_zone,now,closes_utc,label",
    [
        (
            "America/Los_Angeles",
            utc(2027, 3, 15, 17),
            utc(2027, 3, 16, 0),
            "Pacific time",
        ),
        (
            "America/New_York",
            utc(2026, 11, 2, 15),
            utc(2026, 11, 2, 22),
            "Eastern time",
        ),
    ],
)
def test_open_status_gives_closing_time_and_zone(time_zone, now, closes_utc, label):
    status = clinic(time_zone).open_status(now)

    assert status.is_open is True
    assert status.closes_at == closes_utc
    assert status.closes_at.time() == dt.time(17)
    assert status.zone_label == label
    assert status.changes_at == status.closes_at


def test_opening_time_skipped_by_spring_forward_moves_past_the_gap():
    # Sunday 2027-03-14: 02:30 never happens in Los Angeles.
    location = clinic("America/Los_Angeles", hours=[(6, dt.time(2, 30), dt.time(6))])

    opening = location.next_opening(utc(2027, 3, 14, 8))  # 00:00 PST

    assert opening == utc(2027, 3, 14, 10, 30)
    assert (opening.time(), opening.tzname()) == (dt.time(3, 30), "PDT")
    assert location.open_status(utc(2027, 3, 14, 9, 59)).is_open is False  # 01:59 PST
    assert location.open_status(utc(2027, 3, 14, 10, 30)).is_open is True  # 03:30 PDT


def test_next_opening_inside_the_repeated_hour_is_never_in_the_past():
    # Sunday 2026-11-01 in Los Angeles: 01:00-02:00 happens twice.
    location = clinic("America/Los_Angeles", hours=[(6, dt.time(1, 30), dt.time(5))])
    second_pass = utc(2026, 11, 1, 9, 10)  # 01:10 PST, after 01:30 PDT has passed

    assert location.open_status(second_pass).is_open is False
    opening = location.next_opening(second_pass)

    # An instant in a repeated hour (fold=1) never compares equal across zones.
    assert opening.astimezone(UTC) == utc(2026, 11, 1, 9, 30)  # 01:30 PST
    assert (opening.time(), opening.tzname()) == (dt.time(1, 30), "PST")
    assert opening > second_pass


@pytest.mark.parametrize(
    "now,expected",
    [
        # Sunday 23:30 in Los Angeles is already Monday 02:30 in New York.
        (
            utc(2027, 3, 15, 6, 30),
            {
                "America/Los_Angeles": dt.date(2027, 3, 15),
                "America/New_York": dt.date(2027, 3, 16),
            },
        ),
        # Friday evening, DST ending on Sunday.
        (
            utc(2026, 10, 30, 23),
            {
                "America/Los_Angeles": dt.date(2026, 11, 2),
                "America/New_York": dt.date(2026, 11, 2),
            },
        ),
    ],
)
def test_next_business_day_is_counted_in_each_locations_own_zone(now, expected):
    for time_zone, day in expected.items():
        assert clinic(time_zone).next_business_day(now) == day


def test_holiday_closes_the_day_and_is_skipped():
    location = LocationFactory(weekday_hours=NINE_TO_FIVE)
    HolidayClosureFactory(location=location, date=dt.date(2026, 11, 26))
    location = Location.objects.with_hours().get(pk=location.pk)
    thanksgiving_noon = utc(2026, 11, 26, 20)  # Thursday 12:00 PST

    assert location.open_status(thanksgiving_noon).is_open is False
    status = location.open_status(thanksgiving_noon)
    assert status.next_opening == utc(2026, 11, 27, 17)  # Friday 09:00 PST
    # Wednesday evening: the next business day jumps over Thursday.
    assert location.next_business_day(utc(2026, 11, 26, 2)) == dt.date(2026, 11, 27)
    assert location.intervals_on(dt.date(2026, 11, 26)) == []
    assert location.weekly_hours()[3][1] == [(dt.time(9), dt.time(17))]


def test_upcoming_closures_lists_only_the_coming_window():
    location = LocationFactory()
    for day in (dt.date(2026, 11, 1), dt.date(2026, 11, 26), dt.date(2027, 6, 1)):
        HolidayClosureFactory(location=location, date=day)

    closures = location.upcoming_closures(dt.date(2026, 11, 10))

    assert [c.date for c in closures] == [dt.date(2026, 11, 26)]


def test_multiple_intervals_in_a_day():
    # Wednesday 2026-11-18 in Los Angeles (PST, UTC-8): 9-12 and 13-19.
    location = clinic(
        "America/Los_Angeles",
        hours=[(2, dt.time(9), dt.time(12)), (2, dt.time(13), dt.time(19))],
    )

    morning = location.open_status(utc(2026, 11, 18, 19))  # 11:00
    lunch = location.open_status(utc(2026, 11, 18, 20, 30))  # 12:30
    evening = location.open_status(utc(2026, 11, 18, 2, 30) + dt.timedelta(days=1))

    assert (morning.is_open, morning.closes_at.time()) == (True, dt.time(12))
    assert (lunch.is_open, lunch.next_opening.time()) == (False, dt.time(13))
    assert lunch.next_opening.date() == dt.date(2026, 11, 18)
    assert evening.is_open is True  # 18:30
    assert location.weekly_hours()[2][1] == [
        (dt.time(9), dt.time(12)),
        (dt.time(13), dt.time(19)),
    ]


def test_touching_intervals_read_as_one_opening():
    location = clinic(
        "America/Los_Angeles",
        hours=[(0, dt.time(9), dt.time(12)), (0, dt.time(12), dt.time(17))],
    )

    status = location.open_status(utc(2026, 11, 16, 19))  # Monday 11:00 PST

    assert status.closes_at.time() == dt.time(17)


def test_closed_day_rows_and_no_hours():
    location = clinic("America/Los_Angeles", hours=[])

    assert location.has_hours is False
    assert location.open_status(utc(2026, 11, 16, 19)).next_opening is None
    assert location.next_business_day(utc(2026, 11, 16, 19)) is None
    assert all(intervals == [] for _day, intervals in location.weekly_hours())


def test_opening_more_than_a_week_away_is_flagged_for_a_full_date():
    location = clinic("America/Los_Angeles", hours=[(0, dt.time(9), dt.time(17))])
    # Mondays only, and the next two Mondays are holidays.
    for day in (dt.date(2026, 11, 23), dt.date(2026, 11, 30)):
        HolidayClosureFactory(location=location, date=day)
    location = Location.objects.with_hours().get(pk=location.pk)

    far = location.open_status(utc(2026, 11, 17, 2))  # Monday 18:00 PST
    near = clinic("America/Los_Angeles").open_status(utc(2026, 11, 14, 19))

    assert far.next_opening.date() == dt.date(2026, 12, 7)
    assert far.opens_within_week is False
    assert near.opens_within_week is True


def test_nearest_open_sorts_by_distance_then_display_order():
    here = LocationFactory.build(pk=1, latitude="37.789", longitude="-122.394")
    oakland = LocationFactory.build(
        pk=2, latitude="37.805", longitude="-122.270", display_order=5
    )
    portland = LocationFactory.build(
        pk=3, latitude="45.52", longitude="-122.68", display_order=1
    )
    no_coords = LocationFactory.build(pk=4, display_order=0)
    closed = LocationFactory.build(
        pk=5, latitude="37.79", longitude="-122.39", status=Location.Status.CLOSED
    )

    nearest = here.nearest_open([portland, closed, no_coords, here, oakland])

    assert nearest == [oakland, portland, no_coords]
    assert 10 < here.distance_km(oakland) < 12
    assert 850 < here.distance_km(portland) < 870
    assert here.distance_km(no_coords) is None


def test_nearest_open_without_coordinates_falls_back_to_display_order():
    here = LocationFactory.build(pk=1)
    later = LocationFactory.build(pk=2, display_order=9, latitude="1", longitude="1")
    first = LocationFactory.build(pk=3, display_order=1)

    assert here.nearest_open([later, first]) == [first, later]


ADDRESSES_ERROR = "Enter one valid email address per line."


@pytest.mark.parametrize(
    "addresses",
    ["   \n  \n", "desk@clinic.example\nnot-an-address", "desk@clinic.example, b@c.d"],
    ids=["only-blank-lines", "one-bad-line", "comma-separated"],
)
def test_notification_addresses_must_each_be_a_valid_address(addresses):
    location = LocationFactory.build(notification_emails=addresses)
    with pytest.raises(ValidationError) as caught:
        location.full_clean(validate_unique=False)
    assert caught.value.message_dict["notification_emails"] == [ADDRESSES_ERROR]


def test_notification_addresses_one_per_line_with_spaces_and_blank_lines():
    location = LocationFactory.build(
        notification_emails="  desk@clinic.example \n\n lead@clinic.example\n"
    )
    location.full_clean(validate_unique=False)
    assert location.notification_email_list == [
        "desk@clinic.example",
        "lead@clinic.example",
    ]


HOURS_ERROR = "Give an opening time before the closing time."


@pytest.mark.parametrize(
    "opens,closes",
    [(dt.time(17), dt.time(9)), (dt.time(9), dt.time(9)), (None, dt.time(17))],
    ids=["reversed", "zero-length", "no-opening-time"],
)
def test_open_hours_need_an_opening_time_before_the_closing_time(opens, closes):
    hours = OpeningHours(
        location=LocationFactory(), weekday=0, opens=opens, closes=closes
    )
    with pytest.raises(ValidationError) as caught:
        hours.full_clean()
    assert HOURS_ERROR in caught.value.messages


def test_a_day_closed_all_day_needs_no_times_and_open_hours_pass():
    location = LocationFactory()
    OpeningHours(location=location, weekday=6, closed=True).full_clean()
    OpeningHours(
        location=location, weekday=5, opens=dt.time(9), closes=dt.time(13)
    ).full_clean()
