"""At most three SQL queries on a public page (four on the cost page), however many locations there are.

Each page (and the thank-you page after a real submission) is measured with an empty page cache (the expensive case: a first
visit, or the first after an edit). The site-settings record is warmed first:
it lives in the shared cache for an hour and is re-read only after it is saved,
so in production pages do not pay for it; its own cold cost (one query) is
pinned by a separate test.
"""

import datetime as dt
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import SiteSettings
from core.protection import make_form_token
from locations.models import HolidayClosure, Location, OpeningHours
from pages.models import Article
from pages.urls import CONTENT_PAGES

pytestmark = pytest.mark.django_db

BUDGET = 3
# An article costs three (itself, its references, its change notes); the cost
# page also lists every open location, in one more query whatever their number.
# An open location's page also counts its call-backs kept over 90 days (one
# aggregate query, whatever the number of requests; consultations/reports.py).
PAGE_BUDGET = {
    "/learn/cost-and-insurance/": BUDGET + 1,
    "/locations/oakland/": BUDGET + 1,
    "/locations/portland/": BUDGET + 1,
}
FIXED_PATHS = [
    "/",
    "/learn/",
    "/locations/",
    "/consultation/",
    "/sitemap.xml",
    "/robots.txt",
    *(f"/{slug}/" for slug in CONTENT_PAGES),
]


def public_paths():
    articles = [a.get_absolute_url() for a in Article.objects.published()]
    locations = [loc.get_absolute_url() for loc in Location.objects.public()]
    return FIXED_PATHS + articles + locations


def count_queries(client, path):
    cache.clear()
    SiteSettings.load()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def add_locations(total):
    for n in range(Location.objects.count(), total):
        location = Location.objects.create(
            name=f"Extra {n}",
            slug=f"extra-{n}",
            street_address=f"{n} Example Street",
            city="Sacramento",
            state="CA",
            postal_code="95814",
            phone="+19165550100",
            email=f"extra{n}@lanternfield.example",
            notification_emails=f"extra{n}@lanternfield.example",
            price_notes="Ask for a written estimate.",
            display_order=10 + n,
        )
        for weekday in range(5):
            OpeningHours.objects.create(
                location=location,
                weekday=weekday,
                opens=dt.time(9),
                closes=dt.time(17),
            )
        HolidayClosure.objects.create(location=location, date=dt.date(2030, 1, 1))


def test_every_public_page_stays_within_the_budget(demo, client):
    over = {}
    for path in public_paths():
        used = count_queries(client, path)
        if used > PAGE_BUDGET.get(path, BUDGET):
            over[path] = used
    assert over == {}


def test_ten_locations_cost_no_more_queries_than_three(demo, client):
    paths = ["/", "/locations/", "/locations/oakland/", "/learn/cost-and-insurance/"]
    with_three = {path: count_queries(client, path) for path in paths}
    add_locations(10)
    assert Location.objects.count() == 10
    with_ten = {path: count_queries(client, path) for path in paths}
    assert with_ten == with_three
    assert all(used <= PAGE_BUDGET.get(path, BUDGET) for path, used in with_ten.items())
    assert "Extra 9" in client.get("/locations/").content.decode()


def test_site_settings_cost_one_query_when_cold_and_none_after(
    demo, django_assert_num_queries
):
    cache.clear()
    with django_assert_num_queries(1):
        SiteSettings.load()
    with django_assert_num_queries(0):
        SiteSettings.load()


def test_the_thank_you_page_stays_within_the_budget(demo, client):
    sent = client.post(
        "/consultation/",
        {
            "first_name": "Ada",
            "last_name": "Quill",
            "phone": "(510) 555-0177",
            "location": "oakland",
            "preferred_contact": "phone",
            "language": "en",
            "consent": "on",
            "form_token": make_form_token(now=time.time() - 10),
        },
    )
    assert sent.status_code in (302, 303)
    SiteSettings.load()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(sent["Location"])
    assert response.status_code == 200
    assert len(queries) <= BUDGET, [q["sql"][:80] for q in queries]
