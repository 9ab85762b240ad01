"""A clinic manager triages the urgent request end to end, in a real browser."""

import csv
import importlib
import io
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
    page.get_by_label("OTP Token").fill(current_code(manager_device))
    page.get_by_role("button", name="Log in").click()
    expect(
        page.get_by_role("heading", name="Consultation requests needing attention")
    ).to_be_visible()

    page.goto(live_url + reverse("admin:consultations_consultationrequest_changelist"))
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(4)  # Oakland's only
    first = rows.first
    expect(first).to_contain_text(urgent.reference)
    expect(first.locator(".triage-flag--urgent")).to_have_text("Urgent")

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
    expect(inline).to_contain_text("Left a voicemail")

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
