"""Structured prices: a PriceList per open location, in the admin, on the
location page and on the cost page; a location without one says why."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from core.templatetags.site_tags import dollars
from locations.models import Location, PriceList
from pages.models import Article
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


def text_of(response):
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def price_list(location, **changes):
    values = {
        "location": location,
        "first_consult_fee": Decimal("250"),
        "per_infusion": Decimal("550"),
        "series_infusions": 6,
        "series_price": Decimal("3000"),
        "included": "Monitoring\nRecovery time",
        "not_included": "Transport home",
        "checked_on": dt.date(2026, 11, 20),
        **changes,
    }
    return PriceList(**values)


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("550"), "$550"),
        (Decimal("3000.00"), "$3,000"),
        (Decimal("12.5"), "$12.50"),
    ],
)
def test_dollars(amount, shown):
    assert dollars(amount) == shown


def test_every_open_demo_location_has_plausible_prices(clinics):
    for location in Location.objects.open():
        prices = location.price_list
        prices.full_clean()
        # Inside the ranges the cost article cites.
        assert 400 <= prices.per_infusion <= 800
        assert 2400 <= prices.series_price <= 4800
        assert prices.free_phone_consultation
        assert prices.included_items and prices.not_included_items
    assert not PriceList.objects.filter(location__status=Location.Status.COMING_SOON)


def test_a_series_dearer_than_its_infusions_and_a_future_check_date_are_refused():
    location = LocationFactory()
    with pytest.raises(ValidationError) as error:
        price_list(
            location, series_price=Decimal("4000"), checked_on=dt.date(2999, 1, 1)
        ).full_clean()
    assert set(error.value.message_dict) == {"series_price", "checked_on"}


def test_negative_prices_are_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        price_list(LocationFactory(), per_infusion=Decimal("-1")).save()


def test_location_page_shows_its_prices(client, clinics):
    text = text_of(client.get("/locations/oakland/"))
    assert "Phone consultation Free" in text
    assert "First consultation (medical evaluation) $250" in text
    assert "Each infusion $550" in text
    assert (
        "A series of 6 infusions, paid together $3,000 ($300 less than one by one)"
        in text
    )
    assert "Not included Transport home after an infusion" in text
    assert "last checked on November 20, 2026" in text


def test_a_location_without_prices_says_why(client, clinics):
    assert "not open yet, so it has no prices" in text_of(
        client.get("/locations/san-francisco/")
    )
    PriceList.objects.filter(location__slug="portland").delete()
    text = text_of(client.get("/locations/portland/"))
    assert "This clinic has not published its prices yet." in text


def test_cost_page_shows_prices_for_every_open_location(client, demo):
    article = Article.objects.get(slug="cost-and-insurance")
    text = text_of(client.get(article.get_absolute_url()))
    section = text[text.index("Prices at our locations") :]
    for location in Location.objects.open():
        assert location.name in section
        assert dollars(location.price_list.per_infusion) in section
    assert "San Francisco" not in section


def test_staff_edit_prices_on_the_location_in_the_admin(otp_admin_client, clinics):
    oakland = Location.objects.get(slug="oakland")
    html = otp_admin_client.get(
        reverse("admin:locations_location_change", args=[oakland.pk])
    )
    assert html.status_code == 200
    content = html.content.decode()
    for field in ("first_consult_fee", "per_infusion", "series_price", "checked_on"):
        assert f'name="price_list-0-{field}"' in content
