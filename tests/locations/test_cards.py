"""The location cards and pages a patient reads: status, today's hours, a phone
only where someone answers it, everyday zone names, and a next step for a
clinic that is not open yet."""

import re

import pytest

pytestmark = pytest.mark.django_db


def main_html(response):
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def card(html, name):
    cards = re.findall(r'<article class="card location-card.*?</article>', html, re.S)
    (found,) = [c for c in cards if f">{name}</a>" in c]
    return found


def test_open_clinic_card_has_status_todays_hours_and_phone(
    client, clinics, freeze_now
):
    freeze_now(2026, 11, 16, 18)  # Monday 10:00 in Oakland
    html = main_html(client.get("/locations/"))
    oakland = card(html, "Oakland")
    assert "Open now</strong> · closes 5:00 p.m. Pacific time" in oakland
    assert "Today: 9:00 a.m.–5:00 p.m." in oakland
    assert 'href="tel:+15105550110"' in oakland
    assert "America/" not in html and "PST" not in html


def test_coming_soon_card_has_no_phone_or_hours(client, clinics):
    html = main_html(client.get("/locations/"))
    soon = card(html, "San Francisco")
    assert "Coming soon" in soon
    assert "tel:" not in soon and "Today:" not in soon


def test_coming_soon_page_offers_the_nearest_open_clinic_and_hides_contact(
    client, clinics
):
    html = main_html(client.get("/locations/san-francisco/"))
    assert "Our nearest open clinic is Oakland in Oakland, CA." in html
    assert 'href="/consultation/?location=oakland"' in html
    assert "Get directions" not in html
    assert "tel:+14155550130" not in html and "mailto:" not in html
    assert 'name="consent"' in html  # the waitlist is still there


def test_open_clinic_page_keeps_directions_and_phone(client, clinics):
    html = main_html(client.get("/locations/oakland/"))
    assert "Get directions" in html and 'href="tel:+15105550110"' in html
    assert "Want to talk sooner?" not in html
