import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from core import protection
from locations.models import Location, WaitlistEntry
from tests.a11y import axe_violations
from tests.factories import LocationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def freeze(monkeypatch, *args):
    """Pin the clock the live server reads: it runs in this process."""
    moment = dt.datetime(*args, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    cache.clear()


def test_list_page_marks_coming_soon_and_has_no_axe_violations(page, live_url):
    page.goto(live_url + "/locations/")

    expect(page.get_by_role("heading", name="Our locations", level=1)).to_be_visible()
    soon = page.locator("section", has=page.get_by_role("heading", name="Coming soon"))
    expect(soon.get_by_role("link", name="San Francisco")).to_be_visible()
    expect(soon).to_contain_text("Expected March 2027")
    assert axe_violations(page) == []


def test_open_location_page(page, live_url, monkeypatch):
    freeze(monkeypatch, 2026, 11, 18, 21)  # Wednesday 13:00 in Oakland (PST)
    page.goto(live_url + "/locations/oakland/")

    main = page.locator("main")
    expect(main.get_by_role("heading", name="Oakland clinic")).to_be_visible()
    expect(main.get_by_role("link", name="(510) 555-0110")).to_have_attribute(
        "href", "tel:+15105550110"
    )
    expect(
        main.get_by_role("link", name=re.compile("^Get directions"))
    ).to_have_attribute(
        "href", re.compile(r"^https://www\.openstreetmap\.org/directions\?to=")
    )
    expect(main).to_contain_text("Open now · closes 7:00 p.m. Pacific time")
    expect(
        main.get_by_role("link", name="Request a free phone consultation here")
    ).to_have_attribute("href", "/consultation/?location=oakland")
    hours = main.get_by_role("table")
    expect(hours.get_by_role("row")).to_have_count(8)  # header and seven days
    expect(hours.get_by_role("row", name=re.compile("^Wednesday"))).to_contain_text(
        "9:00 a.m.–12:00 p.m., 1:00 p.m.–7:00 p.m."
    )
    expect(main.locator("form")).to_have_count(0)
    assert axe_violations(page) == []


def test_coming_soon_page_offers_the_waitlist_and_no_booking(page, live_url):
    page.goto(live_url + "/locations/san-francisco/")

    main = page.locator("main")
    expect(main.get_by_role("heading", name="Join the waitlist")).to_be_visible()
    expect(main).to_contain_text("We expect to open in March 2027.")
    # Only the nearest open clinic's consultation is offered, never this one's.
    expect(main.locator("a[href*='/consultation/']")).to_have_attribute(
        "href", "/consultation/?location=oakland"
    )
    expect(page.locator("a[href*='location=san-francisco']")).to_have_count(0)
    expect(main).not_to_contain_text(re.compile("book now", re.I))
    # The honeypot is in the form but hidden from sight and from assistive tech.
    honeypot = page.locator("input[name='website']")
    expect(honeypot).to_have_attribute("tabindex", "-1")
    assert not honeypot.is_visible() or honeypot.bounding_box()["x"] < 0
    expect(page.get_by_role("textbox", name="Leave this field empty")).to_have_count(0)
    assert axe_violations(page) == []


def test_joining_the_waitlist(page, live_url, monkeypatch):
    monkeypatch.setattr(protection, "MIN_FILL_SECONDS", 0)
    page.goto(live_url + "/locations/san-francisco/")

    consent = page.get_by_role("checkbox", name=re.compile("I agree"))
    expect(consent).not_to_be_checked()
    page.get_by_label("Your name").fill("Robin Quill")
    page.get_by_role("button", name="Join the waitlist").click()

    expect(page).to_have_title(re.compile("^Error: "))
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Give us an email address or a phone number")
    expect(summary).to_contain_text("Please check the box to agree")
    expect(page.get_by_label("Your name")).to_have_value("Robin Quill")
    assert axe_violations(page) == []

    page.get_by_label("Phone number").fill("(415) 555-0199")
    page.get_by_role("radio", name="Text message").check()
    page.get_by_role("checkbox", name=re.compile("I agree")).check()
    page.get_by_role("button", name="Join the waitlist").click()

    expect(page).to_have_url(live_url + "/locations/san-francisco/waitlist/thanks/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "you are on the San Francisco waitlist"
    )
    entry = WaitlistEntry.objects.get()
    assert (entry.name, str(entry.phone), entry.preferred_contact) == (
        "Robin Quill",
        "+14155550199",
        "text",
    )


@pytest.mark.parametrize(
    "path", ["/locations/", "/locations/oakland/", "/locations/san-francisco/"]
)
def test_phone_width_needs_no_sideways_scrolling(page, live_url, path):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_url + path)

    assert page.evaluate("document.documentElement.scrollWidth") <= 390


# Fixed instants the Monday after each change, in two zones; the label must be
# the abbreviation in force at that moment.
DST_CASES = [
    # zone, instant (UTC), expected status line
    (
        "America/Los_Angeles",
        (2027, 3, 15, 16, 30),
        "Open now · closes 5:00 p.m. Pacific time",
    ),
    (
        "America/Los_Angeles",
        (2027, 3, 15, 15, 30),
        "Closed now · opens Mon 9:00 a.m. Pacific time",
    ),
    (
        "America/New_York",
        (2026, 11, 2, 14, 30),
        "Open now · closes 5:00 p.m. Eastern time",
    ),
    (
        "America/New_York",
        (2026, 11, 2, 13, 30),
        "Closed now · opens Mon 9:00 a.m. Eastern time",
    ),
    # Saturday before spring-forward (EST now, EDT on Monday): "Eastern time" is right for both.
    (
        "America/New_York",
        (2027, 3, 13, 17, 0),
        "Closed now · opens Mon 9:00 a.m. Eastern time",
    ),
]


@pytest.mark.parametrize(
    "time_zone,instant,expected",
    DST_CASES,
    ids=[
        f"{zone.split('/')[1]}-{'-'.join(map(str, when[:4]))}"
        for zone, when, _ in DST_CASES
    ],
)
def test_open_now_with_zone_label_around_dst(
    page, live_url, monkeypatch, time_zone, instant, expected
):
    LocationFactory(
        name="Harbor",
        slug="harbor",
        time_zone=time_zone,
        status=Location.Status.OPEN,
    )
    freeze(monkeypatch, *instant)

    page.goto(live_url + "/locations/harbor/")

    expect(page.locator("main .open-status")).to_have_text(expected)
