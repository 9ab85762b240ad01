"""Issue 14's proof: 0 axe violations (the WCAG 2.x A and AA rules and axe's
best-practice rules) on every public page and form state, on a phone (390x844)
and a desktop (1280x800).

One test per size walks every page and state in one browser context, so the
demo data is loaded once per size; the assertion lists every page that failed.
"""

import datetime as dt
import re
from unittest import mock

import pytest
from django.db import OperationalError
from playwright.sync_api import expect

from consultations.booking.links import booking_link
from consultations.booking.models import CallSchedule, CallWindow
from consultations.booking.services import booking_create
from consultations.withdraw import withdraw_token
from locations.models import Location
from tests.a11y import EVERY_RULE, axe_violations
from tests.consultations.booking_helpers import slots_ahead
from tests.factories import ConsultationRequestFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 800},
}
ARTICLE = "/learn/side-effects-and-safety/"
STATIC_PAGES = [
    "/",
    "/learn/",
    ARTICLE,
    "/learn/what-is-ketamine/",
    "/learn/cost-and-insurance/",
    "/locations/",
    "/locations/oakland/",
    "/locations/san-francisco/",  # coming soon: the empty waitlist form
    "/our-approach/",
    "/privacy/",
    "/accessibility/",
    "/editorial-policy/",
    "/medical-disclaimer/",
    "/consultation/",
    "/es/",
    "/es" + ARTICLE,
    "/es/consultation/",
    "/es/locations/",
]


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(monkeypatch):
    # The live server runs in this process, so this reaches it.
    monkeypatch.setattr("core.protection.MIN_FILL_SECONDS", 0)


@pytest.fixture
def oakland_call_times(live_url):
    """Published call windows at Oakland, so the form shows the slot picker."""
    schedule = CallSchedule.objects.create(
        location=Location.objects.get(slug="oakland"), published=True
    )
    for day in range(7):
        CallWindow.objects.create(
            schedule=schedule, weekday=day, starts=dt.time(8), ends=dt.time(20)
        )


class Walk:
    """Goes to each page or state and keeps what axe found there."""

    def __init__(self, page, live_url):
        self.page, self.url, self.found, self.seen = page, live_url, {}, []

    def goto(self, path):
        return self.page.goto(self.url + path)

    def check(self, name):
        self.page.evaluate("document.fonts.ready.then(() => true)")
        self.seen.append(name)
        if violations := axe_violations(self.page, tags=EVERY_RULE):
            self.found[name] = violations


def fill_consultation(page, *, clinic="oakland", urgent=False):
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Alder")
    page.get_by_label("Phone number").fill("(503) 555-0187")
    page.get_by_label("Which clinic").select_option(clinic)
    if urgent:
        self_harm = page.get_by_role("group", name=re.compile("thoughts of harming"))
        self_harm.get_by_label("Yes", exact=True).check()
    page.get_by_role("checkbox", name=re.compile("^I agree")).check()


def send_consultation(page):
    page.get_by_role("button", name="Send my request").click()


def walk_pages(walk):
    for path in STATIC_PAGES:
        walk.goto(path)
        walk.check(path)


def walk_consultation(walk):
    page = walk.page
    walk.goto("/consultation/")
    send_consultation(page)
    expect(page.locator("#error-summary")).to_be_visible()
    walk.check("consultation: with errors")

    walk.goto("/consultation/")
    group = page.get_by_role("group", name=re.compile("thoughts of harming"))
    group.get_by_label("Yes", exact=True).check()
    expect(page.locator("#crisis-panel")).to_be_visible()
    walk.check("consultation: crisis panel shown")

    walk.goto("/consultation/")
    fill_consultation(page, clinic="portland")
    send_consultation(page)
    expect(page).to_have_url(walk.url + "/consultation/thanks/")
    walk.check("consultation: thank you")

    walk.goto("/consultation/")
    fill_consultation(page, clinic="portland", urgent=True)
    send_consultation(page)
    expect(page.locator("main .crisis-panel")).to_be_visible()
    walk.check("consultation: thank you, urgent")

    walk.goto("/es/consultation/")
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("#error-summary")).to_be_visible()
    walk.check("/es/consultation/: with errors")


