import io
import json
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.cache import get_max_age
from PIL import Image

from core.models import SiteSettings
from locations.models import Location
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db

JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def main_html(response):
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def jsonld(response):
    (block,) = JSONLD.findall(response.content.decode())
    return json.loads(block)


def title_and_description(response):
    html = response.content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    description = re.search(r'<meta name="description" content="(.*?)">', html, re.S)
    return title.strip(), description.group(1).strip()


@pytest.fixture
def statuses(clinics):
    """The demo locations plus one temporarily closed and one closed clinic."""
    LocationFactory(
        name="Berkeley",
        slug="berkeley",
        status=Location.Status.TEMPORARILY_CLOSED,
        status_note="Closed for flood repairs until the spring.",
        latitude="37.870",
        longitude="-122.270",
    )
    LocationFactory(
        name="Salem",
        slug="salem",
        status=Location.Status.CLOSED,
        status_note="Records from Salem are kept by our Portland clinic: ask them.",
        latitude="44.940",
        longitude="-123.030",
        weekday_hours=[],
    )
    SiteSettings.load()


class TestList:
    def test_lists_every_location_and_marks_coming_soon(
        self, client, clinics, freeze_now
    ):
        freeze_now(2026, 11, 16, 18)  # Monday 10:00 in Oakland (PST)

        response = client.get("/locations/")

        html = main_html(response)
        for name in ("Oakland", "Portland", "San Francisco"):
            assert name in html
        soon = html[html.index("San Francisco") :]
        assert "Coming soon" in soon
        assert "Expected March 2027" in soon
        assert html.count("Open now") == 2
        assert "closes 5:00 p.m. Pacific time" in html
        assert "/consultation/?location=san-francisco" not in response.content.decode()

    def test_is_publicly_cacheable_until_the_next_opening_or_closing(
        self, client, clinics, freeze_now
    ):
        freeze_now(2026, 11, 17, 0, 58)  # Monday 16:58 PST: two minutes to closing

        first = client.get("/locations/")
        second = client.get("/locations/")

        assert "public" in first["Cache-Control"]
        assert 0 < get_max_age(first) <= 120
        assert second.content == first.content

    def test_query_count_does_not_grow_with_locations(
        self, client, site_settings_cached, django_assert_max_num_queries
    ):
        LocationFactory.create_batch(10)

        with django_assert_max_num_queries(3):
            response = client.get("/locations/")

        assert response.content.decode().count("location-card") == 10


class TestDetail:
    @pytest.mark.parametrize("slug", ["oakland", "san-francisco", "berkeley", "salem"])
    def test_costs_at_most_three_queries(
        self, client, statuses, django_assert_max_num_queries, slug
    ):
        # An open one adds the promise-kept count (one aggregate query).
        with django_assert_max_num_queries(4 if slug == "oakland" else 3):
            response = client.get(f"/locations/{slug}/")
        assert response.status_code == 200

    def test_open_location_page(self, client, clinics, freeze_now):
        freeze_now(2026, 11, 16, 18)  # Monday 10:00 PST

        response = client.get("/locations/oakland/")

        html = main_html(response)
        assert "1800 Harbor Light Way, Suite 300" in html
        assert '<a href="tel:+15105550110">(510) 555-0110</a>' in html
        assert 'href="mailto:oakland@lanternfield.example"' in html
        assert "Open now</strong> · closes 5:00 p.m. Pacific time" in html
        assert (
            'href="https://www.openstreetmap.org/directions?to=37.805000%2C-122.270000"'
            in html
        )
        for day in ("Monday", "Saturday", "Sunday"):
            assert f'<th scope="row">{day}</th>' in html
        text = re.sub(r"<[^>]+>", "", html)
        assert "9:00 a.m.–12:00 p.m., 1:00 p.m.–7:00 p.m." in text  # Wednesday
        assert "Local time in Oakland (Pacific time)" in text
        assert html.count("<td>Closed</td>") == 2
        assert "Thursday, November 26, 2026: Thanksgiving" in html
        assert "Validated parking" in html
        assert "19th Street BART" in html
        assert "Step-free entrance" in html
        assert "<iframe" not in response.content.decode()

    def test_closed_now_says_when_it_opens_in_the_zone_of_that_moment(
        self, client, clinics, freeze_now
    ):
        freeze_now(2027, 3, 13, 20)  # Saturday noon PST; clocks change on Sunday

        html = main_html(client.get("/locations/oakland/"))

        assert "Closed now</strong> · opens Mon 9:00 a.m. Pacific time" in html

    def test_open_page_is_publicly_cached(self, client, clinics):
        response = client.get("/locations/oakland/")

        assert "public" in response["Cache-Control"]
        assert "csrfmiddlewaretoken" not in response.content.decode()

    def test_coming_soon_page_holds_a_form_and_is_never_shared_cached(
        self, client, clinics, django_assert_num_queries
    ):
        SiteSettings.load()
        first = client.get("/locations/san-francisco/")
        with django_assert_num_queries(3):  # rendered afresh, not from the cache
            second = client.get("/locations/san-francisco/")

        for response in (first, second):
            assert "no-store" in response["Cache-Control"]
            assert "public" not in response["Cache-Control"]
            assert "csrfmiddlewaretoken" in response.content.decode()

    def test_photo_is_a_responsive_webp_image_with_its_description(self, client):
        buffer = io.BytesIO()
        Image.new("RGB", (1200, 800), "#88aacc").save(buffer, format="JPEG")
        location = LocationFactory(
            photo=SimpleUploadedFile("front.jpg", buffer.getvalue()),
            photo_alt="The clinic's entrance on a quiet street",
        )

        html = main_html(client.get(location.get_absolute_url()))

        img = re.search(r"<img [^>]+>", html).group(0)
        assert 'alt="The clinic&#x27;s entrance on a quiet street"' in img
        assert "-480w.webp 480w" in img and "-960w.webp 960w" in img

    def test_unknown_slug_is_404(self, client, clinics):
        assert client.get("/locations/atlantis/").status_code == 404

    def test_titles_and_descriptions_are_unique(self, client, statuses):
        pages = ["/locations/"] + [
            f"/locations/{slug}/"
            for slug in ("oakland", "portland", "san-francisco", "berkeley", "salem")
        ]
        seen = [title_and_description(client.get(url)) for url in pages]

        titles = [title for title, _ in seen]
        descriptions = [description for _, description in seen]
        assert len(set(titles)) == len(pages)
        assert len(set(descriptions)) == len(pages)
        assert all(descriptions)


