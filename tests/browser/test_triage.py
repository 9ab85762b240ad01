"""A clinic manager triages the urgent request end to end, in a real browser."""

import csv
import importlib
import io
import os
import time
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from consultations.models import ConsultationRequest, Status
from locations.models import Location, StaffLocation
from tests.consultations.helpers import age
from tests.factories import ConsultationRequestFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "lantern-harbour-evening-7"


def current_code(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def staff_groups(live_url):
    # Transactional tests empty the database afterwards, groups made by the
    # data migration included; rebuild them (the migration is idempotent).
    migration = importlib.import_module("consultations.migrations.0002_staff_groups")
    migration.create_groups(apps, SimpleNamespace(connection=connection))


@pytest.fixture
def manager_device(live_url, staff_groups):
    oakland = Location.objects.get(slug="oakland")
    user = get_user_model().objects.create_user(
        username="morgan", password=PASSWORD, is_staff=True, first_name="Morgan"
    )
    user.groups.add(Group.objects.get(name="Clinic manager"))
    StaffLocation.objects.create(user=user, location=oakland)
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


@pytest.fixture
def triage_queue(live_url):
    oakland = Location.objects.get(slug="oakland")
    portland = Location.objects.get(slug="portland")
    for days in (3, 2, 1):
        age(ConsultationRequestFactory(location=oakland), days=days)
    ConsultationRequestFactory(location=portland, urgent=True)
    return ConsultationRequestFactory(
        location=oakland, urgent=True, first_name="Avery", last_name="Urgentcase"
    )


def test_manager_triages_the_urgent_request_and_exports(
    page, live_url, manager_device, triage_queue
):
    urgent = triage_queue
    page.goto(live_url + reverse("admin:login"))
    page.get_by_label("Username").fill("morgan")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Code from your authenticator app").fill(
        current_code(manager_device)
    )
    page.get_by_role("button", name="Sign in").click()
    expect(
        page.get_by_role("heading", name="Consultation requests needing attention")
    ).to_be_visible()

    page.goto(live_url + reverse("admin:consultations_consultationrequest_changelist"))
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(4)  # Oakland's only
    first = rows.first
    expect(first).to_contain_text(urgent.reference)
    expect(first.locator(".triage-flag--urgent")).to_have_text(
        "Urgent: not acknowledged"
    )

    first.get_by_role("link", name=urgent.reference).click()
    expect(page.get_by_role("heading", name=urgent.reference)).to_be_visible()

    # Log a call: the caller defaults to the signed-in user, the time to now.
    inline = page.locator("#call_attempts-group")
    inline.locator("select[name='call_attempts-0-channel']").select_option("phone")
    inline.locator("select[name='call_attempts-0-outcome']").select_option("voicemail")
    inline.locator("input[name='call_attempts-0-note']").fill("Left a voicemail")
    page.locator("select[name='status']").select_option("contacting")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(page.locator("#call_attempts-2-group")).to_contain_text("Left a voicemail")

    # The menu now offers "Consult scheduled"; it needs a time at the location.
    page.locator("select[name='status']").select_option("scheduled")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".errorlist")).to_contain_text("Enter the consultation time")
    page.locator("input[name='scheduled_for_0']").fill("2030-02-12")
    page.locator("input[name='scheduled_for_1']").fill("10:30")
    page.locator("select[name='status']").select_option("scheduled")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    urgent.refresh_from_db()
    assert urgent.status == Status.SCHEDULED
    assert urgent.first_contacted_at is not None
    assert urgent.call_attempts.get().by.username == "morgan"

    # Filter to scheduled requests, then export exactly those.
    page.locator("#changelist-filter").get_by_role(
        "link", name="Consult scheduled"
    ).click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export these rows (CSV)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    exported = list(csv.DictReader(io.StringIO(open(download.path()).read())))
    assert [row["Reference"] for row in exported] == [urgent.reference]
    assert exported[0]["Status"] == "Consult scheduled"
    assert ConsultationRequest.objects.filter(status=Status.SCHEDULED).count() == 1


# The triage screen at a receptionist's 1280 x 800.

SCREENSHOTS = os.environ.get("TRIAGE_SCREENSHOTS")  # a folder: save PNGs there


def sign_in(page, live_url, device, username="morgan"):
    page.goto(live_url + reverse("admin:login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Code from your authenticator app").fill(current_code(device))
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#site-name")).to_contain_text("Lanternfield")


def shoot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, name))