def walk_booking(walk):
    page = walk.page
    walk.goto("/consultation/?location=oakland")
    picker = page.locator("#slot-picker")
    expect(picker).to_be_visible()
    # Every folded day open, so axe sees each time's button.
    page.evaluate(
        "document.querySelectorAll('#slot-picker details')"
        ".forEach((d) => { d.open = true; })"
    )
    walk.check("booking: slot picker")
    fill_consultation(page)
    radio = picker.locator("input[type=radio]:not([value=''])").first
    page.locator(f"label[for='{radio.get_attribute('id')}']").click()
    send_consultation(page)
    expect(page.locator("#booked-call")).to_be_visible()
    walk.check("booking: thank you with a call time")


def walk_waitlist(walk):
    page = walk.page
    walk.goto("/locations/san-francisco/")
    page.get_by_role("button", name="Join the waitlist").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    walk.check("waitlist: with errors")
    page.get_by_label("Your name").fill("Robin Quill")
    page.get_by_label("Phone number").fill("(415) 555-0199")
    page.get_by_role("checkbox", name=re.compile("I agree")).check()
    page.get_by_role("button", name="Join the waitlist").click()
    expect(page).to_have_url(walk.url + "/locations/san-francisco/waitlist/thanks/")
    walk.check("waitlist: thank you")


def walk_problem_report(walk):
    page = walk.page
    walk.goto(ARTICLE + "report/")
    walk.check("report a problem: empty")
    page.get_by_role("button", name="Send report").click()
    expect(page.locator("#error-summary")).to_be_visible()
    walk.check("report a problem: with errors")
    page.get_by_label("Something is hard to understand").check()
    page.get_by_role("button", name="Send report").click()
    expect(page).to_have_url(re.compile("/report/thanks/(#report)?$"))
    walk.check("report a problem: thank you")


def walk_email_links(walk):
    """The pages behind the links in a patient's emails."""
    page = walk.page
    oakland = Location.objects.get(slug="oakland")
    walk.goto(f"/consultation/withdraw/{withdraw_token(ConsultationRequestFactory())}/")
    walk.check("withdraw: confirm")
    page.get_by_role("button", name="Yes, withdraw my request").click()
    expect(page.locator("h1")).to_contain_text("withdrawn")
    walk.check("withdraw: done")
    walk.goto("/consultation/withdraw/not-a-token/")
    walk.check("withdraw: broken link")

    booking = booking_create(
        request=ConsultationRequestFactory(location=oakland),
        starts_at=slots_ahead(oakland)[0].starts_at,
    )
    walk.goto(re.sub(r"^https?://[^/]+", "", booking_link(booking)))
    walk.check("booking: change or cancel")
    page.get_by_role("button", name="Cancel this time").click()
    expect(page.locator("h1")).to_have_text("Your call time is cancelled")
    walk.check("booking: cancelled")
    walk.goto("/consultation/booking/not-a-token/")
    walk.check("booking: broken link")


def walk_error_pages(walk, settings):
    page = walk.page
    assert walk.goto("/no-such-page/").status == 404
    walk.check("404")
    assert walk.goto("/es/no-such-page/").status == 404
    walk.check("/es/ 404")

    settings.ROOT_URLCONF = "tests.browser.error_urls"
    for path, status in [
        ("/__tests__/bad-request/", 400),
        ("/__tests__/forbidden/", 403),
        ("/__tests__/fail/", 500),
    ]:
        assert walk.goto(path).status == status
        walk.check(str(status))

    # The database away: the "call us" page.
    with mock.patch(
        "consultations.views.consultation_request_create",
        side_effect=OperationalError("server closed the connection"),
    ):
        walk.goto("/consultation/")
        fill_consultation(page)
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            send_consultation(page)
        assert answer.value.status == 503
        walk.check("503")

    # Too many posts: the 429 page.
    settings.FORM_RATE_LIMIT = "1/h"
    for expected in (303, 429):  # the first post under the new rate still counts
        walk.goto(ARTICLE + "report/")
        page.get_by_label("Something is hard to understand").check()
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.get_by_role("button", name="Send report").click()
        assert answer.value.status == expected
    walk.check("429")


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_no_axe_violations_on_any_page_or_form_state(
    browser, live_url, oakland_call_times, settings, size
):
    context = browser.new_context(viewport=size)
    walk = Walk(context.new_page(), live_url)
    try:
        walk_pages(walk)
        walk_consultation(walk)
        walk_booking(walk)
        walk_waitlist(walk)
        walk_problem_report(walk)
        walk_email_links(walk)
        walk_error_pages(walk, settings)
    finally:
        context.close()
    assert walk.found == {}
    assert len(set(walk.seen)) == len(STATIC_PAGES) + 25  # every state was reached
