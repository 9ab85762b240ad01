"""Booking a call time in a real browser: a phone-size screen, axe, the call sheet."""

import datetime as dt
import importlib
import os
import re
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from consultations.booking.links import booking_link
from consultations.booking.models import Booking, CallSchedule, CallWindow
from consultations.booking.services import booking_create
from consultations.booking.wording import time_label
from locations.models import Location, StaffLocation
from tests.a11y import axe_violations
from tests.browser.test_triage import PASSWORD, sign_in
from tests.consultations.booking_helpers import slots_ahead
from tests.factories import ConsultationRequestFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SCREENSHOTS = os.environ.get("BOOKING_SCREENSHOTS")  # a folder: save PNGs there


def shoot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, name))


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(monkeypatch):
    monkeypatch.setattr("core.protection.MIN_FILL_SECONDS", 0)


@pytest.fixture
def oakland(live_url):
    location = Location.objects.get(slug="oakland")
    schedule = CallSchedule.objects.create(location=location, published=True)
    for day in range(7):
        for starts, ends in ((dt.time(9), dt.time(12)), (dt.time(13), dt.time(17))):
            CallWindow.objects.create(
                schedule=schedule, weekday=day, starts=starts, ends=ends
            )
    return location


def fill_required(page):
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Alder")
    page.get_by_label("Phone number").fill("(503) 555-0187")
    page.get_by_role("checkbox", name=re.compile("^I agree")).check()


def pick(page, slot):
    """Click a time's button, opening its day first when it is folded."""
    radio = page.locator(f"input[value='{slot.key}']")
    radio.evaluate("el => { el.closest('details').open = true; }")
    page.locator(f"label[for='{radio.get_attribute('id')}']").click()


def scroll_to(page, selector):
    page.locator(selector).scroll_into_view_if_needed()
    page.evaluate(
        f"window.scrollTo(0, document.querySelector('{selector}')"
        ".getBoundingClientRect().top + window.scrollY - 8)"
    )


def test_booking_a_time_on_a_phone(page, live_url, oakland):
    page.set_viewport_size(PHONE)
    page.goto(live_url + "/locations/oakland/")
    page.get_by_role("link", name="Request a free phone consultation here").click()
    picker = page.locator("#slot-picker")
    expect(picker).to_be_visible()
    expect(picker.get_by_label("Call me when you can")).to_be_checked()
    assert axe_violations(page) == []
    scroll_to(page, "#slot-picker")
    shoot(page, "booking-slot-picker-390.png")
    page.set_viewport_size(DESKTOP)
    scroll_to(page, "#slot-picker")
    shoot(page, "booking-slot-picker-1280.png")
    page.set_viewport_size(PHONE)

    first = slots_ahead(oakland)[0]
    label = time_label(first.starts_at, oakland.zone)
    fill_required(page)
    pick(page, first)
    expect(page.locator(f"input[value='{first.key}']")).to_be_checked()
    page.get_by_role("button", name="Send my request").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you. We have your request."
    )
    expect(page.locator("#booked-call")).to_contain_text(f"at {label} (Pacific time)")
    assert axe_violations(page) == []
    assert Booking.objects.live().get().starts_at == first.starts_at
    with page.expect_download() as download:
        page.get_by_role(
            "link", name=re.compile("Add the time to your calendar")
        ).click()
    assert "BEGIN:VEVENT" in open(download.value.path()).read()


def test_a_time_taken_meanwhile_on_a_phone(page, live_url, oakland):
    page.set_viewport_size(PHONE)
    page.goto(live_url + "/consultation/?location=oakland")
    first = slots_ahead(oakland)[0]
    fill_required(page)
    pick(page, first)
    # Someone else books it between the page and the submit.
    booking_create(
        request=ConsultationRequestFactory(location=oakland), starts_at=first.starts_at
    )
    page.get_by_role("button", name="Send my request").click()
    expect(page.locator("#error-summary")).to_contain_text(
        "That time was just taken, please pick another."
    )
    expect(page.get_by_label("First name")).to_have_value("Robin")
    expect(
        page.locator("#slot-picker").get_by_label("Call me when you can")
    ).to_be_checked()
    assert page.locator(f"input[value='{first.key}']").count() == 0
    assert axe_violations(page) == []
    scroll_to(page, "#slot-picker")
    shoot(page, "booking-slot-taken-390.png")


def test_the_change_page_on_a_phone(page, live_url, oakland):
    page.set_viewport_size(PHONE)
    slot = slots_ahead(oakland)[0]
    booking = booking_create(
        request=ConsultationRequestFactory(location=oakland), starts_at=slot.starts_at
    )
    path = re.sub(r"^https?://[^/]+", "", booking_link(booking))
    page.goto(live_url + path)
    expect(page.locator("#booked-call")).to_contain_text("Pacific time")
    assert axe_violations(page) == []
    shoot(page, "booking-change-390.png")
    page.get_by_role("button", name="Cancel this time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Your call time is cancelled"
    )
    assert axe_violations(page) == []


@pytest.fixture
def desk_device(live_url, oakland):
    migration = importlib.import_module("consultations.migrations.0002_staff_groups")
    migration.create_groups(apps, SimpleNamespace(connection=connection))
    booking_perms = importlib.import_module(
        "consultations.migrations.0007_booking_staff_permissions"
    )
    booking_perms.grant(apps, SimpleNamespace(connection=connection))
    user = get_user_model().objects.create_user(
        username="morgan", password=PASSWORD, is_staff=True, first_name="Morgan"
    )
    user.groups.add(Group.objects.get(name="Front desk"))
    StaffLocation.objects.create(user=user, location=oakland)
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def test_the_call_sheet_at_a_receptionists_desk_and_on_a_phone(
    page, live_url, oakland, desk_device
):
    slots = slots_ahead(oakland)
    day = slots[0].starts_at.date()
    names = ["Avery", "Jordan", "Riley", "Casey", "Quinn", "Rowan"]
    todays = [s for s in slots if s.starts_at.date() == day][: len(names)]
    for n, slot in enumerate(todays):
        request = ConsultationRequestFactory(
            location=oakland,
            first_name=names[n],
            last_name="Example",
            urgent=n == 2,
            assigned_to=desk_device.user if n % 2 else None,
        )
        booking_create(request=request, starts_at=slot.starts_at)
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_url, desk_device)
    schedule = oakland.call_schedule
    url = reverse("admin:consultations_callschedule_calls", args=[schedule.pk])
    page.goto(f"{live_url}{url}?day={day}")
    rows = page.locator("#call-sheet tbody tr")
    expect(rows).to_have_count(len(todays))
    expect(rows.first).to_contain_text(time_label(todays[0].starts_at, oakland.zone))
    expect(rows.nth(1)).to_contain_text("Morgan")
    expect(rows.nth(2).locator(".triage-flag--urgent")).to_have_text("Urgent")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280
    shoot(page, "booking-call-sheet-1280.png")
    page.set_viewport_size(PHONE)
    shoot(page, "booking-call-sheet-390.png")