@pytest.fixture
def busy_queue(live_url, manager_device):
    oakland = Location.objects.get(slug="oakland")
    morgan = manager_device.user
    names = ["Avery", "Jordan", "Riley", "Casey", "Quinn", "Rowan", "Sage", "Emery"]
    for n in range(30):
        req = ConsultationRequestFactory(
            location=oakland,
            first_name=names[n % len(names)],
            last_name="Fernández-Castellanos" if n % 4 == 0 else "Okafor",
            urgent=n in (0, 7),
            language="es" if n % 6 == 0 else "en",
            assigned_to=morgan if n % 3 == 0 else None,
            staff_notification_id=f"<shot{n}@clinic.example>",
        )
        age(req, days=n % 4)
        if n % 5 == 0:
            ConsultationRequest.objects.filter(pk=req.pk).update(
                promised_contact_by=req.created_at
            )
    return ConsultationRequest.objects.filter(urgent=True).first()


def test_the_request_list_fits_1280_px_with_every_column(
    page, live_url, manager_device, busy_queue
):
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, live_url, manager_device)
    page.goto(live_url + reverse("admin:consultations_consultationrequest_changelist"))
    expect(page.locator("#result_list tbody tr")).to_have_count(30)
    shoot(page, "triage-request-list-1280.png")
    widths = page.evaluate(
        """() => ({
            page: document.documentElement.scrollWidth,
            view: document.documentElement.clientWidth,
            table: document.querySelector('#result_list').getBoundingClientRect().right,
            area: document.querySelector('#changelist').getBoundingClientRect().right,
            scroller: [...document.querySelectorAll('.results')].map(
                el => [el.scrollWidth, el.clientWidth]),
        })"""
    )
    assert widths["page"] <= widths["view"] <= 1280, widths
    assert widths["table"] <= widths["area"] + 1, widths
    assert all(full <= shown for full, shown in widths["scroller"]), widths
    for column in [
        "Reference",
        "Location",
        "Status",
        "Urgent",
        "Call by",
        "Assigned to",
        "Staff notified",
    ]:
        header = page.locator("#result_list thead th", has_text=column).first
        expect(header).to_be_in_viewport()
        box = header.bounding_box()
        assert box["x"] + box["width"] <= 1280, column
    overdue = page.locator("#result_list .triage-flag--overdue").first
    expect(overdue).to_have_text("Overdue")
    color = overdue.evaluate("el => getComputedStyle(el).backgroundColor")
    assert color not in ("rgba(0, 0, 0, 0)", "transparent")


def test_an_urgent_request_opens_with_a_red_banner_and_one_button(
    page, live_url, manager_device, busy_queue
):
    urgent = busy_queue
    ConsultationRequest.objects.filter(pk=urgent.pk).update(self_harm_answer="yes")
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, live_url, manager_device)
    page.goto(
        live_url
        + reverse("admin:consultations_consultationrequest_change", args=[urgent.pk])
    )
    banner = page.locator("#urgent-banner")
    expect(banner).to_be_in_viewport()
    expect(banner).to_contain_text("URGENT: NOT acknowledged yet")
    expect(banner).to_contain_text("What to do:")
    box = banner.bounding_box()
    assert box["y"] < 250, box  # at the top, above the form
    border = banner.evaluate("el => getComputedStyle(el).borderLeftColor")
    assert border == "rgb(166, 27, 27)"
    # Labels, not stored values; danger in words, never a green tick.
    expect(page.locator(".field-self_harm")).to_contain_text("Yes")
    expect(page.locator(".field-urgent_state")).to_contain_text("Yes: urgent")
    assert page.locator(".field-urgent_state img").count() == 0
    expect(page.locator(".field-interest")).to_contain_text("Depression")
    expect(page.locator(".field-preferred_contact")).to_contain_text("Phone call")
    shoot(page, "triage-urgent-change-view-1280.png")
    urgent.refresh_from_db()
    assert urgent.acknowledged_at is None  # opening it is not acknowledging it

    banner.get_by_role("button", name="Acknowledge: I am taking this request").click()
    expect(page.locator("#urgent-banner")).to_contain_text("URGENT: acknowledged")
    expect(page.locator("#urgent-banner")).to_contain_text("Acknowledged by Morgan")
    urgent.refresh_from_db()
    assert urgent.acknowledged_by == manager_device.user
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator("#urgent-banner")).to_be_in_viewport()
    shoot(page, "triage-urgent-acknowledged-390.png")