class TestCallToAction:
    CONSULT = "/consultation/?location={slug}"

    def test_open_offers_the_consultation_for_this_location(self, client, statuses):
        html = main_html(client.get("/locations/oakland/"))

        assert html.count('href="/consultation/') == 1
        assert (
            '<a class="btn btn-primary" href="/consultation/?location=oakland">'
            "Request a free phone consultation here</a>"
        ) in html
        assert "waitlist-form" not in html
        assert "Our nearest open clinics" not in html

    def test_coming_soon_offers_the_waitlist_and_no_request_for_itself(
        self, client, statuses
    ):
        response = client.get("/locations/san-francisco/")
        html = main_html(response)

        assert 'id="waitlist-form"' in html
        assert 'action="/locations/san-francisco/waitlist/"' in html
        assert "We expect to open in March 2027." in html
        # The only consultation offered is at the nearest open clinic.
        assert re.findall(r'href="(/consultation/[^"]*)"', html) == [
            "/consultation/?location=oakland"
        ]
        assert "?location=san-francisco" not in response.content.decode()
        assert not re.search(r"\bbook(ing)? now\b", html, re.I)

    def test_temporarily_closed_explains_and_lists_nearest_open(self, client, statuses):
        html = main_html(client.get("/locations/berkeley/"))

        assert "This clinic is temporarily closed" in html
        assert "Closed for flood repairs until the spring." in html
        nearest = html[html.index("Our nearest open clinics") :]
        # Oakland is a few km from Berkeley, Portland far; never the coming-soon one.
        assert nearest.index("Oakland") < nearest.index("Portland")
        assert "San Francisco" not in nearest
        assert "/consultation/" not in html
        assert "waitlist-form" not in html

    def test_closed_explains_records_and_lists_nearest_open(self, client, statuses):
        html = main_html(client.get("/locations/salem/"))

        assert "Requesting your records" in html
        assert "Records from Salem are kept by our Portland clinic" in html
        nearest = html[html.index("Our nearest open clinics") :]
        assert nearest.index("Portland") < nearest.index("Oakland")
        assert "/consultation/" not in html
        assert "Opening hours" not in html


class TestStructuredData:
    def test_open_location_is_a_medical_clinic_with_hours(self, client, clinics):
        data = jsonld(client.get("/locations/oakland/"))

        assert data["@type"] == "MedicalClinic"
        assert data["url"] == settings.SITE_URL + "/locations/oakland/"
        assert data["telephone"] == "+15105550110"
        assert data["address"]["postalCode"] == "94612"
        assert data["address"]["addressLocality"] == "Oakland"
        assert data["geo"] == {
            "@type": "GeoCoordinates",
            "latitude": 37.805,
            "longitude": -122.27,
        }
        hours = data["openingHoursSpecification"]
        assert len(hours) == 6  # Mon, Tue, Thu, Fri, and Wednesday's two intervals
        assert {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": "https://schema.org/Wednesday",
            "opens": "13:00",
            "closes": "19:00",
        } in hours

    def test_coming_soon_location_promises_no_hours(self, client, clinics):
        data = jsonld(client.get("/locations/san-francisco/"))

        assert data["@type"] == "MedicalClinic"
        assert "openingHoursSpecification" not in data

    def test_json_ld_cannot_break_out_of_its_script_element(self, client, clinics):
        Location.objects.filter(slug="oakland").update(
            name="Oak</script><script>alert(1)</script>"
        )

        response = client.get("/locations/oakland/")

        assert "</script><script>alert(1)" not in response.content.decode()
        assert jsonld(response)["name"].endswith(
            "Oak</script><script>alert(1)</script>"
        )
