"""Fictional demo locations. Phone numbers are in the reserved 555-01xx range."""

import datetime as dt

from django.db import transaction

from .models import HolidayClosure, Location, OpeningHours, PriceList

WEEKDAY_HOURS = [(dt.time(9), dt.time(17))]
# Demo self-pay prices for the open clinics, inside the US ranges the cost
# article cites ($400-$800 an infusion, $2,400-$4,800 for a first six).
INCLUDED = (
    "A clinician's review of your health before each infusion\n"
    "Blood pressure, heart rate and oxygen monitored throughout\n"
    "Time to recover in the clinic with a nurse\n"
    "A check-in phone call the next day"
)
NOT_INCLUDED = (
    "Transport home after an infusion\n"
    "Further infusions after the series\n"
    "Tests or treatment from your own doctors"
)
PRICES = {
    "oakland": {"first_consult_fee": 250, "per_infusion": 550, "series_price": 3000},
    "portland": {"first_consult_fee": 200, "per_infusion": 475, "series_price": 2600},
}
PRICES_CHECKED_ON = dt.date(2026, 11, 20)
LOCATIONS = [
    {
        "slug": "oakland",
        "name": "Oakland",
        "status": Location.Status.OPEN,
        "street_address": "1800 Harbor Light Way, Suite 300",
        "city": "Oakland",
        "state": "CA",
        "postal_code": "94612",
        "latitude": "37.805000",
        "longitude": "-122.270000",
        "time_zone": "America/Los_Angeles",
        "phone": "+15105550110",
        "email": "oakland@lanternfield.example",
        "notification_emails": "oakland-desk@lanternfield.example\noakland-manager@lanternfield.example",
        "on_call_emails": "oakland-on-call@lanternfield.example",
        "parking_notes": "Validated parking in the building garage on 18th Street (first two hours free).",
        "transit_notes": "Four minutes' walk from 19th Street BART station.",
        "access_notes": "Step-free entrance on Harbor Light Way; lift to the third floor; accessible restroom in the clinic.",
        "display_order": 1,
        "price_notes": "",
        "hours": {
            0: WEEKDAY_HOURS,
            1: WEEKDAY_HOURS,
            2: [(dt.time(9), dt.time(12)), (dt.time(13), dt.time(19))],
            3: WEEKDAY_HOURS,
            4: WEEKDAY_HOURS,
        },
    },
    {
        "slug": "portland",
        "name": "Portland",
        "status": Location.Status.OPEN,
        "street_address": "620 Lantern Row, Floor 2",
        "city": "Portland",
        "state": "OR",
        "postal_code": "97205",
        "latitude": "45.520000",
        "longitude": "-122.680000",
        "time_zone": "America/Los_Angeles",
        "phone": "+15035550120",
        "email": "portland@lanternfield.example",
        "notification_emails": "portland-desk@lanternfield.example",
        "on_call_emails": "portland-on-call@lanternfield.example",
        "parking_notes": "Two accessible bays behind the building; street parking is metered.",
        "transit_notes": "MAX Light Rail, Library/SW 9th Ave stop, then three minutes on foot.",
        "access_notes": "Ramp at the side entrance; lift to floor 2.",
        "display_order": 2,
        "price_notes": "",
        "hours": {
            0: WEEKDAY_HOURS,
            1: WEEKDAY_HOURS,
            2: WEEKDAY_HOURS,
            3: WEEKDAY_HOURS,
            4: WEEKDAY_HOURS,
            5: [(dt.time(9), dt.time(13))],
        },
    },
    {
        "slug": "san-francisco",
        "name": "San Francisco",
        "status": Location.Status.COMING_SOON,
        "expected_opening": dt.date(2027, 3, 1),
        "street_address": "455 Fogline Street",
        "city": "San Francisco",
        "state": "CA",
        "postal_code": "94105",
        "latitude": "37.789000",
        "longitude": "-122.394000",
        "time_zone": "America/Los_Angeles",
        "phone": "+14155550130",
        "email": "sf@lanternfield.example",
        "notification_emails": "sf-opening@lanternfield.example",
        "access_notes": "The clinic will be on the ground floor with a step-free entrance.",
        "display_order": 3,
        "price_notes": "",
        "hours": {},
    },
]


@transaction.atomic
def load_demo_locations() -> int:
    """Create the demo locations if missing; never changes ones that exist."""
    created = 0
    for data in LOCATIONS:
        data = dict(data)
        hours = data.pop("hours")
        location, was_created = Location.objects.get_or_create(
            slug=data["slug"], defaults=data
        )
        if not was_created:
            continue
        created += 1
        rows = []
        for weekday in range(7):
            intervals = hours.get(weekday)
            if intervals:
                rows += [
                    OpeningHours(location=location, weekday=weekday, opens=o, closes=c)
                    for o, c in intervals
                ]
            elif hours:
                rows.append(
                    OpeningHours(location=location, weekday=weekday, closed=True)
                )
        OpeningHours.objects.bulk_create(rows)
        if hours:
            HolidayClosure.objects.bulk_create(
                HolidayClosure(location=location, date=day, reason=reason)
                for day, reason in [
                    (dt.date(2026, 11, 26), "Thanksgiving"),
                    (dt.date(2026, 12, 25), "Christmas Day"),
                    (dt.date(2027, 1, 1), "New Year's Day"),
                ]
            )
    _load_demo_prices()
    return created


def _load_demo_prices():
    # Also for demo locations made before price lists existed; an existing
    # price list is never changed.
    for location in Location.objects.filter(slug__in=PRICES, price_list__isnull=True):
        PriceList.objects.create(
            location=location,
            series_infusions=6,
            included=INCLUDED,
            not_included=NOT_INCLUDED,
            checked_on=PRICES_CHECKED_ON,
            **PRICES[location.slug],
        )
